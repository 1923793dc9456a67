/**
 * The container engine on this machine (podman or docker), found once per process and
 * described with the flags this machine needs. Nothing here builds or runs an image: it
 * answers "is there an engine, which, and how must it be called".
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { HumanGovError } from '../../kernel/errors.ts';

/** No usable engine, or an engine command failed; the message says what to do next. */
export class ContainerEngineError extends HumanGovError {
  override name = 'ContainerEngineError';
}

export type EngineName = 'podman' | 'docker';

/**
 * How a task's container is networked. `private`: a network namespace of its own, as a Fargate
 * task has (awsvpc), its port published on 127.0.0.1 only, the host's loopback servers reached
 * at `hostAddress`. `host`: the host's network, the app on the port the task is given (it binds
 * all interfaces, as a process task's app does).
 */
export type ContainerNetwork = { mode: 'private'; args: string[]; hostAddress: string } | { mode: 'host'; args: string[] };

export const NETWORK_VARIABLE = 'HUMANGOV_CONTAINER_NETWORK';

export interface ContainerEngine {
  name: EngineName;
  /** What is run: a name on PATH or an absolute path. */
  command: string;
  version: string;
  rootless: boolean;
  /** Flags before the subcommand that this machine needs (podman: `--runtime runc`, `--cgroup-manager cgroupfs`). */
  globalArgs: string[];
  /** Flags every `run` needs here (explicit ulimits where the engine's defaults exceed this machine's hard limits). */
  runArgs: string[];
  network: ContainerNetwork;
  /** Why each extra flag is there, for the banner and for error messages. */
  notes: string[];
}

/** Environment variables a person may set (named in the README). */
export const ENGINE_VARIABLE = 'HUMANGOV_CONTAINER_ENGINE';
export const ENGINE_ARGS_VARIABLE = 'HUMANGOV_CONTAINER_ENGINE_ARGS';

export interface ToolRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout and stderr interleaved, as a person would have seen them. */
  output: string;
  timedOut: boolean;
}

/** Runs `command args` and collects its output; never throws for a non-zero exit (the caller decides). */
export function runTool(
  command: string,
  args: readonly string[],
  options: { timeoutMs?: number; env?: NodeJS.ProcessEnv; cwd?: string; input?: NodeJS.ReadableStream } = {},
): Promise<ToolRun> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { env: options.env ?? process.env, cwd: options.cwd, stdio: [options.input ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let output = '';
    let timedOut = false;
    const timer = options.timeoutMs
      ? setTimeout(() => {
          timedOut = true;
          child.kill('SIGKILL');
        }, options.timeoutMs)
      : undefined;
    if (options.input && child.stdin) options.input.pipe(child.stdin);
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      output += chunk.toString();
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      output += chunk.toString();
    });
    child.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve({ code: error.code === 'ENOENT' ? 127 : null, stdout, stderr: stderr + error.message, output: output + error.message, timedOut });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, output, timedOut });
    });
  });
}

/** The last non-empty line of a tool's error output, for a one-line message. */
export function lastLine(text: string): string {
  return (
    text
      .split(/\r?\n/)
      .map((line) => line.trim())
      .filter(Boolean)
      .at(-1) ?? ''
  );
}

/** Where `name` is on PATH (or `name` itself when it is an existing path). */
export function onPath(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (name.includes('/')) return existsSync(name) ? name : undefined;
  const dirs = (env.PATH ?? '').split(delimiter);
  for (const dir of dirs) {
    if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

/**
 * The limits a container can be given here without raising anything: this process's hard
 * limits, and for processes no more than the kernel has pids (podman lowers its own
 * RLIMIT_NPROC to pid_max, and a container cannot exceed podman's). Undefined where there
 * is no /proc, or the limit is "unlimited".
 */
export function hardLimits(): { nofile?: number; nproc?: number } {
  try {
    const text = readFileSync('/proc/self/limits', 'utf8');
    const hard = (label: string) => {
      const match = new RegExp(`^${label}\\s+\\S+\\s+(\\d+)`, 'm').exec(text);
      return match?.[1] ? Number(match[1]) : undefined;
    };
    const pidMax = Number(readFileSync('/proc/sys/kernel/pid_max', 'utf8').trim()) || undefined;
    const nproc = hard('Max processes');
    return { nofile: hard('Max open files'), nproc: nproc !== undefined && pidMax !== undefined ? Math.min(nproc, pidMax) : nproc };
  } catch {
    return {};
  }
}

/**
 * What podman sets in a container when nothing says otherwise, as root: RLIMIT_NOFILE 1048576
 * and RLIMIT_NPROC 4194304. Below those hard limits (a machine that is itself a container), the
 * OCI runtime cannot raise them and the container does not start, so the limits are given.
 */
const PODMAN_ROOT_DEFAULTS = { nofile: 1_048_576, nproc: 4_194_304 };

interface PodmanInfo {
  host?: {
    ociRuntime?: { name?: string };
    cgroupVersion?: string;
    cgroupManager?: string;
    security?: { rootless?: boolean };
  };
  version?: { Version?: string };
}

/** What the flags depend on besides the engine's answers; tests give their own. */
export interface HostFacts {
  systemdRunning: boolean;
  limits: { nofile?: number; nproc?: number };
  platform: NodeJS.Platform;
}

function thisHost(): HostFacts {
  return { systemdRunning: existsSync('/run/systemd/system'), limits: hardLimits(), platform: process.platform };
}

async function probePodman(command: string, env: NodeJS.ProcessEnv, facts: HostFacts): Promise<ContainerEngine | string> {
  const info = await runTool(command, ['info', '--format', 'json'], { timeoutMs: 15_000, env });
  if (info.code !== 0) return `${command} info failed: ${info.timedOut ? 'no answer within 15 s' : lastLine(info.stderr)}`;
  let parsed: PodmanInfo;
  try {
    parsed = JSON.parse(info.stdout) as PodmanInfo;
  } catch {
    return `${command} info did not answer JSON`;
  }
  const host = parsed.host ?? {};
  const globalArgs: string[] = [];
  const notes: string[] = [];
  // crun cannot run containers where cgroups are in hybrid (v1 + unified) mode, which some
  // virtual machines and containers have; runc can.
  if (host.ociRuntime?.name === 'crun' && host.cgroupVersion === 'v1' && onPath('runc', env)) {
    globalArgs.push('--runtime', 'runc');
    notes.push('runc (crun cannot run containers on cgroups v1)');
  }
  // The systemd cgroup manager needs systemd as init; without it, podman must manage cgroups itself.
  if (host.cgroupManager === 'systemd' && !facts.systemdRunning) {
    globalArgs.push('--cgroup-manager', 'cgroupfs');
    notes.push('cgroupfs (systemd is not running)');
  }
  const runArgs: string[] = [];
  const limits = facts.limits;
  for (const key of ['nofile', 'nproc'] as const) {
    const hard = limits[key];
    if (hard !== undefined && hard < PODMAN_ROOT_DEFAULTS[key]) {
      runArgs.push('--ulimit', `${key}=${hard}:${hard}`);
      notes.push(`ulimit ${key}=${hard}`);
    }
  }
  const override = env[ENGINE_ARGS_VARIABLE];
  // slirp4netns can let a container reach the host's loopback (at 10.0.2.2), where every local server listens.
  const network: ContainerNetwork = onPath('slirp4netns', env)
    ? { mode: 'private', args: ['--network', 'slirp4netns:allow_host_loopback=true'], hostAddress: '10.0.2.2' }
    : { mode: 'host', args: ['--network', 'host'] };
  return {
    name: 'podman',
    command,
    version: parsed.version?.Version ?? 'unknown',
    rootless: host.security?.rootless === true,
    globalArgs: override === undefined ? globalArgs : override.split(/\s+/).filter(Boolean),
    runArgs,
    network: networkFor(network, env),
    notes: override === undefined ? notes : [`${ENGINE_ARGS_VARIABLE}="${override}"`],
  };
}

async function probeDocker(command: string, env: NodeJS.ProcessEnv, facts: HostFacts): Promise<ContainerEngine | string> {
  const version = await runTool(command, ['version', '--format', '{{.Server.Version}}'], { timeoutMs: 15_000, env });
  if (version.code !== 0 || !version.stdout.trim()) {
    return `${command} is installed but its daemon does not answer (${version.timedOut ? 'no answer within 15 s' : lastLine(version.stderr)})`;
  }
  const info = await runTool(command, ['info', '--format', '{{json .SecurityOptions}}'], { timeoutMs: 15_000, env });
  const override = env[ENGINE_ARGS_VARIABLE];
  // Docker Desktop (macOS, Windows) forwards host.docker.internal to the host's loopback; on Linux
  // the bridge cannot reach servers bound to 127.0.0.1, so the task shares the host's network.
  const network: ContainerNetwork =
    facts.platform === 'linux'
      ? { mode: 'host', args: ['--network', 'host'] }
      : { mode: 'private', args: ['--add-host', 'host.docker.internal:host-gateway'], hostAddress: 'host.docker.internal' };
  return {
    name: 'docker',
    command,
    version: version.stdout.trim(),
    rootless: info.stdout.includes('rootless'),
    globalArgs: override === undefined ? [] : override.split(/\s+/).filter(Boolean),
    runArgs: [],
    network: networkFor(network, env),
    notes: override === undefined ? [] : [`${ENGINE_ARGS_VARIABLE}="${override}"`],
  };
}

/** HUMANGOV_CONTAINER_NETWORK=host forces the host's network (e.g. where slirp4netns misbehaves). */
function networkFor(detected: ContainerNetwork, env: NodeJS.ProcessEnv): ContainerNetwork {
  return env[NETWORK_VARIABLE] === 'host' ? { mode: 'host', args: ['--network', 'host'] } : detected;
}

export type EngineDetection = { engine: ContainerEngine; tried: string[] } | { engine: undefined; tried: string[] };

/**
 * Finds a working engine: the one HUMANGOV_CONTAINER_ENGINE names (podman, docker or a path to
 * either), else podman, else docker. "Working" means it answers: a docker CLI whose daemon is
 * not running is no engine. `tried` says what was found wanting, for the banner and errors.
 */
export async function detectContainerEngine(env: NodeJS.ProcessEnv = process.env, facts: HostFacts = thisHost()): Promise<EngineDetection> {
  const forced = env[ENGINE_VARIABLE]?.trim();
  const candidates = forced ? [forced] : ['podman', 'docker'];
  const tried: string[] = [];
  for (const candidate of candidates) {
    const command = onPath(candidate, env);
    if (!command) {
      tried.push(`${candidate}: not installed`);
      continue;
    }
    const kind: EngineName | undefined = /podman[^/]*$/.test(candidate) ? 'podman' : /docker[^/]*$/.test(candidate) ? 'docker' : undefined;
    if (!kind) {
      tried.push(`${candidate}: ${ENGINE_VARIABLE} must name podman or docker (or a path to one)`);
      continue;
    }
    const probed = kind === 'podman' ? await probePodman(command, env, facts) : await probeDocker(command, env, facts);
    if (typeof probed === 'string') tried.push(probed);
    else return { engine: probed, tried };
  }
  return { engine: undefined, tried };
}

const detections = new Map<string, Promise<EngineDetection>>();

/** detectContainerEngine, asked once per process for the same settings (each probe costs a few hundred ms). */
export function containerEngine(env: NodeJS.ProcessEnv = process.env): Promise<EngineDetection> {
  const key = JSON.stringify([env[ENGINE_VARIABLE], env[ENGINE_ARGS_VARIABLE], env[NETWORK_VARIABLE], env.PATH]);
  let detection = detections.get(key);
  if (!detection) {
    detection = detectContainerEngine(env);
    detections.set(key, detection);
  }
  return detection;
}

/** `podman 4.3.1, private network, runc, …`: the engine as the banner names it. */
export function describeEngine(engine: ContainerEngine): string {
  const network = engine.network.mode === 'private' ? 'own network, port on 127.0.0.1' : "host's network";
  return [`${engine.name} ${engine.version}${engine.rootless ? ' rootless' : ''}`, network, ...engine.notes].join(', ');
}

/** Runs an engine subcommand with this machine's global flags. */
export function engineRun(engine: ContainerEngine, args: readonly string[], options: Parameters<typeof runTool>[2] = {}): Promise<ToolRun> {
  return runTool(engine.command, [...engine.globalArgs, ...args], options);
}
