/**
 * Bundles the app into one self-contained dist/server.js, and what its pages load into
 * dist/assets/ (build-assets.ts): a directory holding only package.json and dist/ runs with
 * `node dist/server.js`, no node_modules. The container image and the local control plane
 * both ship exactly that.
 */
import { build } from 'esbuild';
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildAssets } from './build-assets.ts';

const appRoot = dirname(fileURLToPath(import.meta.url));
const outdir = join(appRoot, 'dist');

const result = await build({
  entryPoints: [join(appRoot, 'src', 'server.ts')],
  outfile: join(outdir, 'server.js'),
  bundle: true,
  platform: 'node',
  target: 'node24',
  format: 'esm',
  minify: true,
  sourcemap: false,
  legalComments: 'none',
  metafile: true,
  // Written below, file by file with a rename: whoever reads dist/ meanwhile (the local
  // registry copying an image, a second build) sees the old file or the new one, never a part.
  write: false,
  // The build must not depend on ../tsconfig.base.json, which is not in the image's build
  // context; this is the one setting of it that changes what esbuild emits.
  tsconfigRaw: { compilerOptions: { verbatimModuleSyntax: true } },
  logLevel: 'warning',
  // Bundled CommonJS dependencies call require() and read __dirname/__filename, which an ES
  // module lacks; define them from import.meta.
  banner: {
    js: [
      "import { createRequire as __createRequire } from 'node:module';",
      "import { fileURLToPath as __fileURLToPath } from 'node:url';",
      "import { dirname as __pathDirname } from 'node:path';",
      'const require = __createRequire(import.meta.url);',
      'const __filename = __fileURLToPath(import.meta.url);',
      'const __dirname = __pathDirname(__filename);',
    ].join(''),
  },
});

await mkdir(outdir, { recursive: true });
const written = new Set<string>();
for (const file of result.outputFiles) {
  const temporary = `${file.path}.${process.pid}.tmp`;
  await writeFile(temporary, file.contents);
  await rename(temporary, file.path);
  written.add(file.path);
}
const assetsDir = join(outdir, 'assets');
const assets = await buildAssets(assetsDir);
written.add(assetsDir);
// What an older build left and this one did not write is not part of the image.
for (const name of await readdir(outdir)) {
  if (!name.endsWith('.tmp') && !written.has(join(outdir, name))) await rm(join(outdir, name), { recursive: true, force: true });
}

const output = Object.entries(result.metafile.outputs).find(([file]) => file.endsWith('server.js'));
const kilobytes = output ? Math.round(output[1].bytes / 1024) : 0;
console.log(`built dist/server.js (${kilobytes} KB) and dist/assets (${assets.stylesheet}, ${assets.script})`);
