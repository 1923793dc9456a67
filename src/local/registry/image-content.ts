import { createHash, randomUUID } from 'node:crypto';
import { chmod, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, normalize, sep } from 'node:path';
import { ImageBuildError } from './errors.ts';
import { lastLines, runNpm } from './npm.ts';

export interface ImageFile {
  /** Relative, with "/" separators. */
  path: string;
  sha256: string;
  /** 0o755 or 0o644: only the executable bit is kept, as npm does, so a umask cannot change the digest. */
  mode: number;
  size: number;
}

export interface ImageContent {
  digest: string;
  files: ImageFile[];
  /** The bytes of each file, read once: what is hashed is exactly what is stored. */
  data: Map<string, Buffer>;
}

/**
 * The files an image of `contextDir` holds: what `npm pack` would put in the
 * package, so the context's package.json (`files`, .npmignore) decides, as it
 * does for a published package. package.json itself is always in, which is what
 * a task needs to run the `start` script.
 */
export async function packedFiles(contextDir: string, timeoutMs: number): Promise<string[]> {
  const run = await runNpm(['pack', '--dry-run', '--json', '--ignore-scripts'], contextDir, timeoutMs);
  if (run.code !== 0) throw new ImageBuildError(`listing the files of ${contextDir} with "npm pack --dry-run" failed:\n${lastLines(run.output)}`);
  try {
    const [packed] = JSON.parse(run.stdout) as [{ files: { path: string }[] }];
    return packed.files.map((file) => file.path);
  } catch (error) {
    throw new ImageBuildError(`"npm pack --dry-run --json" in ${contextDir} did not answer a file list:\n${lastLines(run.output)}`, { cause: error });
  }
}

/**
 * Reads the files and computes the image digest: sha256 over the sorted list of
 * (path, file sha256, mode). Timestamps are not in it, so a rebuild that yields
 * the same bytes yields the same digest.
 */
export async function readContent(contextDir: string, paths: readonly string[]): Promise<ImageContent> {
  const data = new Map<string, Buffer>();
  const files: ImageFile[] = [];
  for (const path of [...paths].sort()) {
    const absolute = join(contextDir, normalize(path));
    if (!absolute.startsWith(contextDir + sep)) throw new ImageBuildError(`"${path}" lies outside the context ${contextDir}`);
    const bytes = await readFile(absolute);
    const executable = ((await stat(absolute)).mode & 0o111) !== 0;
    data.set(path, bytes);
    files.push({ path, sha256: createHash('sha256').update(bytes).digest('hex'), mode: executable ? 0o755 : 0o644, size: bytes.length });
  }
  const manifest = JSON.stringify(files.map(({ path, sha256, mode }) => [path, sha256, mode]));
  return { digest: `sha256:${createHash('sha256').update(manifest).digest('hex')}`, files, data };
}

/**
 * Writes the content into `target` unless it is there already (same digest,
 * same content). Written beside it and renamed into place, so a directory under
 * its digest is always complete; a concurrent push of the same content simply loses the rename.
 * Returns whether this call stored it.
 */
export async function storeContent(content: ImageContent, target: string): Promise<boolean> {
  if (await exists(target)) return false;
  const incoming = join(dirname(target), `.incoming-${randomUUID()}`);
  try {
    for (const file of content.files) {
      const destination = join(incoming, file.path);
      await mkdir(dirname(destination), { recursive: true });
      await writeFile(destination, content.data.get(file.path) as Buffer);
      await chmod(destination, file.mode);
    }
    await mkdir(incoming, { recursive: true });
    try {
      await rename(incoming, target);
      return true;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if ((code === 'ENOTEMPTY' || code === 'EEXIST') && (await exists(target))) return false;
      throw error;
    }
  } finally {
    await rm(incoming, { recursive: true, force: true });
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
