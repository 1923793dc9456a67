/**
 * npm run bench:onboard — how long the local control plane takes to bring N
 * tenants to ACTIVE when N records are inserted at once (N = 1, 10, 50), and how
 * much of that is the control plane itself.
 *
 * Each N runs in a fresh child process with a fresh HUMANGOV_HOME on free
 * ports: the app is pushed as v1.0.0 first (not timed), then N records are
 * written to the tenants table through the DynamoDB endpoint and the clock runs
 * until every tenant is ACTIVE.
 *
 * Overhead = that time minus the waits the local provider imposes on any
 * tenant however fast the control plane is: one task's start (measured here,
 * spawn to first healthy /health) and the load balancer's health-check
 * threshold (healthy after 2 checks 1 s apart). Peak RSS is the control-plane
 * process's (the tenants' app processes are reported beside it).
 * Last line: onboard: 50 tenants ACTIVE in <T> s, overhead <O> s, peak RSS <M> MB
 */
import { execFile, spawn } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { BatchWriteItemCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { localSettingsFromEnv } from '../../src/local/settings.ts';
import { startLocalControlPlane } from '../../src/local/runtime/control-plane.ts';
import { US_STATE_CODES } from '../../src/tenants/us-states.ts';

const SIZES = [1, 10, 50];
const HEALTH_INTERVAL_MS = 1_000;
const HEALTHY_THRESHOLD = 2;
const appDir = fileURLToPath(new URL('../../app/', import.meta.url));

interface RunResult {
  n: number;
  seconds: number;
  taskStartSeconds: number;
  peakRssMb: number;
  tasksRssMb: number;
}

/** Resident memory of the tenants' app processes (children of this process), from /proc. */
async function tasksRssMb(): Promise<number> {
  try {
    const { stdout } = await promisify(execFile)('ps', ['-o', 'rss=', '--ppid', String(process.pid)]);
    const shells = stdout.trim().split('\n').filter(Boolean);
    let kb = shells.reduce((sum, line) => sum + Number(line.trim()), 0);
    const { stdout: grandchildren } = await promisify(execFile)('sh', ['-c', `for p in $(ps -o pid= --ppid ${process.pid}); do ps -o rss= --ppid $p; done`]);
    kb += grandchildren.trim().split('\n').filter(Boolean).reduce((sum, line) => sum + Number(line.trim()), 0);
    return kb / 1024;
  } catch {
    return 0;
  }
}

async function child(n: number): Promise<RunResult> {
  const home = await mkdtemp(join(tmpdir(), `humangov-bench-onboard-${n}-`));
  const settings = localSettingsFromEnv({ HUMANGOV_HOME: home, HUMANGOV_API_PORT: '0', HUMANGOV_LB_PORT: '0', HUMANGOV_DYNAMODB_PORT: '0', HUMANGOV_S3_PORT: '0' });
  const plane = await startLocalControlPlane(settings, {
    log: () => {},
    healthCheck: { intervalMs: HEALTH_INTERVAL_MS, healthyThreshold: HEALTHY_THRESHOLD },
  });
  try {
    await plane.registry.push({ contextDir: appDir, tag: 'v1.0.0' });
    await plane.idle();

    const db = new DynamoDBClient({ endpoint: plane.urls.dynamodb, region: 'us-east-1', credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' } });
    const ids = US_STATE_CODES.slice(0, n);
    const started = performance.now();
    const batches = [];
    for (let i = 0; i < ids.length; i += 25) {
      const items = ids.slice(i, i + 25).map((tenantId) => ({ PutRequest: { Item: { tenantId: { S: tenantId } } } }));
      batches.push(db.send(new BatchWriteItemCommand({ RequestItems: { 'humangov-local-tenants': items } })));
    }
    await Promise.all(batches);
    let peakTasks = 0;
    for (;;) {
      const tenants = await plane.tenants.all();
      const failed = tenants.find((t) => t.status === 'FAILED');
      if (failed) throw new Error(`${failed.tenantId} FAILED: ${failed.statusReason}`);
      if (tenants.length === n && tenants.every((t) => t.status === 'ACTIVE')) break;
      peakTasks = Math.max(peakTasks, await tasksRssMb());
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const seconds = (performance.now() - started) / 1000;
    const taskStartSeconds = await measureTaskStart();
    return { n, seconds, taskStartSeconds, peakRssMb: process.resourceUsage().maxRSS / 1024, tasksRssMb: Math.max(peakTasks, await tasksRssMb()) };
  } finally {
    await plane.stop();
    await rm(home, { recursive: true, force: true });
  }
}

/** One task's start on this machine, with nothing else running: spawn of the app to its first "listening" line. */
async function measureTaskStart(): Promise<number> {
  const port = await freePort();
  const started = performance.now();
  const server = spawn(process.execPath, [join(appDir, 'dist', 'server.js')], {
    env: {
      PATH: process.env.PATH,
      PORT: String(port),
      US_STATE: 'Bench',
      AWS_REGION: 'us-east-1',
      AWS_DYNAMODB_TABLE: 'bench',
      AWS_BUCKET: 'bench',
      TENANT_ID: 'bench',
      CSRF_SECRET: 'x'.repeat(32),
      AWS_ACCESS_KEY_ID: 'bench',
      AWS_SECRET_ACCESS_KEY: 'bench',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      if (/listening|Server listening/i.test(chunk.toString())) resolve();
    };
    server.stdout.on('data', onData);
    server.stderr.on('data', onData);
    server.on('exit', (code) => reject(new Error(`the app exited with ${code} before listening`)));
  });
  const seconds = (performance.now() - started) / 1000;
  server.kill('SIGTERM');
  return seconds;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

async function parent(): Promise<void> {
  const rows: RunResult[] = [];
  for (const n of SIZES) {
    const { stdout } = await promisify(execFile)(process.execPath, [fileURLToPath(import.meta.url), '--child', String(n)], {
      maxBuffer: 64 * 1024 * 1024,
      timeout: 15 * 60_000,
      env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'SILENT' },
    });
    const line = stdout.trim().split('\n').at(-1) ?? '';
    rows.push(JSON.parse(line) as RunResult);
  }
  const fixed = (r: RunResult) => r.taskStartSeconds + (HEALTH_INTERVAL_MS * HEALTHY_THRESHOLD) / 1000;
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  console.log(`machine: ${cpus().length} cores (${cpu}), ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}, ${(await readFile('/etc/debian_version', 'utf8').catch(() => '?')).trim()}`);
  console.log('tenants   all ACTIVE s   fixed waits s   overhead s   control plane RSS MB   app tasks RSS MB');
  for (const r of rows) {
    console.log(
      `${String(r.n).padStart(7)}${r.seconds.toFixed(2).padStart(15)}${fixed(r).toFixed(2).padStart(16)}${(r.seconds - fixed(r)).toFixed(2).padStart(13)}${r.peakRssMb.toFixed(0).padStart(23)}${r.tasksRssMb.toFixed(0).padStart(19)}`,
    );
  }
  const last = rows.at(-1)!;
  console.log(`onboard: ${last.n} tenants ACTIVE in ${last.seconds.toFixed(1)} s, overhead ${(last.seconds - fixed(last)).toFixed(1)} s, peak RSS ${Math.round(last.peakRssMb)} MB`);
}

if (process.argv[2] === '--child') {
  const result = await child(Number(process.argv[3]));
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
} else {
  await parent();
}
