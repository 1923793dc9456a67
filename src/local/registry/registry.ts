import { join, resolve } from 'node:path';
import type { TaskRuntime } from '../compute/task-runtime.ts';
import type { PutEventsEntry, PutEventsResult } from '../events/event-bus.ts';
import { JsonStore } from '../json-store.ts';
import type { LogFn } from '../logs/json-log.ts';
import { imageDir, localPaths } from '../settings.ts';
import { builderFor, type ImageBuilder, type ImageKind } from './builder.ts';
import { ImageNotFoundError, InvalidImageTagError } from './errors.ts';

/** ECR takes OCI tags: up to 128 letters, digits, "_", "." and "-", not starting with "." or "-". */
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;

interface RegistryDoc {
  tags: Record<string, { digest: string; pushedAt: string }>;
  /** `kind` is absent on records written before container images existed: those are packages. */
  images: Record<string, { pushedAt: string; files: number; bytes: number; kind?: ImageKind }>;
}

export interface PushResult {
  repository: string;
  tag: string;
  /** What was built: a container image (tasks run as containers) or a package (tasks run as processes). */
  kind: ImageKind;
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
  kind: ImageKind;
  /** The directory holding the image's files (a package's, run with `npm start` there; a container image's image.json). */
  dir: string;
  tags: string[];
}

export interface LocalRegistryOptions {
  home: string;
  /** The repository's name (LocalSettings.imageRepository). */
  repository: string;
  /** Where push events go: the LocalEventBus. */
  events: { putEvents(entries: readonly PutEventsEntry[]): Promise<PutEventsResult> };
  /** Bound on a build (default 10 minutes). */
  buildTimeoutMs?: number;
  /** What a push builds: a container image with a container runtime, else a package (the default). */
  runtime?: TaskRuntime;
  /** Progress of long steps (a base image being made), as structured lines. */
  log?: LogFn;
}

/**
 * The local ECR: one repository of images under `<home>/images/sha256-<hex>`, tags
 * in `<home>/state/registry.json`. A push builds the context (with a container
 * engine: its Dockerfile, recording the engine's image ID; without: its `build`
 * script and what `npm pack` would publish), moves the tag only once the build
 * has succeeded, and puts the ECR push event on the bus exactly as ECR does, so
 * serverless.yml's rule decides what deploys (tags starting with "v").
 */
export class LocalRegistry {
  readonly #home: string;
  readonly #repository: string;
  readonly #events: LocalRegistryOptions['events'];
  readonly #store: JsonStore<RegistryDoc>;
  readonly #builder: ImageBuilder;

  constructor(options: LocalRegistryOptions) {
    this.#home = options.home;
    this.#repository = options.repository;
    this.#events = options.events;
    this.#builder = builderFor(options.runtime, {
      home: options.home,
      repository: options.repository,
      timeoutMs: options.buildTimeoutMs ?? 600_000,
      log: options.log,
    });
    this.#store = new JsonStore(join(localPaths(options.home).state, 'registry.json'), () => ({ tags: {}, images: {} }));
  }

  /** What a push builds here, and from where when no context is given. */
  get builds(): { kind: ImageKind; defaultContext: string } {
    return { kind: this.#builder.kind, defaultContext: this.#builder.defaultContext };
  }

  async push(request: { contextDir?: string; tag: string }): Promise<PushResult> {
    const { tag } = request;
    if (!TAG.test(tag))
      throw new InvalidImageTagError(
        `"${tag}" is not a valid image tag: use up to 128 letters, digits, "_", "." and "-", not starting with "." or "-" (release tags start with "v", e.g. v1.2.0)`,
      );
    const contextDir = resolve(request.contextDir ?? this.#builder.defaultContext);
    const built = await this.#builder.build(contextDir, tag);
    const { digest, stored } = built;
    const pushedAt = new Date().toISOString();
    await this.#store.update((doc) => {
      doc.images[digest] ??= { pushedAt, files: built.files, bytes: built.bytes, kind: built.kind };
      doc.tags[tag] = { digest, pushedAt };
    });

    const detail = { result: 'SUCCESS', 'repository-name': this.#repository, 'image-digest': digest, 'action-type': 'PUSH', 'image-tag': tag };
    const answer = await this.#events.putEvents([{ Source: 'aws.ecr', DetailType: 'ECR Image Action', Detail: JSON.stringify(detail), Resources: [] }]);
    const entry = answer.Entries[0];
    const triggered = entry?.matchedRules ?? [];
    const name = `${this.#repository}:${tag}`;
    const message =
      triggered.length > 0
        ? `pushed ${name} (${digest}); ${triggered.join(', ')} rolls it out`
        : `stored ${name} (${digest}); it triggers no deployment: only tags starting with "v" deploy`;
    return {
      repository: this.#repository,
      tag,
      kind: built.kind,
      digest,
      imageUri: `${this.#repository}@${digest}`,
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
    return { digest, kind: doc.images[digest]?.kind ?? 'package', dir: imageDir(this.#home, digest), tags };
  }

  /** Every tag, newest push first. */
  async list(): Promise<{ tag: string; digest: string; pushedAt: string }[]> {
    const doc = await this.#store.read();
    return Object.entries(doc.tags)
      .map(([tag, t]) => ({ tag, ...t }))
      .sort((a, b) => b.pushedAt.localeCompare(a.pushedAt));
  }
}
