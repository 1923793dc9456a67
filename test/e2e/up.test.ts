/**
 * `npm start` as a newcomer runs it: a process that releases app/ on its first
 * start, says where everything is, onboards what is inserted, and stops every
 * task when told to.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from '@jest/globals';
import { eventually, signInThroughLoadBalancer, viaLoadBalancer } from './support.ts';
import { onFreePorts } from '../../src/local/settings.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
let home: string | undefined;
let up: ChildProcess | undefined;
const homes: string[] = [];
const started: ChildProcess[] = [];

afterAll(async () => {
  for (const child of started) child.kill('SIGKILL');
  for (const dir of homes) await rm(dir, { recursive: true, force: true });
});

/** Is any process still running with this working directory prefix (the tenants' tasks run in images under home)? */
async function processesUnder(dir: string): Promise<number> {
  const { readdir, readlink } = await import('node:fs/promises');
  let count = 0;
  for (const pid of await readdir('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    const cwd = await readlink(`/proc/${pid}/cwd`).catch(() => '');
    if (cwd.startsWith(dir)) count++;
  }
  return count;
}

describe('npm start (humangov up)', () => {
  it('releases app/, prints its endpoints, serves a new tenant, and stops every task on SIGTERM', async () => {
    home = await mkdtemp(join(tmpdir(), 'humangov-up-'));
    homes.push(home);
    const env = { ...process.env, ...onFreePorts(home) };
    up = spawn(process.execPath, [join(root, 'bin/humangov.ts'), 'up'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    started.push(up);
    let out = '';
    up.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => up?.on('exit', (code) => resolve(code)));

    const api = await eventually('the banner', async () => /status API and dashboard\s+(\S+)/.exec(out)?.[1], 120_000);
    const lb = /load balancer\s+(\S+)/.exec(out)?.[1] ?? '';
    expect(out).toMatch(/released it as v\d+\.\d+\.\d+ \(sha256:[a-f0-9]{64}\)/);
    // On a port of its own, the commands it suggests name it.
    expect(out).toContain(`npx humangov --api ${api} tenant add ca --wait`);
    expect(out).toContain(`npx humangov --api ${api} push --tag v1.0.1`);
    expect(out).not.toMatch(/^\{/m);
    expect(out).toMatch(/identity provider\s+http:\/\/127\.0\.0\.1:\d+ +\(staff sign in here: maria\.ca/);
    // npm test runs tasks as processes (test/support/jest-setup.ts); the banner says which runtime it uses.
    expect(out).toMatch(/tasks run as +processes of the packed app\/ \(HUMANGOV_TASK_RUNTIME=process;/);

    const created = await fetch(`${api}/tenants`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ tenantId: 'tx' }),
    });
    expect(created.status).toBe(201);
    await eventually(
      'tx to be ACTIVE',
      async () => {
        const tenant = (await (await fetch(`${api}/tenants/tx`)).json()) as { status?: string; statusReason?: string };
        if (tenant.status === 'FAILED') throw new Error(String(tenant.statusReason));
        return tenant.status === 'ACTIVE' ? tenant : undefined;
      },
      120_000,
    );
    const page = await viaLoadBalancer(lb, 'tx', '/', { headers: { cookie: await signInThroughLoadBalancer(lb, 'tx', 'sam.tx') } });
    expect(page.body).toContain('State of Texas');
    expect(await processesUnder(home)).toBeGreaterThanOrEqual(2);

    up.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(out).toContain('stopped.');
    expect(await processesUnder(home)).toBe(0);
  }, 240_000);

  it('stops every task on Ctrl-C also when the pipe it printed to has closed (npm start | head)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'humangov-up-pipe-'));
    homes.push(dir);
    const env = { ...process.env, ...onFreePorts(dir) };
    const child = spawn(process.execPath, [join(root, 'bin/humangov.ts'), 'up'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    started.push(child);
    let out = '';
    let err = '';
    child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const api = await eventually('the banner', async () => /status API and dashboard\s+(\S+)/.exec(out)?.[1], 120_000);
    await fetch(`${api}/tenants`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ tenantId: 'tx' }) });
    await eventually(
      'tx to be ACTIVE',
      async () => ((await (await fetch(`${api}/tenants/tx`)).json()) as { status?: string }).status === 'ACTIVE' || undefined,
      120_000,
    );
    expect(await processesUnder(dir)).toBeGreaterThanOrEqual(2);

    // The reader goes first (Ctrl-C reaches `head` or `tee` too): what up prints on the way down has nowhere to go.
    child.stdout?.destroy();
    child.kill('SIGINT');

    expect(await exited).toBe(0);
    expect(err).not.toContain('EPIPE');
    expect(await processesUnder(dir)).toBe(0);
  }, 240_000);
});
