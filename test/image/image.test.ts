/**
 * The app image itself, built from the repository's Dockerfile by the machine's engine and run
 * as the local provider runs a task: what it holds, who it runs as, what it answers, how it stops.
 */
import { createHash } from 'node:crypto';
import { request } from 'node:http';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startLocalAws, type LocalAws } from '../../app/test/support/local-aws.ts';
import { createTenantStorage, pdfBytes, TEST_CSRF_SECRET } from '../../app/test/support/test-app.ts';
import { readContainerImage } from '../../src/local/compute/container-image.ts';
import { startTaskContainer, type ContainerTaskProcess } from '../../src/local/compute/container-task.ts';
import { allocatePort } from '../../src/local/compute/task-runner.ts';
import { LocalEventBus } from '../../src/local/events/event-bus.ts';
import { baseImagesOf } from '../../src/local/registry/base-image.ts';
import { REPO_ROOT } from '../../src/local/registry/contexts.ts';
import { LocalRegistry, type PushResult } from '../../src/local/registry/registry.ts';
import { eventually } from '../support/eventually.ts';
import { containerRuntime, inspectImage, runIn } from './support.ts';

const RULES = fileURLToPath(new URL('../../src/local/events/fixtures/serverless.yml', import.meta.url));
const DOCKERFILE = join(REPO_ROOT, 'Dockerfile');
const MB = 1e6;

let runtime: Awaited<ReturnType<typeof containerRuntime>>;
let home: string;
let bus: LocalEventBus;
let pushed: PushResult;
let dockerfileBefore: string;
let aws: LocalAws;
const tasks: ContainerTaskProcess[] = [];

/** A task container of the pushed image against the local DynamoDB and S3, as LocalFargate starts one. */
async function startTask(label: string): Promise<{ task: ContainerTaskProcess; port: number; logFile: string }> {
  const image = await readContainerImage(home, pushed.digest);
  if (!image) throw new Error(`no container image record for ${pushed.digest}`);
  const tenant = await createTenantStorage(aws);
  const port = await allocatePort();
  const logFile = join(home, 'logs', `${label}.log`);
  const task = await startTaskContainer({
    engine: runtime.engine,
    home,
    taskId: `${label}${Date.now()}`,
    imageUri: pushed.imageUri,
    image,
    environment: {
      ...aws.env,
      US_STATE: 'California',
      AWS_DYNAMODB_TABLE: tenant.tableName,
      AWS_BUCKET: tenant.bucketName,
      TENANT_ID: 'ca',
      APP_IMAGE: pushed.imageUri,
      CSRF_SECRET: TEST_CSRF_SECRET,
      PORT: '8080',
      // The image checked on its own, with no load balancer in front to sign anyone in.
      SIGN_IN: 'off',
    },
    hostPort: port,
    cpu: 256,
    memory: 512,
    logFile,
  });
  tasks.push(task);
  return { task, port, logFile };
}

beforeAll(async () => {
  runtime = await containerRuntime();
  home = await mkdtemp(join(tmpdir(), 'humangov-image-'));
  dockerfileBefore = await readFile(DOCKERFILE, 'utf8');
  bus = await LocalEventBus.fromServerless({ stage: 'local', region: 'us-east-1', accountId: '000000000000', file: RULES, log: () => undefined });
  const registry = new LocalRegistry({ home, repository: 'humangov-local-app', events: bus, runtime });
  const started = Date.now();
  pushed = await registry.push({ tag: 'v1.0.0' });
  process.stdout.write(`built ${pushed.digest} from the Dockerfile in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  aws = await startLocalAws();
}, 900_000);

afterAll(async () => {
  for (const task of tasks) task.kill();
  await Promise.all(tasks.map((task) => task.exited));
  await aws?.stop();
  await bus?.close();
  if (home) await rm(home, { recursive: true, force: true });
}, 60_000);

describe('the app image', () => {
  it('is built from the Dockerfile, unchanged, and recorded under the image ID the engine reports', async () => {
    expect(await readFile(DOCKERFILE, 'utf8')).toBe(dockerfileBefore);
    expect(pushed.kind).toBe('container');
    const image = await inspectImage(runtime.engine, pushed.digest);
    expect(image.Id).toBe(pushed.digest);
    expect((await inspectImage(runtime.engine, 'humangov-local-app:v1.0.0')).Id).toBe(pushed.digest);
  });

  it('reports its size against its base', async () => {
    const [base = ''] = baseImagesOf(dockerfileBefore);
    const app = await inspectImage(runtime.engine, pushed.digest);
    const from = await inspectImage(runtime.engine, base);
    const over = app.Size - from.Size;
    process.stdout.write(`image: ${Math.round(app.Size / MB)} MB, ${Math.round(over / MB)} MB over its base\n`);
    // The bundle and its package.json: a few megabytes, not a node_modules tree.
    expect(over).toBeGreaterThan(0);
    expect(over).toBeLessThan(20 * MB);
  });

  it('runs as the non-root node user, uid and gid 1000', async () => {
    const id = await runIn(runtime.engine, pushed.digest, ['id']);
    expect(id.stdout.trim()).toMatch(/^uid=1000\(node\) gid=1000\(node\)/);
  });

  it('holds only package.json, the bundle and its static assets in /app: no build tools, source maps or node_modules beyond its base', async () => {
    const [base = ''] = baseImagesOf(dockerfileBefore);
    const app = (await runIn(runtime.engine, pushed.digest, ['find', '/app', '-type', 'f'])).stdout.trim().split('\n').sort();
    const assets = app.filter((path) => path.startsWith('/app/dist/assets/'));
    expect(app.filter((path) => !assets.includes(path))).toEqual(['/app/dist/server.js', '/app/package.json']);
    // The USWDS styles, script, fonts and icons the pages use, served by the app itself, and the manifest of their hashed names.
    expect(assets.length).toBeGreaterThan(0);
    expect(assets.filter((path) => !/\.(css|js|woff2|svg|png)$/.test(path))).toEqual(['/app/dist/assets/manifest.json']);

    const extras = ['sh', '-c', "find / -xdev \\( -name node_modules -prune -o -name '*.map' -o -name esbuild -o -name tsc \\) -print | sort"];
    const [inApp, inBase] = await Promise.all([runIn(runtime.engine, pushed.digest, extras), runIn(runtime.engine, base, extras)]);
    expect(inApp.code).toBe(0);
    expect(inApp.stdout).toBe(inBase.stdout);
    expect(inApp.stdout).not.toMatch(/esbuild|typescript|\/app\//);
    const tools = await runIn(runtime.engine, pushed.digest, ['sh', '-c', 'for t in gcc cc make python3 git esbuild tsc; do command -v $t; done; true']);
    expect(tools.stdout.trim()).toBe('');
  });

  it('as a task, serves /health with its own digest, reaches its table and bucket, and passes its HEALTHCHECK', async () => {
    const { task, port } = await startTask('health');

    await eventually(() => expect(task.health()).toBe('HEALTHY'), { timeout: 60_000, interval: 250 });
    const health = await fetch(`http://127.0.0.1:${port}/health`);
    expect(await health.json()).toEqual({ status: 'ok', tenant: 'ca', image: `humangov-local-app@${pushed.digest}` });
    // /ready calls DynamoDB and S3 on this machine's loopback, from inside the container's own network.
    expect((await fetch(`http://127.0.0.1:${port}/ready`)).status).toBe(200);
  }, 90_000);

  it('on SIGTERM finishes the request in flight, then exits 0 within 10 s', async () => {
    const { task, port } = await startTask('drain');
    await eventually(async () => expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(200), { timeout: 60_000, interval: 250 });

    // An upload whose body arrives in two halves, with the stop in between.
    const boundary = `----humangov${createHash('sha1').update(String(Date.now())).digest('hex')}`;
    const field = (name: string, value: string) => `--${boundary}\r\ncontent-disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
    const head = Object.entries({ firstName: 'Ada', lastName: 'Lovelace', role: 'Analyst', salary: '91000' })
      .map(([name, value]) => field(name, value))
      .join('');
    const file = Buffer.concat([
      Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="document"; filename="id.pdf"\r\ncontent-type: application/pdf\r\n\r\n`),
      pdfBytes('ada', 64_000),
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    const body = Buffer.concat([Buffer.from(head), file]);
    const half = Math.floor(body.length / 2);
    const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          path: '/api/employees',
          method: 'POST',
          headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': body.length },
        },
        (res) => {
          let text = '';
          res.on('data', (chunk: Buffer) => (text += chunk.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        },
      );
      req.on('error', reject);
      req.write(body.subarray(0, half));
      setTimeout(() => {
        const signalled = Date.now();
        // ECS's stop: the image's STOPSIGNAL (SIGTERM), SIGKILL only after the stop timeout.
        stopping = task.stop(30_000).then((exit) => ({ exit, elapsedMs: Date.now() - signalled }));
        setTimeout(() => req.end(body.subarray(half)), 1000);
      }, 300);
    });
    let stopping: Promise<{ exit: { code: number | null }; elapsedMs: number }> | undefined;

    const answered = await response;
    expect(answered.status).toBe(201);
    expect(JSON.parse(answered.body)).toMatchObject({ firstName: 'Ada', lastName: 'Lovelace' });
    const stopped = await eventually(() => {
      if (!stopping) throw new Error('not stopped yet');
      return stopping;
    });
    expect(stopped.exit.code).toBe(0);
    expect(stopped.elapsedMs).toBeLessThan(10_000);
  }, 120_000);
});
