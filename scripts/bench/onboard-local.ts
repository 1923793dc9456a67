/**
 * npm run bench:onboard:local — how long the local control plane takes to bring N
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
 *
 * CPU: the control plane shares this machine's cores with the tasks it starts,
 * so its overhead includes waiting for a core while a hundred app processes
 * boot. Both sides' CPU seconds over the run are reported: the control plane's
 * own (this process: every local stand-in runs in it) and the tasks' (their
 * processes, read from /proc; 0 where there is none). When they add up to about
 * cores x seconds, the run was bound by CPU, not by the control plane's waits.
 * The tasks are sampled from /proc in this process, once a second, so that
 * measuring them takes next to nothing from either side.
 * Last line: onboard: 50 tenants ACTIVE in <T> s, overhead <O> s, peak RSS <M> MB
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { BatchWriteItemCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { localSettingsFromEnv, onFreePorts } from '../../src/local/settings.ts';
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
  controlPlaneCpuSeconds: number;
  tasksCpuSeconds: number;
}

/** /proc gives RSS in pages: 4 KiB on x86-64. */
const PAGE_KB = 4;
const CLOCK_TICKS = 100;

/** Every process below this one (the tasks' shells and their apps), with its RSS and CPU so far, from /proc; empty without /proc. */
async function descendants(): Promise<{ rssKb: number; cpuTicks: number }[]> {
  const procs = new Map<number, { ppid: number; rssKb: number; cpuTicks: number }>();
  const pids = await readdir('/proc').catch(() => [] as string[]);
  await Promise.all(
    pids
      .filter((name) => /^\d+$/.test(name))
      .map(async (pid) => {
        // "pid (comm) state ppid ...": fields after the last ')' are numbered from 3 (state); utime 14, stime 15, rss 24.
        const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        if (fields.length < 22) return;
        procs.set(Number(pid), { ppid: Number(fields[1]), cpuTicks: Number(fields[11]) + Number(fields[12]), rssKb: Number(fields[21]) * PAGE_KB });
      }),
  );
  const mine = new Set([process.pid]);
  for (let grew = true; grew;) {
    grew = false;
    for (const [pid, p] of procs) {
      if (mine.has(pid) || !mine.has(p.ppid)) continue;
      mine.add(pid);
      grew = true;
    }
  }
  mine.delete(process.pid);
  return [...mine].map((pid) => procs.get(pid)!);
}

/** Resident memory of the tenants' app processes, in MB. */
async function tasksRssMb(): Promise<number> {
  return (await descendants()).reduce((sum, p) => sum + p.rssKb, 0) / 1024;
}

/** CPU seconds of the tasks: those running now, plus the children that ended and were reaped (replaced tasks). */
async function tasksCpuSeconds(): Promise<number> {
  const live = (await descendants()).reduce((sum, p) => sum + p.cpuTicks, 0) / CLOCK_TICKS;
  const { cutime, cstime } = reapedChildrenCpu();
  return live + cutime + cstime;
}

/** This process's cutime and cstime (CPU of its reaped children), in seconds; zero without /proc. */
function reapedChildrenCpu(): { cutime: number; cstime: number } {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { cutime: Number(fields[13]) / CLOCK_TICKS, cstime: Number(fields[14]) / CLOCK_TICKS };
  } catch {
    return { cutime: 0, cstime: 0 };
  }
}

async function child(n: number): Promise<RunResult> {
  const home = await mkdtemp(join(tmpdir(), `humangov-bench-onboard-${n}-`));
  const settings = localSettingsFromEnv(onFreePorts(home));
  const plane = await startLocalControlPlane(settings, {
    log: () => {},
    healthCheck: { intervalMs: HEALTH_INTERVAL_MS, healthyThreshold: HEALTHY_THRESHOLD },
  });
  try {
    await plane.registry.push({ contextDir: appDir, tag: 'v1.0.0' });
    await plane.idle();

    const db = new DynamoDBClient({ endpoint: plane.urls.dynamodb, region: 'us-east-1', credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' } });
    const ids = US_STATE_CODES.slice(0, n);
    const tasksCpuBefore = await tasksCpuSeconds(); // the release's build, already reaped
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    const startedAt = Date.now();
    const batches = [];
    for (let i = 0; i < ids.length; i += 25) {
      const items = ids.slice(i, i + 25).map((tenantId) => ({ PutRequest: { Item: { tenantId: { S: tenantId } } } }));
      batches.push(db.send(new BatchWriteItemCommand({ RequestItems: { 'humangov-local-tenants': items } })));
    }
    await Promise.all(batches);
    let peakTasks = 0;
    const sampler = setInterval(() => void tasksRssMb().then((mb) => (peakTasks = Math.max(peakTasks, mb))), 1_000);
    try {
      for (;;) {
        const tenants = await plane.tenants.all();
        const failed = tenants.find((t) => t.status === 'FAILED');
        if (failed) throw new Error(`${failed.tenantId} FAILED: ${failed.statusReason}`);
        if (tenants.length === n && tenants.every((t) => t.status === 'ACTIVE')) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    } finally {
      clearInterval(sampler);
    }
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    const tasksCpu = (await tasksCpuSeconds()) - tasksCpuBefore;
    const { overhead, providerWait } = await overheads(home, startedAt, await plane.tenants.all());
    return {
      n,
      seconds,
      overheadSeconds: overhead,
      providerWaitSeconds: providerWait,
      peakRssMb: process.resourceUsage().maxRSS / 1024,
      tasksRssMb: Math.max(peakTasks, await tasksRssMb()),
      controlPlaneCpuSeconds: (cpu.user + cpu.system) / 1e6,
      tasksCpuSeconds: tasksCpu,
    };
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
  console.log(
    `machine: ${cpus().length} cores (${cpu}), ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}, ${(await readFile('/etc/debian_version', 'utf8').catch(() => '?')).trim()}`,
  );
  console.log('tenants   all ACTIVE s   provider deploy s   overhead s   control plane RSS MB   app tasks RSS MB   control plane CPU s   app tasks CPU s');
  for (const r of rows) {
    console.log(
      `${String(r.n).padStart(7)}${r.seconds.toFixed(2).padStart(15)}${r.providerWaitSeconds.toFixed(2).padStart(20)}${r.overheadSeconds.toFixed(2).padStart(13)}${r.peakRssMb.toFixed(0).padStart(23)}${r.tasksRssMb.toFixed(0).padStart(19)}` +
        `${r.controlPlaneCpuSeconds.toFixed(2).padStart(22)}${r.tasksCpuSeconds.toFixed(2).padStart(18)}`,
    );
  }
  const last = rows.at(-1)!;
  const busy = (last.controlPlaneCpuSeconds + last.tasksCpuSeconds) / (cpus().length * last.seconds);
  console.log(`cpu: at ${last.n} tenants the control plane and the tasks kept ${Math.round(busy * 100)} % of ${cpus().length} cores busy for the whole run`);
  console.log(
    `onboard: ${last.n} tenants ACTIVE in ${last.seconds.toFixed(1)} s, overhead ${last.overheadSeconds.toFixed(1)} s, peak RSS ${Math.round(last.peakRssMb)} MB`,
  );
}

if (process.argv[2] === '--child') {
  const result = await child(Number(process.argv[3]));
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
} else {
  await parent();
}
