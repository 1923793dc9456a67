/**
 * Builds what the pages load, into dist/assets/, served by the app itself (no CDN: a tenant's
 * pages load only from the tenant's own origin):
 * - the stylesheet: USWDS compiled from its Sass packages (src/styles/humangov.scss), plus
 *   exactly the fonts and icons it refers to, copied from the @uswds/uswds package;
 * - the script: src/client/humangov.ts with the USWDS behaviours it uses, bundled by esbuild.
 * The stylesheet and script carry a content hash in their names (cached for good); manifest.json
 * names them for the app. Compiling the Sass takes seconds, so its output is kept in
 * node_modules/.cache keyed by everything it depends on.
 */
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as sass from 'sass';

const appRoot = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
// The package exports no package.json; its main file is dist/js/uswds.min.js.
const uswdsRoot = join(dirname(require.resolve('@uswds/uswds')), '..', '..');
const STYLESHEET_SOURCE = join(appRoot, 'src', 'styles', 'humangov.scss');
const CLIENT_SOURCE = join(appRoot, 'src', 'client', 'humangov.ts');
/** Icons the pages' markup shows (the stylesheet's own are found in it). */
const MARKUP_IMAGES = ['img/usa-icons/close.svg', 'img/usa-icons-bg/search--white.svg'];

export interface AssetManifest {
  /** Path under /assets/ of the stylesheet and of the script. */
  readonly stylesheet: string;
  readonly script: string;
}

/** Writes dist/assets (or `outdir`) and returns the manifest; files already as wanted are left alone. */
export async function buildAssets(outdir = join(appRoot, 'dist', 'assets')): Promise<AssetManifest> {
  const files = new Map<string, Uint8Array>();
  const css = await compiledStylesheet();
  const stylesheet = `humangov.${hash(css)}.css`;
  files.set(stylesheet, Buffer.from(css));
  for (const reference of [...referencedFiles(css), ...MARKUP_IMAGES]) {
    files.set(reference, await readFile(join(uswdsRoot, 'dist', ...reference.split('/'))));
  }

  const client = await build({
    entryPoints: [CLIENT_SOURCE],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: ['chrome109', 'firefox115', 'safari15'],
    minify: true,
    legalComments: 'none',
    write: false,
    logLevel: 'warning',
    tsconfigRaw: { compilerOptions: { verbatimModuleSyntax: false } },
  });
  const script = client.outputFiles[0]?.contents;
  if (!script) throw new Error(`esbuild produced no script from ${CLIENT_SOURCE}`);
  const scriptName = `humangov.${hash(script)}.js`;
  files.set(scriptName, script);

  const manifest: AssetManifest = { stylesheet, script: scriptName };
  files.set('manifest.json', Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`));
  await writeAll(outdir, files);
  return manifest;
}

/** url(...) references of the compiled CSS to files of the package (fonts/…, img/…), data: URIs aside. */
function referencedFiles(css: string): string[] {
  const references = new Set<string>();
  for (const match of css.matchAll(/url\(\s*["']?([^"')]+)["']?\s*\)/g)) {
    const path = match[1] ?? '';
    if (/^(fonts|img)\//.test(path)) references.add(path);
  }
  return [...references].sort();
}

async function compiledStylesheet(): Promise<string> {
  const source = await readFile(STYLESHEET_SOURCE, 'utf8');
  const uswdsVersion = (JSON.parse(await readFile(join(uswdsRoot, 'package.json'), 'utf8')) as { version: string }).version;
  const key = hash(JSON.stringify([source, uswdsVersion, sass.info]));
  const cacheDir = join(appRoot, '..', 'node_modules', '.cache', 'humangov-app-css');
  const cached = join(cacheDir, `${key}.css`);
  if (existsSync(cached)) return readFile(cached, 'utf8');

  const { css } = await sass.compileAsync(STYLESHEET_SOURCE, {
    loadPaths: [join(uswdsRoot, 'packages')],
    style: 'compressed',
    quietDeps: true,
    // USWDS's own Sass raises deprecation notices that are not ours to fix.
    logger: sass.Logger.silent,
  });
  await mkdir(cacheDir, { recursive: true });
  await writeAtomically(cached, Buffer.from(css));
  return css;
}

/**
 * Each file written whole under a temporary name and renamed, so a reader (the local registry
 * copying an image, a test starting the app) sees the old file or the new one, never a part.
 */
async function writeAll(outdir: string, files: ReadonlyMap<string, Uint8Array>): Promise<void> {
  for (const [name, contents] of files) {
    const path = join(outdir, ...name.split('/'));
    const current = existsSync(path) ? await readFile(path) : undefined;
    if (current && Buffer.compare(current, contents) === 0) continue;
    await mkdir(dirname(path), { recursive: true });
    await writeAtomically(path, contents);
  }
  // What an older build left and this one did not write is not part of the image.
  const wanted = new Set([...files.keys()].map((name) => join(outdir, ...name.split('/'))));
  for (const entry of await readdir(outdir, { recursive: true, withFileTypes: true })) {
    const path = join(entry.parentPath, entry.name);
    if (entry.isFile() && !entry.name.endsWith('.tmp') && !wanted.has(path)) await rm(path, { force: true });
  }
}

async function writeAtomically(path: string, contents: Uint8Array): Promise<void> {
  const temporary = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  await writeFile(temporary, contents);
  await rename(temporary, path);
}

function hash(contents: string | Uint8Array): string {
  return createHash('sha256').update(contents).digest('hex').slice(0, 12);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const manifest = await buildAssets();
  console.log(`built dist/assets (${manifest.stylesheet}, ${manifest.script})`);
}
