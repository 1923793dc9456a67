/**
 * Pushes that must not release anything: a Dockerfile that does not build, a HEALTHCHECK ECS
 * would refuse. Each says what went wrong and what to do, moves no tag and emits no event.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { engineRun } from '../../src/local/compute/container-engine.ts';
import { LocalEventBus, type RuleDelivery } from '../../src/local/events/event-bus.ts';
import { ImageBuildError, ImageNotFoundError } from '../../src/local/registry/errors.ts';
import { LocalRegistry } from '../../src/local/registry/registry.ts';
import { buildContext, containerRuntime } from './support.ts';

const RULES = fileURLToPath(new URL('../../src/local/events/fixtures/serverless.yml', import.meta.url));

let runtime: Awaited<ReturnType<typeof containerRuntime>>;
let home: string;
let bus: LocalEventBus;
let registry: LocalRegistry;
const deliveries: RuleDelivery[] = [];

beforeAll(async () => {
  runtime = await containerRuntime();
  home = await mkdtemp(join(tmpdir(), 'humangov-image-bad-'));
  bus = await LocalEventBus.fromServerless({ stage: 'local', region: 'us-east-1', accountId: '000000000000', file: RULES, log: () => undefined });
  bus.onRule('ImagePushRule', async (delivery) => {
    deliveries.push(delivery);
  });
  registry = new LocalRegistry({ home, repository: 'humangov-local-app', events: bus, runtime });
});

afterAll(async () => {
  await bus?.close();
  if (home) await rm(home, { recursive: true, force: true });
});

async function expectNothingReleased(tag: string): Promise<void> {
  await bus.idle();
  expect(deliveries).toEqual([]);
  await expect(registry.resolve(tag)).rejects.toThrow(ImageNotFoundError);
  const tagged = await engineRun(runtime.engine, ['image', 'inspect', `humangov-local-app:${tag}`]);
  expect(tagged.code).not.toBe(0);
}

describe('a container push that cannot become a release', () => {
  it("fails on a Dockerfile that does not build, with the build's own error and the next step", async () => {
    const context = await buildContext('syntax', {
      file: 'app/src/server.ts',
      from: 'async function main(): Promise<void> {',
      to: 'async function main(): Promise<void> {{',
    });
    try {
      const push = registry.push({ contextDir: context.dir, tag: 'v9.9.9' });
      await expect(push).rejects.toThrow(ImageBuildError);
      await expect(push).rejects.toThrow(
        /build of .*Dockerfile failed \(exit code \d+\); nothing was pushed\. Fix the Dockerfile or what it copies and push again/,
      );
      await expect(push).rejects.toThrow(/STEP \d+\/\d+: RUN npm run build -w app[\s\S]*src\/server\.ts:\d+:\d+: ERROR: Unexpected end of file/);
    } finally {
      await context.remove();
    }
    await expectNothingReleased('v9.9.9');
  }, 300_000);

  it('refuses an image whose HEALTHCHECK ECS would refuse in a container definition', async () => {
    const context = await buildContext('interval', { file: 'Dockerfile', from: 'HEALTHCHECK --interval=15s', to: 'HEALTHCHECK --interval=2s' });
    try {
      await expect(registry.push({ contextDir: context.dir, tag: 'v9.9.8' })).rejects.toThrow(
        /HEALTHCHECK of .*Dockerfile is not one ECS accepts \(--interval 2 s is outside ECS's 5-300 s\); nothing was pushed/,
      );
    } finally {
      await context.remove();
    }
    await expectNothingReleased('v9.9.8');
  }, 300_000);
});
