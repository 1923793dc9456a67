/**
 * npm run bench:bundles — how big each function's deployment package is and how long a cold
 * Node process takes to import it, against the floor of the AWS SDK clients it uses.
 *
 * Packages the stack exactly as a deploy would (`serverless package`, offline). For each
 * function it then builds a second bundle, with the same esbuild settings serverless-esbuild
 * used (custom.esbuild in serverless.yml), of nothing but the SDK v3 clients that function's
 * bundle holds: the client classes, commands, paginators and waiters of every @aws-sdk/client-*
 * package and of @aws-sdk/lib-dynamodb that esbuild's metafile shows in the function's output.
 * Whatever the function adds to that floor (Powertools, middy, zod, its own code) is the ratio.
 * What a handler loads only when first needed, in files of their own beside it (Tracer and the
 * X-Ray SDK, the dashboard's assets: scripts/serverless/esbuild-plugins.cjs), counts in the zipped
 * size, not in the import.
 *
 * Each round imports every function's handler module and its SDK-only bundle in a fresh `node`
 * process each, in turn (which goes first alternates), so load on a shared machine slows both
 * sides of a round alike; a function's ratio is the median of its rounds' ratios. It exits 1 when
 * a function imports in more than 1.3 × its SDK clients' time. Last line:
 *   bundles: largest <N> KB zipped, slowest import <R> x its SDK clients
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { build, type Metafile } from 'esbuild';
import { esbuildOptions } from '../serverless/esbuild-options.ts';
import { readZip } from './zip.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const ROUNDS = 7;
/** A function may take this many times as long to import as the SDK clients it bundles. */
const CEILING = 1.3;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function importTime(entry: string): Promise<number> {
  const script = `const t = performance.now(); await import(${JSON.stringify(pathToFileURL(entry).href)}); process.stdout.write(String(performance.now() - t));`;
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, AWS_REGION: 'us-east-1' } });
  return Number(stdout);
}

/**
 * The SDK names a bundle holds: for each @aws-sdk client package (and lib-dynamodb) with code in
 * the output, the names its index exports from the files of its client classes, commands,
 * paginators and waiters that made it into the output. Models and protocol code come with them.
 */
async function sdkExports(metafile: Metafile): Promise<Map<string, string[]>> {
  const output = Object.values(metafile.outputs)[0]!;
  const files = new Map<string, string[]>();
  for (const [path, { bytesInOutput }] of Object.entries(output.inputs)) {
    const match = /node_modules\/(@aws-sdk\/(?:client-[^/]+|lib-dynamodb))\/dist-es\/((?:commands\/|pagination\/|waiters\/)?[A-Za-z0-9]+\.js)$/.exec(path);
    if (!match || bytesInOutput === 0) continue;
    const [, pkg, file] = match;
    if (!file!.includes('/') && !file!.endsWith('Client.js')) continue;
    files.set(pkg!, [...(files.get(pkg!) ?? []), join(root, path.slice(path.indexOf('node_modules/')))]);
  }
  const exports = new Map<string, string[]>();
  for (const [pkg, paths] of files) {
    const index = (await import(pkg)) as Record<string, unknown>;
    const names = new Set<string>();
    for (const path of paths) {
      const source = await readFile(path, 'utf8');
      for (const [, name] of source.matchAll(/export (?:const|let|class|function|async function) ([A-Za-z0-9_$]+)/g)) {
        if (Object.hasOwn(index, name!)) names.add(name!);
      }
    }
    exports.set(pkg, [...names].sort());
  }
  return exports;
}

const out = await mkdtemp(join(tmpdir(), 'humangov-bundles-'));
const scratch = await mkdtemp(join(tmpdir(), 'humangov-bundles-work-'));
try {
  execFileSync(join(root, 'node_modules/.bin/serverless'), ['package', '--stage', 'bench', '--param=insecure=true', '--package', out], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
    // The bundler leaves work folders in TMPDIR: keep them inside what is removed at the end.
    env: { ...process.env, TMPDIR: scratch, SLS_TELEMETRY_DISABLED: '1' },
  });
  const state = JSON.parse(await readFile(join(out, 'serverless-state.json'), 'utf8')) as {
    service: { custom: { esbuild: Record<string, unknown> }; functions: Record<string, { handler: string }> };
  };
  const options = esbuildOptions(state.service.custom.esbuild, root);

  interface Row {
    fn: string;
    kb: number;
    handler: string;
    sdkOnly: string;
    clients: string[];
    ms: number[];
    sdkMs: number[];
    ratios: number[];
  }
  const rows: Row[] = [];
  for (const zipName of (await readdir(out)).filter((f) => f.endsWith('.zip')).sort()) {
    const fn = zipName.replace(/\.zip$/, '');
    const zipPath = join(out, zipName);
    const dir = join(out, fn);
    const entries = await readZip(zipPath);
    for (const [name, content] of entries) {
      await mkdir(dirname(join(dir, name)), { recursive: true });
      await writeFile(join(dir, name), content);
    }
    // functions/api.handler is the export `handler` of functions/api.mjs.
    const module = state.service.functions[fn]!.handler.replace(/\.[^.]+$/, '');
    const handler = `${module}.mjs`;
    if (!entries.has(handler)) throw new Error(`${zipName} holds no ${handler}, the bundle of ${fn}'s handler`);

    // The function's bundle again, for its metafile; it must be the packaged one byte for byte,
    // or these are not the settings the stack bundles with.
    const source = join(root, `${module}.ts`);
    const again = await build({ ...options, entryPoints: [source], outfile: join(scratch, `${fn}.mjs`), metafile: true, write: false, logLevel: 'error' });
    if (again.outputFiles[0]!.text !== entries.get(handler)!.toString('utf8')) {
      throw new Error(
        `${fn}: building ${source} with custom.esbuild does not reproduce the packaged ${handler}; the bench must use serverless-esbuild's settings`,
      );
    }
    const clients = await sdkExports(again.metafile);
    const sdkOnly = join(out, `${fn}.sdk-only`, 'index.mjs');
    await build({
      ...options,
      // Exported under a name per package: lib-dynamodb and client-dynamodb both have a ScanCommand.
      stdin: {
        contents: [...clients].map(([pkg, names], i) => `export { ${names.map((name) => `${name} as ${name}$${i}`).join(', ')} } from '${pkg}';`).join('\n'),
        resolveDir: root,
        loader: 'js',
      },
      outfile: sdkOnly,
      logLevel: 'error',
    });
    rows.push({ fn, kb: (await stat(zipPath)).size / 1024, handler: join(dir, handler), sdkOnly, clients: [...clients.keys()], ms: [], sdkMs: [], ratios: [] });
  }

  for (let round = 0; round < ROUNDS; round++) {
    for (const row of rows) {
      const [ms, sdkMs] =
        round % 2 === 0
          ? [await importTime(row.handler), await importTime(row.sdkOnly)]
          : await importTime(row.sdkOnly).then(async (sdk) => [await importTime(row.handler), sdk]);
      row.ms.push(ms!);
      row.sdkMs.push(sdkMs!);
      row.ratios.push(ms! / sdkMs!);
    }
  }

  console.log(`machine: ${process.platform} ${process.arch}, node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model.trim()})`);
  console.log(`function            zipped KB   import ms   SDK-only ms   ratio   (medians of ${ROUNDS} rounds)   SDK clients`);
  for (const row of rows) {
    const clients = row.clients.map((pkg) => pkg.replace('@aws-sdk/', '')).join(', ');
    console.log(
      `${row.fn.padEnd(20)}${row.kb.toFixed(1).padStart(9)}${median(row.ms).toFixed(1).padStart(12)}${median(row.sdkMs).toFixed(1).padStart(14)}${median(row.ratios).toFixed(2).padStart(8)}   ${clients}`,
    );
  }
  const largest = Math.max(...rows.map((r) => r.kb));
  const slowest = rows.reduce((a, b) => (median(b.ratios) > median(a.ratios) ? b : a));
  const ratio = median(slowest.ratios);
  if (ratio > CEILING) {
    console.error(
      `${slowest.fn} imports in ${ratio.toFixed(2)} x the time of the SDK clients it bundles (ceiling ${CEILING}): find what its bundle adds at module load (node --cpu-prof on ${slowest.fn}'s handler) and load it later or not at all.`,
    );
    process.exitCode = 1;
  }
  console.log(`bundles: largest ${Math.round(largest)} KB zipped, slowest import ${ratio.toFixed(2)} x its SDK clients`);
} finally {
  await rm(out, { recursive: true, force: true });
  await rm(scratch, { recursive: true, force: true });
}
