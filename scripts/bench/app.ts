/**
 * `npm run bench:app [-- --baseline <git ref>]`: the built app (dist/server.js, as shipped)
 * against dynalite and s3rver with 1,000 employees, loaded by autocannon with 50 connections for
 * 10 s on the home page, the HTML list page and the JSON list.
 *
 * With --baseline, the app as it was at that commit is built too (into .bench/, beside the
 * checkout, so it finds the same node_modules) and served from the same table. The two are loaded
 * in turn, 5 s each, in 5 rounds (which goes first alternates), and each page's ratio is the
 * median of the rounds' ratios: a shared machine's load, which drifts over minutes, slows both
 * sides of a round alike. It exits 1 when a page serves less than 90 % of the baseline's
 * requests per second. The table shows each side's median round.
 *
 * Throughput on a machine shared with other work swings by tens of percent from one 5 s round to
 * the next, so each round also measures what a request costs the app itself: the CPU time of the
 * app's process (utime + stime from /proc/<pid>/stat) over the requests it served, which other
 * processes competing for the cores barely change. The gate is on that cost: a page fails when it
 * costs more than 1/0.9 of the baseline's CPU per request. The last lines are the headline:
 *   app: home <req/s> req/s p99 <ms> ms, <µs> µs CPU/request[ (baseline <req/s> req/s, <µs> µs; x<ratio>)]
 *   app: list …
 */
import { spawn } from 'node:child_process';
import { execFile } from 'node:child_process';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startLocalAws } from '../../app/test/support/local-aws.ts';

const EMPLOYEES = 1_000;
const SEED_CONCURRENCY = 8;
const CONNECTIONS = 50;
const DURATION_SECONDS = 10;
const ROUNDS_WITH_BASELINE = 5;
const ROUND_SECONDS = 5;
/** Below this share of the baseline's throughput (as its CPU cost per request allows) a page counts as slower. */
const FLOOR = 0.9;

interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number; average: number };
  non2xx: number;
  errors: number;
  timeouts: number;
}
type Autocannon = (options: { url: string; connections: number; duration: number }) => Promise<AutocannonResult>;
// autocannon ships no types; this is the one call used.
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;
const run = promisify(execFile);

const root = fileURLToPath(new URL('../..', import.meta.url));
const appDir = fileURLToPath(new URL('../../app/', import.meta.url));

const PAGES = [
  ['home', 'GET / (HTML home)', '/'],
  ['list', 'GET /employees (HTML list)', '/employees'],
  ['json', 'GET /api/employees (JSON)', '/api/employees'],
] as const;
type PageName = (typeof PAGES)[number][0];

/** The app's directory at `ref`, built: the files of app/ at that commit, in .bench/ under the checkout. */
async function buildBaseline(ref: string): Promise<string> {
  const commit = (await run('git', ['rev-parse', '--short', ref], { cwd: root })).stdout.trim();
  const dir = `${root}.bench/baseline-${commit}`;
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  await run('sh', ['-c', `git archive ${commit} app | tar -x -C "${dir}"`], { cwd: root });
  console.log(`building the baseline app of ${ref} (${commit}) in .bench/…`);
  await run(process.execPath, ['build.ts'], { cwd: `${dir}/app` });
  return `${dir}/app/`;
}

/** CPU seconds the process has used so far (Linux /proc), or undefined where there is no /proc. */
async function cpuSeconds(pid: number | undefined, ticksPerSecond: number): Promise<number | undefined> {
  if (pid === undefined) return undefined;
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
  } catch {
    return undefined;
  }
}

interface Round {
  readonly result: AutocannonResult;
  /** CPU time of the app per request served, in µs; undefined without /proc. */
  readonly cpuMicros: number | undefined;
}

function stop(app: ReturnType<typeof spawn>): Promise<unknown> {
  if (app.exitCode !== null) return Promise.resolve();
  const exited = new Promise((resolve) => app.once('exit', resolve));
  app.kill('SIGTERM');
  return exited;
}

function startApp(cwd: string, env: Record<string, string>) {
  return spawn(process.execPath, ['dist/server.js'], { cwd, env: { ...env, PORT: '0' }, stdio: ['ignore', 'pipe', 'inherit'] });
}

async function main(): Promise<void> {
  const baselineIndex = process.argv.indexOf('--baseline');
  const baselineRef = baselineIndex > 0 ? process.argv[baselineIndex + 1] : undefined;
  console.log('building the app (npm run build -w app)…');
  await run('npm', ['run', 'build', '-w', 'app'], { cwd: root });
  const baselineDir = baselineRef ? await buildBaseline(baselineRef) : undefined;

  const aws = await startLocalAws();
  const tableName = 'bench-employees';
  const bucketName = 'bench-documents';
  await Promise.all([aws.createTable(tableName), aws.createBucket(bucketName)]);
  const env = {
    ...aws.env,
    NODE_ENV: 'production',
    US_STATE: 'California',
    AWS_DYNAMODB_TABLE: tableName,
    AWS_BUCKET: bucketName,
    TENANT_ID: 'bench',
    APP_IMAGE: 'bench',
    CSRF_SECRET: 'bench-csrf-secret-0123456789-abcdefghijkl',
    // The image checked on its own, with no load balancer in front to sign anyone in.
    SIGN_IN: 'off',
  };
  // Seeded by an app of its own, stopped before the measured ones start: neither measured process
  // carries the heap of a thousand uploads into its rounds.
  const seeder = startApp(appDir, env);
  try {
    const seedStart = Date.now();
    await seed(`http://127.0.0.1:${await listeningPort(seeder)}`);
    console.log(`seeded ${EMPLOYEES} employees through the API in ${((Date.now() - seedStart) / 1000).toFixed(1)} s`);
  } catch (error) {
    await aws.stop();
    throw error;
  } finally {
    await stop(seeder);
  }
  const apps = [startApp(appDir, env), ...(baselineDir ? [startApp(baselineDir, env)] : [])];
  try {
    const [current, baseline] = await Promise.all(apps.map(async (app) => `http://127.0.0.1:${await listeningPort(app)}`));
    if (!current) throw new Error('the app did not start');

    const ticksPerSecond = Number((await run('getconf', ['CLK_TCK']).catch(() => ({ stdout: '100' }))).stdout.trim()) || 100;
    const pids = { current: apps[0]?.pid, baseline: apps[1]?.pid };
    /** Per page and side, one round after another. */
    const results = new Map<string, Round[]>();
    const rounds = baseline ? ROUNDS_WITH_BASELINE : 1;
    const duration = baseline ? ROUND_SECONDS : DURATION_SECONDS;
    for (let round = 1; round <= rounds; round++) {
      for (const [name, , path] of PAGES) {
        const sides = [
          ['current', current],
          ['baseline', baseline],
        ] as const;
        for (const [which, baseUrl] of round % 2 === 1 ? sides : [...sides].reverse()) {
          if (!baseUrl) continue;
          console.log(`round ${round}/${rounds}: loading ${path} (${which}): ${CONNECTIONS} connections, ${duration} s…`);
          const cpuBefore = await cpuSeconds(pids[which], ticksPerSecond);
          const result = await autocannon({ url: `${baseUrl}${path}`, connections: CONNECTIONS, duration });
          const cpuAfter = await cpuSeconds(pids[which], ticksPerSecond);
          if (result.non2xx > 0 || result.errors > 0)
            throw new Error(`${path} (${which}) failed under load: ${result.non2xx} non-2xx, ${result.errors} errors`);
          const cpuMicros = cpuBefore !== undefined && cpuAfter !== undefined ? ((cpuAfter - cpuBefore) * 1e6) / result.requests.total : undefined;
          const key = `${which}:${name}`;
          results.set(key, [...(results.get(key) ?? []), { result, cpuMicros }]);
        }
      }
    }
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
    const summary = (key: string) => {
      const list = results.get(key) ?? [];
      if (list.length === 0) return undefined;
      const middle = median(list.map((round) => round.result.requests.average));
      const cpu = list.every((round) => round.cpuMicros !== undefined) ? median(list.map((round) => round.cpuMicros ?? 0)) : undefined;
      return { result: list.find((round) => round.result.requests.average === middle)?.result ?? list[0]!.result, cpuMicros: cpu };
    };

    const rows: [string, AutocannonResult, number | undefined][] = [];
    for (const [name, label] of PAGES) {
      const now = summary(`current:${name}`);
      const before = summary(`baseline:${name}`);
      if (now) rows.push([label, now.result, now.cpuMicros]);
      if (before) rows.push([`${label}, baseline ${baselineRef}`, before.result, before.cpuMicros]);
    }
    printTable(rows);
    const slower: string[] = [];
    for (const name of ['home', 'list'] as PageName[]) {
      const now = summary(`current:${name}`);
      if (!now) throw new Error(`no result for ${name}`);
      const before = summary(`baseline:${name}`);
      const micros = (value: number | undefined) => (value === undefined ? '?' : value.toFixed(0));
      // Throughput relative to the baseline as CPU cost allows it: baseline µs / current µs.
      const ratio = before?.cpuMicros !== undefined && now.cpuMicros !== undefined ? before.cpuMicros / now.cpuMicros : undefined;
      if (ratio !== undefined && ratio < FLOOR) slower.push(name);
      console.log(
        `app: ${name} ${Math.round(now.result.requests.average)} req/s p99 ${Math.round(now.result.latency.p99)} ms, ${micros(now.cpuMicros)} µs CPU/request` +
          (before ? ` (baseline ${Math.round(before.result.requests.average)} req/s, ${micros(before.cpuMicros)} µs; x${ratio?.toFixed(2) ?? '?'})` : ''),
      );
    }
    if (slower.length > 0) {
      console.error(`slower than ${baselineRef}: ${slower.join(', ')} (below ${FLOOR} of the baseline's req/s)`);
      process.exitCode = 1;
    }
  } finally {
    await Promise.all(apps.map(stop));
    await aws.stop();
  }
}

/** Reads the app's JSON log until it says where it listens, then discards the rest. */
async function listeningPort(app: ReturnType<typeof spawn>): Promise<number> {
  if (!app.stdout) throw new Error('no stdout from the app');
  const lines = createInterface({ input: app.stdout });
  try {
    for await (const line of lines) {
      const entry = JSON.parse(line) as { msg?: string; port?: number };
      if (entry.msg === 'listening' && entry.port) return entry.port;
    }
  } finally {
    lines.close();
    app.stdout.resume();
  }
  throw new Error('the app exited before listening');
}

const FIRST_NAMES = [
  'James',
  'Mary',
  'Robert',
  'Patricia',
  'John',
  'Jennifer',
  'Michael',
  'Linda',
  'David',
  'Elizabeth',
  'Maria',
  'Jose',
  'Wei',
  'Aisha',
  'Luis',
  'Nguyen',
  'Olga',
  'Ahmed',
  'Sofia',
  'Kenji',
];
const LAST_NAMES = [
  'Smith',
  'Johnson',
  'Williams',
  'Brown',
  'Jones',
  'Garcia',
  'Miller',
  'Davis',
  'Rodriguez',
  'Martinez',
  'Hernandez',
  'Lopez',
  'Gonzalez',
  'Wilson',
  'Anderson',
  'Thomas',
  'Taylor',
  'Moore',
  'Jackson',
  'Martin',
  'Lee',
  'Perez',
  'Thompson',
  'White',
  'Harris',
  'Sanchez',
  'Clark',
  'Ramirez',
  'Lewis',
  'Robinson',
  'Walker',
  'Young',
  'Allen',
  'King',
  'Wright',
  'Scott',
  'Torres',
  'Nguyen',
  'Hill',
  'Flores',
  'Green',
  'Adams',
  'Nelson',
  'Baker',
  'Hall',
  'Rivera',
  'Campbell',
  'Mitchell',
  'Carter',
  'Roberts',
];
const ROLES = ['Nurse', 'Park Ranger', 'Clerk', 'Engineer', 'Teacher', 'Accountant', 'Inspector', 'Analyst'];

/** Through the public API, PDF and all, so the data is exactly what the app itself writes. */
async function seed(baseUrl: string): Promise<void> {
  const pdf = new Uint8Array(Buffer.from('%PDF-1.4\n% bench scan\n%%EOF\n'));
  let next = 0;
  const worker = async () => {
    for (let index = next++; index < EMPLOYEES; index = next++) {
      const form = new FormData();
      form.append('firstName', FIRST_NAMES[index % FIRST_NAMES.length] ?? 'Pat');
      form.append('lastName', `${LAST_NAMES[Math.floor(index / FIRST_NAMES.length) % LAST_NAMES.length] ?? 'Doe'}`);
      form.append('role', ROLES[index % ROLES.length] ?? 'Clerk');
      form.append('salary', String(40_000 + ((index * 7919) % 90_000)));
      form.append('document', new Blob([pdf], { type: 'application/pdf' }), `scan-${index}.pdf`);
      const response = await fetch(`${baseUrl}/api/employees`, { method: 'POST', body: form });
      if (response.status !== 201) throw new Error(`seeding employee ${index} failed: ${response.status} ${await response.text()}`);
    }
  };
  await Promise.all(Array.from({ length: SEED_CONCURRENCY }, worker));
}

function printTable(results: [string, AutocannonResult, number | undefined][]): void {
  const rows = results.map(([label, result, cpuMicros]) => ({
    target: label,
    'req/s (avg)': Math.round(result.requests.average),
    'p50 ms': result.latency.p50,
    'p99 ms': result.latency.p99,
    'CPU µs/req': cpuMicros === undefined ? '?' : Math.round(cpuMicros),
    requests: result.requests.total,
    'non-2xx': result.non2xx,
    errors: result.errors + result.timeouts,
  }));
  console.table(rows);
}

await main();
