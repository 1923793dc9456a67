/**
 * BucketPort on S3: each tenant's own bucket for scanned ID documents. Private, encrypted,
 * versioned (a deleted or overwritten scan can be recovered) and reachable over TLS only.
 */
import {
  BucketAlreadyExists,
  BucketAlreadyOwnedByYou,
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
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
} from '@aws-sdk/client-s3';
import type { BucketLocationConstraint, ObjectIdentifier, ServerSideEncryptionRule } from '@aws-sdk/client-s3';
import { NotReadyError, PermanentCloudError, TransientCloudError } from '../cloud/errors.ts';
import type { BucketPort, BucketProtection, BucketSpec, PolicyStatement } from '../cloud/ports.ts';
import { bucketArn } from '../tenants/task-role-policy.ts';
import { hasErrorName, translateAwsError } from './errors.ts';
import { tagList } from './tags.ts';
import { awsClient } from './clients.ts';

/** DeleteObjects takes at most this many keys per request. */
export const DELETE_BATCH = 1000;

export interface S3BucketsOptions {
  client?: S3Client;
  region: string;
  /** Encrypt with this KMS key (with an S3 Bucket Key, to keep KMS requests few); SSE-S3 when absent. */
  kmsKeyArn?: string;
}

export class S3Buckets implements BucketPort {
  readonly #client: S3Client;
  readonly #region: string;
  readonly #kmsKeyArn: string | undefined;

  constructor(options: S3BucketsOptions) {
    this.#client = options.client ?? awsClient(S3Client, { region: options.region });
    this.#region = options.region;
    this.#kmsKeyArn = options.kmsKeyArn;
  }

  async ensureBucket(spec: BucketSpec): Promise<{ name: string; arn: string }> {
    const Bucket = spec.name;
    await this.#create(Bucket);
    await this.#configure('s3:PutBucketPublicAccessBlock', Bucket, () =>
      this.#client.send(
        new PutPublicAccessBlockCommand({
          Bucket,
          PublicAccessBlockConfiguration: { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true },
        }),
      ),
    );
    await this.#configure('s3:PutEncryptionConfiguration', Bucket, () =>
      this.#client.send(new PutBucketEncryptionCommand({ Bucket, ServerSideEncryptionConfiguration: { Rules: [this.#encryptionRule()] } })),
    );
    await this.#configure('s3:PutBucketVersioning', Bucket, () =>
      this.#client.send(new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: 'Enabled' } })),
    );
    await this.#configure('s3:PutBucketPolicy', Bucket, () =>
      this.#client.send(new PutBucketPolicyCommand({ Bucket, Policy: JSON.stringify(tlsOnlyPolicy(this.#region, Bucket)) })),
    );
    await this.#configure('s3:PutBucketTagging', Bucket, () =>
      this.#client.send(new PutBucketTaggingCommand({ Bucket, Tagging: { TagSet: tagList(spec.tags) } })),
    );
    return { name: Bucket, arn: bucketArn(this.#region, Bucket) };
  }

  async deleteBucket(name: string): Promise<void> {
    try {
      await this.#emptyBucket(name);
      await this.#client.send(new DeleteBucketCommand({ Bucket: name }));
    } catch (error) {
      if (error instanceof NoSuchBucket) return;
      // S3 has no class for BucketNotEmpty: something wrote an object after the listing.
      if (hasErrorName(error, 'BucketNotEmpty')) {
        throw new NotReadyError(`bucket "${name}" received new objects while being emptied; emptying it again shortly`, { cause: error });
      }
      throw translateAwsError(error, { action: 's3:DeleteBucket', resource: `bucket "${name}"` });
    }
  }

  /**
   * GetBucketVersioning answers no Status for a bucket never versioned, Suspended once turned off
   * (API_GetBucketVersioning.html), and NoSuchBucket for a missing bucket; GetPublicAccessBlock
   * answers NoSuchPublicAccessBlockConfiguration when the block was deleted (API_GetPublicAccessBlock.html).
   * Neither operation models NoSuchBucket, so the SDK raises it by name only.
   */
  async describeBucket(name: string): Promise<BucketProtection | undefined> {
    let versioning: boolean;
    try {
      versioning = (await this.#client.send(new GetBucketVersioningCommand({ Bucket: name }))).Status === 'Enabled';
    } catch (error) {
      if (hasErrorName(error, 'NoSuchBucket')) return undefined;
      throw translateAwsError(error, { action: 's3:GetBucketVersioning', resource: `bucket "${name}"` });
    }
    let publicAccessBlocked: boolean;
    try {
      const block = (await this.#client.send(new GetPublicAccessBlockCommand({ Bucket: name }))).PublicAccessBlockConfiguration;
      publicAccessBlocked =
        !!block &&
        block.BlockPublicAcls === true &&
        block.IgnorePublicAcls === true &&
        block.BlockPublicPolicy === true &&
        block.RestrictPublicBuckets === true;
    } catch (error) {
      if (hasErrorName(error, 'NoSuchPublicAccessBlockConfiguration')) publicAccessBlocked = false;
      else if (hasErrorName(error, 'NoSuchBucket')) return undefined;
      else throw translateAwsError(error, { action: 's3:GetBucketPublicAccessBlock', resource: `bucket "${name}"` });
    }
    return { name, versioning, publicAccessBlocked };
  }

  async #create(Bucket: string): Promise<void> {
    try {
      await this.#client.send(
        new CreateBucketCommand({
          Bucket,
          // us-east-1 is the default location and S3 rejects it as an explicit constraint.
          CreateBucketConfiguration: this.#region === 'us-east-1' ? undefined : { LocationConstraint: this.#region as BucketLocationConstraint },
          // ACLs off: the bucket owner owns every object, access is by policy alone.
          ObjectOwnership: 'BucketOwnerEnforced',
        }),
      );
    } catch (error) {
      if (error instanceof BucketAlreadyOwnedByYou) return;
      if (error instanceof BucketAlreadyExists) {
        throw new PermanentCloudError(
          `bucket name "${Bucket}" is taken by another AWS account (bucket names are global): delete that bucket there, or onboard the tenant under another id`,
          { cause: error },
        );
      }
      throw translateAwsError(error, { action: 's3:CreateBucket', resource: `bucket "${Bucket}"` });
    }
  }

  async #configure(action: string, bucket: string, send: () => Promise<unknown>): Promise<void> {
    try {
      await send();
    } catch (error) {
      if (error instanceof NoSuchBucket) {
        throw new NotReadyError(`bucket "${bucket}" is not visible yet (or was deleted meanwhile); asking again shortly`, { cause: error });
      }
      throw translateAwsError(error, { action, resource: `bucket "${bucket}"` });
    }
  }

  #encryptionRule(): ServerSideEncryptionRule {
    if (!this.#kmsKeyArn) return { ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } };
    return { ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: this.#kmsKeyArn }, BucketKeyEnabled: true };
  }

  /** Deletes every version and delete marker, one listing page at a time. */
  async #emptyBucket(Bucket: string): Promise<void> {
    let KeyMarker: string | undefined;
    let VersionIdMarker: string | undefined;
    do {
      const page = await this.#client.send(new ListObjectVersionsCommand({ Bucket, KeyMarker, VersionIdMarker }));
      const objects: ObjectIdentifier[] = [...(page.Versions ?? []), ...(page.DeleteMarkers ?? [])].map((entry) => ({
        Key: entry.Key ?? '',
        VersionId: entry.VersionId,
      }));
      for (let start = 0; start < objects.length; start += DELETE_BATCH) {
        await this.#deleteObjects(Bucket, objects.slice(start, start + DELETE_BATCH));
      }
      KeyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
      VersionIdMarker = page.IsTruncated ? page.NextVersionIdMarker : undefined;
    } while (KeyMarker !== undefined);
  }

  async #deleteObjects(Bucket: string, Objects: ObjectIdentifier[]): Promise<void> {
    const result = await this.#client.send(new DeleteObjectsCommand({ Bucket, Delete: { Objects, Quiet: true } }));
    const failed = result.Errors ?? [];
    const first = failed[0];
    if (!first) return;
    const message = `${failed.length} object version(s) of bucket "${Bucket}" could not be deleted; first: "${first.Key}" ${first.Code}: ${first.Message}`;
    if (failed.some((entry) => entry.Code === 'AccessDenied')) {
      throw new PermanentCloudError(`${message}. Grant s3:DeleteObjectVersion on the bucket's objects to the control plane's role`);
    }
    throw new TransientCloudError(message);
  }
}

/** Refuses every request that does not arrive over TLS, for the bucket and its objects. */
export function tlsOnlyPolicy(region: string, bucket: string): { Version: '2012-10-17'; Statement: (PolicyStatement & { Principal: string })[] } {
  const arn = bucketArn(region, bucket);
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'DenyInsecureTransport',
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        Resource: [arn, `${arn}/*`],
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      },
    ],
  };
}
