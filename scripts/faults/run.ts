// npm run test:faults: kills the local control plane (`humangov up`, what `npm start` runs) with SIGKILL at
// every step boundary of tenant-onboard, tenant-offboard and image-deploy, around the correction of a record
// written invalid, and at seeded random moments, starts it again, and checks the invariants (invariants.ts)
// within a bound. Last line:
//   faults: <N> injected, <M> converged, <K> violations
// FAULT_SEED=<n> replays a run; FAULT_BOUND_MS (default 90000) is how long a restart has to converge.
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { freePorts, Plane, ROOT } from './plane.ts';
import { settled, snapshot, violations } from './invariants.ts';

const seed = Number(process.env.FAULT_SEED ?? Date.now() % 1_000_000);
const BOUND_MS = Number(process.env.FAULT_BOUND_MS ?? 90_000);
console.log(`faults: seed ${seed} (FAULT_SEED=${seed} replays this run)`);

/** mulberry32: a small seeded generator, so a failing run can be replayed. */
function random(s: number): () => number {
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = random(seed);

const ONBOARD = [
  'acquireLock',
  'beginOnboarding',
  'ensureTable',
  'ensureBucket',
  'ensureTaskRole',
  'ensureTenantSecrets',
  'ensureLogGroup',
  'registerTaskDefinition',
  'ensureRouting',
  'ensureService',
  'ensureService+',
  'checkRollout',
  'verify',
  'markActive',
  'markActive+',
];
const OFFBOARD = [
  'beginOffboarding',
  'deleteService',
  'deleteService+',
  'checkServiceGone',
  'removeRouting',
  'removeTaskDefinitions',
  'removeTaskRole',
  'removeTenantSecrets',
  'markDeleted',
];
const DEPLOY = ['plan', 'start', 'watchRollout', 'verify', 'recordResult', 'finish'];
const RANDOM_ROUNDS = 4;
/** FAULT_ONLY=<text>: only the rounds whose label contains it (to look at one case). */
const ONLY = process.env.FAULT_ONLY;

const home = mkdtempSync(join(tmpdir(), 'humangov-faults-'));
const plane = new Plane(home, await freePorts());
const created = new Set<string>();
let injected = 0;
let converged = 0;
const found: string[] = [];
const started = Date.now();

function note(message: string): void {
  console.log(`  ${((Date.now() - started) / 1000).toFixed(0).padStart(4)}s ${message}`);
}

async function waitConverged(label: string): Promise<boolean> {
  const deadline = Date.now() + BOUND_MS;
  for (;;) {
    const s = await snapshot(plane);
    if (s.tenants.every((t) => settled(t, s))) {
      const problems = await violations(plane, s, created);
      if (problems.length === 0) return true;
      if (Date.now() > deadline) {
        for (const p of problems) found.push(`${label}: ${p}`);
        return false;
      }
    } else if (Date.now() > deadline) {
      for (const p of await violations(plane, s, created)) found.push(`${label}: ${p}`);
      return false;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

let imageRound = 0;
/** A new image (the fixture app, different content each time) pushed as a new v* tag, as `humangov push` does. */
function push(): void {
  const context = join(home, `image-${++imageRound}`);
  mkdirSync(context, { recursive: true });
  cpSync(join(ROOT, 'src/local/compute/fixtures/app/server.js'), join(context, 'server.js'));
  writeFileSync(
    join(context, 'package.json'),
    JSON.stringify({ name: 'app', version: `2.0.${imageRound}`, private: true, type: 'module', scripts: { start: 'node server.js' } }),
  );
  const result = spawnSync(process.execPath, [join(ROOT, 'bin/humangov.ts'), 'push', '--tag', `v2.0.${imageRound}`, '--context', context], {
    env: plane.env,
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`push failed: ${result.stderr}`);
}

let tenantNo = 0;
function activeTenant(): string | undefined {
  return [...created].find((id) => !deleted.has(id));
}
const deleted = new Set<string>();

async function onboard(): Promise<void> {
  const id = `f${++tenantNo}`;
  created.add(id);
  await plane.request('POST', '/tenants', { tenantId: id, desiredCount: 1 });
}

async function offboard(): Promise<void> {
  const id = activeTenant();
  if (!id) throw new Error('no tenant left to offboard');
  deleted.add(id);
  await plane.request('DELETE', `/tenants/${id}`);
}

/** One fault: arm it, make the workload run into it, start again, converge within the bound, check. */
async function round(label: string, workload: () => Promise<void> | void, fault: { spec?: string; delayMs?: number }): Promise<void> {
  if (ONLY && !label.includes(ONLY)) return;
  if (!plane.running()) await plane.start();
  if (fault.spec) plane.arm(fault.spec);
  await workload();
  let hit: boolean;
  if (fault.delayMs !== undefined) {
    await new Promise((r) => setTimeout(r, fault.delayMs));
    await plane.kill();
    hit = true;
  } else {
    hit = await plane.killedWithin(30_000);
  }
  if (!hit) {
    plane.disarm();
    note(`${label}: the workload never reached it (not counted)`);
  } else {
    injected++;
  }
  if (!plane.running()) await plane.start();
  const ok = await waitConverged(label);
  if (hit && ok) converged++;
  note(`${label}: ${hit ? 'killed' : 'not killed'}, ${ok ? 'converged' : 'NOT converged'}`);
}

/** The tenants table at the DynamoDB endpoint, as any client may reach it: nothing validates what is written. */
async function tenantsTable<T>(use: (db: DynamoDBDocumentClient) => Promise<T>): Promise<T> {
  const db = DynamoDBDocumentClient.from(
    new DynamoDBClient({ endpoint: `http://127.0.0.1:${plane.ports.dynamodb}`, region: 'us-east-1', credentials: { accessKeyId: 'f', secretAccessKey: 'f' } }),
  );
  try {
    return await use(db);
  } finally {
    db.destroy();
  }
}

/** The record as stored (the API refuses to show one that breaks a rule: 400 INVALID_TENANT). */
async function tenantView(id: string): Promise<{ status?: string; statusReason?: string; desiredCount?: number }> {
  const { Item } = await tenantsTable((db) => db.send(new GetCommand({ TableName: 'humangov-local-tenants', Key: { tenantId: id }, ConsistentRead: true })));
  return (Item ?? {}) as { status?: string; statusReason?: string; desiredCount?: number };
}

/**
 * A record written invalid (desiredCount 99) is FAILED with its reason; the control plane is killed
 * (at once, or with `spec` armed, inside the onboarding its correction starts); the user's PATCH of
 * the field, made after the restart or before the kill, must end with the tenant ACTIVE at the count asked.
 */
async function invalidCorrected(label: string, spec?: string): Promise<void> {
  if (ONLY && !label.includes(ONLY)) return;
  if (!plane.running()) await plane.start();
  const id = `f${++tenantNo}`;
  created.add(id);
  await tenantsTable((db) => db.send(new PutCommand({ TableName: 'humangov-local-tenants', Item: { tenantId: id, desiredCount: 99 } })));
  for (const deadline = Date.now() + 30_000; ; await new Promise((r) => setTimeout(r, 250))) {
    const view = await tenantView(id);
    if (view.status === 'FAILED' && view.statusReason) break;
    if (Date.now() > deadline) throw new Error(`${label}: tenant ${id} written with desiredCount 99 is ${view.status}, not FAILED with a reason`);
  }
  let hit: boolean;
  if (spec) {
    plane.arm(spec);
    const patched = await plane.request('PATCH', `/tenants/${id}`, { desiredCount: 1 });
    if (patched.status !== 200) found.push(`${label}: PATCH /tenants/${id} answered ${patched.status}: ${JSON.stringify(patched.body)}`);
    hit = await plane.killedWithin(30_000);
    if (!hit) plane.disarm();
  } else {
    await plane.kill();
    hit = true;
  }
  if (hit) injected++;
  if (!plane.running()) await plane.start();
  if (!spec) {
    const patched = await plane.request('PATCH', `/tenants/${id}`, { desiredCount: 1 });
    if (patched.status !== 200) found.push(`${label}: PATCH /tenants/${id} answered ${patched.status}: ${JSON.stringify(patched.body)}`);
  }
  // FAILED with a reason counts as settled for the fleet's invariants, and so does this tenant until the
  // stream has started the onboarding its PATCH asks for: it must reach ACTIVE at the count asked first.
  let view = await tenantView(id);
  for (const deadline = Date.now() + BOUND_MS; (view.status !== 'ACTIVE' || view.desiredCount !== 1) && Date.now() < deadline; view = await tenantView(id))
    await new Promise((r) => setTimeout(r, 500));
  let ok = await waitConverged(label);
  if (view.status !== 'ACTIVE' || view.desiredCount !== 1) {
    found.push(`${label}: tenant ${id} corrected to desiredCount 1 is ${view.status} at ${view.desiredCount} ("${view.statusReason}")`);
    ok = false;
  }
  if (hit && ok) converged++;
  note(`${label}: ${hit ? 'killed' : 'not killed'}, ${ok ? 'converged' : 'NOT converged'}`);
}

let exitCode = 0;
try {
  await plane.start();
  await onboard();
  await onboard();
  if (!(await waitConverged('setup'))) throw new Error(`setup did not converge: ${found.join('; ')}`);
  for (const spec of ONBOARD) await round(`onboard, kill at ${spec}`, onboard, { spec });
  for (const spec of OFFBOARD) await round(`offboard, kill at ${spec}`, offboard, { spec });
  for (const spec of DEPLOY) await round(`image-deploy, kill at ${spec}`, push, { spec });
  await invalidCorrected('invalid record, kill before its PATCH');
  await invalidCorrected('invalid record, PATCH, kill at beginOnboarding', 'beginOnboarding');
  for (let i = 1; i <= RANDOM_ROUNDS; i++) {
    const delayMs = Math.floor(rand() * 4000);
    const kind = rand() < 0.5 ? 'onboard' : 'offboard';
    await round(`random ${i}: ${kind}, kill after ${delayMs} ms`, kind === 'onboard' ? onboard : offboard, { delayMs });
  }
} catch (error) {
  found.push(`suite error: ${error instanceof Error ? error.message : String(error)}`);
} finally {
  await plane.stop().catch(() => undefined);
  await plane.kill();
}
for (const v of found) console.log(`violation: ${v}`);
console.log(`faults: wall time ${((Date.now() - started) / 1000).toFixed(0)} s, home ${home}`);
if (found.length === 0) rmSync(home, { recursive: true, force: true });
else exitCode = 1;
console.log(`faults: ${injected} injected, ${converged} converged, ${found.length} violations`);
process.exitCode = exitCode;
