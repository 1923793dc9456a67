/**
 * `npm start` with containers, killed without warning: the containers outlive it (their engine
 * runs them), so the next start must remove them before it starts the tenant's tasks afresh.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from '@jest/globals';
import { engineRun } from '../../src/local/compute/container-engine.ts';
import { onFreePorts } from '../../src/local/settings.ts';
import { eventually } from '../support/eventually.ts';
import { containerRuntime, containersOf } from './support.ts';

const BIN = fileURLToPath(new URL('../../bin/humangov.ts', import.meta.url));
let home: string | undefined;
const started: ChildProcess[] = [];

/** `humangov up` kept in `dir`, on free ports; resolves with its output so far once its banner is out. */
async function up(dir: string): Promise<{ child: ChildProcess; output: () => string; api: string }> {
  const env = { ...process.env, ...onFreePorts(dir) };
  const child = spawn(process.execPath, [BIN, 'up'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  started.push(child);
  let out = '';
  let err = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (err = (err + chunk.toString()).slice(-2000)));
  const exited = new Promise<never>((_resolve, reject) => child.once('exit', (code) => reject(new Error(`humangov up exited ${code}: ${err}`))));
  const banner = eventually(
    () => {
      const match = /status API and dashboard\s+(\S+)/.exec(out);
      if (!match?.[1]) throw new Error(`no banner yet: ${out}\n${err}`);
      return match[1];
    },
    { timeout: 300_000, interval: 250 },
  );
  const api = await Promise.race([banner, exited]);
  exited.catch(() => undefined);
  return { child, output: () => out, api };
}

async function activeTenant(api: string, tenantId: string): Promise<void> {
  await eventually(
    async () => {
      const tenant = (await (await fetch(`${api}/tenants/${tenantId}`)).json()) as { status?: string };
      expect(tenant.status).toBe('ACTIVE');
    },
    { timeout: 180_000, interval: 500 },
  );
}

afterAll(async () => {
  for (const child of started) child.kill('SIGKILL');
  const { engine } = await containerRuntime();
  if (home) {
    const left = await containersOf(engine, home);
    if (left.length > 0) await engineRun(engine, ['rm', '--force', ...left]);
    await rm(home, { recursive: true, force: true });
  }
}, 60_000);

describe('npm start with containers, after a crash', () => {
  it("removes the containers a killed control plane left and runs the tenant's tasks afresh, then stops them all", async () => {
    const { engine } = await containerRuntime();
    home = await mkdtemp(join(tmpdir(), 'humangov-image-restart-'));
    const first = await up(home);
    expect(first.output()).toMatch(/tasks run as +containers of the Dockerfile's image \(podman|docker/);
    const created = await fetch(`${first.api}/tenants`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ tenantId: 'tx' }),
    });
    expect(created.status).toBe(201);
    await activeTenant(first.api, 'tx');
    const before = await containersOf(engine, home);
    expect(before).toHaveLength(2);

    first.child.kill('SIGKILL');
    await new Promise((resolve) => first.child.once('exit', resolve));
    expect(await containersOf(engine, home)).toEqual(before);

    const second = await up(home);
    await activeTenant(second.api, 'tx');
    await eventually(
      async () => {
        const now = await containersOf(engine, home ?? '');
        expect(now).toHaveLength(2);
        expect(now.filter((name) => before.includes(name))).toEqual([]);
      },
      { timeout: 60_000, interval: 500 },
    );

    second.child.kill('SIGTERM');
    expect(await new Promise((resolve) => second.child.once('exit', resolve))).toBe(0);
    expect(await containersOf(engine, home)).toEqual([]);
  }, 600_000);
});
