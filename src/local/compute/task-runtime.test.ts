import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { describeRuntime, selectTaskRuntime } from './task-runtime.ts';

const NO_ENGINE = { PATH: '/nonexistent' };
const BIN = fileURLToPath(new URL('../../../bin/humangov.ts', import.meta.url));

describe('selectTaskRuntime', () => {
  it('runs tasks as processes when told to, without looking for an engine', async () => {
    expect(await selectTaskRuntime({ HUMANGOV_TASK_RUNTIME: 'process', PATH: '/nonexistent' })).toEqual({
      kind: 'process',
      why: 'HUMANGOV_TASK_RUNTIME=process',
    });
  });

  it('falls back to processes when no engine answers, and the banner says why and how to require one', async () => {
    const runtime = await selectTaskRuntime(NO_ENGINE);
    expect(runtime).toEqual({ kind: 'process', why: 'no container engine (podman: not installed; docker: not installed)' });
    expect(describeRuntime(runtime)).toBe(
      'processes of the packed app/ (no container engine (podman: not installed; docker: not installed); set HUMANGOV_TASK_RUNTIME=container to require an engine)',
    );
  });

  it('refuses to run without an engine when containers are required, naming what to install or unset', async () => {
    await expect(selectTaskRuntime({ ...NO_ENGINE, HUMANGOV_TASK_RUNTIME: 'container' })).rejects.toThrow(
      'HUMANGOV_TASK_RUNTIME=container, but no container engine answers here (podman: not installed; docker: not installed): install podman (Debian: apt-get install podman runc), start the docker daemon, point HUMANGOV_CONTAINER_ENGINE at one, or unset HUMANGOV_TASK_RUNTIME to run tasks as processes',
    );
  });

  it('refuses a runtime it does not know', async () => {
    await expect(selectTaskRuntime({ HUMANGOV_TASK_RUNTIME: 'vm' })).rejects.toThrow(
      'HUMANGOV_TASK_RUNTIME="vm" is not a task runtime: use process, container or auto (the default), or unset it',
    );
  });

  it('makes `humangov push` exit 1 with that message, having built and released nothing', async () => {
    const home = await mkdtemp(join(tmpdir(), 'humangov-push-'));
    try {
      const run = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
        execFile(
          process.execPath,
          [BIN, 'push', '--tag', 'v1.0.1'],
          {
            env: { ...process.env, HUMANGOV_HOME: home, HUMANGOV_TASK_RUNTIME: 'container', HUMANGOV_CONTAINER_ENGINE: '/nonexistent/podman' },
            timeout: 30_000,
          },
          (error, _stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stderr }),
        );
      });
      expect(run.code).toBe(1);
      expect(run.stderr).toBe(
        'humangov: HUMANGOV_TASK_RUNTIME=container, but no container engine answers here (/nonexistent/podman: not installed): install podman (Debian: apt-get install podman runc), start the docker daemon, point HUMANGOV_CONTAINER_ENGINE at one, or unset HUMANGOV_TASK_RUNTIME to run tasks as processes\n',
      );
      const { readdir } = await import('node:fs/promises');
      expect(await readdir(home)).toEqual([]);
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });
});
