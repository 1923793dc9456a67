'use strict';

const { execFile } = require('node:child_process');
const { promisify } = require('node:util');
const { build } = require('esbuild');
const { dirname, extname, join, posix, relative, resolve, sep } = require('node:path');
const { pathToFileURL } = require('node:url');

/**
 * esbuild plugins for the functions' bundles (custom.esbuild.plugins in serverless.yml, which
 * serverless-esbuild loads; scripts/bench/bundles.ts and the tests load them from there too).
 *
 * 1. Modules a handler only loads with `import()` on its first invocation get a file of their own at
 * the root of the function's package, instead of a place inside the handler's bundle: code inside
 * the bundle is read and parsed at every cold start's import, used or not. The handler's
 * `import('<package>')` becomes `import('../<file>')` (as deep as the handler's folder), which
 * Node resolves from the bundle's own location. serverless-esbuild mirrors the source tree in its
 * build folder (functions/steps/x.ts → <build>/functions/steps/x.mjs) and zips that folder, so
 * the root is the output folder less the entry's folder, and one copy serves every function.
 *
 * Only a dynamic import is moved: a static import of the same package (none today) would load it
 * at import time anyway, so it stays bundled. The file is written only for a bundle that imports it.
 *
 * 2. The dashboard's browser script is the client factories' own text, as Node gives it back
 * (src/api/dashboard/client.ts). Inside a bundle esbuild rewrites those functions: keepNames
 * wraps each named one in a call to a helper only the bundle has, and a browser running that
 * text stops at the first. So a bundle gets the script as text, made when it is bundled by the
 * same clientScript() run by Node, exactly what `npm start` serves.
 */
const LOADED_ON_FIRST_USE = [
  // Powertools Tracer and the X-Ray SDK under it (src/aws/clients.ts, loadTracer): a fifth of a
  // function's bundle. Powertools shares its per-invocation state through globalThis.awslambda
  // (@aws/lambda-invoke-store), so the copy of its commons in this file sees the same request.
  '@aws-lambda-powertools/tracer',
];

/** `@aws-lambda-powertools/tracer` → `aws-lambda-powertools-tracer.mjs` */
function fileFor(specifier, extension) {
  return `${specifier.replace(/^@/, '').replace(/[^A-Za-z0-9]+/g, '-')}${extension}`;
}

/**
 * Bundles one package into `outfile` with the handler's own options. The bundles of one packaging
 * run at once and name the same file: they share the build in flight instead of writing it over
 * each other; a later packaging builds it again.
 */
const inFlight = new Map();
function writeOwnFile(options, specifier, outfile) {
  if (!inFlight.has(outfile)) {
    const { entryPoints: _entries, outdir: _outdir, outfile: _outfile, plugins: _plugins, metafile: _metafile, stdin: _stdin, ...shared } = options;
    const writing = build({
      ...shared,
      stdin: { contents: `export * from '${specifier}';`, resolveDir: options.absWorkingDir ?? process.cwd(), loader: 'js' },
      outfile,
      write: true,
      logLevel: 'error',
    }).finally(() => inFlight.delete(outfile));
    inFlight.set(outfile, writing);
  }
  return inFlight.get(outfile);
}

/** The entry's folder, relative to the working directory: `functions/steps` for functions/steps/x.ts. */
function entryFolder(options) {
  const entries = Array.isArray(options.entryPoints) ? options.entryPoints : Object.values(options.entryPoints ?? {});
  if (entries.length !== 1) throw new Error(`humangov-loaded-on-first-use bundles one handler per build, not ${entries.length} entry points`);
  const cwd = options.absWorkingDir ?? process.cwd();
  const entry = typeof entries[0] === 'string' ? entries[0] : entries[0].in;
  return dirname(relative(cwd, resolve(cwd, entry)))
    .split(sep)
    .join(posix.sep);
}

const loadedOnFirstUse = {
  name: 'humangov-loaded-on-first-use',
  setup(esbuild) {
    const options = esbuild.initialOptions;
    // serverless-esbuild names its outputs with outExtension; a build to one file, with the outfile's.
    const extension = options.outExtension?.['.js'] ?? (options.outfile ? extname(options.outfile) : '.js');
    const names = LOADED_ON_FIRST_USE.map((specifier) => specifier.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'));
    const imported = new Set();
    esbuild.onStart(() => imported.clear());
    esbuild.onResolve({ filter: new RegExp(`^(${names.join('|')})$`) }, (args) => {
      if (args.kind !== 'dynamic-import') return undefined;
      imported.add(args.path);
      const folder = entryFolder(options);
      return { path: `${folder === '.' ? './' : '../'.repeat(folder.split('/').length)}${fileFor(args.path, extension)}`, external: true };
    });
    esbuild.onEnd(async (result) => {
      // A build that failed or writes nothing (write: false) has no package to put the file in.
      if (result.errors.length > 0 || options.write === false || imported.size === 0) return;
      const folder = entryFolder(options);
      const outdir = resolve(options.outdir ?? dirname(options.outfile));
      const root = folder === '.' ? outdir : outdir.endsWith(join(sep, folder)) ? outdir.slice(0, -folder.length - 1) : undefined;
      if (root === undefined) {
        throw new Error(
          `humangov-loaded-on-first-use: the output folder ${outdir} must end with the entry's folder ${folder}, as serverless-esbuild's build folder does`,
        );
      }
      await Promise.all([...imported].map((specifier) => writeOwnFile(options, specifier, join(root, fileFor(specifier, extension)))));
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
