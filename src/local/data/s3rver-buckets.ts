import { join } from 'node:path';
import {
  BucketAlreadyExists,
  BucketAlreadyOwnedByYou,
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
  HeadBucketCommand,
  ListObjectsV2Command,
  NoSuchBucket,
  NotFound,
  S3Client,
} from '@aws-sdk/client-s3';
import { TransientCloudError } from '../../cloud/errors.ts';
import type { BucketPort, BucketProtection, BucketSpec, PolicyDocument, Tags } from '../../cloud/ports.ts';
import { bucketArn } from '../../tenants/task-role-policy.ts';
import { JsonStore } from '../json-store.ts';
import { localPaths } from '../settings.ts';
import { toCloudError } from './cloud-errors.ts';

/**
 * The bucket configuration AWS would hold and s3rver cannot: it answers 501 to
 * public access block, encryption, policy and tagging calls, treats
 * `?versioning` and `?ownershipControls` as a second CreateBucket (409), and has
 * no object versions at all. So those calls are never sent; their result is kept here.
 */
export interface LocalBucketConfig {
  publicAccessBlock: { BlockPublicAcls: boolean; IgnorePublicAcls: boolean; BlockPublicPolicy: boolean; RestrictPublicBuckets: boolean };
  encryption: { SSEAlgorithm: 'AES256' };
  /** Recorded as AWS would have it (Suspended once someone turned it off); s3rver keeps one version per key regardless. */
  versioning: 'Enabled' | 'Suspended';
  objectOwnership: 'BucketOwnerEnforced';
  policy: PolicyDocument;
  tags: Tags;
}

type BucketsDoc = Record<string, LocalBucketConfig>;

/** The region the local provider stands in for (its ARNs are of that region's partition). */
const LOCAL_REGION = 'us-east-1';

/** Denies every request that does not come over TLS: the policy the AWS provider puts on each tenant bucket. */
export function tlsOnlyPolicy(bucket: string): PolicyDocument {
  const arn = bucketArn(LOCAL_REGION, bucket);
  return {
    Version: '2012-10-17',
    Statement: [
      { Sid: 'DenyInsecureTransport', Effect: 'Deny', Action: 's3:*', Resource: [arn, `${arn}/*`], Condition: { Bool: { 'aws:SecureTransport': 'false' } } },
    ],
  };
}

export interface S3rverBucketsOptions {
  home: string;
  /** The local S3 endpoint (startLocalS3's). */
  endpoint: string;
  client?: S3Client;
}

/**
 * BucketPort on s3rver: buckets and objects are s3rver's, the configuration is
 * recorded in `<home>/state/buckets.json`. Deleting empties the bucket (there
 * are no versions or delete markers to remove locally) and then deletes it.
 */
export class S3rverBuckets implements BucketPort {
  readonly #client: S3Client;
  readonly #endpoint: string;
  readonly #store: JsonStore<BucketsDoc>;

  constructor(options: S3rverBucketsOptions) {
    this.#endpoint = options.endpoint;
    this.#client =
      options.client ??
      new S3Client({
        endpoint: options.endpoint,
        region: LOCAL_REGION,
        forcePathStyle: true,
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
        maxAttempts: 2,
      });
    this.#store = new JsonStore(join(localPaths(options.home).state, 'buckets.json'), () => ({}));
  }

  async ensureBucket(spec: BucketSpec): Promise<{ name: string; arn: string }> {
    try {
      await this.#client.send(new CreateBucketCommand({ Bucket: spec.name }));
    } catch (error) {
      // One account locally, so "exists" is always "ours": reuse it.
      if (!(error instanceof BucketAlreadyOwnedByYou || error instanceof BucketAlreadyExists))
        throw toCloudError(error, `creating bucket ${spec.name}`, this.#endpoint);
    }
    await this.#store.update((doc) => {
      doc[spec.name] = {
        publicAccessBlock: { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true },
        encryption: { SSEAlgorithm: 'AES256' },
        versioning: 'Enabled',
        objectOwnership: 'BucketOwnerEnforced',
        policy: tlsOnlyPolicy(spec.name),
        tags: { ...spec.tags },
      };
    });
    return { name: spec.name, arn: bucketArn(LOCAL_REGION, spec.name) };
  }

  async deleteBucket(name: string): Promise<void> {
    try {
      await this.#empty(name);
      await this.#client.send(new DeleteBucketCommand({ Bucket: name }));
    } catch (error) {
      if (!(error instanceof NoSuchBucket)) throw toCloudError(error, `deleting bucket ${name}`, this.#endpoint);
    }
    await this.#store.update((doc) => {
      delete doc[name];
    });
  }

  /**
   * The bucket is s3rver's (HeadBucket: 404 when there is none); its protections are what was
   * recorded, since s3rver keeps none. A bucket made by another client has none recorded, so
   * it reads unprotected, as a bucket made without them would on AWS.
   */
  async describeBucket(name: string): Promise<BucketProtection | undefined> {
    try {
      await this.#client.send(new HeadBucketCommand({ Bucket: name }));
    } catch (error) {
      if (error instanceof NotFound || error instanceof NoSuchBucket) return undefined;
      throw toCloudError(error, `reading bucket ${name}`, this.#endpoint);
    }
    const config = await this.configOf(name);
    const block = config?.publicAccessBlock;
    return {
      name,
      versioning: config?.versioning === 'Enabled',
      publicAccessBlocked: !!block && block.BlockPublicAcls && block.IgnorePublicAcls && block.BlockPublicPolicy && block.RestrictPublicBuckets,
    };
  }

  /** The configuration recorded for `name`; for inspection and tests. */
  async configOf(name: string): Promise<LocalBucketConfig | undefined> {
    return (await this.#store.read())[name];
  }

  async #empty(name: string): Promise<void> {
    // Always from the start: each pass deletes what the last listing returned.
    for (;;) {
      const page = await this.#client.send(new ListObjectsV2Command({ Bucket: name, MaxKeys: 1000 }));
      const keys = (page.Contents ?? []).flatMap((o) => (o.Key === undefined ? [] : [{ Key: o.Key }]));
      if (keys.length === 0) return;
      const { Errors = [] } = await this.#client.send(new DeleteObjectsCommand({ Bucket: name, Delete: { Objects: keys, Quiet: true } }));
      if (Errors.length > 0)
        throw new TransientCloudError(
          `emptying bucket ${name}: ${Errors.length} objects could not be deleted (first: ${Errors[0]?.Key}: ${Errors[0]?.Message})`,
        );
    }
  }
}
