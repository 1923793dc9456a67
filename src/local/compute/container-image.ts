/**
 * What the local registry records about a container image, and what a task needs of it: the
 * engine's image ID (the digest tasks pin), the user it runs as, its stop signal, its port and
 * its HEALTHCHECK, read from the engine's own `image inspect`. Written as `image.json` in the
 * image's directory of the registry, so a task tells a container image from a package by
 * looking there.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { imageDir } from '../settings.ts';
import type { EngineName } from './container-engine.ts';

/** An ECS container health check (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_HealthCheck.html), in seconds. */
export interface ContainerHealthCheck {
  /** `["CMD", exe, ...args]` or `["CMD-SHELL", "command line"]`, as ECS and Docker write it. */
  command: string[];
  intervalSeconds: number;
  timeoutSeconds: number;
  retries: number;
  startPeriodSeconds: number;
}

export interface ContainerImageRecord {
  kind: 'container';
  engine: EngineName;
  /** The engine's image ID, `sha256:<64 hex>`: the digest a task definition pins. */
  id: string;
  /** USER of the image ('' is root). */
  user: string;
  stopSignal: string;
  /** From EXPOSE, e.g. ["8080/tcp"]. */
  exposedPorts: string[];
  healthCheck?: ContainerHealthCheck;
  sizeBytes: number;
  dockerfile: string;
  builtAt: string;
}

/** What `podman image inspect` / `docker image inspect` answer for one image (the fields used here). */
export interface EngineImageInspect {
  Id?: string;
  Size?: number;
  /** podman puts the health check here; docker under Config. */
  Healthcheck?: { Test?: string[]; Interval?: number; Timeout?: number; StartPeriod?: number; Retries?: number };
  Config?: {
    User?: string;
    StopSignal?: string;
    ExposedPorts?: Record<string, unknown>;
    Healthcheck?: { Test?: string[]; Interval?: number; Timeout?: number; StartPeriod?: number; Retries?: number };
  };
}

const NANOS_PER_SECOND = 1e9;

/**
 * Docker's HEALTHCHECK defaults when an option is left out: interval 30 s, timeout 30 s, start
 * period 0, retries 3 (https://docs.docker.com/reference/dockerfile/#healthcheck). ECS's own
 * defaults differ only in the timeout (5 s); an image that states its values, as ours does, is
 * read the same by both.
 */
const DOCKER_DEFAULTS = { interval: 30, timeout: 30, startPeriod: 0, retries: 3 };

/** `HEALTHCHECK NONE` is `["NONE"]`; no HEALTHCHECK is absent. Both mean no container health check. */
export function healthCheckOf(inspect: EngineImageInspect): ContainerHealthCheck | undefined {
  const check = inspect.Config?.Healthcheck ?? inspect.Healthcheck;
  const test = check?.Test;
  if (!test || test.length === 0 || test[0] === 'NONE') return undefined;
  const seconds = (nanos: number | undefined, fallback: number) => (nanos ? Math.round(nanos / NANOS_PER_SECOND) : fallback);
  return {
    command: test,
    intervalSeconds: seconds(check.Interval, DOCKER_DEFAULTS.interval),
    timeoutSeconds: seconds(check.Timeout, DOCKER_DEFAULTS.timeout),
    retries: check.Retries || DOCKER_DEFAULTS.retries,
    startPeriodSeconds: seconds(check.StartPeriod, DOCKER_DEFAULTS.startPeriod),
  };
}

/**
 * What RegisterTaskDefinition would refuse in a container definition carrying this health
 * check: ECS takes interval 5-300 s, timeout 2-60 s, retries 1-10, start period 0-300 s, and a
 * command starting with CMD or CMD-SHELL (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_HealthCheck.html).
 */
export function ecsHealthCheckProblems(check: ContainerHealthCheck): string[] {
  const problems: string[] = [];
  const range = (name: string, value: number, low: number, high: number, unit: string) => {
    if (!Number.isInteger(value) || value < low || value > high) problems.push(`${name} ${value}${unit} is outside ECS's ${low}-${high}${unit}`);
  };
  range('--interval', check.intervalSeconds, 5, 300, ' s');
  range('--timeout', check.timeoutSeconds, 2, 60, ' s');
  range('--retries', check.retries, 1, 10, '');
  range('--start-period', check.startPeriodSeconds, 0, 300, ' s');
  if (check.command[0] !== 'CMD' && check.command[0] !== 'CMD-SHELL') problems.push(`the command must start with CMD or CMD-SHELL, not ${check.command[0]}`);
  return problems;
}

export function imageRecordFromInspect(inspect: EngineImageInspect, context: { engine: EngineName; dockerfile: string }): ContainerImageRecord {
  const id = inspect.Id?.startsWith('sha256:') ? inspect.Id : `sha256:${inspect.Id ?? ''}`;
  const healthCheck = healthCheckOf(inspect);
  return {
    kind: 'container',
    engine: context.engine,
    id,
    user: inspect.Config?.User ?? '',
    stopSignal: inspect.Config?.StopSignal || 'SIGTERM',
    exposedPorts: Object.keys(inspect.Config?.ExposedPorts ?? {}).sort(),
    ...(healthCheck ? { healthCheck } : {}),
    sizeBytes: inspect.Size ?? 0,
    dockerfile: context.dockerfile,
    builtAt: new Date().toISOString(),
  };
}

const RECORD_FILE = 'image.json';

/** The record of a container image, or undefined when `digest` is not one (a package image, or nothing). */
export async function readContainerImage(home: string, digest: string): Promise<ContainerImageRecord | undefined> {
  try {
    const record = JSON.parse(await readFile(join(imageDir(home, digest), RECORD_FILE), 'utf8')) as ContainerImageRecord;
    return record.kind === 'container' ? record : undefined;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Writes the record beside and renames it into place: a reader sees all of it or none. Returns false when it was there already. */
export async function writeContainerImage(home: string, record: ContainerImageRecord): Promise<boolean> {
  const dir = imageDir(home, record.id);
  if (await readContainerImage(home, record.id)) return false;
  await mkdir(dir, { recursive: true });
  const temporary = join(dir, `.${RECORD_FILE}.${process.pid}.tmp`);
  await writeFile(temporary, `${JSON.stringify(record, null, 2)}\n`);
  await rename(temporary, join(dir, RECORD_FILE));
  return true;
}

/** The container port: the task's PORT when it sets one (ours does: 8080), else the image's first EXPOSE, else 8080. */
export function containerPort(record: ContainerImageRecord, environment: Record<string, string>): number {
  const fromEnvironment = Number(environment.PORT);
  if (Number.isInteger(fromEnvironment) && fromEnvironment > 0) return fromEnvironment;
  const exposed = Number.parseInt(record.exposedPorts[0] ?? '', 10);
  return Number.isInteger(exposed) && exposed > 0 ? exposed : 8080;
}
