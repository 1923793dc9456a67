/**
 * The CloudFormation template `serverless package` builds, offline (no network, no
 * credentials), exactly as a deploy would. Packaging takes tens of seconds, so one packaging
 * per (stage, region) and per content of what it is built from is kept under
 * node_modules/.cache and shared by the test files that read it (a lock makes a second file
 * wait for the first instead of packaging again, or alongside it).
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, open, readFile, readdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const ROOT = dirname(dirname(dirname(fileURLToPath(import.meta.url))));
const CACHE = join(ROOT, 'node_modules/.cache/humangov-package');
/** What the packaging reads: the deployment, its plugin, the state machines, the bundled code, the locked tool versions. */
const INPUTS = ['serverless.yml', 'package-lock.json', 'scripts/serverless', 'statemachines', 'functions', 'src', 'app/src'];
const LOCK_STALE_MS = 10 * 60_000;

export interface PackagedStack {
  /** The folder holding the template and the functions' zips. */
  dir: string;
  template: CfnTemplate;
  /** The files of `dir` (the zips and templates). */
  artifacts: string[];
}

export interface CfnTemplate {
  Resources: Record<string, { Type: string; Properties: Record<string, unknown>; Condition?: string; Metadata?: Record<string, unknown> }>;
  Conditions?: Record<string, unknown>;
  Outputs?: Record<string, unknown>;
  Parameters?: Record<string, { Default?: unknown }>;
}

export async function packagedStack(options: { stage: string; region: string }): Promise<PackagedStack> {
  const dir = join(CACHE, `${await inputsHash()}-${options.stage}-${options.region}`);
  const done = join(dir, 'cloudformation-template-update-stack.json');
  if (!(await exists(done))) await packageOnce(dir, options);
  return {
    dir,
    template: JSON.parse(await readFile(done, 'utf8')) as CfnTemplate,
    artifacts: (await readdir(dir)).filter((name) => name !== 'tmp'),
  };
}

async function packageOnce(dir: string, options: { stage: string; region: string }): Promise<void> {
  await mkdir(CACHE, { recursive: true });
  // One packaging at a time, across test files too: the bundler works in the service's own .esbuild folder.
  const lock = join(CACHE, '.lock');
  for (;;) {
    try {
      await (await open(lock, 'wx')).close();
      break;
    } catch {
      // Another packaging is under way: wait for it (or take over a lock left by a killed run).
      const age = Date.now() - (await stat(lock).catch(() => ({ mtimeMs: Date.now() }))).mtimeMs;
      if (age > LOCK_STALE_MS) await rm(lock, { force: true });
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
  try {
    if (await exists(join(dir, 'cloudformation-template-update-stack.json'))) return;
    const building = `${dir}.building`;
    await rm(building, { recursive: true, force: true });
    const scratch = join(building, 'tmp');
    await mkdir(scratch, { recursive: true });
    const env = {
      ...process.env,
      // The bundler leaves work folders in TMPDIR: keep them inside what is removed.
      TMPDIR: scratch,
      SLS_TELEMETRY_DISABLED: '1',
      SLS_NOTIFICATIONS_MODE: 'off',
      AWS_ACCESS_KEY_ID: '',
      AWS_SECRET_ACCESS_KEY: '',
      AWS_PROFILE: '',
    };
    await promisify(execFile)(
      join(ROOT, 'node_modules/.bin/serverless'),
      ['package', '--stage', options.stage, '--region', options.region, '--package', building],
      { cwd: ROOT, env, timeout: 240_000 },
    );
    await rm(scratch, { recursive: true, force: true });
    await rm(dir, { recursive: true, force: true });
    await rename(building, dir);
    // Packagings of older contents are of no further use.
    const current = dir.slice(CACHE.length + 1, CACHE.length + 17);
    for (const entry of await readdir(CACHE))
      if (!entry.startsWith(current) && !entry.startsWith('.')) await rm(join(CACHE, entry), { recursive: true, force: true });
  } finally {
    await rm(lock, { force: true });
  }
}

async function inputsHash(): Promise<string> {
  const hash = createHash('sha256');
  for (const input of INPUTS) {
    for (const file of await filesUnder(join(ROOT, input))) {
      hash
        .update(relative(ROOT, file))
        .update('\0')
        .update(await readFile(file))
        .update('\0');
    }
  }
  return hash.digest('hex').slice(0, 16);
}

async function filesUnder(path: string): Promise<string[]> {
  const info = await stat(path).catch(() => undefined);
  if (!info) return [];
  if (info.isFile()) return [path];
  const entries = await readdir(path, { withFileTypes: true });
  const nested = await Promise.all(
    entries
      .filter((entry) => entry.name !== 'node_modules' && entry.name !== 'dist')
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((entry) => filesUnder(join(path, entry.name))),
  );
  return nested.flat();
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
