/**
 * The container push path with a stand-in engine (a shell script answering as podman does), so
 * `npm test` covers what a push records and refuses on a machine with no engine at all; the real
 * engine is `npm run test:image`'s.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { ContainerEngine } from '../compute/container-engine.ts';
import { readContainerImage } from '../compute/container-image.ts';
import { LocalEventBus, type RuleDelivery } from '../events/event-bus.ts';
import { ImageBuildError, ImageNotFoundError } from './errors.ts';
import { LocalRegistry } from './registry.ts';

const RULES = fileURLToPath(new URL('../events/fixtures/serverless.yml', import.meta.url));
const ID = 'b'.repeat(64);
const HEALTHCHECK = { Test: ['CMD', 'node', '-e', 'x'], Interval: 15e9, Timeout: 5e9, StartPeriod: 10e9, Retries: 3 };

/** Answers `image inspect`, `build` (reading its context's BUILD file for what to do) and `tag`, logging each call. */
const FAKE_PODMAN = `#!/bin/sh
echo "$*" >> "$(dirname "$0")/calls.log"
case "$1" in
  image)
    if [ "$3" = "--format" ]; then echo "<no value>"; exit 0; fi
    cat "$(dirname "$0")/inspect.json"; exit 0;;
  build)
    iid=""; context=""
    while [ $# -gt 0 ]; do
      if [ "$1" = "--iidfile" ]; then iid="$2"; shift; fi
      context="$1"; shift
    done
    if [ "$(cat "$context/BUILD")" = fail ]; then
      echo "[1/2] STEP 6/7: RUN npm ci --workspace app"; echo "added 120 packages"
      echo "[1/2] STEP 7/7: RUN npm run build -w app"
      echo "    at failureErrorWithLog (/build/node_modules/esbuild/lib/main.js:1752:15)"
      echo "src/server.ts:3:1: ERROR: Unexpected }" >&2
      echo 'Error: building at STEP "RUN npm run build -w app": while running runtime: exit status 1' >&2
      exit 1
    fi
    echo "sha256:${ID}" > "$iid"; exit 0;;
  tag) exit 0;;
esac
exit 125
`;

let dir: string;
let home: string;
let bus: LocalEventBus;
let registry: LocalRegistry;
const deliveries: RuleDelivery[] = [];

async function context(name: string, build: 'ok' | 'fail', options: { dockerfile?: boolean } = {}): Promise<string> {
  const contextDir = join(dir, name);
  await mkdir(contextDir, { recursive: true });
  if (options.dockerfile !== false) await writeFile(join(contextDir, 'Dockerfile'), 'FROM node:24.21.0-bookworm-slim\nCMD ["node"]\n');
  await writeFile(join(contextDir, 'BUILD'), build);
  return contextDir;
}

async function inspectAnswers(healthcheck: typeof HEALTHCHECK): Promise<void> {
  await writeFile(
    join(dir, 'bin', 'inspect.json'),
    JSON.stringify([{ Id: ID, Size: 227_000_000, Config: { User: 'node', ExposedPorts: { '8080/tcp': {} } }, Healthcheck: healthcheck }]),
  );
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'humangov-container-build-'));
  home = join(dir, 'home');
  await mkdir(join(dir, 'bin'));
  await writeFile(join(dir, 'bin', 'podman'), FAKE_PODMAN, { mode: 0o755 });
  const engine: ContainerEngine = {
    name: 'podman',
    command: join(dir, 'bin', 'podman'),
    version: '4.3.1',
    rootless: false,
    globalArgs: [],
    runArgs: [],
    network: { mode: 'host', args: ['--network', 'host'] },
    notes: [],
  };
  bus = await LocalEventBus.fromServerless({ stage: 'local', region: 'us-east-1', accountId: '000000000000', file: RULES, log: () => undefined });
  bus.onRule('ImagePushRule', async (delivery) => {
    deliveries.push(delivery);
  });
  registry = new LocalRegistry({ home, repository: 'humangov-local-app', events: bus, runtime: { kind: 'container', engine, why: 'test' } });
});

beforeEach(async () => {
  deliveries.length = 0;
  await inspectAnswers(HEALTHCHECK);
});

afterAll(async () => {
  await bus?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('a push with a container engine', () => {
  it("builds the Dockerfile and releases the image under the engine's ID, which is what tasks will run", async () => {
    const pushed = await registry.push({ contextDir: await context('app', 'ok'), tag: 'v1.0.0' });
    await bus.idle();

    expect(pushed).toMatchObject({
      kind: 'container',
      digest: `sha256:${ID}`,
      imageUri: `humangov-local-app@sha256:${ID}`,
      stored: true,
      triggered: ['ImagePushRule'],
    });
    expect(deliveries.map((d) => d.event.detail)).toEqual([expect.objectContaining({ 'image-digest': `sha256:${ID}`, 'image-tag': 'v1.0.0' })]);
    expect(await readContainerImage(home, pushed.digest)).toMatchObject({
      kind: 'container',
      id: `sha256:${ID}`,
      user: 'node',
      healthCheck: { intervalSeconds: 15, timeoutSeconds: 5, retries: 3, startPeriodSeconds: 10 },
    });
    expect((await registry.resolve('v1.0.0')).kind).toBe('container');
    const calls = await readFile(join(dir, 'bin', 'calls.log'), 'utf8');
    // The Docker format keeps the HEALTHCHECK; the base is never pulled by the build; the tag follows the build.
    expect(calls).toMatch(
      /^build --file \S+\/app\/Dockerfile --iidfile \S+ --format docker --pull=never --network host --volume \S+:\/usr\/local\/etc\/npmrc:ro/m,
    );
    expect(calls).toContain(`tag sha256:${ID} humangov-local-app:v1.0.0`);
  });

  it('stores the same image once: a second push of it copies nothing', async () => {
    const again = await registry.push({ contextDir: await context('app', 'ok'), tag: 'v1.0.1' });
    expect(again).toMatchObject({ digest: `sha256:${ID}`, stored: false });
  });

  it('says what to do with a context that has no Dockerfile, and releases nothing', async () => {
    const push = registry.push({ contextDir: await context('package-only', 'ok', { dockerfile: false }), tag: 'v2.0.0' });
    await expect(push).rejects.toThrow(ImageBuildError);
    await expect(push).rejects.toThrow(
      /package-only has no Dockerfile: with a container engine \(podman\), push builds a Dockerfile; pass --context a directory that has one \(default: this repository\), or set HUMANGOV_TASK_RUNTIME=process to push a package directory/,
    );
    await expect(registry.resolve('v2.0.0')).rejects.toThrow(ImageNotFoundError);
  });

  it('on a failed build shows the failing step and its error, without stack frames, and releases nothing', async () => {
    const push = registry.push({ contextDir: await context('broken', 'fail'), tag: 'v3.0.0' });
    await expect(push).rejects.toThrow(
      /podman build of \S+\/broken\/Dockerfile failed \(exit code 1\); nothing was pushed\. Fix the Dockerfile or what it copies and push again\. Its last output:\n\[1\/2\] STEP 7\/7: RUN npm run build -w app\nsrc\/server\.ts:3:1: ERROR: Unexpected \}\nError: building at STEP/,
    );
    await expect(push).rejects.not.toThrow(/at failureErrorWithLog|added 120 packages/);
    await bus.idle();
    expect(deliveries).toEqual([]);
    await expect(registry.resolve('v3.0.0')).rejects.toThrow(ImageNotFoundError);
  });

  it('refuses an image whose HEALTHCHECK ECS would not take, before tagging or releasing it', async () => {
    await inspectAnswers({ ...HEALTHCHECK, Retries: 20 });
    await expect(registry.push({ contextDir: await context('retries', 'ok'), tag: 'v4.0.0' })).rejects.toThrow(
      /HEALTHCHECK of \S+\/retries\/Dockerfile is not one ECS accepts \(--retries 20 is outside ECS's 1-10\); nothing was pushed/,
    );
    expect(await readFile(join(dir, 'bin', 'calls.log'), 'utf8')).not.toContain('humangov-local-app:v4.0.0');
    await expect(registry.resolve('v4.0.0')).rejects.toThrow(ImageNotFoundError);
  });
});
