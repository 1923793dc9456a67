/**
 * A task as a container of its image's exact ID, run the way ECS runs a Fargate task's
 * essential container (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerDefinition.html):
 *
 * - the task definition's environment (and what the platform adds) and nothing else;
 * - the image's USER (the app's is `node`, uid 1000), its CMD and STOPSIGNAL;
 * - a read-only root file system with /tmp writable, as the AWS task definition asks
 *   (readonlyRootFilesystem, one `tmp` volume);
 * - the task's CPU units and memory as limits (256 units = 0.25 vCPU, 512 MiB);
 * - its own network namespace, the container port published on 127.0.0.1 only (where the
 *   engine allows; see ContainerNetwork);
 * - stopped with the stop signal, then SIGKILL after the stop timeout ("stopTimeout": ECS
 *   sends SIGTERM and waits, 30 s by default on Fargate, before SIGKILL);
 * - the image's HEALTHCHECK run as ECS runs a container-definition health check (ContainerHealth);
 * - stdout and stderr into the task's stream of its log group, as the awslogs driver sends them.
 *
 * The `run` client stays attached, so its exit is the container's exit (and its code);
 * `--rm` leaves nothing behind once it has ended.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { engineRun, lastLine, type ContainerEngine, type ContainerNetwork } from './container-engine.ts';
import { ContainerHealth, type ContainerHealthStatus } from './container-health.ts';
import { containerPort, type ContainerImageRecord } from './container-image.ts';
import { TASK_ID_VARIABLE, TaskStartError, type ProcessExit, type TaskProcess } from './task-runner.ts';

/** Labels every task container carries: which task, and which HUMANGOV_HOME started it (for cleanup after a crash). */
export const TASK_LABEL = 'org.humangov.task';
export const HOME_LABEL = 'org.humangov.home';

export interface StartTaskContainer {
  engine: ContainerEngine;
  home: string;
  taskId: string;
  /** `<repository>@sha256:<hex>`, as in the task definition. */
  imageUri: string;
  image: ContainerImageRecord;
  environment: Record<string, string>;
  /** The loopback port the load balancer reaches the task on. */
  hostPort: number;
  cpu: number;
  memory: number;
  logFile: string;
  /** Called whenever the container's health status changes. */
  onHealth?: (status: ContainerHealthStatus) => void;
  /** How long `run` may take to have the container running (default 60 s). */
  startTimeoutMs?: number;
}

export interface ContainerTaskProcess extends TaskProcess {
  container: string;
  /** Undefined when the image has no HEALTHCHECK (ECS: no container health check, status UNKNOWN). */
  health(): ContainerHealthStatus | undefined;
  /** Why the health check last failed, for a stop reason. */
  healthFailure(): string | undefined;
}

export function containerName(taskId: string): string {
  return `humangov-task-${taskId}`;
}

/**
 * The variables the container gets. In a network of its own, 127.0.0.1 is the container itself,
 * so URLs of the host's loopback servers (the local DynamoDB and S3) name the host's address as
 * the container sees it; on the host's network the app must listen on the task's own port, on
 * loopback (a container of its own keeps listening on all of its interfaces, published on the
 * host's loopback only).
 */
const NOT_CONNECTED_TO = new Set(['SIGN_IN_ISSUER', 'SIGN_OUT_URL']);

export function containerEnvironment(environment: Record<string, string>, network: ContainerNetwork, hostPort: number): Record<string, string> {
  // On the host's network the container's interfaces are the host's: loopback only, as for a task process.
  if (network.mode === 'host') return { ...environment, PORT: String(hostPort), HOST: '127.0.0.1' };
  const rewritten: Record<string, string> = {};
  for (const [name, value] of Object.entries(environment)) {
    // Not addresses the app connects to: the issuer is compared with the signed header's claim, and
    // the sign-out address is where the person's browser, on the host, is sent.
    if (NOT_CONNECTED_TO.has(name)) {
      rewritten[name] = value;
      continue;
    }
    rewritten[name] = value.replace(/^(https?:\/\/)(127\.0\.0\.1|localhost)(?=[:/]|$)/, `$1${network.hostAddress}`);
  }
  return rewritten;
}

/** The `run` arguments (after the engine's global flags). Values of variables travel in the client's environment, not on its command line. */
export function containerRunArgs(options: {
  engine: ContainerEngine;
  home: string;
  taskId: string;
  image: ContainerImageRecord;
  variables: string[];
  hostPort: number;
  containerPort: number;
  cpu: number;
  memory: number;
}): string[] {
  const { engine } = options;
  const published = engine.network.mode === 'private' ? ['--publish', `127.0.0.1:${options.hostPort}:${options.containerPort}`] : [];
  return [
    'run',
    '--rm',
    '--pull',
    'never',
    '--name',
    containerName(options.taskId),
    '--label',
    `${TASK_LABEL}=${options.taskId}`,
    '--label',
    `${HOME_LABEL}=${options.home}`,
    // The health check is run by the task (ContainerHealth), as ECS's agent runs it, not by the engine.
    '--no-healthcheck',
    '--read-only',
    ...(engine.name === 'podman' ? ['--read-only-tmpfs=false'] : []),
    '--tmpfs',
    '/tmp',
    '--cpus',
    String(options.cpu / 1024),
    '--memory',
    `${options.memory}m`,
    ...engine.network.args,
    ...published,
    ...engine.runArgs,
    ...options.variables.flatMap((name) => ['--env', name]),
    options.image.id,
  ];
}

/** `rm` at once, running or not (podman would otherwise stop it gracefully first). */
function forceRemove(engine: ContainerEngine): string[] {
  return engine.name === 'podman' ? ['rm', '--force', '--time', '0'] : ['rm', '--force'];
}

/** The health check command as `exec` takes it. */
function healthCommand(command: string[]): string[] {
  const [form, ...rest] = command;
  return form === 'CMD-SHELL' ? ['/bin/sh', '-c', rest.join(' ')] : rest;
}

function tail(file: string, lines = 5): string {
  try {
    return readFileSync(file, 'utf8').split('\n').filter(Boolean).slice(-lines).join('\n');
  } catch {
    return '';
  }
}

export async function startTaskContainer(options: StartTaskContainer): Promise<ContainerTaskProcess> {
  const { engine, image } = options;
  const name = containerName(options.taskId);
  const port = containerPort(image, options.environment);
  const variables = containerEnvironment(options.environment, engine.network, options.hostPort);
  const args = containerRunArgs({ ...options, variables: Object.keys(variables).sort(), containerPort: port });

  await mkdir(dirname(options.logFile), { recursive: true });
  const log = openSync(options.logFile, 'a');
  writeSync(
    log,
    `--- ${new Date().toISOString()} task ${options.taskId} starts ${options.imageUri} as container ${name} (${engine.name}), 127.0.0.1:${options.hostPort}\n`,
  );
  const child = (() => {
    try {
      return spawn(engine.command, [...engine.globalArgs, ...args], {
        env: { ...process.env, ...variables, [TASK_ID_VARIABLE]: options.taskId },
        detached: true,
        stdio: ['ignore', log, log],
      });
    } finally {
      closeSync(log);
    }
  })();
  child.on('error', () => undefined);
  const pid = child.pid;
  if (pid === undefined) throw new TaskStartError(`task ${options.taskId}: ${engine.command} could not be started`);

  let health: ContainerHealth | undefined;
  let healthTimer: NodeJS.Timeout | undefined;
  let ended = false;
  const exited = new Promise<ProcessExit>((resolve) => {
    child.once('exit', (code, signal) => {
      ended = true;
      clearTimeout(healthTimer);
      resolve({ code, signal });
    });
  });
  const remove = () => {
    const rm = spawn(engine.command, [...engine.globalArgs, ...forceRemove(engine), name], { stdio: 'ignore', detached: true });
    rm.on('error', () => undefined);
    rm.unref();
  };

  // Running means the engine has started the image's command; only then is there a target to register.
  const deadline = Date.now() + (options.startTimeoutMs ?? 60_000);
  for (;;) {
    if (ended) {
      const { code } = await exited;
      // 125-127: the engine could not run the image at all; any other code is the command's own exit, reported as the task's.
      if (code !== null && code >= 125 && code <= 127) {
        throw new TaskStartError(`${engine.name} could not run container ${name} (exit code ${code}): ${lastLine(tail(options.logFile)) || 'no output'}`);
      }
      break;
    }
    const state = await engineRun(engine, ['container', 'inspect', '--format', '{{.State.Status}}', name], { timeoutMs: 15_000 });
    const status = state.stdout.trim();
    if (status === 'running') break;
    if (status === 'exited' || status === 'stopped') {
      await exited;
      continue;
    }
    if (Date.now() > deadline) {
      remove();
      throw new TaskStartError(
        `container ${name} was not running ${(options.startTimeoutMs ?? 60_000) / 1000} s after ${engine.name} run (last state: ${status || 'none'})`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }

  if (image.healthCheck && !ended) {
    const check = image.healthCheck;
    const state = new ContainerHealth(check, Date.now());
    health = state;
    const probe = async () => {
      const run = await engineRun(engine, ['exec', name, ...healthCommand(check.command)], { timeoutMs: check.timeoutSeconds * 1000 });
      if (ended) return;
      const output = run.timedOut
        ? `no answer within ${check.timeoutSeconds} s`
        : `exit code ${run.code}${lastLine(run.stderr || run.stdout) ? `: ${lastLine(run.stderr || run.stdout)}` : ''}`;
      const before = state.status;
      const after = state.record({ passed: run.code === 0 && !run.timedOut, output }, Date.now());
      if (after !== before) options.onHealth?.(after);
      healthTimer = setTimeout(() => void probe(), state.nextDelayMs(Date.now()));
      healthTimer.unref();
    };
    healthTimer = setTimeout(() => void probe(), state.nextDelayMs(Date.now()));
    healthTimer.unref();
  }

  return {
    pid,
    container: name,
    exited,
    health: () => health?.status,
    healthFailure: () => health?.lastFailure,
    kill() {
      remove();
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // already gone
      }
    },
    async stop(timeoutMs) {
      clearTimeout(healthTimer);
      const seconds = Math.max(0, Math.ceil(timeoutMs / 1000));
      // The engine sends the image's STOPSIGNAL, waits, then SIGKILL: what ECS asks of it.
      await engineRun(engine, ['stop', '--time', String(seconds), name], { timeoutMs: timeoutMs + 30_000 });
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), 15_000)));
      const outcome = await Promise.race([exited, late]);
      clearTimeout(timer);
      if (outcome === 'late') {
        remove();
        try {
          process.kill(-pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      return exited;
    },
  };
}

/** Removes every container a crashed earlier run of this HUMANGOV_HOME left (its tasks are restarted afresh). Returns their names. */
export async function removeLeftoverContainers(engine: ContainerEngine, home: string): Promise<string[]> {
  const listed = await engineRun(engine, ['ps', '--all', '--filter', `label=${HOME_LABEL}=${home}`, '--format', '{{.Names}}'], { timeoutMs: 30_000 });
  const names = listed.stdout
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  if (names.length > 0) await engineRun(engine, [...forceRemove(engine), ...names], { timeoutMs: 60_000 });
  return names;
}
