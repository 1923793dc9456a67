/**
 * `npm run bench:app`: the built app (dist/server.js, as shipped) against dynalite and s3rver
 * with 1,000 employees, loaded by autocannon with 50 connections for 10 s on the HTML list
 * page and on the JSON list. Its last line is the headline:
 *   app: list <req/s> req/s p99 <ms> ms
 */
import { spawn } from 'node:child_process';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startLocalAws } from '../../app/test/support/local-aws.ts';

const EMPLOYEES = 1_000;
const SEED_CONCURRENCY = 8;
const CONNECTIONS = 50;
const DURATION_SECONDS = 10;

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

const root = fileURLToPath(new URL('../..', import.meta.url));
const appDir = fileURLToPath(new URL('../../app/', import.meta.url));

async function main(): Promise<void> {
  if (!existsSync(`${appDir}dist/server.js`)) {
    console.log('building the app (npm run build -w app)…');
    await promisify(execFile)('npm', ['run', 'build', '-w', 'app'], { cwd: root });
  }

  const aws = await startLocalAws();
  const tableName = 'bench-employees';
  const bucketName = 'bench-documents';
  await Promise.all([aws.createTable(tableName), aws.createBucket(bucketName)]);

  const app = spawn(process.execPath, ['dist/server.js'], {
    cwd: appDir,
    env: {
      ...aws.env,
      NODE_ENV: 'production',
      US_STATE: 'California',
      AWS_DYNAMODB_TABLE: tableName,
      AWS_BUCKET: bucketName,
      TENANT_ID: 'bench',
      APP_IMAGE: 'bench',
      CSRF_SECRET: 'bench-csrf-secret-0123456789-abcdefghijkl',
      PORT: '0',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    const baseUrl = `http://127.0.0.1:${await listeningPort(app)}`;
    const seedStart = Date.now();
    await seed(baseUrl);
    console.log(`seeded ${EMPLOYEES} employees through the API in ${((Date.now() - seedStart) / 1000).toFixed(1)} s`);

    const results: [string, AutocannonResult][] = [];
    for (const [label, path] of [
      ['GET /employees (HTML list)', '/employees'],
      ['GET /api/employees (JSON)', '/api/employees'],
    ] as const) {
      console.log(`loading ${path}: ${CONNECTIONS} connections, ${DURATION_SECONDS} s…`);
      results.push([label, await autocannon({ url: `${baseUrl}${path}`, connections: CONNECTIONS, duration: DURATION_SECONDS })]);
    }

    printTable(results);
    const list = results[0]?.[1];
    if (!list) throw new Error('no result for the list page');
    if (list.non2xx > 0 || list.errors > 0) throw new Error(`the list page failed under load: ${list.non2xx} non-2xx, ${list.errors} errors`);
    console.log(`app: list ${Math.round(list.requests.average)} req/s p99 ${Math.round(list.latency.p99)} ms`);
  } finally {
    const exited = new Promise((resolve) => app.once('exit', resolve));
    app.kill('SIGTERM');
    await exited;
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

function printTable(results: [string, AutocannonResult][]): void {
  const rows = results.map(([label, result]) => ({
    target: label,
    'req/s (avg)': Math.round(result.requests.average),
    'p50 ms': result.latency.p50,
    'p99 ms': result.latency.p99,
    requests: result.requests.total,
    'non-2xx': result.non2xx,
    errors: result.errors + result.timeouts,
  }));
  console.table(rows);
}

await main();
