/**
 * The local S3 endpoint (s3rver behind the local front) against Amazon S3's documented
 * behaviour, for any client that talks to it.
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { CreateBucketCommand, DeleteBucketCommand, DeleteObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startLocalS3, validBucketName, type LocalS3 } from '../../src/local/data/s3-server.ts';
import { tempHome } from '../../src/local/data/testing.ts';
import { tenantResourceNames } from '../../src/tenants/names.ts';

let home: Awaited<ReturnType<typeof tempHome>>;
let s3: LocalS3;
let client: S3Client;

beforeAll(async () => {
  home = await tempHome();
  s3 = await startLocalS3({ home: home.home, port: 0, host: '127.0.0.1' });
  client = new S3Client({ endpoint: s3.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'x' } });
});
afterAll(async () => {
  client.destroy();
  await s3.close();
  await home.remove();
});

/** A SigV4 presigned GET, as the app's presigner makes them, signed at `signingDate` (now unless given). */
async function presignedGet(bucket: string, key: string, expiresIn: number, signingDate = new Date()): Promise<URL> {
  const endpoint = new URL(s3.endpoint);
  const signer = new SignatureV4({
    service: 's3',
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'x' },
    sha256: Sha256,
    uriEscapePath: false,
  });
  const signed = await signer.presign(
    {
      method: 'GET',
      protocol: 'http:',
      hostname: endpoint.hostname,
      port: Number(endpoint.port),
      path: `/${bucket}/${key}`,
      headers: { host: endpoint.host },
      query: {},
    },
    { expiresIn, signingDate },
  );
  return new URL(`${s3.endpoint}${signed.path}?${new URLSearchParams(signed.query as Record<string, string>)}`);
}

describe('the local S3 endpoint', () => {
  // https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
  it('refuses CreateBucket for every name the bucket naming rules forbid, and accepts the names tenants get', async () => {
    const forbidden = [
      'ab',
      'Upper-Case',
      'under_score',
      '-leading',
      'trailing-',
      'two..dots',
      '192.168.5.4',
      'xn--punycode',
      'sthree-x',
      'amzn-s3-demo-x',
      'x-s3alias',
      'x--ol-s3',
      'x.mrap',
      'x--table-s3',
      'a'.repeat(64),
    ];
    for (const Bucket of forbidden) {
      const refused = await client.send(new CreateBucketCommand({ Bucket })).then(
        () => 'created',
        (error: { name: string; $metadata: { httpStatusCode?: number } }) => `${error.name} ${error.$metadata.httpStatusCode}`,
      );
      expect([Bucket, refused]).toEqual([Bucket, 'InvalidBucketName 400']);
    }
    // The SDK itself sends --x-s3 names (directory buckets) elsewhere, so that suffix is checked on the rule alone.
    expect(validBucketName('x--x-s3')).toBe(false);
    const tenantBucket = tenantResourceNames('local', 'new-york', '000000000000').bucket;
    expect(validBucketName(tenantBucket)).toBe(true);
    await expect(client.send(new CreateBucketCommand({ Bucket: tenantBucket }))).resolves.toBeDefined();
  });

  // Public access is blocked on every bucket, so a request without credentials is denied:
  // https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html
  it('denies a request that carries no credentials', async () => {
    await client.send(new CreateBucketCommand({ Bucket: 'private-bucket' }));
    await client.send(new PutObjectCommand({ Bucket: 'private-bucket', Key: 'id.pdf', Body: '%PDF' }));
    const anonymous = await fetch(`${s3.endpoint}/private-bucket/id.pdf`);
    expect(anonymous.status).toBe(403);
    expect(await anonymous.text()).toContain('<Code>AccessDenied</Code>');
  });

  // https://docs.aws.amazon.com/AmazonS3/latest/userguide/using-presigned-url.html: a presigned URL works until it
  // expires, and SigV4 URLs last at most seven days.
  it('serves a presigned URL until it expires, and refuses one asking for more than seven days', async () => {
    await client.send(new CreateBucketCommand({ Bucket: 'presigned-bucket' }));
    await client.send(new PutObjectCommand({ Bucket: 'presigned-bucket', Key: 'id.pdf', Body: '%PDF' }));
    const url = await presignedGet('presigned-bucket', 'id.pdf', 60);
    expect((await fetch(url)).status).toBe(200);

    const tooLong = new URL(url);
    tooLong.searchParams.set('X-Amz-Expires', '604801');
    expect((await fetch(tooLong)).status).toBe(400);

    // Signed two minutes ago for one: expired a minute ago, whatever the machine's load. (X-Amz-Date
    // has whole seconds, so a URL signed now for one second may be expired at once.)
    const expired = await fetch(await presignedGet('presigned-bucket', 'id.pdf', 60, new Date(Date.now() - 120_000)));
    expect(expired.status).toBe(403);
    expect(await expired.text()).toContain('Request has expired');
  });

  // https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteBucket.html: "All objects ... in the bucket must be
  // deleted before the bucket itself can be deleted."
  it('refuses to delete a bucket that still holds an object', async () => {
    await client.send(new CreateBucketCommand({ Bucket: 'full-bucket' }));
    await client.send(new PutObjectCommand({ Bucket: 'full-bucket', Key: 'k', Body: 'x' }));
    await expect(client.send(new DeleteBucketCommand({ Bucket: 'full-bucket' }))).rejects.toMatchObject({
      name: 'BucketNotEmpty',
      $metadata: { httpStatusCode: 409 },
    });
    await client.send(new DeleteObjectCommand({ Bucket: 'full-bucket', Key: 'k' }));
    await expect(client.send(new DeleteBucketCommand({ Bucket: 'full-bucket' }))).resolves.toBeDefined();
  });
});
