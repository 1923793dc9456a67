import { join, resolve } from 'node:path';

/**
 * Where the local control plane listens and keeps its state. Each default is
 * written beside its field and can be overridden by the environment variable named beside it.
 */
export interface LocalSettings {
  /** HUMANGOV_HOME, default `.humangov` in the working directory. */
  home: string;
  /** HUMANGOV_API_PORT, default 3000. */
  apiPort: number;
  /** HUMANGOV_LB_PORT, default 8080. */
  lbPort: number;
  /** HUMANGOV_DYNAMODB_PORT, default 8000. */
  dynamodbPort: number;
  /** HUMANGOV_S3_PORT, default 4569. */
  s3Port: number;
  /** HUMANGOV_IDP_PORT, default 8090: the local identity provider staff sign in with. */
  idpPort: number;
  /** Always loopback: nothing local is exposed beyond this machine. */
  host: '127.0.0.1';
  stage: 'local';
  region: 'us-east-1';
  accountId: '000000000000';
  /** The local image repository's name (ECR's would be the same). */
  imageRepository: 'humangov-local-app';
}

/** Each listener's variable and default port (the fields above say the same). */
const PORTS = {
  apiPort: ['HUMANGOV_API_PORT', 3000],
  lbPort: ['HUMANGOV_LB_PORT', 8080],
  dynamodbPort: ['HUMANGOV_DYNAMODB_PORT', 8000],
  s3Port: ['HUMANGOV_S3_PORT', 4569],
  idpPort: ['HUMANGOV_IDP_PORT', 8090],
} as const;

function port(env: NodeJS.ProcessEnv, [name, fallback]: readonly [string, number]): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > 65535) {
    throw new Error(`${name}="${raw}" is not a port number; set it to a number from 0 to 65535 or unset it`);
  }
  return value;
}

/**
 * The environment of a control plane kept in `home` whose every listener takes a free port (0),
 * so that it runs beside another one (tests, benchmarks); a listener added later is covered too.
 */
export function onFreePorts(home: string): Record<string, string> {
  return { HUMANGOV_HOME: home, ...Object.fromEntries(Object.values(PORTS).map(([name]) => [name, '0'])) };
}

export function localSettingsFromEnv(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): LocalSettings {
  return {
    home: resolve(cwd, env.HUMANGOV_HOME || '.humangov'),
    apiPort: port(env, PORTS.apiPort),
    lbPort: port(env, PORTS.lbPort),
    dynamodbPort: port(env, PORTS.dynamodbPort),
    s3Port: port(env, PORTS.s3Port),
    idpPort: port(env, PORTS.idpPort),
    host: '127.0.0.1',
    stage: 'local',
    region: 'us-east-1',
    accountId: '000000000000',
    imageRepository: 'humangov-local-app',
  };
}

/** The layout of HUMANGOV_HOME. */
export function localPaths(home: string) {
  return {
    dynamodb: join(home, 'dynamodb'),
    s3: join(home, 's3'),
    images: join(home, 'images'),
    logs: join(home, 'logs'),
    state: join(home, 'state'),
  };
}

/** Where the content of image `sha256:<hex>` is stored. */
export function imageDir(home: string, digest: string): string {
  if (!/^sha256:[a-f0-9]{64}$/.test(digest)) throw new Error(`"${digest}" is not an image digest (sha256:<64 hex digits>)`);
  return join(localPaths(home).images, digest.replace(':', '-'));
}
