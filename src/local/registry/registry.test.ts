import { readdir, readFile, stat, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { tempHome } from '../data/testing.ts';
import { LocalEventBus, type RuleDelivery } from '../events/event-bus.ts';
import { imageDir } from '../settings.ts';
import { ImageBuildError, ImageNotFoundError, InvalidImageTagError } from './errors.ts';
import { LocalRegistry } from './registry.ts';

const FIXTURE_RULES = fileURLToPath(new URL('../events/fixtures/serverless.yml', import.meta.url));

/** An app in miniature: a build script that bundles src/ into dist/, and `files: ["dist"]`. */
async function writeApp(dir: string, options: { build?: string } = {}): Promise<void> {
  await mkdir(join(dir, 'src'), { recursive: true });
  await writeFile(join(dir, 'src', 'server.js'), "console.log('hello from the app');\n");
  await writeFile(
    join(dir, 'build.mjs'),
    [
      "import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';",
      "mkdirSync('dist', { recursive: true });",
      "writeFileSync('dist/server.js', '// built\\n' + readFileSync('src/server.js', 'utf8'));",
      "writeFileSync('dist/node-major.txt', process.versions.node.split('.')[0]);",
    ].join('\n'),
  );
  const scripts = { build: options.build ?? 'node build.mjs', start: 'node dist/server.js' };
  await writeFile(
    join(dir, 'package.json'),
    JSON.stringify({ name: 'fixture-app', version: '1.0.0', private: true, type: 'module', files: ['dist'], scripts }, null, 2),
  );
}

describe('LocalRegistry', () => {
  let home: Awaited<ReturnType<typeof tempHome>>;
  let work: Awaited<ReturnType<typeof tempHome>>;
  let bus: LocalEventBus;
  let registry: LocalRegistry;
  const deliveries: RuleDelivery[] = [];

  beforeAll(async () => {
    home = await tempHome();
    work = await tempHome();
    await writeApp(join(work.home, 'app'));
    bus = await LocalEventBus.fromServerless({ stage: 'local', region: 'us-east-1', accountId: '000000000000', file: FIXTURE_RULES, log: () => undefined });
    bus.onRule('ImagePushRule', async (delivery) => {
      deliveries.push(delivery);
    });
    registry = new LocalRegistry({ home: home.home, repository: 'humangov-local-app', events: bus });
  });

  afterAll(async () => {
    await bus?.close();
    await home?.remove();
    await work?.remove();
  });

  it('builds the context, stores what npm would pack, and emits the ECR push event that deploys a v tag', async () => {
    const result = await registry.push({ contextDir: join(work.home, 'app'), tag: 'v1.0.0' });
    await bus.idle();

    expect(result).toMatchObject({ repository: 'humangov-local-app', tag: 'v1.0.0', stored: true, triggered: ['ImagePushRule'] });
    expect(result.digest).toMatch(/^sha256:[a-f0-9]{64}$/);
    expect(result.imageUri).toBe(`humangov-local-app@${result.digest}`);
    const dir = imageDir(home.home, result.digest);
    expect((await readdir(dir, { recursive: true })).sort()).toEqual(['dist', 'dist/node-major.txt', 'dist/server.js', 'package.json']);
    expect(await readFile(join(dir, 'dist', 'node-major.txt'), 'utf8')).toBe('24'); // the build ran on this Node, not the system's
    expect((await stat(join(dir, 'package.json'))).mode & 0o777).toBe(0o644);

    expect(deliveries).toHaveLength(1);
    expect(deliveries[0]?.event).toMatchObject({
      version: '0',
      'detail-type': 'ECR Image Action',
      source: 'aws.ecr',
      account: '000000000000',
      region: 'us-east-1',
      resources: [],
      detail: { result: 'SUCCESS', 'repository-name': 'humangov-local-app', 'image-digest': result.digest, 'action-type': 'PUSH', 'image-tag': 'v1.0.0' },
    });
    expect(deliveries[0]?.event.id).toBe(result.eventId);
  });

  it('gives the same content the same digest after a rebuild, and stores it once', async () => {
    const first = await registry.resolve('v1.0.0');
    const again = await registry.push({ contextDir: join(work.home, 'app'), tag: 'v1.0.1' });
    expect(again.digest).toBe(first.digest);
    expect(again.stored).toBe(false);
    expect((await registry.resolve(`humangov-local-app@${again.digest}`)).tags.sort()).toEqual(['v1.0.0', 'v1.0.1']);
  });

  it('stores a tag that does not start with "v" but deploys nothing, and says so', async () => {
    const before = deliveries.length;
    const result = await registry.push({ contextDir: join(work.home, 'app'), tag: 'latest' });
    await bus.idle();
    expect(result.triggered).toEqual([]);
    expect(result.message).toMatch(/triggers no deployment: only tags starting with "v" deploy/);
    expect(deliveries).toHaveLength(before);
    expect((await registry.resolve('humangov-local-app:latest')).digest).toBe(result.digest);
    expect((await registry.list()).map((t) => t.tag).sort()).toEqual(['latest', 'v1.0.0', 'v1.0.1']);
  });

  it('refuses what ECR would refuse or cannot be built, with what to do', async () => {
    await expect(registry.push({ contextDir: join(work.home, 'app'), tag: '-bad' })).rejects.toThrow(InvalidImageTagError);
    await expect(registry.push({ contextDir: join(work.home, 'app'), tag: 'v1:2' })).rejects.toThrow(/not a valid image tag/);
    await expect(registry.push({ contextDir: work.home, tag: 'v1.0.0' })).rejects.toThrow(/has no package\.json.*--context/);

    const broken = join(work.home, 'broken');
    await writeApp(broken, { build: "node -e \"console.log('bundling'); console.error('src/server.ts:3:1: ERROR: Unexpected }'); process.exit(2)\"" });
    const failure = registry.push({ contextDir: broken, tag: 'v9.9.9' });
    await expect(failure).rejects.toThrow(ImageBuildError);
    await expect(failure).rejects.toThrow(/exit code 2[\s\S]*Unexpected \}/);
    await expect(registry.resolve('v9.9.9')).rejects.toThrow(ImageNotFoundError);
  });
});
