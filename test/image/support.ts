/**
 * Helpers for the image tests: the machine's engine (required: these tests exist to run real
 * containers), build contexts made from this repository, and what the engine holds.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { engineRun, type ContainerEngine } from '../../src/local/compute/container-engine.ts';
import { HOME_LABEL } from '../../src/local/compute/container-task.ts';
import { selectTaskRuntime, type TaskRuntime } from '../../src/local/compute/task-runtime.ts';
import { REPO_ROOT } from '../../src/local/registry/contexts.ts';

/** The container runtime, or a failure that says how to get one (these tests never pass without an engine). */
export async function containerRuntime(): Promise<Extract<TaskRuntime, { kind: 'container' }>> {
  const runtime = await selectTaskRuntime({ ...process.env, HUMANGOV_TASK_RUNTIME: 'container' });
  if (runtime.kind !== 'container') throw new Error('unreachable: HUMANGOV_TASK_RUNTIME=container selects a container engine or throws');
  return runtime;
}

/** Names of the containers a control plane with this home has (running or not). */
export async function containersOf(engine: ContainerEngine, home: string): Promise<string[]> {
  const run = await engineRun(engine, ['ps', '--all', '--filter', `label=${HOME_LABEL}=${home}`, '--format', '{{.Names}}'], { timeoutMs: 30_000 });
  return run.stdout
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .sort();
}

/** `image inspect` of one image, parsed. */
export async function inspectImage(engine: ContainerEngine, reference: string): Promise<{ Id: string; Size: number; Config: Record<string, unknown> }> {
  const run = await engineRun(engine, ['image', 'inspect', reference], { timeoutMs: 30_000 });
  if (run.code !== 0) throw new Error(`${engine.name} image inspect ${reference}: ${run.stderr}`);
  const [image] = JSON.parse(run.stdout) as { Id: string; Size: number; Config: Record<string, unknown> }[];
  if (!image) throw new Error(`${engine.name} image inspect ${reference} answered nothing`);
  return { ...image, Id: image.Id.startsWith('sha256:') ? image.Id : `sha256:${image.Id}` };
}

/** Runs a throwaway container of `image` with `command` (no network), returning its output. */
export async function runIn(engine: ContainerEngine, image: string, command: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return engineRun(
    engine,
    ['run', '--rm', '--pull', 'never', '--network', 'none', ...engine.runArgs, '--entrypoint', command[0] ?? 'true', image, ...command.slice(1)],
    {
      timeoutMs: 60_000,
    },
  );
}

/**
 * A copy of what the Dockerfile builds from (the Dockerfile, the manifests and app/ without
 * its build output), with `change` applied to one of its files (a path in the context): a
 * release whose image differs.
 */
export async function buildContext(label: string, change?: { file: string; from: string; to: string }): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), `humangov-context-${label}-`));
  for (const file of ['Dockerfile', '.dockerignore', 'package.json', 'package-lock.json']) await cp(join(REPO_ROOT, file), join(dir, file));
  await cp(join(REPO_ROOT, 'app'), join(dir, 'app'), {
    recursive: true,
    filter: (source) => !/[/\\](node_modules|dist)([/\\]|$)/.test(source.slice(REPO_ROOT.length)),
  });
  if (change) {
    const file = join(dir, change.file);
    const text = await readFile(file, 'utf8');
    if (!text.includes(change.from)) throw new Error(`${change.file} has no "${change.from}" to change`);
    await writeFile(file, text.replace(change.from, change.to));
  }
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}
