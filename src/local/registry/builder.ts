/**
 * What a push builds, by task runtime: with a container engine, the image of a Dockerfile
 * (default: this repository's); without one, the packed app (default: app/).
 */
import type { TaskRuntime } from '../compute/task-runtime.ts';
import type { LogFn } from '../logs/json-log.ts';
import { ContainerBuilder } from './container-build.ts';
import { PackageBuilder } from './package-build.ts';

export type ImageKind = 'package' | 'container';

export interface BuiltImage {
  kind: ImageKind;
  /** `sha256:<64 hex>`: the content digest of a package, the engine's image ID of a container image. */
  digest: string;
  /** False when this digest was stored before (same content, nothing new). */
  stored: boolean;
  files: number;
  bytes: number;
}

export interface ImageBuilder {
  readonly kind: ImageKind;
  /** The context a push builds when none is given. */
  readonly defaultContext: string;
  build(contextDir: string, tag: string): Promise<BuiltImage>;
}

export function builderFor(
  runtime: TaskRuntime | undefined,
  options: { home: string; repository: string; timeoutMs: number; log?: LogFn; env?: NodeJS.ProcessEnv },
): ImageBuilder {
  if (runtime?.kind === 'container') return new ContainerBuilder({ ...options, engine: runtime.engine });
  return new PackageBuilder({ home: options.home, timeoutMs: options.timeoutMs });
}
