import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from '@jest/globals';
import { LocalServerError } from './listen.ts';
import { startLocalS3 } from './s3-server.ts';
import { tempHome } from './testing.ts';

const clientFor = (endpoint: string) =>
  new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'whatever-the-task-has', secretAccessKey: 'x' } });

describe('startLocalS3', () => {
  it('keeps buckets and objects across a restart', async () => {
    const home = await tempHome();
    try {
      const first = await startLocalS3({ home: home.home, port: 0, host: '127.0.0.1' });
      const client = clientFor(first.endpoint);
      await client.send(new CreateBucketCommand({ Bucket: 'kept-bucket' }));
      await client.send(new PutObjectCommand({ Bucket: 'kept-bucket', Key: 'a.txt', Body: 'still here' }));
      client.destroy();
      await first.close();

      const second = await startLocalS3({ home: home.home, port: 0, host: '127.0.0.1' });
      const again = clientFor(second.endpoint);
      const object = await again.send(new GetObjectCommand({ Bucket: 'kept-bucket', Key: 'a.txt' }));
      expect(await object.Body?.transformToString()).toBe('still here');
      again.destroy();
      await second.close();
    } finally {
      await home.remove();
    }
  });

  it('says which setting to change when the port is taken', async () => {
    const home = await tempHome();
    const first = await startLocalS3({ home: home.home, port: 0, host: '127.0.0.1' });
    try {
      const attempt = startLocalS3({ home: home.home, port: Number(new URL(first.endpoint).port), host: '127.0.0.1' });
      await expect(attempt).rejects.toThrow(LocalServerError);
      await expect(attempt).rejects.toThrow(/HUMANGOV_S3_PORT/);
    } finally {
      await first.close();
      await home.remove();
    }
  });
});
