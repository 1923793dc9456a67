/**
 * A function as AWS runs it: its handler bundled with the options serverless.yml gives
 * serverless-esbuild (read from the file, plugins included, so the two cannot drift) into the
 * layout of its package, then imported by a fresh Node process the way the Lambda runtime
 * imports it, and invoked.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { parseDocument } from 'yaml';
import { esbuildOptions } from '../../scripts/serverless/esbuild-options.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface FunctionPackage {
  /** The package's folder, as unzipped in /var/task. */
  dir: string;
  /** The handler's bundle in it: `<dir>/functions/steps/tenant-record.mjs`. */
  bundle: string;
  /** esbuild's warnings for the handler's bundle. */
  warnings: string[];
  /** Each event to the handler in turn, in one process: what it returned, or the error it threw. */
  invoke(events: readonly unknown[], env?: Record<string, string>): Promise<InvocationResult[]>;
  remove(): Promise<void>;
}

export type InvocationResult = { ok: true; value: unknown } | { ok: false; errorType: string; errorMessage: string };

/** Bundles `source` (`functions/api.ts`) into a package folder of its own. */
export async function packageFunction(source: string): Promise<FunctionPackage> {
  const custom = (parseDocument(await readFile(join(root, 'serverless.yml'), 'utf8')).toJS() as { custom: { esbuild: Record<string, unknown> } }).custom
    .esbuild;
  const dir = await mkdtemp(join(tmpdir(), 'humangov-function-'));
  try {
    const result = await build({ ...esbuildOptions(custom, root), entryPoints: [join(root, source)], outdir: join(dir, dirname(source)), logLevel: 'silent' });
    const bundle = join(dir, source.replace(/\.ts$/, (custom.outputFileExtension as string | undefined) ?? '.js'));
    return {
      dir,
      bundle,
      warnings: result.warnings.map((warning) => warning.text),
      // Lambda sets LAMBDA_TASK_ROOT to the unzipped package (https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime).
      invoke: (events, env = {}) => invoke(bundle, events, { LAMBDA_TASK_ROOT: dir, ...env }),
      remove: () => rm(dir, { recursive: true, force: true }),
    };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

async function invoke(bundle: string, events: readonly unknown[], env: Record<string, string>): Promise<InvocationResult[]> {
  const program = `
    const { handler } = await import(${JSON.stringify(pathToFileURL(bundle).href)});
    const results = [];
    for (const [i, event] of JSON.parse(process.env.EVENTS).entries()) {
      const context = { awsRequestId: 'request-' + i, functionName: 'bundle', getRemainingTimeInMillis: () => 10000 };
      try {
        results.push({ ok: true, value: await handler(event, context) });
      } catch (error) {
        results.push({ ok: false, errorType: error.name, errorMessage: error.message });
      }
    }
    process.stdout.write(JSON.stringify(results));`;
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', program], {
    env: { ...process.env, AWS_REGION: 'us-east-1', POWERTOOLS_LOG_LEVEL: 'SILENT', ...env, EVENTS: JSON.stringify(events) },
    maxBuffer: 16 * 1024 * 1024,
  });
  return JSON.parse(stdout) as InvocationResult[];
}
