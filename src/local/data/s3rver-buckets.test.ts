import { HeadBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { S3rverBuckets, tlsOnlyPolicy } from './s3rver-buckets.ts';
import { startLocalS3, type LocalS3 } from './s3-server.ts';
import { tempHome } from './testing.ts';

describe('S3rverBuckets on the local S3', () => {
  let s3: LocalS3;
  let home: Awaited<ReturnType<typeof tempHome>>;
  let port: S3rverBuckets;
  let client: S3Client;
  const name = 'humangov-local-ca-000000000000';

  beforeAll(async () => {
    home = await tempHome();
    s3 = await startLocalS3({ home: home.home, port: 0, host: '127.0.0.1' });
    port = new S3rverBuckets({ home: home.home, endpoint: s3.endpoint });
    // Any credentials work, as with dynalite: a developer's own keys, or a task's placeholders.
    client = new S3Client({
      endpoint: s3.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'AKIAANYTHING', secretAccessKey: 'x' },
    });
  });

  afterAll(async () => {
    client?.destroy();
    await s3?.close();
    await home?.remove();
  });

  it('creates the bucket, records the configuration s3rver cannot hold, and reuses it on a second call', async () => {
    const made = await port.ensureBucket({ name, tags: { 'humangov:tenant': 'ca' } });
    expect(made).toEqual({ name, arn: `arn:aws:s3:::${name}` });
    await client.send(new HeadBucketCommand({ Bucket: name }));
    expect(await port.configOf(name)).toEqual({
      publicAccessBlock: { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true },
      encryption: { SSEAlgorithm: 'AES256' },
      versioning: 'Enabled',
      objectOwnership: 'BucketOwnerEnforced',
      policy: tlsOnlyPolicy(name),
      tags: { 'humangov:tenant': 'ca' },
    });
    await expect(port.ensureBucket({ name, tags: { 'humangov:tenant': 'ca', extra: 'yes' } })).resolves.toEqual(made);
    expect((await port.configOf(name))?.tags).toEqual({ 'humangov:tenant': 'ca', extra: 'yes' });
  });

  it('serves objects through presigned URLs', async () => {
    await client.send(new PutObjectCommand({ Bucket: name, Key: 'ids/1.pdf', Body: '%PDF-1.4 test', ContentType: 'application/pdf' }));
    const endpoint = new URL(s3.endpoint);
    const signer = new SignatureV4({
      service: 's3',
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIAANYTHING', secretAccessKey: 'x' },
      sha256: Sha256,
      uriEscapePath: false,
    });
    const presigned = await signer.presign(
      {
        method: 'GET',
        protocol: 'http:',
        hostname: endpoint.hostname,
        port: Number(endpoint.port),
        path: `/${name}/ids/1.pdf`,
        headers: { host: endpoint.host },
        query: {},
      },
      { expiresIn: 60 },
    );
    const query = new URLSearchParams(presigned.query as Record<string, string>);
    const response = await fetch(`${s3.endpoint}${presigned.path}?${query}`);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('%PDF-1.4 test');
  });

  it('empties and deletes the bucket, and treats a missing bucket as deleted', async () => {
    for (let i = 0; i < 5; i += 1) await client.send(new PutObjectCommand({ Bucket: name, Key: `k/${i}`, Body: 'x' }));
    await port.deleteBucket(name);
    await expect(client.send(new HeadBucketCommand({ Bucket: name }))).rejects.toMatchObject({ $metadata: { httpStatusCode: 404 } });
    expect(await port.configOf(name)).toBeUndefined();
    await expect(port.deleteBucket(name)).resolves.toBeUndefined();
  });
});
