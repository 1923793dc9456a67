import {
  BucketAlreadyExists,
  BucketAlreadyOwnedByYou,
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
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
import { afterEach, describe, expect, it } from '@jest/globals';
import { NotReadyError, PermanentCloudError, TransientCloudError } from '../cloud/errors.ts';
import { S3Buckets } from './buckets.ts';

const s3 = mockClient(S3Client);
const client = new S3Client({ region: 'us-east-1' });
const buckets = new S3Buckets({ client, region: 'us-east-1' });
const Bucket = 'humangov-prod-ca-123456789012';
const spec = { name: Bucket, tags: { 'humangov:tenant': 'ca' } };
const meta = { $metadata: {} };

afterEach(() => {
  s3.reset();
});

describe('S3Buckets.ensureBucket', () => {
  it('creates the bucket with object ownership enforced and no location constraint in us-east-1', async () => {
    await expect(buckets.ensureBucket(spec)).resolves.toEqual({ name: Bucket, arn: `arn:aws:s3:::${Bucket}` });

    expect(s3.commandCalls(CreateBucketCommand)[0]?.args[0].input).toEqual({ Bucket, ObjectOwnership: 'BucketOwnerEnforced' });
  });

  it('names the region as location constraint outside us-east-1', async () => {
    await new S3Buckets({ client, region: 'eu-west-1' }).ensureBucket(spec);

    expect(s3.commandCalls(CreateBucketCommand)[0]?.args[0].input.CreateBucketConfiguration).toEqual({ LocationConstraint: 'eu-west-1' });
  });

  it('in AWS GovCloud (US), returns and protects the bucket by its aws-us-gov ARN', async () => {
    const created = await new S3Buckets({ client, region: 'us-gov-west-1' }).ensureBucket(spec);

    expect(created.arn).toBe(`arn:aws-us-gov:s3:::${Bucket}`);
    const policy = JSON.parse(s3.commandCalls(PutBucketPolicyCommand)[0]?.args[0].input.Policy ?? '{}');
    expect(policy.Statement[0].Resource).toEqual([`arn:aws-us-gov:s3:::${Bucket}`, `arn:aws-us-gov:s3:::${Bucket}/*`]);
  });

  it('blocks every kind of public access, encrypts, versions and tags the bucket', async () => {
    await buckets.ensureBucket(spec);

    expect(s3.commandCalls(PutPublicAccessBlockCommand)[0]?.args[0].input).toEqual({
      Bucket,
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true },
    });
    expect(s3.commandCalls(PutBucketEncryptionCommand)[0]?.args[0].input).toEqual({
      Bucket,
      ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
    });
    expect(s3.commandCalls(PutBucketVersioningCommand)[0]?.args[0].input).toEqual({ Bucket, VersioningConfiguration: { Status: 'Enabled' } });
    expect(s3.commandCalls(PutBucketTaggingCommand)[0]?.args[0].input).toEqual({ Bucket, Tagging: { TagSet: [{ Key: 'humangov:tenant', Value: 'ca' }] } });
  });

  it('puts a policy that denies every request not made over TLS, on the bucket and its objects', async () => {
    await buckets.ensureBucket(spec);

    const policy = JSON.parse(s3.commandCalls(PutBucketPolicyCommand)[0]?.args[0].input.Policy ?? '{}');
    expect(policy.Statement).toEqual([
      {
        Sid: 'DenyInsecureTransport',
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        Resource: [`arn:aws:s3:::${Bucket}`, `arn:aws:s3:::${Bucket}/*`],
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      },
    ]);
  });

  it('encrypts with the KMS key and an S3 bucket key when one is configured', async () => {
    const kmsKeyArn = 'arn:aws:kms:us-east-1:123456789012:key/1234';
    await new S3Buckets({ client, region: 'us-east-1', kmsKeyArn }).ensureBucket(spec);

    expect(s3.commandCalls(PutBucketEncryptionCommand)[0]?.args[0].input.ServerSideEncryptionConfiguration?.Rules).toEqual([
      { ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: kmsKeyArn }, BucketKeyEnabled: true },
    ]);
  });

  it('reuses a bucket it already owns and still brings it to the spec', async () => {
    s3.on(CreateBucketCommand).rejects(new BucketAlreadyOwnedByYou({ message: 'yours', ...meta }));

    await expect(buckets.ensureBucket(spec)).resolves.toMatchObject({ name: Bucket });
    expect(s3.commandCalls(PutPublicAccessBlockCommand)).toHaveLength(1);
    expect(s3.commandCalls(PutBucketPolicyCommand)).toHaveLength(1);
  });

  it('refuses a name taken by another account, saying bucket names are global', async () => {
    s3.on(CreateBucketCommand).rejects(new BucketAlreadyExists({ message: 'taken', ...meta }));

    const error = await buckets.ensureBucket(spec).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PermanentCloudError);
    expect((error as Error).message).toMatch(/taken by another AWS account.*global/);
  });

  it('translates SlowDown into TransientCloudError', async () => {
    s3.on(PutBucketVersioningCommand).rejects(
      new S3ServiceException({ name: 'SlowDown', $fault: 'server', message: 'Please reduce your request rate', $metadata: { httpStatusCode: 503 } }),
    );

    await expect(buckets.ensureBucket(spec)).rejects.toBeInstanceOf(TransientCloudError);
  });

  it('translates AccessDenied into a PermanentCloudError naming the action and bucket', async () => {
    s3.on(PutBucketPolicyCommand).rejects(
      new S3ServiceException({ name: 'AccessDenied', $fault: 'client', message: 'Access Denied', $metadata: { httpStatusCode: 403 } }),
    );

    await expect(buckets.ensureBucket(spec)).rejects.toThrow(/s3:PutBucketPolicy on bucket "humangov-prod-ca-123456789012" was denied/);
  });
});

describe('S3Buckets.deleteBucket', () => {
  it('deletes every version and delete marker across pages, in batches of at most 1000, then the bucket', async () => {
    const versions = Array.from({ length: 1500 }, (_, index) => ({ Key: `scan-${index}.pdf`, VersionId: `v${index}` }));
    s3.on(ListObjectVersionsCommand)
      .resolvesOnce({ Versions: versions, IsTruncated: true, NextKeyMarker: 'scan-1499.pdf', NextVersionIdMarker: 'v1499' })
      .resolvesOnce({ DeleteMarkers: [{ Key: 'gone.pdf', VersionId: 'm1' }], IsTruncated: false });
    s3.on(DeleteObjectsCommand).resolves({});

    await buckets.deleteBucket(Bucket);

    const lists = s3.commandCalls(ListObjectVersionsCommand).map((call) => call.args[0].input);
    expect(lists).toEqual([
      { Bucket, KeyMarker: undefined, VersionIdMarker: undefined },
      { Bucket, KeyMarker: 'scan-1499.pdf', VersionIdMarker: 'v1499' },
    ]);
    const batches = s3.commandCalls(DeleteObjectsCommand).map((call) => call.args[0].input.Delete?.Objects ?? []);
    expect(batches.map((batch) => batch.length)).toEqual([1000, 500, 1]);
    expect(batches[0]?.[0]).toEqual({ Key: 'scan-0.pdf', VersionId: 'v0' });
    expect(batches[2]).toEqual([{ Key: 'gone.pdf', VersionId: 'm1' }]);
    expect(s3.commandCalls(DeleteBucketCommand)[0]?.args[0].input).toEqual({ Bucket });
  });

  it('treats a missing bucket as deleted', async () => {
    s3.on(ListObjectVersionsCommand).rejects(new NoSuchBucket({ message: 'no such bucket', ...meta }));

    await expect(buckets.deleteBucket(Bucket)).resolves.toBeUndefined();
    expect(s3.commandCalls(DeleteBucketCommand)).toHaveLength(0);
  });

  it('throws NotReadyError when objects arrive between emptying and deleting', async () => {
    s3.on(ListObjectVersionsCommand).resolves({ IsTruncated: false });
    s3.on(DeleteBucketCommand).rejects(
      new S3ServiceException({ name: 'BucketNotEmpty', $fault: 'client', message: 'not empty', $metadata: { httpStatusCode: 409 } }),
    );

    await expect(buckets.deleteBucket(Bucket)).rejects.toBeInstanceOf(NotReadyError);
  });

  it('fails, naming the first object, when S3 refuses to delete some versions', async () => {
    s3.on(ListObjectVersionsCommand).resolves({ Versions: [{ Key: 'a.pdf', VersionId: 'v1' }], IsTruncated: false });
    s3.on(DeleteObjectsCommand).resolves({ Errors: [{ Key: 'a.pdf', VersionId: 'v1', Code: 'InternalError', Message: 'try again' }] });

    await expect(buckets.deleteBucket(Bucket)).rejects.toThrow(/first: "a.pdf" InternalError/);
    expect(s3.commandCalls(DeleteBucketCommand)).toHaveLength(0);
  });
});
