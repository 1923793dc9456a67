/**
 * A package image, for the process task runtime: the context's `build` script, then what
 * `npm pack` would publish, stored content-addressed (same content, same digest).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { imageDir } from '../settings.ts';
import type { BuiltImage, ImageBuilder } from './builder.ts';
import { APP_DIR } from './contexts.ts';
import { ImageBuildError } from './errors.ts';
import { packedFiles, readContent, storeContent } from './image-content.ts';
import { lastLines, runNpm } from './npm.ts';

export class PackageBuilder implements ImageBuilder {
  readonly kind = 'package';
  readonly defaultContext = APP_DIR;
  readonly #home: string;
  readonly #timeoutMs: number;

  constructor(options: { home: string; timeoutMs: number }) {
    this.#home = options.home;
    this.#timeoutMs = options.timeoutMs;
  }

  async build(contextDir: string): Promise<BuiltImage> {
    const manifest = await this.#readPackageJson(contextDir);
    if (manifest.scripts?.build) await this.#build(contextDir);
    const content = await readContent(contextDir, await packedFiles(contextDir, this.#timeoutMs));
    const stored = await storeContent(content, imageDir(this.#home, content.digest));
    return { kind: 'package', digest: content.digest, stored, files: content.files.length, bytes: content.files.reduce((sum, f) => sum + f.size, 0) };
  }

  async #readPackageJson(contextDir: string): Promise<{ scripts?: Record<string, string> }> {
    let text: string;
    try {
      text = await readFile(join(contextDir, 'package.json'), 'utf8');
    } catch (error) {
      throw new ImageBuildError(`${contextDir} has no package.json, so it is not an app to push; pass --context with the app's directory (default app/)`, {
        cause: error,
      });
    }
    try {
      return JSON.parse(text) as { scripts?: Record<string, string> };
    } catch (error) {
      throw new ImageBuildError(`${join(contextDir, 'package.json')} is not valid JSON: ${(error as Error).message}`, { cause: error });
    }
  }

  async #build(contextDir: string): Promise<void> {
    const run = await runNpm(['run', 'build'], contextDir, this.#timeoutMs);
    if (run.code === 0) return;
    const why = run.timedOut ? `did not finish within ${this.#timeoutMs / 1000} s` : `failed (exit code ${run.code})`;
    throw new ImageBuildError(`the build script of ${contextDir} ${why}; nothing was pushed. Its last output:\n${lastLines(run.output)}`);
  }
}
