/**
 * esbuild's options for a function's bundle, derived from serverless.yml's custom.esbuild the way
 * serverless-esbuild derives them (node_modules/serverless-esbuild/dist/bundle.js and index.js),
 * so that the bench and the tests bundle a handler exactly as a deploy does.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { BuildOptions, Plugin } from 'esbuild';

/** serverless-esbuild's own options, which it removes before handing the rest to esbuild; `exclude` becomes `external`. */
const PLUGIN_ONLY_OPTIONS = [
  'concurrency',
  'zipConcurrency',
  'exclude',
  'nativeZip',
  'packager',
  'packagePath',
  'watch',
  'keepOutputDirectory',
  'packagerOptions',
  'installExtraArgs',
  'outputFileExtension',
  'outputBuildFolder',
  'outputWorkFolder',
  'nodeExternals',
  'skipBuild',
  'skipRebuild',
  'skipBuildExcludeFns',
  'stripEntryResolveExtensions',
  'disposeContext',
];

/**
 * The options for `custom` (custom.esbuild) in the service folder `root`. `plugins` there names a
 * file of plugins, loaded from the service folder; serverless-esbuild builds from that folder too
 * (process.cwd()), which the plugins read the project's module paths against. Add entryPoints
 * and outdir (`<build>/<the entry's folder>`, as the bundler lays out its build) or outfile.
 */
export function esbuildOptions(custom: Record<string, unknown>, root: string): BuildOptions {
  const options: Record<string, unknown> = { ...custom };
  for (const key of PLUGIN_ONLY_OPTIONS) delete options[key];
  const exclude = (custom.exclude as string[] | undefined) ?? [];
  options.external = [...((custom.external as string[] | undefined) ?? []), ...(exclude.includes('*') ? [] : exclude)];
  const extension = (custom.outputFileExtension as string | undefined) ?? '.js';
  if (extension !== '.js') options.outExtension = { '.js': extension };
  if (typeof custom.plugins === 'string') options.plugins = createRequire(import.meta.url)(join(root, custom.plugins)) as Plugin[];
  options.absWorkingDir = root;
  return options as BuildOptions;
}
