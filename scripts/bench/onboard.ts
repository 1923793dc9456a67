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
 * Overhead: for each tenant, the time from its insert to ACTIVE minus the time
 * the local provider itself took to deploy its service (tasks started, app
 * listening, health checks passed: the service deployment's creation to its
 * completion, as local Fargate records them). What is left is the control
 * plane's own work (stream, workflow steps, polls, verification); the largest
 * over all tenants is reported. Peak RSS is the control-plane process's (the
 * tenants' app processes are reported beside it).
 * Last line: onboard: 50 tenants ACTIVE in <T> s, overhead <O> s, peak RSS <M> MB
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { BatchWriteItemCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { localSettingsFromEnv } from '../../src/local/settings.ts';
import { startLocalControlPlane } from '../../src/local/runtime/control-plane.ts';
import { US_STATE_CODES } from '../../src/tenants/us-states.ts';
import type { TenantRecord } from '../../src/tenants/schema.ts';

const SIZES = [1, 10, 50];
const HEALTH_INTERVAL_MS = 1_000;
const HEALTHY_THRESHOLD = 2;
const appDir = fileURLToPath(new URL('../../app/', import.meta.url));

interface RunResult {
  n: number;
  seconds: number;
  overheadSeconds: number;
  providerWaitSeconds: number;
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
    const startedAt = Date.now();
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
    const { overhead, providerWait } = await overheads(home, startedAt, await plane.tenants.all());
    return { n, seconds, overheadSeconds: overhead, providerWaitSeconds: providerWait, peakRssMb: process.resourceUsage().maxRSS / 1024, tasksRssMb: Math.max(peakTasks, await tasksRssMb()) };
  } finally {
    await plane.stop();
    await rm(home, { recursive: true, force: true });
  }
}

/**
 * For each tenant: insert to ACTIVE (its history) minus its service's first
 * deployment, creation to completion (local Fargate's services.json).
 */
async function overheads(home: string, startedAt: number, tenants: TenantRecord[]): Promise<{ overhead: number; providerWait: number }> {
  const doc = JSON.parse(await readFile(join(home, 'state', 'services.json'), 'utf8')) as {
    services: Record<string, { deployments: { createdAt: string; completedAt?: string }[] }>;
  };
  let worst = { overhead: 0, providerWait: 0 };
  for (const tenant of tenants) {
    const activeAt = Date.parse(tenant.history?.find((h) => h.to === 'ACTIVE')?.at ?? '');
    const first = doc.services[`humangov-${tenant.tenantId}`]?.deployments.at(-1);
    if (!first?.completedAt || Number.isNaN(activeAt)) throw new Error(`no deployment timing for ${tenant.tenantId}`);
    const providerWait = (Date.parse(first.completedAt) - Date.parse(first.createdAt)) / 1000;
    const overhead = (activeAt - startedAt) / 1000 - providerWait;
    if (overhead > worst.overhead) worst = { overhead, providerWait };
  }
  return worst;
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
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  console.log(`machine: ${cpus().length} cores (${cpu}), ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}, ${(await readFile('/etc/debian_version', 'utf8').catch(() => '?')).trim()}`);
  console.log('tenants   all ACTIVE s   provider deploy s   overhead s   control plane RSS MB   app tasks RSS MB');
  for (const r of rows) {
    console.log(
      `${String(r.n).padStart(7)}${r.seconds.toFixed(2).padStart(15)}${r.providerWaitSeconds.toFixed(2).padStart(20)}${r.overheadSeconds.toFixed(2).padStart(13)}${r.peakRssMb.toFixed(0).padStart(23)}${r.tasksRssMb.toFixed(0).padStart(19)}`,
    );
  }
  const last = rows.at(-1)!;
  console.log(`onboard: ${last.n} tenants ACTIVE in ${last.seconds.toFixed(1)} s, overhead ${last.overheadSeconds.toFixed(1)} s, peak RSS ${Math.round(last.peakRssMb)} MB`);
}

if (process.argv[2] === '--child') {
  const result = await child(Number(process.argv[3]));
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
} else {
  await parent();
}
