/**
 * The files the pages load (USWDS's stylesheet, fonts and icons, the pages' script), read once
 * at start from the assets directory the build wrote (build-assets.ts) and kept in memory,
 * text compressed once: serving one is a map lookup.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { AssetsMissingError } from './errors.ts';

export interface AssetFile {
  readonly contentType: string;
  readonly body: Buffer;
  readonly gzip: Buffer | undefined;
  readonly brotli: Buffer | undefined;
  /** True for names carrying a content hash: such a URL never changes content. */
  readonly immutable: boolean;
}

export interface Assets {
  /** URLs of the stylesheet and the script, as the pages link them. */
  readonly stylesheetUrl: string;
  readonly scriptUrl: string;
  /** By path under /assets/, e.g. "fonts/public-sans/PublicSans-Regular.woff2". */
  readonly files: ReadonlyMap<string, AssetFile>;
}

const CONTENT_TYPES: Record<string, string> = {
  css: 'text/css; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  svg: 'image/svg+xml',
  woff2: 'font/woff2',
  png: 'image/png',
};
const COMPRESSIBLE = new Set(['css', 'js', 'svg']);

/**
 * Where the build put the assets: beside the bundle (dist/server.js -> dist/assets) when
 * running the image, or in dist/assets when running the sources (src/ -> ../dist/assets).
 */
export function defaultAssetsDirectory(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [join(here, 'assets'), join(here, '..', 'dist', 'assets')];
  return candidates.find((candidate) => existsSync(join(candidate, 'manifest.json'))) ?? candidates[0] ?? here;
}

export async function loadAssets(directory = defaultAssetsDirectory()): Promise<Assets> {
  let manifest: { stylesheet: string; script: string };
  try {
    manifest = JSON.parse(await readFile(join(directory, 'manifest.json'), 'utf8')) as typeof manifest;
  } catch (error) {
    throw new AssetsMissingError(directory, { cause: error });
  }
  const files = new Map<string, AssetFile>();
  for (const entry of await readdir(directory, { recursive: true, withFileTypes: true })) {
    const extension = entry.name.split('.').pop() ?? '';
    const contentType = CONTENT_TYPES[extension];
    if (!entry.isFile() || !contentType) continue;
    const path = relative(directory, join(entry.parentPath, entry.name)).split(sep).join('/');
    const body = await readFile(join(entry.parentPath, entry.name));
    const compress = COMPRESSIBLE.has(extension) && body.length > 1024;
    files.set(path, {
      contentType,
      body,
      gzip: compress ? gzipSync(body, { level: 9 }) : undefined,
      brotli: compress ? brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 9 } }) : undefined,
      immutable: path === manifest.stylesheet || path === manifest.script,
    });
  }
  for (const name of [manifest.stylesheet, manifest.script]) {
    if (!files.has(name)) throw new AssetsMissingError(directory);
  }
  return { stylesheetUrl: `/assets/${manifest.stylesheet}`, scriptUrl: `/assets/${manifest.script}`, files };
}
