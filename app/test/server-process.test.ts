import { request } from 'node:http';
import { networkInterfaces } from 'node:os';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { buildAssets } from '../build-assets.ts';
import { loadConfig } from '../src/config.ts';
import { ConfigError } from '../src/errors.ts';
import { startLocalAws } from './support/local-aws.ts';
import type { LocalAws } from './support/local-aws.ts';
import { exitWithin, startServerProcess } from './support/server-process.ts';
import type { ServerProcess } from './support/server-process.ts';
import { createTenantStorage, pdfBytes, TEST_CSRF_SECRET } from './support/test-app.ts';
import { signedIn, startKeyEndpoint, TEST_ALB_ARN, TEST_ISSUER } from './support/sign-in.ts';

const serverEntry = fileURLToPath(new URL('../src/server.ts', import.meta.url));
const appDir = fileURLToPath(new URL('..', import.meta.url));

const validEnv = {
  US_STATE: 'California',
  AWS_REGION: 'us-east-1',
  AWS_DYNAMODB_TABLE: 'humangov-ca-employees',
  AWS_BUCKET: 'humangov-ca-documents',
  TENANT_ID: 'ca',
  CSRF_SECRET: TEST_CSRF_SECRET,
  ALB_ARN: TEST_ALB_ARN,
  SIGN_IN_ISSUER: TEST_ISSUER,
  SIGN_IN_GROUP: 'ca',
};

// The sources serve the pages' assets from where the build puts them (app/dist/assets).
beforeAll(() => buildAssets(), 120_000);

function problemsOf(env: Record<string, string | undefined>): readonly string[] {
  try {
    loadConfig(env);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}

describe('loadConfig', () => {
  it('applies the defaults', () => {
    expect(loadConfig(validEnv)).toMatchObject({ port: 8080, appImage: 'dev', maxUploadBytes: 10 * 1024 * 1024, usState: 'California' });
  });

  it('reports every missing variable by name', () => {
    const problems = problemsOf({});
    for (const name of ['US_STATE', 'AWS_REGION', 'AWS_DYNAMODB_TABLE', 'AWS_BUCKET', 'TENANT_ID', 'CSRF_SECRET']) {
      expect(problems.some((problem) => problem.startsWith(`${name} is required`))).toBe(true);
    }
  });

  it('will not start open to everyone because ALB_ARN was forgotten: only SIGN_IN=off turns sign-in off', () => {
    const { ALB_ARN: _arn, SIGN_IN_ISSUER: _issuer, SIGN_IN_GROUP: _group, ...unsigned } = validEnv;

    expect(problemsOf(unsigned)).toEqual([
      'ALB_ARN is required (the load balancer that signs staff in; its signature alone is believed), or SIGN_IN=off where nobody signs in',
    ]);
    expect(loadConfig({ ...unsigned, SIGN_IN: 'off' }).signIn).toBeUndefined();
    expect(problemsOf({ ...validEnv, SIGN_IN: 'off' })).toEqual(['ALB_ARN and SIGN_IN=off contradict each other: unset one']);
    expect(loadConfig(validEnv).signIn).toEqual({
      loadBalancerArn: TEST_ALB_ARN,
      issuer: TEST_ISSUER,
      group: 'ca',
      publicKeyEndpoint: undefined,
      signOutUrl: undefined,
    });
  });

  it.each([
    ['ALB_ARN', 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/x/0123'],
    ['SIGN_IN_ISSUER', 'not a url'],
    ['SIGN_IN', 'maybe'],
    ['TENANT_ID', 'CA'],
    ['TENANT_ID', 'new--york'],
    ['CSRF_SECRET', 'too-short'],
    ['PORT', '80a'],
    ['PORT', '70000'],
    ['MAX_UPLOAD_BYTES', '0'],
    ['AWS_ENDPOINT_URL_S3', 'not a url'],
    ['HOST', 'example.com'],
  ])('refuses %s=%s with a line naming the variable', (name, value) => {
    const problems = problemsOf({ ...validEnv, [name]: value });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(new RegExp(`^${name} `));
  });
});

describe('server process with a bad configuration', () => {
  it.each([
    ['TENANT_ID', { ...validEnv, TENANT_ID: undefined }],
    ['CSRF_SECRET', { ...validEnv, CSRF_SECRET: 'short' }],
    ['US_STATE', { ...validEnv, US_STATE: '' }],
  ])('exits 1 with one line naming %s and no stack trace', async (name, env) => {
    const server = startServerProcess([process.execPath, serverEntry], { cwd: appDir, env: definedOnly({ PATH: process.env.PATH, ...env }) });
    const { code } = await exitWithin(server, 15_000);
    const lines = server.stderr().trim().split('\n');
    expect(code).toBe(1);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(name);
    expect(server.stderr()).not.toMatch(/\n\s+at /);
  });
});

describe('server process shutdown', () => {
  let aws: LocalAws;
  let server: ServerProcess | undefined;

  beforeAll(async () => {
    aws = await startLocalAws();
  });
  afterAll(async () => {
    server?.kill();
    await aws?.stop();
  });

  it('on SIGTERM stops accepting, finishes the request in flight and exits 0', async () => {
    const tenant = await createTenantStorage(aws);
    const keys = await startKeyEndpoint();
    server = startOnStorage(aws, tenant, { ALB_PUBLIC_KEY_ENDPOINT: keys.url });
    const port = await server.port();

    const boundary = 'humangov-test-boundary';
    const fields = Object.entries({ firstName: 'Slow', lastName: 'Upload', role: 'Clerk', salary: '1' })
      .map(([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`)
      .join('');
    const head = Buffer.from(
      `${fields}--${boundary}\r\nContent-Disposition: form-data; name="document"; filename="id.pdf"\r\nContent-Type: application/pdf\r\n\r\n`,
    );
    const tail = Buffer.concat([pdfBytes('slow'), Buffer.from(`\r\n--${boundary}--\r\n`)]);

    const upload = request({
      host: '127.0.0.1',
      port,
      method: 'POST',
      path: '/api/employees',
      headers: {
        ...signedIn(),
        'content-type': `multipart/form-data; boundary=${boundary}`,
        'content-length': head.length + tail.length,
        expect: '100-continue',
      },
    });
    const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
      upload.on('response', (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      upload.on('error', reject);
    });
    // "100 Continue" proves the server is handling the request before the signal arrives.
    await new Promise<void>((resolve) => upload.once('continue', () => resolve()));
    upload.write(head);

    server.child.kill('SIGTERM');
    await server.waitForLog((line) => typeof line.msg === 'string' && line.msg.startsWith('shutting down'));
    expect(await refusedWithinAttempts(port, 200)).toBe(true);
    upload.end(tail);

    expect((await response).status).toBe(201);
    const { code, elapsedMs } = await exitWithin(server, 10_000);
    await keys.close();
    expect(code).toBe(0);
    expect(elapsedMs).toBeLessThan(10_000);
  });
});

describe('server process listening address', () => {
  let aws: LocalAws;
  const servers: ServerProcess[] = [];

  beforeAll(async () => {
    aws = await startLocalAws();
  });
  afterAll(async () => {
    for (const server of servers) server.kill();
    await aws?.stop();
  });

  /** An address of this machine that another host on its network would connect to. */
  function lanAddress(): string {
    const address = Object.values(networkInterfaces())
      .flat()
      .find((entry) => entry && !entry.internal && entry.family === 'IPv4');
    if (!address) throw new Error('this test needs a non-loopback IPv4 interface to connect to');
    return address.address;
  }

  async function start(extra: Record<string, string>): Promise<{ port: number; host: unknown }> {
    const tenant = await createTenantStorage(aws);
    const server = startOnStorage(aws, tenant, extra);
    servers.push(server);
    const port = await server.port();
    const listening = await server.waitForLog((line) => line.msg === 'listening');
    return { port, host: listening.host };
  }

  it('listens on every interface by default, as the image does in its container', async () => {
    const { port, host } = await start({});

    expect(host).toBe('0.0.0.0');
    expect(await answersAt(lanAddress(), port)).toBe(true);
  });

  it('with HOST=127.0.0.1 (the local provider) refuses a connection from the network and answers on loopback', async () => {
    const { port, host } = await start({ HOST: '127.0.0.1' });

    expect(host).toBe('127.0.0.1');
    expect(await answersAt(lanAddress(), port)).toBe(false);
    expect(await answersAt('127.0.0.1', port)).toBe(true);
  });
});

function answersAt(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    request({ host, port, path: '/health', agent: false, timeout: 5_000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(true));
    })
      .on('error', () => resolve(false))
      .on('timeout', function (this: { destroy(): void }) {
        this.destroy();
      })
      .end();
  });
}

/**
 * Opens fresh connections until one is refused. The log line comes just before the listener
 * closes, so a handful of attempts may still get through; a bounded number keeps a
 * server that never stops accepting from hanging the test.
 */
async function refusedWithinAttempts(port: number, attempts: number): Promise<boolean> {
  for (let attempt = 0; attempt < attempts; attempt += 1) {
    const outcome = await new Promise<'answered' | 'refused'>((resolve) => {
      request({ host: '127.0.0.1', port, path: '/health', agent: false }, (res) => {
        res.resume();
        res.on('end', () => resolve('answered'));
      })
        .on('error', () => resolve('refused'))
        .end();
    });
    if (outcome === 'refused') return true;
  }
  return false;
}

/** The server from the sources over a tenant's own table and bucket in the local AWS, on any free port. */
function startOnStorage(aws: LocalAws, tenant: Awaited<ReturnType<typeof createTenantStorage>>, extra: Record<string, string> = {}) {
  return startServerProcess([process.execPath, serverEntry], {
    cwd: appDir,
    env: definedOnly({
      PATH: process.env.PATH,
      ...validEnv,
      ...aws.env,
      AWS_DYNAMODB_TABLE: tenant.tableName,
      AWS_BUCKET: tenant.bucketName,
      PORT: '0',
      ...extra,
    }),
  });
}

function definedOnly(env: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined));
}
