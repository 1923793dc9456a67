/**
 * The stack as a deploy would build it: `serverless package` run offline (no network, no
 * credentials) for one variant (stage, region, --param values), exactly as `serverless deploy`
 * packages before it uploads.
 *
 * Packaging takes about 20 s, and two test files need the same variants, so each variant is
 * packaged once and kept under node_modules/.cache/, keyed by the variant and a digest of every
 * file that goes into the package (serverless.yml, the plugin, the state machines, the bundled
 * sources, the lockfile). Another Jest worker asking for the same key waits for the first one
 * instead of packaging it again; a changed input is a new key, so a stale package is never used.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFile, mkdir, readdir, readFile, rename, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const ROOT = dirname(dirname(dirname(dirname(fileURLToPath(import.meta.url)))));

export interface StackVariant {
  /** A label for messages: `prod in us-gov-west-1`. */
  label: string;
  stage: string;
  region: string;
  params: Record<string, string>;
}

const PROD_PARAMS = (partition: string, region: string) => ({
  tenantDomain: 'tenants.example.gov',
  hostedZoneId: 'Z0123456789ABCDEFGHIJ',
  certificateArn: `arn:${partition}:acm:${region}:123456789012:certificate/0b2a8a0c-4c34-4d0e-9a7b-1f6a0e9c2d11`,
  alarmEmail: 'oncall@example.gov',
});

/** The four variants every change must package and pass: a plain dev stage and a prod-like one, in the commercial and GovCloud partitions. */
export const VARIANTS = {
  dev: { label: 'dev in us-east-1', stage: 'dev', region: 'us-east-1', params: {} },
  prod: { label: 'prod in us-east-1', stage: 'prod', region: 'us-east-1', params: PROD_PARAMS('aws', 'us-east-1') },
  govDev: { label: 'dev in us-gov-west-1', stage: 'dev', region: 'us-gov-west-1', params: {} },
  govProd: { label: 'prod in us-gov-west-1', stage: 'prod', region: 'us-gov-west-1', params: PROD_PARAMS('aws-us-gov', 'us-gov-west-1') },
} satisfies Record<string, StackVariant>;

/** The plain dev stage in `region` (us-east-1 or us-gov-west-1). */
export function variantIn(region: string): StackVariant {
  const found = Object.values(VARIANTS).find((variant) => variant.stage === 'dev' && variant.region === region);
  if (!found) throw new Error(`no packaged dev variant in ${region}; add one to VARIANTS`);
  return found;
}

export type Json = Record<string, unknown>;

export interface PackagedStack {
  variant: StackVariant;
  dir: string;
  /** cloudformation-template-update-stack.json: the whole stack. */
  template: Json;
  /** cloudformation-template-create-stack.json: what the first deploy creates before uploading. */
  createTemplate: Json;
  /** The files of the package (function zips, templates, state). */
  artifacts: string[];
}

/** Everything that can change what `serverless package` writes. */
const INPUTS = [
  'serverless.yml',
  'package.json',
  'package-lock.json',
  'tsconfig.json',
  'tsconfig.base.json',
  'scripts/serverless',
  'statemachines',
  'functions',
  'src',
];
const CACHE = join(ROOT, 'node_modules', '.cache', 'humangov-stacks');
/** A packaging that holds its lock longer than this has died; its lock is taken over. */
const STALE_LOCK_MS = 300_000;
const KEEP_ENTRIES = 12;

async function filesUnder(path: string): Promise<string[]> {
  const info = await stat(path).catch(() => undefined);
  if (!info) return [];
  if (info.isFile()) return [path];
  const entries = await readdir(path, { withFileTypes: true });
  const nested = await Promise.all(
    entries.filter((entry) => entry.name !== 'node_modules' && !entry.name.endsWith('.test.ts')).map((entry) => filesUnder(join(path, entry.name))),
  );
  return nested.flat();
}

async function inputsDigest(): Promise<string> {
  const hash = createHash('sha256');
  const files = (await Promise.all(INPUTS.map((input) => filesUnder(join(ROOT, input))))).flat().sort();
  for (const file of files)
    hash
      .update(relative(ROOT, file))
      .update('\0')
      .update(await readFile(file))
      .update('\0');
  return hash.digest('hex');
}

let digest: Promise<string> | undefined;
const memo = new Map<string, Promise<PackagedStack>>();

/** The packaged stack of `variant`, packaged at most once per set of inputs. */
export function packagedStack(variant: StackVariant): Promise<PackagedStack> {
  const id = JSON.stringify([variant.stage, variant.region, Object.entries(variant.params).sort()]);
  let found = memo.get(id);
  if (!found) {
    found = (async () => {
      digest ??= inputsDigest();
      const key = createHash('sha256')
        .update(await digest)
        .update(id)
        .digest('hex')
        .slice(0, 24);
      const dir = await cachedPackage(key, variant);
      return load(variant, dir);
    })();
    memo.set(id, found);
  }
  return found;
}

async function load(variant: StackVariant, dir: string): Promise<PackagedStack> {
  const read = async (name: string) => JSON.parse(await readFile(join(dir, name), 'utf8')) as Json;
  return {
    variant,
    dir,
    template: await read('cloudformation-template-update-stack.json'),
    createTemplate: await read('cloudformation-template-create-stack.json'),
    artifacts: (await readdir(dir)).filter((name) => name !== 'done'),
  };
}

async function cachedPackage(key: string, variant: StackVariant): Promise<string> {
  const dir = join(CACHE, key);
  const lock = `${dir}.lock`;
  await mkdir(CACHE, { recursive: true });
  for (;;) {
    if (await exists(join(dir, 'done'))) return dir;
    try {
      await mkdir(lock);
    } catch {
      const held = await stat(lock).catch(() => undefined);
      if (held && Date.now() - held.mtimeMs > STALE_LOCK_MS) await rm(lock, { recursive: true, force: true });
      await new Promise((resolve) => setTimeout(resolve, 250));
      continue;
    }
    try {
      if (await exists(join(dir, 'done'))) return dir;
      const work = `${dir}.work-${process.pid}`;
      await rm(work, { recursive: true, force: true });
      await runPackage(variant, work);
      await writeFile(join(work, 'done'), new Date().toISOString());
      await rm(dir, { recursive: true, force: true });
      await rename(work, dir);
      await prune();
      return dir;
    } finally {
      await rm(lock, { recursive: true, force: true });
    }
  }
}

/**
 * The framework packages through `<service>/.serverless` and the bundler through
 * `<service>/.esbuild`, so two packagings of one folder at once would mix their files. Each
 * runs in a folder of its own whose entries link to the project's.
 */
async function serviceMirror(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const skip = new Set(['.serverless', '.esbuild', '.humangov', '.git']);
  for (const entry of await readdir(ROOT)) {
    if (skip.has(entry)) continue;
    // The framework looks for its configuration as a file, not a link.
    if (entry === 'serverless.yml') await copyFile(join(ROOT, entry), join(dir, entry));
    else await symlink(join(ROOT, entry), join(dir, entry));
  }
}

/** Runs `serverless package` for the variant into `out`; its output is in the error when it fails. */
export async function runPackage(variant: Pick<StackVariant, 'stage' | 'region' | 'params'>, out: string): Promise<void> {
  const service = `${out}.service`;
  await rm(service, { recursive: true, force: true });
  await serviceMirror(service);
  // The bundler leaves work folders in TMPDIR: keep them inside the service folder, dropped with it.
  const scratch = join(service, '.tmp');
  await mkdir(scratch, { recursive: true });
  const env = {
    ...process.env,
    TMPDIR: scratch,
    SLS_TELEMETRY_DISABLED: '1',
    SLS_NOTIFICATIONS_MODE: 'off',
    AWS_ACCESS_KEY_ID: '',
    AWS_SECRET_ACCESS_KEY: '',
    AWS_PROFILE: '',
  };
  const args = ['package', '--stage', variant.stage, '--region', variant.region, '--package', out];
  for (const [name, value] of Object.entries(variant.params)) args.push(`--param=${name}=${value}`);
  try {
    await promisify(execFile)(join(ROOT, 'node_modules/.bin/serverless'), args, { cwd: service, env, timeout: 240_000 });
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new PackagingError(`serverless ${args.join(' ')} failed:\n${stdout}${stderr}`, { cause: error });
  } finally {
    await rm(service, { recursive: true, force: true });
  }
}

/** `serverless package` refused the variant; the message carries what it printed. */
export class PackagingError extends Error {
  override name = 'PackagingError';
}

async function exists(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined)) !== undefined;
}

/** Keeps the newest packages; older inputs are not coming back. */
async function prune(): Promise<void> {
  const entries = await readdir(CACHE, { withFileTypes: true });
  const packages = await Promise.all(
    entries
      .filter((entry) => entry.isDirectory() && /^[0-9a-f]{24}$/.test(entry.name))
      .map(async (entry) => ({ path: join(CACHE, entry.name), mtime: (await stat(join(CACHE, entry.name))).mtimeMs })),
  );
  packages.sort((a, b) => b.mtime - a.mtime);
  await Promise.all(packages.slice(KEEP_ENTRIES).map((entry) => rm(entry.path, { recursive: true, force: true })));
}
