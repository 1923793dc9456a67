import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
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
 * Whether `name` is a valid general purpose bucket name, by every rule S3 lists
 * (s3rver checks only length and characters).
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
 */
export function validBucketName(name: string): boolean {
  return (
    /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(name) &&
    !name.includes('..') &&
    !/^\d{1,3}(\.\d{1,3}){3}$/.test(name) &&
    !['xn--', 'sthree-', 'amzn-s3-demo-'].some((prefix) => name.startsWith(prefix)) &&
    !['-s3alias', '--ol-s3', '.mrap', '--x-s3', '--table-s3'].some((suffix) => name.endsWith(suffix))
  );
}

function s3Error(res: ServerResponse, status: number, code: string, message: string, extra = ''): void {
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message>${extra}<RequestId>${randomBytes(8).toString('hex').toUpperCase()}</RequestId></Error>`;
  res.writeHead(status, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/**
 * What S3 refuses before s3rver would get to it:
 * - a request with no credentials at all (no Authorization header, no presigned query):
 *   every local bucket is private with public access blocked, so S3 answers 403.
 *   https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html
 * - CreateBucket with a name S3's naming rules forbid.
 */
function refuse(req: IncomingMessage, res: ServerResponse): boolean {
  const url = new URL(req.url ?? '/', 'http://local');
  const signed = req.headers.authorization !== undefined || url.searchParams.has('X-Amz-Signature') || url.searchParams.has('Signature');
  if (!signed && req.method !== 'OPTIONS') {
    s3Error(res, 403, 'AccessDenied', 'Access Denied');
    return true;
  }
  const bucket = /^\/([^/]+)\/?$/.exec(url.pathname)?.[1];
  if (req.method === 'PUT' && bucket !== undefined && url.search === '' && !validBucketName(decodeURIComponent(bucket))) {
    s3Error(res, 400, 'InvalidBucketName', 'The specified bucket is not valid.', `<BucketName>${bucket.replace(/[<>&]/g, '')}</BucketName>`);
    return true;
  }
  return false;
}

/**
 * The local S3: s3rver persisted under `<home>/s3` (objects and buckets survive
 * restarts). It serves objects, multipart uploads and presigned URLs (refused
 * once expired, as S3 does); bucket configuration (versioning, encryption,
 * public access block, policy, ownership, tags) it does not, and
 * S3rverBuckets records those instead. In front of it, what S3 refuses and
 * s3rver would not (refuse()).
 */
export async function startLocalS3(options: { home: string; port: number; host: string }): Promise<LocalS3> {
  acceptAnyAccessKey();
  const directory = localPaths(options.home).s3;
  await mkdir(directory, { recursive: true });
  const s3rver = new S3rver({ silent: true, directory, resetOnClose: false });
  // s3rver is a Koa app; served from our own server because s3rver.run() never
  // settles when the port is taken (the listen error escapes as an uncaught one).
  const serve = s3rver.callback();
  const server = createServer((req, res) => {
    if (!refuse(req, res)) void serve(req, res);
  });
  const port = await listen(server, options.port, options.host, 'the local S3 endpoint', 'HUMANGOV_S3_PORT');
  return {
    endpoint: `http://${options.host}:${port}`,
    async close() {
      await closeServer(server);
      s3rver.logger.close();
    },
  };
}
