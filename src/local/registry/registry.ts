import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { PutEventsEntry, PutEventsResult } from '../events/event-bus.ts';
import { JsonStore } from '../json-store.ts';
import { imageDir, localPaths } from '../settings.ts';
import { ImageBuildError, ImageNotFoundError, InvalidImageTagError } from './errors.ts';
import { packedFiles, readContent, storeContent } from './image-content.ts';
import { lastLines, runNpm } from './npm.ts';

/** ECR takes OCI tags: up to 128 letters, digits, "_", "." and "-", not starting with "." or "-". */
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;

interface RegistryDoc {
  tags: Record<string, { digest: string; pushedAt: string }>;
  images: Record<string, { pushedAt: string; files: number; bytes: number }>;
}

export interface PushResult {
  repository: string;
  tag: string;
  digest: string;
  /** What a task definition pins: `<repository>@<digest>`. */
  imageUri: string;
  /** False when the same content was already stored (same digest, nothing copied). */
  stored: boolean;
  /** The push event's id, and the rules it matched: empty means nothing deploys this push. */
  eventId: string | undefined;
  triggered: string[];
  /** One sentence for the person who pushed. */
  message: string;
}

export interface ResolvedImage {
  digest: string;
  /** The directory holding the image's files (run `npm start` there). */
  dir: string;
  tags: string[];
}

export interface LocalRegistryOptions {
  home: string;
  /** The repository's name (LocalSettings.imageRepository). */
  repository: string;
  /** Where push events go: the LocalEventBus. */
  events: { putEvents(entries: readonly PutEventsEntry[]): Promise<PutEventsResult> };
  /** Bound on the build script and on npm's file listing (default 10 minutes). */
  buildTimeoutMs?: number;
}

/**
 * The local ECR: one repository of content-addressed images under
 * `<home>/images/sha256-<hex>`, tags in `<home>/state/registry.json`. A push
 * builds the context (its `build` script), stores what `npm pack` would publish,
 * moves the tag, and puts the ECR push event on the bus exactly as ECR does, so
 * serverless.yml's rule decides what deploys (tags starting with "v").
 */
export class LocalRegistry {
  readonly #home: string;
  readonly #repository: string;
  readonly #events: LocalRegistryOptions['events'];
  readonly #timeoutMs: number;
  readonly #store: JsonStore<RegistryDoc>;

  constructor(options: LocalRegistryOptions) {
    this.#home = options.home;
    this.#repository = options.repository;
    this.#events = options.events;
    this.#timeoutMs = options.buildTimeoutMs ?? 600_000;
    this.#store = new JsonStore(join(localPaths(options.home).state, 'registry.json'), () => ({ tags: {}, images: {} }));
  }

  async push(request: { contextDir: string; tag: string }): Promise<PushResult> {
    const { tag } = request;
    if (!TAG.test(tag))
      throw new InvalidImageTagError(
        `"${tag}" is not a valid image tag: use up to 128 letters, digits, "_", "." and "-", not starting with "." or "-" (release tags start with "v", e.g. v1.2.0)`,
      );
    const contextDir = resolve(request.contextDir);
    const manifest = await this.#readPackageJson(contextDir);
    if (manifest.scripts?.build) await this.#build(contextDir);

    const content = await readContent(contextDir, await packedFiles(contextDir, this.#timeoutMs));
    const stored = await storeContent(content, imageDir(this.#home, content.digest));
    const pushedAt = new Date().toISOString();
    await this.#store.update((doc) => {
      doc.images[content.digest] ??= { pushedAt, files: content.files.length, bytes: content.files.reduce((sum, f) => sum + f.size, 0) };
      doc.tags[tag] = { digest: content.digest, pushedAt };
    });

    const detail = { result: 'SUCCESS', 'repository-name': this.#repository, 'image-digest': content.digest, 'action-type': 'PUSH', 'image-tag': tag };
    const answer = await this.#events.putEvents([{ Source: 'aws.ecr', DetailType: 'ECR Image Action', Detail: JSON.stringify(detail), Resources: [] }]);
    const entry = answer.Entries[0];
    const triggered = entry?.matchedRules ?? [];
    const name = `${this.#repository}:${tag}`;
    const message =
      triggered.length > 0
        ? `pushed ${name} (${content.digest}); ${triggered.join(', ')} rolls it out`
        : `stored ${name} (${content.digest}); it triggers no deployment: only tags starting with "v" deploy`;
    return {
      repository: this.#repository,
      tag,
      digest: content.digest,
      imageUri: `${this.#repository}@${content.digest}`,
      stored,
      eventId: entry?.EventId,
      triggered,
      message,
    };
  }

  /**
   * The stored image for a tag or digest, also written as `<repository>:<tag>`
   * or `<repository>@<digest>` (the form task definitions pin).
   */
  async resolve(reference: string): Promise<ResolvedImage> {
    const doc = await this.#store.read();
    let ref = reference;
    for (const separator of ['@', ':']) {
      const prefix = `${this.#repository}${separator}`;
      if (ref.startsWith(prefix)) ref = ref.slice(prefix.length);
    }
    const digest = DIGEST.test(ref) ? ref : doc.tags[ref]?.digest;
    if (!digest || !doc.images[digest]) {
      throw new ImageNotFoundError(`no image "${reference}" in the local registry ${this.#repository}; push one with "humangov push --tag v1.0.0"`);
    }
    const tags = Object.entries(doc.tags)
      .filter(([, t]) => t.digest === digest)
      .map(([t]) => t);
    return { digest, dir: imageDir(this.#home, digest), tags };
  }

  /** Every tag, newest push first. */
  async list(): Promise<{ tag: string; digest: string; pushedAt: string }[]> {
    const doc = await this.#store.read();
    return Object.entries(doc.tags)
      .map(([tag, t]) => ({ tag, ...t }))
      .sort((a, b) => b.pushedAt.localeCompare(a.pushedAt));
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
