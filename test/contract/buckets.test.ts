/** The BucketPort contract against the fake, the local adapter on s3rver, and the AWS adapter over S3's documented answers. */
import { join } from 'node:path';
import { DeletePublicAccessBlockCommand, PutBucketVersioningCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { JsonStore } from '../../src/local/json-store.ts';
import { localPaths } from '../../src/local/settings.ts';
import { S3Buckets } from '../../src/aws/buckets.ts';
import { S3rverBuckets, type LocalBucketConfig } from '../../src/local/data/s3rver-buckets.ts';
import { startLocalS3 } from '../../src/local/data/s3-server.ts';
import { tempHome } from '../../src/local/data/testing.ts';
import { FakeCloud } from '../support/fake-cloud.ts';
import { S3Model } from './aws/s3.ts';
import { bucketsContract } from './buckets.contract.ts';

bucketsContract('the fake', async () => {
  const cloud = new FakeCloud();
  return {
    port: cloud.buckets,
    tagsOf: async (name) => cloud.buckets.items.get(name)?.tags,
    putObject: async (bucket, key) => void cloud.buckets.items.get(bucket)?.objects.add(key),
    turnOffProtections: async (bucket) => void Object.assign(cloud.buckets.items.get(bucket) ?? {}, { versioning: false, publicAccessBlocked: false }),
    close: async () => undefined,
  };
});

bucketsContract(
  'the local adapter on s3rver',
  async () => {
    const home = await tempHome();
    const s3 = await startLocalS3({ home: home.home, port: 0, host: '127.0.0.1' });
    const client = new S3Client({ endpoint: s3.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
    const port = new S3rverBuckets({ home: home.home, endpoint: s3.endpoint });
    return {
      port,
      tagsOf: async (name) => (await port.configOf(name))?.tags,
      putObject: async (bucket, key) => void (await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'x' }))),
      // s3rver answers 501 to these calls, so locally the recorded configuration is where they are turned off.
      turnOffProtections: (bucket) =>
        new JsonStore<Record<string, LocalBucketConfig>>(join(localPaths(home.home).state, 'buckets.json'), () => ({})).update((doc) => {
          const config = doc[bucket];
          if (!config) return;
          config.versioning = 'Suspended';
          config.publicAccessBlock = { BlockPublicAcls: false, IgnorePublicAcls: false, BlockPublicPolicy: false, RestrictPublicBuckets: false };
        }),
      close: async () => {
        client.destroy();
        await s3.close();
        await home.remove();
      },
    };
  },
  async () => {
    const home = await tempHome();
    return { port: new S3rverBuckets({ home: home.home, endpoint: 'http://127.0.0.1:1' }), close: () => home.remove() };
  },
);

bucketsContract(
  'the AWS adapter over S3',
  async () => {
    const s3 = new S3Model();
    return {
      port: new S3Buckets({ region: 'us-east-1', client: s3.client }),
      tagsOf: async (name) => s3.buckets.get(name)?.tags,
      putObject: async (bucket, key) => s3.putObject(bucket, key),
      turnOffProtections: async (bucket) => {
        await s3.client.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Suspended' } }));
        await s3.client.send(new DeletePublicAccessBlockCommand({ Bucket: bucket }));
      },
      close: async () => undefined,
    };
  },
  async () => ({ port: new S3Buckets({ region: 'us-east-1', client: new S3Model({ slowDown: true }).client }), close: async () => undefined }),
);
