/**
 * The status API as AWS runs it: functions/api.ts bundled by esbuild with the
 * options serverless.yml gives serverless-esbuild (read from the file, so the
 * two cannot drift), imported by a fresh Node process the way the Lambda
 * runtime imports it, and asked for the dashboard's routes.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { build, type BuildOptions } from 'esbuild';
import { parseDocument } from 'yaml';
import type { HttpApiResult } from '../../../src/api/http.ts';
import { apiEvent } from '../../api/support.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export type BundleAnswers = Record<string, HttpApiResult>;

export async function askLambdaBundle(paths: readonly string[]): Promise<BundleAnswers> {
  const config = (parseDocument(await readFile(join(root, 'serverless.yml'), 'utf8')).toJS() as { custom: { esbuild: BuildOptions } }).custom.esbuild;
  const dir = await mkdtemp(join(tmpdir(), 'humangov-dashboard-bundle-'));
  try {
    const outfile = join(dir, 'api.mjs');
    const { bundle, minify, format, platform, target, mainFields, banner } = config;
    await build({
      entryPoints: [join(root, 'functions', 'api.ts')],
      outfile,
      bundle,
      minify,
      format,
      platform,
      target,
      mainFields,
      banner,
      logLevel: 'silent',
    });
    const events = paths.map((path) => apiEvent('GET', path));
    const program = `
      const { handler } = await import(${JSON.stringify(pathToFileURL(outfile).href)});
      const events = JSON.parse(process.env.EVENTS);
      const answers = {};
      for (const event of events) answers[event.rawPath] = await handler(event, { awsRequestId: event.requestContext.requestId, functionName: 'api', getRemainingTimeInMillis: () => 10000 });
      process.stdout.write(JSON.stringify(answers));`;
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', program], {
      // What serverless.yml sets; nothing here reaches AWS, the dashboard's routes read no table.
      env: {
        ...process.env,
        EVENTS: JSON.stringify(events),
        TENANTS_TABLE: 'humangov-bundle-tenants',
        DEPLOYMENTS_TABLE: 'humangov-bundle-deployments',
        AWS_REGION: 'us-east-1',
        POWERTOOLS_LOG_LEVEL: 'SILENT',
      },
      maxBuffer: 16 * 1024 * 1024,
    });
    return JSON.parse(stdout) as BundleAnswers;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
