/**
 * The BucketPort contract (src/cloud/ports.ts): ensureBucket is idempotent, answers the bucket's
 * ARN and brings its tags to the spec; deleteBucket removes every object (every version and
 * delete marker where the store keeps them) and then the bucket, and treats a missing bucket as
 * done; a name S3 refuses is refused for good; an outage is transient; describeBucket reports
 * the protections ensureBucket puts on, and ensureBucket turns back on what was turned off.
 */
import { describe, expect, it } from '@jest/globals';
import { PermanentCloudError, TransientCloudError } from '../../src/cloud/errors.ts';
import type { BucketPort } from '../../src/cloud/ports.ts';
import { closedAfterEach, type Factory, type Subject } from './support.ts';

export interface BucketsSubject extends Subject<BucketPort> {
  /** The bucket's tags, or undefined when there is no such bucket. */
  tagsOf(name: string): Promise<Record<string, string> | undefined>;
  /** Writes an object into the bucket, as the tenant's app would. */
  putObject(bucket: string, key: string): Promise<void>;
  /** Suspends versioning and removes the public access block, as a person could in the console. */
  turnOffProtections(name: string): Promise<void>;
}

const name = 'humangov-test-ca-123456789012';

export function bucketsContract(implementation: string, make: Factory<BucketsSubject>, outage?: Factory<Subject<BucketPort>>): void {
  describe(`BucketPort contract: ${implementation}`, () => {
    const using = closedAfterEach();
    const open = (): Promise<BucketsSubject> => using(make());

    it('creates the bucket, and ensures it again idempotently with its ARN and the new tags', async () => {
      const { port, tagsOf } = await open();

      const made = await port.ensureBucket({ name, tags: { 'humangov:tenant': 'ca' } });
      expect(made).toEqual({ name, arn: `arn:aws:s3:::${name}` });
      await expect(port.ensureBucket({ name, tags: { 'humangov:tenant': 'ca', 'humangov:stage': 'test' } })).resolves.toEqual(made);

      expect(await tagsOf(name)).toEqual({ 'humangov:tenant': 'ca', 'humangov:stage': 'test' });
    });

    it('deletes a bucket holding objects, treats deleting a missing bucket, or deleting twice, as done, and creates it again afterwards', async () => {
      const { port, tagsOf, putObject } = await open();

      await expect(port.deleteBucket('humangov-test-none-123456789012')).resolves.toBeUndefined();
      await port.ensureBucket({ name, tags: { 'humangov:tenant': 'ca' } });
      await putObject(name, 'employees/1/id-scan.pdf');
      await putObject(name, 'employees/1/id-scan.pdf');
      await putObject(name, 'employees/2/id-scan.pdf');
      await port.deleteBucket(name);
      await expect(port.deleteBucket(name)).resolves.toBeUndefined();
      expect(await tagsOf(name)).toBeUndefined();

      await expect(port.ensureBucket({ name, tags: {} })).resolves.toEqual({ name, arn: `arn:aws:s3:::${name}` });
    });

    it('describes no bucket for a missing one, and the protections of one made, which ensureBucket turns back on once turned off', async () => {
      const { port, turnOffProtections } = await open();
      await expect(port.describeBucket('humangov-test-none-123456789012')).resolves.toBeUndefined();
      await port.ensureBucket({ name, tags: { 'humangov:tenant': 'ca' } });
      expect(await port.describeBucket(name)).toEqual({ name, versioning: true, publicAccessBlocked: true });

      await turnOffProtections(name);
      expect(await port.describeBucket(name)).toEqual({ name, versioning: false, publicAccessBlocked: false });
      await port.ensureBucket({ name, tags: { 'humangov:tenant': 'ca' } });

      expect(await port.describeBucket(name)).toEqual({ name, versioning: true, publicAccessBlocked: true });
    });

    it('refuses for good a bucket name S3 does not accept', async () => {
      const { port } = await open();

      await expect(port.ensureBucket({ name: 'Humangov_Test', tags: {} })).rejects.toBeInstanceOf(PermanentCloudError);
      await expect(port.ensureBucket({ name: 'humangov..test', tags: {} })).rejects.toBeInstanceOf(PermanentCloudError);
    });

    if (outage) {
      it('answers TransientCloudError while the service slows down or does not answer', async () => {
        const { port } = await using(outage());

        await expect(port.ensureBucket({ name, tags: {} })).rejects.toBeInstanceOf(TransientCloudError);
        await expect(port.deleteBucket(name)).rejects.toBeInstanceOf(TransientCloudError);
        await expect(port.describeBucket(name)).rejects.toBeInstanceOf(TransientCloudError);
      });
    }
  });
}
