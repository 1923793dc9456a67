/**
 * A container image, for the container task runtime: the context's Dockerfile built by the
 * engine, exactly as `docker build .` would build it for ECR, its base pulled or stood in for
 * first. The digest recorded is the image ID the engine reports, and that ID is what tasks run.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { engineRun, lastLine, runTool, type ContainerEngine } from '../compute/container-engine.ts';
import { ecsHealthCheckProblems, imageRecordFromInspect, writeContainerImage, type EngineImageInspect } from '../compute/container-image.ts';
import { RUNTIME_VARIABLE } from '../compute/task-runtime.ts';
import type { LogFn } from '../logs/json-log.ts';
import { baseImagesOf, ensureBaseImage } from './base-image.ts';
import type { BuiltImage, ImageBuilder } from './builder.ts';
import { REPO_ROOT } from './contexts.ts';
import { ImageBuildError } from './errors.ts';

/** Where the build sees the host's CA bundle (mounted for the build only, never in a layer). */
const BUILD_CA_PATH = '/run/humangov-build/ca.crt';

export class ContainerBuilder implements ImageBuilder {
  readonly kind = 'container';
  readonly defaultContext = REPO_ROOT;
  readonly #engine: ContainerEngine;
  readonly #home: string;
  readonly #repository: string;
  readonly #timeoutMs: number;
  readonly #log: LogFn;
  readonly #env: NodeJS.ProcessEnv;

  constructor(options: { engine: ContainerEngine; home: string; repository: string; timeoutMs: number; log?: LogFn; env?: NodeJS.ProcessEnv }) {
    this.#engine = options.engine;
    this.#home = options.home;
    this.#repository = options.repository;
    this.#timeoutMs = options.timeoutMs;
    this.#log = options.log ?? (() => undefined);
    this.#env = options.env ?? process.env;
  }

  async build(contextDir: string, tag: string): Promise<BuiltImage> {
    const engine = this.#engine;
    const dockerfile = join(contextDir, 'Dockerfile');
    if (!existsSync(dockerfile)) {
      throw new ImageBuildError(
        `${contextDir} has no Dockerfile: with a container engine (${engine.name}), push builds a Dockerfile; ` +
          `pass --context a directory that has one (default: this repository), or set ${RUNTIME_VARIABLE}=process to push a package directory`,
      );
    }
    for (const base of baseImagesOf(await readFile(dockerfile, 'utf8'))) {
      const { source } = await ensureBaseImage({ engine, name: base, env: this.#env, log: (line) => this.#log({ level: 'INFO', message: line, image: base }) });
      if (source !== 'present' && source !== 'stand-in (cached)') this.#log({ level: 'INFO', message: `base image ${base}: ${source}` });
    }

    const work = await mkdtemp(join(tmpdir(), 'humangov-build-'));
    try {
      const iidfile = join(work, 'iid');
      const args = ['build', '--file', dockerfile, '--iidfile', iidfile, ...(await this.#engineBuildArgs(work)), contextDir];
      const run = await engineRun(engine, args, { timeoutMs: this.#timeoutMs, env: this.#env });
      if (run.code !== 0) {
        const output = buildFailure(run.output);
        const why = run.timedOut ? `did not finish within ${this.#timeoutMs / 1000} s` : `failed (exit code ${run.code})`;
        throw new ImageBuildError(
          `${engine.name} build of ${dockerfile} ${why}; nothing was pushed. Fix the Dockerfile or what it copies and push again. Its last output:\n${output}`,
        );
      }
      const id = (await readFile(iidfile, 'utf8')).trim();
      const inspected = await engineRun(engine, ['image', 'inspect', id], { timeoutMs: 30_000 });
      const [inspect] = JSON.parse(inspected.stdout || '[]') as EngineImageInspect[];
      if (inspected.code !== 0 || !inspect) throw new ImageBuildError(`${engine.name} built ${id} but cannot inspect it: ${lastLine(inspected.stderr)}`);
      const record = imageRecordFromInspect(inspect, { engine: engine.name, dockerfile });
      const problems = record.healthCheck ? ecsHealthCheckProblems(record.healthCheck) : [];
      if (problems.length > 0) {
        throw new ImageBuildError(
          `the HEALTHCHECK of ${dockerfile} is not one ECS accepts (${problems.join('; ')}); nothing was pushed. Change it and push again`,
        );
      }
      const tagged = await engineRun(engine, ['tag', record.id, `${this.#repository}:${tag}`], { timeoutMs: 30_000 });
      if (tagged.code !== 0) throw new ImageBuildError(`${engine.name} tag ${record.id} ${this.#repository}:${tag} failed: ${lastLine(tagged.stderr)}`);
      const stored = await writeContainerImage(this.#home, record);
      return { kind: 'container', digest: record.id, stored, files: 0, bytes: record.sizeBytes };
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }

  /**
   * Engine-specific flags. podman: the Docker image format (the OCI format has no HEALTHCHECK),
   * no pulls (the base was made sure of above), the host's network and the host's npm
   * registry and CA bundle for the build's `npm ci`, this machine's ulimits for RUN steps.
   * docker builds with its defaults.
   */
  async #engineBuildArgs(work: string): Promise<string[]> {
    if (this.#engine.name !== 'podman') return [];
    const config = await runTool('npm', ['config', 'get', 'registry', 'cafile'], { timeoutMs: 30_000, env: this.#env });
    const value = (key: string) => new RegExp(`^${key}=(.*)$`, 'm').exec(config.stdout)?.[1]?.trim();
    const registry = value('registry');
    const cafile = [value('cafile'), this.#env.NODE_EXTRA_CA_CERTS].find((file) => file && file !== 'null' && existsSync(file));
    const npmrc = join(work, 'npmrc');
    await writeFile(npmrc, [registry ? `registry=${registry}` : '', cafile ? `cafile=${BUILD_CA_PATH}` : ''].filter(Boolean).join('\n') + '\n');
    return [
      '--format',
      'docker',
      '--pull=never',
      '--network',
      'host',
      // npm's global configuration in the node image (prefix /usr/local), whoever the build runs as.
      '--volume',
      `${npmrc}:/usr/local/etc/npmrc:ro`,
      ...(cafile ? ['--volume', `${cafile}:${BUILD_CA_PATH}:ro`] : []),
      ...this.#engine.runArgs,
    ];
  }
}

/**
 * What a person needs of a failed build's output: from the step that failed (podman's
 * "STEP n/m", BuildKit's "#n [stage n/m]"), without stack frames, at most 30 lines.
 */
export function buildFailure(output: string): string {
  const lines = output.split('\n').filter((line) => line.trim() && !/^\s+at\s/.test(line));
  const stepIndex = lines.findLastIndex((line) => /^(\[\d+\/\d+\] )?STEP \d+\/\d+:|^#\d+ \[/.test(line));
  return lines.slice(Math.max(stepIndex, 0)).slice(-30).join('\n');
}
