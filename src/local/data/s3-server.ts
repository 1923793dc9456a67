import { mkdir } from 'node:fs/promises';
import { createServer } from 'node:http';
import S3rver from 's3rver';
import AWSAccount from 's3rver/lib/models/account.js';
import { localPaths } from '../settings.ts';
import { closeServer, listen } from './listen.ts';

export interface LocalS3 {
  /** What every client uses (AWS_ENDPOINT_URL_S3), with path-style addressing. */
  endpoint: string;
  close(): Promise<void>;
}

const ANY_KEY = Symbol.for('humangov.s3rver.anyAccessKey');

/**
 * s3rver knows one access key (S3RVER) and refuses every other one with
 * InvalidAccessKeyId, while dynalite takes any. Clients here sign with whatever
 * credentials they find (a developer's own, a task's placeholders), so every key
 * is made to map to s3rver's one account. It checks no SigV4 signature anyway.
 * s3rver keeps accounts in a module-wide registry, hence a patch applied once.
 */
function acceptAnyAccessKey(): void {
  const registry = AWSAccount.registry as Map<string, unknown> & { [ANY_KEY]?: true };
  if (registry[ANY_KEY]) return;
  const get = registry.get.bind(registry);
  registry.get = (key: string) => get(key) ?? AWSAccount.DUMMY_ACCOUNT;
  registry[ANY_KEY] = true;
}

/**
 * The local S3: s3rver persisted under `<home>/s3` (objects and buckets survive
 * restarts). It serves objects, multipart uploads and presigned URLs; bucket
 * configuration (versioning, encryption, public access block, policy,
 * ownership, tags) it does not, and LocalBucketPort records those instead.
 */
export async function startLocalS3(options: { home: string; port: number; host: string }): Promise<LocalS3> {
  acceptAnyAccessKey();
  const directory = localPaths(options.home).s3;
  await mkdir(directory, { recursive: true });
  const s3rver = new S3rver({ silent: true, directory, resetOnClose: false });
  // s3rver is a Koa app; served from our own server because s3rver.run() never
  // settles when the port is taken (the listen error escapes as an uncaught one).
  const server = createServer(s3rver.callback());
  const port = await listen(server, options.port, options.host, 'the local S3 endpoint', 'HUMANGOV_S3_PORT');
  return {
    endpoint: `http://${options.host}:${port}`,
    async close() {
      await closeServer(server);
      s3rver.logger.close();
    },
  };
}
