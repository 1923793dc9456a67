/**
 * S3's bucket API as its reference documents it, behind a mocked client (https://docs.aws.amazon.com/AmazonS3/latest/API/):
 * - CreateBucket answers InvalidBucketName for a name the naming rules forbid
 *   (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html), and, in
 *   us-east-1, 200 OK again for a bucket the caller already owns (API_CreateBucket.html);
 * - every bucket-level call answers NoSuchBucket for a missing bucket; PutBucketTagging replaces
 *   the tag set (API_PutBucketTagging.html);
 * - a versioned bucket keeps every version, so emptying it takes ListObjectVersions and
 *   DeleteObjects by version (https://docs.aws.amazon.com/AmazonS3/latest/userguide/empty-bucket.html);
 *   DeleteBucket answers BucketNotEmpty (409) while any version or delete marker remains (API_DeleteBucket.html);
 * - GetBucketVersioning answers the Status last put (none before; API_GetBucketVersioning.html);
 *   GetPublicAccessBlock answers NoSuchPublicAccessBlockConfiguration once the block is deleted
 *   (API_GetPublicAccessBlock.html, API_DeletePublicAccessBlock.html); neither models NoSuchBucket,
 *   so it comes as a plain S3ServiceException of that name;
 * - "slow down" is SlowDown with status 503 (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html).
 */
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
  DeletePublicAccessBlockCommand,
  GetBucketVersioningCommand,
  GetPublicAccessBlockCommand,
  ListObjectVersionsCommand,
  NoSuchBucket,
  PutBucketEncryptionCommand,
  PutBucketPolicyCommand,
  PutBucketTaggingCommand,
  PutBucketVersioningCommand,
  PutPublicAccessBlockCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { validBucketName } from '../../../src/local/data/s3-server.ts';

interface ModelBucket {
  tags: Record<string, string>;
  versioning?: 'Enabled' | 'Suspended';
  publicAccessBlock?: Record<string, boolean | undefined>;
  versions: { Key: string; VersionId: string }[];
}

export class S3Model {
  readonly client = new S3Client({ region: 'us-east-1' });
  readonly buckets = new Map<string, ModelBucket>();
  #versionSeq = 0;

  constructor(options: { slowDown?: boolean } = {}) {
    const mock = mockClient(this.client);
    if (options.slowDown) {
      mock
        .onAnyCommand()
        .rejects(
          new S3ServiceException({ name: 'SlowDown', $fault: 'server', message: 'Please reduce your request rate.', $metadata: { httpStatusCode: 503 } }),
        );
      return;
    }
    mock.on(CreateBucketCommand).callsFake((input) => {
      const name = input.Bucket ?? '';
      if (!validBucketName(name))
        throw new S3ServiceException({
          name: 'InvalidBucketName',
          $fault: 'client',
          message: 'The specified bucket is not valid.',
          $metadata: { httpStatusCode: 400 },
        });
      if (!this.buckets.has(name)) this.buckets.set(name, { tags: {}, versions: [] });
      return { Location: `/${name}` };
    });
    mock.on(PutBucketVersioningCommand).callsFake((input) => {
      this.#require(input.Bucket).versioning = input.VersioningConfiguration?.Status;
      return {};
    });
    mock.on(GetBucketVersioningCommand).callsFake((input) => ({ Status: this.#requireByName(input.Bucket).versioning }));
    mock.on(PutPublicAccessBlockCommand).callsFake((input) => {
      this.#require(input.Bucket).publicAccessBlock = { ...input.PublicAccessBlockConfiguration };
      return {};
    });
    mock.on(DeletePublicAccessBlockCommand).callsFake((input) => {
      this.#requireByName(input.Bucket).publicAccessBlock = undefined;
      return {};
    });
    mock.on(GetPublicAccessBlockCommand).callsFake((input) => {
      const block = this.#requireByName(input.Bucket).publicAccessBlock;
      if (!block)
        throw new S3ServiceException({
          name: 'NoSuchPublicAccessBlockConfiguration',
          $fault: 'client',
          message: 'The public access block configuration was not found',
          $metadata: { httpStatusCode: 404 },
        });
      return { PublicAccessBlockConfiguration: block };
    });
    for (const command of [PutBucketEncryptionCommand, PutBucketPolicyCommand] as const) {
      mock.on(command as typeof PutBucketEncryptionCommand).callsFake((input: { Bucket?: string }) => {
        this.#require(input.Bucket);
        return {};
      });
    }
    mock.on(PutBucketTaggingCommand).callsFake((input) => {
      this.#require(input.Bucket).tags = Object.fromEntries((input.Tagging?.TagSet ?? []).map((t: { Key?: string; Value?: string }) => [t.Key, t.Value]));
      return {};
    });
    mock.on(ListObjectVersionsCommand).callsFake((input) => {
      const bucket = this.#require(input.Bucket);
      return { Versions: bucket.versions.map((v) => ({ ...v, IsLatest: false })), DeleteMarkers: [], IsTruncated: false };
    });
    mock.on(DeleteObjectsCommand).callsFake((input) => {
      const bucket = this.#require(input.Bucket);
      const gone = new Set((input.Delete?.Objects ?? []).map((o: { Key?: string; VersionId?: string }) => `${o.Key}\n${o.VersionId}`));
      bucket.versions = bucket.versions.filter((v) => !gone.has(`${v.Key}\n${v.VersionId}`));
      return { Errors: [] };
    });
    mock.on(DeleteBucketCommand).callsFake((input) => {
      const bucket = this.#require(input.Bucket);
      if (bucket.versions.length > 0) {
        throw new S3ServiceException({
          name: 'BucketNotEmpty',
          $fault: 'client',
          message: 'The bucket you tried to delete is not empty',
          $metadata: { httpStatusCode: 409 },
        });
      }
      this.buckets.delete(input.Bucket ?? '');
      return {};
    });
  }

  /** A new version of `key`, as a PutObject to a versioned bucket makes. */
  putObject(bucket: string, key: string): void {
    this.#require(bucket).versions.push({ Key: key, VersionId: `v${++this.#versionSeq}` });
  }

  /** For operations whose model has no NoSuchBucket class: the SDK raises it by name. */
  #requireByName(name: string | undefined): ModelBucket {
    const bucket = this.buckets.get(name ?? '');
    if (!bucket)
      throw new S3ServiceException({
        name: 'NoSuchBucket',
        $fault: 'client',
        message: 'The specified bucket does not exist',
        $metadata: { httpStatusCode: 404 },
      });
    return bucket;
  }

  #require(name: string | undefined): ModelBucket {
    const bucket = this.buckets.get(name ?? '');
    if (!bucket) throw new NoSuchBucket({ message: 'The specified bucket does not exist', $metadata: { httpStatusCode: 404 } });
    return bucket;
  }
}
