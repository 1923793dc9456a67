/**
 * The SecretsPort contract (src/cloud/ports.ts): the stack secret is long and stable;
 * ensureSecret is idempotent and brings the value to the spec under the same ARN; deleting is
 * immediate (the name is free again) and a missing secret counts as deleted; an outage is transient.
 */
import { describe, expect, it } from '@jest/globals';
import { TransientCloudError } from '../../src/cloud/errors.ts';
import type { SecretsPort } from '../../src/cloud/ports.ts';
import { closedAfterEach, type Factory, type Subject } from './support.ts';

export interface SecretsSubject extends Subject<SecretsPort> {
  /** The value a task would receive for `arn`, or undefined when the secret is gone. */
  read(arn: string): Promise<string | undefined>;
}

const spec = { name: 'humangov/test/tenants/ca/csrf', value: 'a'.repeat(64), description: 'CSRF key of ca', tags: { 'humangov:tenant': 'ca' } };

export function secretsContract(implementation: string, make: Factory<SecretsSubject>, outage?: Factory<Subject<SecretsPort>>): void {
  describe(`SecretsPort contract: ${implementation}`, () => {
    const using = closedAfterEach();
    const open = (): Promise<SecretsSubject> => using(make());

    it('has a stack secret of at least 32 characters, the same on every read', async () => {
      const { port } = await open();

      const first = await port.stackSecret();

      expect(first.length).toBeGreaterThanOrEqual(32);
      expect(await port.stackSecret()).toBe(first);
    });

    it('ensures a secret idempotently and brings it to a new value under the same ARN', async () => {
      const { port, read } = await open();

      const { arn } = await port.ensureSecret(spec);
      expect(await port.ensureSecret(spec)).toEqual({ arn });
      expect(await read(arn)).toBe(spec.value);

      expect(await port.ensureSecret({ ...spec, value: 'b'.repeat(64) })).toEqual({ arn });
      expect(await read(arn)).toBe('b'.repeat(64));
    });

    it('treats deleting a missing secret, or deleting twice, as done, and ensures the name again at once', async () => {
      const { port, read } = await open();

      await expect(port.deleteSecret('humangov/test/tenants/none/csrf')).resolves.toBeUndefined();
      const { arn } = await port.ensureSecret(spec);
      await port.deleteSecret(spec.name);
      await expect(port.deleteSecret(spec.name)).resolves.toBeUndefined();
      expect(await read(arn)).toBeUndefined();

      const again = await port.ensureSecret(spec);
      expect(await read(again.arn)).toBe(spec.value);
    });

    if (outage) {
      it('answers TransientCloudError while the service throttles', async () => {
        const { port } = await using(outage());

        await expect(port.ensureSecret(spec)).rejects.toBeInstanceOf(TransientCloudError);
        await expect(port.deleteSecret(spec.name)).rejects.toBeInstanceOf(TransientCloudError);
        await expect(port.stackSecret()).rejects.toBeInstanceOf(TransientCloudError);
      });
    }
  });
}
