import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, writeSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { delimiter, dirname } from 'node:path';
import { HumanGovError } from '../../kernel/errors.ts';
import { imageDir } from '../settings.ts';

/** The task cannot start: its image is missing or unusable. Counts as a failed task, like ECS's CannotPullContainerError. */
export class TaskStartError extends HumanGovError {
  override name = 'TaskStartError';
}

export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface TaskProcess {
  pid: number;
  /** Resolves once the process has exited and its whole process group is gone. */
  exited: Promise<ProcessExit>;
  /** SIGTERM to the whole group, SIGKILL after `timeoutMs`; resolves when it has exited. */
  stop(timeoutMs: number): Promise<ProcessExit>;
  /** SIGKILL to the whole group, at once (for shutdown paths that cannot wait). */
  kill(): void;
}

import { TASK_OWNER_VARIABLE, taskOwnerMark } from './orphans.ts';

export interface StartTaskProcess {
  home: string;
  taskId: string;
  /** `<repository>@sha256:<hex>`, as in the task definition. */
  image: string;
  environment: Record<string, string>;
  port: number;
  logFile: string;
}

/** The variable that marks a process as the task's, so a restart can tell its orphans from unrelated processes. */
export const TASK_ID_VARIABLE = 'HUMANGOV_TASK_ID';
/** What a task on the host listens on (the app's HOST variable). */
export const LOOPBACK_HOST = '127.0.0.1';

/** Finds the image's content and its `start` script. */
export async function resolveImage(home: string, image: string): Promise<{ dir: string; start: string }> {
  const digest = image.slice(image.indexOf('@') + 1);
  let dir: string;
  try {
    dir = imageDir(home, digest);
  } catch (error) {
    throw new TaskStartError(`image "${image}" is not pinned by digest (<repository>@sha256:<64 hex digits>)`, { cause: error });
  }
  let manifest: { scripts?: Record<string, unknown> };
  try {
    manifest = JSON.parse(await readFile(`${dir}/package.json`, 'utf8')) as typeof manifest;
  } catch (error) {
    throw new TaskStartError(`image "${image}" is not in the local registry (no readable ${dir}/package.json); push it with "humangov push"`, { cause: error });
  }
  const start = manifest.scripts?.start;
  if (typeof start !== 'string' || start.trim() === '') throw new TaskStartError(`image "${image}" has no "start" script in its package.json`);
  return { dir, start };
}

/**
 * Starts the image's `start` script under `sh -c`, detached into a process group
 * of its own so stopping the task stops everything it started. Output goes
 * straight to the log file (no pipe through this process), so a task outlives a
 * crash of the control plane without dying of SIGPIPE; the next start finds it.
 */
export async function startTaskProcess(options: StartTaskProcess): Promise<TaskProcess> {
  const { dir, start } = await resolveImage(options.home, options.image);
  await mkdir(dirname(options.logFile), { recursive: true });
  const log = openSync(options.logFile, 'a');
  writeSync(log, `--- ${new Date().toISOString()} task ${options.taskId} starts ${options.image} on port ${options.port}: ${start}\n`);
  const child = (() => {
    try {
      return spawn('sh', ['-c', start], { cwd: dir, env: taskEnvironment(options), detached: true, stdio: ['ignore', log, log] });
    } finally {
      closeSync(log); // the child holds its own copy
    }
  })();
  const pid = child.pid;
  // A signal sent to a group that just went away must not become an unhandled 'error' event.
  child.on('error', () => undefined);
  if (pid === undefined) {
    const error = await new Promise<Error>((resolve) => child.once('error', resolve));
    throw new TaskStartError(`task ${options.taskId} could not be started (sh -c "${start}")`, { cause: error });
  }
  const exited = new Promise<ProcessExit>((resolve) => {
    child.once('exit', (code, signal) => {
      // The leader is gone; whatever it left behind in its group goes with it.
      killGroup(pid, 'SIGKILL');
      resolve({ code, signal });
    });
  });
  return {
    pid,
    exited,
    kill: () => killGroup(pid, 'SIGKILL'),
    async stop(timeoutMs) {
      killGroup(pid, 'SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
      await Promise.race([exited, late]);
      clearTimeout(timer);
      killGroup(pid, 'SIGKILL');
      return exited;
    },
  };
}

/** Only what a task needs: not the control plane's own variables (credentials, NODE_OPTIONS, ...). */
function taskEnvironment(options: StartTaskProcess): NodeJS.ProcessEnv {
  const inherited: NodeJS.ProcessEnv = {};
  for (const name of ['HOME', 'TMPDIR', 'LANG', 'TZ']) if (process.env[name] !== undefined) inherited[name] = process.env[name];
  return {
    ...inherited,
    ...options.environment,
    // The task runs on the control plane's Node (24), whatever `node` the shell would find first.
    PATH: [dirname(process.execPath), process.env.PATH ?? '/usr/bin:/bin'].join(delimiter),
    PORT: String(options.port),
    // The app listens on all interfaces by default (right in a container); on the host that would let the LAN reach a
    // tenant around the load balancer, so a task process listens on loopback only, whatever its definition says.
    HOST: LOOPBACK_HOST,
    [TASK_ID_VARIABLE]: options.taskId,
    [TASK_OWNER_VARIABLE]: taskOwnerMark(options.home),
  };
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

/** True while any process of the group led by `pid` is alive. */
export function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Kills what is left of a task started by an earlier run of the control plane.
 * Without /proc (macOS) the process cannot be proven to be the task's, so it is left alone.
 * Returns true when something was killed.
 */
export function killOrphanTask(pid: number, taskId: string): boolean {
  if (!groupAlive(pid)) return false;
  if (!existsSync('/proc/self/environ')) return false;
  if (existsSync(`/proc/${pid}`)) {
    let environ = '';
    try {
      environ = readFileSync(`/proc/${pid}/environ`, 'utf8');
    } catch {
      return false; // not ours to read, so not ours to kill
    }
    if (!environ.split('\0').includes(`${TASK_ID_VARIABLE}=${taskId}`)) return false;
  }
  // A leader that is gone leaves a group id no new process can take, so the group is still the task's.
  killGroup(pid, 'SIGKILL');
  return true;
}

const reservedPorts = new Set<number>();

/** A free loopback port for a task, not handed to another task of this process until released. */
export async function allocatePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const { port: free } = server.address() as AddressInfo;
        server.close(() => resolve(free));
      });
    });
    if (!reservedPorts.has(port)) {
      reservedPorts.add(port);
      return port;
    }
  }
}

export function releasePort(port: number): void {
  reservedPorts.delete(port);
}
