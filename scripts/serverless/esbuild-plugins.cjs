'use strict';

const { execFile } = require('node:child_process');
const { promisify } = require('node:util');
const { build } = require('esbuild');
const { basename, dirname, extname, join, posix, relative, resolve, sep } = require('node:path');
const { pathToFileURL } = require('node:url');

/**
 * esbuild plugins for the functions' bundles (custom.esbuild.plugins in serverless.yml, which
 * serverless-esbuild loads; scripts/bench/bundles.ts and the tests load them from there too).
 *
 * 1. Modules a handler only loads with `import()` when first needed get a file of their own beside
 * the handler's bundle, instead of a place inside it: code inside the bundle is read and parsed
 * at every cold start's import, used or not. For functions/steps/tenant-record.ts, the import of
 * Tracer becomes `import('./tenant-record.aws-lambda-powertools-tracer.mjs')`, which Node
 * resolves beside functions/steps/tenant-record.mjs. serverless-esbuild zips into each function's
 * package the files named after its own bundle (`tenant-record.*`: it takes them for derived
 * files, like a source map) and leaves out those named after another function's.
 *
 * Only a dynamic import is moved: a static import of the same module (none today) would load it
 * at import time anyway, so it stays bundled. The file is written only for a bundle that imports it.
 *
 * 2. The dashboard's browser script is the client factories' own text, as Node gives it back
 * (src/api/dashboard/client.ts). Inside a bundle esbuild rewrites those functions: keepNames
 * wraps each named one in a call to a helper only the bundle has, and a browser running that
 * text stops at the first. So a bundle gets the script as text, made when it is bundled by the
 * same clientScript() run by Node, exactly what `npm start` serves.
 */

/** Packages by name, the project's own modules by path from the service folder (PROJECT_MODULE). */
const LOADED_ON_FIRST_USE = [
  // Powertools Tracer and the X-Ray SDK under it (src/aws/clients.ts, loadTracer): a fifth of a
  // function's bundle. Powertools shares its per-invocation state through globalThis.awslambda
  // (@aws/lambda-invoke-store), so the copy of its commons in this file sees the same request.
  '@aws-lambda-powertools/tracer',
  // The dashboard's script and stylesheet (src/api/dashboard.ts), a third of the status API's bundle.
  'src/api/dashboard/assets.ts',
];
const PROJECT_MODULE = /\.[cm]?[jt]s$/;

/** Which of LOADED_ON_FIRST_USE an import names, if any. */
function loadedOnFirstUseName(args, cwd) {
  if (!args.path.startsWith('.')) return LOADED_ON_FIRST_USE.includes(args.path) ? args.path : undefined;
  const path = relative(cwd, resolve(args.resolveDir, args.path)).split(sep).join(posix.sep);
  return LOADED_ON_FIRST_USE.includes(path) ? path : undefined;
}

/** `tenant-record.aws-lambda-powertools-tracer.mjs`, `api.src-api-dashboard-assets.mjs`: the bundle's name, then the module's. */
function ownFileName(options, name, extension) {
  const entries = Array.isArray(options.entryPoints) ? options.entryPoints : Object.values(options.entryPoints ?? {});
  if (entries.length !== 1) throw new Error(`humangov-loaded-on-first-use bundles one handler per build, not ${entries.length} entry points`);
  const entry = typeof entries[0] === 'string' ? entries[0] : entries[0].in;
  const module = name
    .replace(/^@/, '')
    .replace(PROJECT_MODULE, '')
    .replace(/[^A-Za-z0-9]+/g, '-');
  return `${basename(entry).replace(/\.[^.]+$/, '')}.${module}${extension}`;
}

const loadedOnFirstUse = {
  name: 'humangov-loaded-on-first-use',
  setup(esbuild) {
    const options = esbuild.initialOptions;
    const cwd = options.absWorkingDir ?? process.cwd();
    // serverless-esbuild names its outputs with outExtension; a build to one file, with the outfile's.
    const extension = options.outExtension?.['.js'] ?? (options.outfile ? extname(options.outfile) : '.js');
    const imported = new Set();
    esbuild.onStart(() => imported.clear());
    esbuild.onResolve({ filter: /.*/ }, (args) => {
      if (args.kind !== 'dynamic-import') return undefined;
      const name = loadedOnFirstUseName(args, cwd);
      if (name === undefined) return undefined;
      imported.add(name);
      return { path: `./${ownFileName(options, name, extension)}`, external: true };
    });
    esbuild.onEnd(async (result) => {
      // A build that failed or writes nothing (write: false) has no package to put the file in.
      if (result.errors.length > 0 || options.write === false || imported.size === 0) return;
      const outdir = resolve(options.outdir ?? dirname(options.outfile));
      const { entryPoints: _entries, outdir: _outdir, outfile: _outfile, metafile: _metafile, stdin: _stdin, ...shared } = options;
      await Promise.all(
        [...imported].map((name) =>
          build({
            ...shared,
            plugins: (options.plugins ?? []).filter((plugin) => plugin !== loadedOnFirstUse),
            stdin: {
              contents: `export * from ${JSON.stringify(PROJECT_MODULE.test(name) ? resolve(cwd, name).split(sep).join(posix.sep) : name)};`,
              resolveDir: cwd,
              loader: 'js',
            },
            outfile: join(outdir, ownFileName(options, name, extension)),
            write: true,
            logLevel: 'error',
          }),
        ),
      );
    });
  },
};

const CLIENT_SCRIPT = /[\\/]src[\\/]api[\\/]dashboard[\\/]client\.ts$/;

const dashboardScript = {
  name: 'humangov-dashboard-script',
  setup(esbuild) {
    esbuild.onLoad({ filter: CLIENT_SCRIPT }, async (args) => {
      const program = `const { clientScript } = await import(${JSON.stringify(pathToFileURL(args.path).href)}); process.stdout.write(clientScript());`;
      const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', program], { maxBuffer: 16 * 1024 * 1024 }).catch((error) => {
        throw new Error(
          `making the dashboard's script with Node ${process.version} failed; bundle with the project's Node 24 (npm run package):\n${error.stderr ?? error.message}`,
        );
      });
      return { contents: `export function clientScript() { return ${JSON.stringify(stdout)}; }`, loader: 'js' };
    });
  },
};

module.exports = [loadedOnFirstUse, dashboardScript];
