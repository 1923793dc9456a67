/**
 * No Docker engine runs here, so the image is checked in two halves: the Dockerfile's
 * properties by parsing it, and its runtime stage by doing what it does (copy package.json
 * and dist/ of a fresh build, run its CMD) and checking health and SIGTERM handling.
 */
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startLocalAws } from '../app/test/support/local-aws.ts';
import type { LocalAws } from '../app/test/support/local-aws.ts';
import { exitWithin, startServerProcess } from '../app/test/support/server-process.ts';
import type { ServerProcess } from '../app/test/support/server-process.ts';
import { createTenantStorage, TEST_CSRF_SECRET } from '../app/test/support/test-app.ts';

const run = promisify(execFile);
const root = fileURLToPath(new URL('..', import.meta.url));

interface Instruction {
  readonly keyword: string;
  readonly args: string;
}

/** Dockerfile instructions with comments dropped and line continuations joined. */
function parseDockerfile(text: string): Instruction[] {
  const logical: string[] = [];
  let current = '';
  for (const line of text.split('\n')) {
    if (/^\s*#/.test(line) && current === '') continue;
    if (line.trimEnd().endsWith('\\')) {
      current += `${line.trimEnd().slice(0, -1)} `;
      continue;
    }
    current += line;
    if (current.trim()) logical.push(current.trim());
    current = '';
  }
  return logical.map((line) => {
    const [keyword = '', ...rest] = line.split(/\s+/);
    return { keyword: keyword.toUpperCase(), args: rest.join(' ') };
  });
}

/** The stages, each a list of its instructions after FROM. */
function stagesOf(instructions: Instruction[]): { from: string; name: string | undefined; body: Instruction[] }[] {
  const stages: { from: string; name: string | undefined; body: Instruction[] }[] = [];
  for (const instruction of instructions) {
    if (instruction.keyword === 'FROM') {
      const [image = '', as, name] = instruction.args.split(/\s+/);
      stages.push({ from: image, name: as?.toUpperCase() === 'AS' ? name : undefined, body: [] });
    } else {
      stages.at(-1)?.body.push(instruction);
    }
  }
  return stages;
}

/** Docker's .dockerignore rule: the last pattern matching the path or one of its parents decides. */
function isIgnored(patterns: string[], path: string): boolean {
  const prefixes = path.split('/').map((_part, index, parts) => parts.slice(0, index + 1).join('/'));
  let ignored = false;
  for (const raw of patterns) {
    const negated = raw.startsWith('!');
    const pattern = (negated ? raw.slice(1) : raw).replace(/\/+$/, '');
    const regex = new RegExp(
      `^${pattern
        .split('**/')
        .map((piece) =>
          piece
            .replace(/[.+^${}()|[\]\\]/g, '\\$&')
            .replace(/\*/g, '[^/]*')
            .replace(/\?/g, '[^/]'),
        )
        .join('(?:.*/)?')}$`,
    );
    if (prefixes.some((prefix) => regex.test(prefix))) ignored = !negated;
  }
  return ignored;
}

const stages = stagesOf(parseDockerfile(await readFile(join(root, 'Dockerfile'), 'utf8')));
const builder = stages[0];
const runtime = stages.at(-1);
const runtimeArgs = (keyword: string) => runtime?.body.filter((instruction) => instruction.keyword === keyword).map((instruction) => instruction.args) ?? [];

describe('Dockerfile', () => {
  it('is multi-stage on node 24 bookworm-slim pinned to an exact version', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const stage of stages) expect(stage.from).toMatch(/^node:24\.\d+\.\d+-bookworm-slim(@sha256:[0-9a-f]{64})?$/);
  });

  it('installs only the app workspace from the lockfile and builds it in the builder stage', () => {
    const commands = builder?.body.filter((instruction) => instruction.keyword === 'RUN').map((instruction) => instruction.args) ?? [];
    expect(commands.some((command) => /npm ci\b.*--workspace[= ]app\b.*--include-workspace-root=false/.test(command))).toBe(true);
    expect(commands.some((command) => /npm run build -w app|npm run build --workspace[= ]app/.test(command))).toBe(true);
    const copies = builder?.body.filter((instruction) => instruction.keyword === 'COPY').map((instruction) => instruction.args) ?? [];
    expect(copies[0]).toMatch(/package\.json package-lock\.json/);
    expect(copies[1]).toMatch(/^app\/package\.json /);
  });

  it('copies only app/package.json and app/dist into the runtime stage', () => {
    const copies = runtimeArgs('COPY');
    expect(copies).toHaveLength(2);
    expect(copies.every((args) => args.startsWith(`--from=${builder?.name}`))).toBe(true);
    expect(copies.map((args) => args.split(/\s+/)[1])).toEqual(['/build/app/package.json', '/build/app/dist']);
  });

  it('runs as the non-root node user in production mode, exposing 8080', () => {
    expect(runtimeArgs('USER')).toEqual(['node']);
    expect(runtimeArgs('ENV')).toContain('NODE_ENV=production');
    expect(runtimeArgs('EXPOSE')).toEqual(['8080']);
  });

  it("has a HEALTHCHECK that calls /health with node's fetch, and stops with SIGTERM", () => {
    const [healthcheck = ''] = runtimeArgs('HEALTHCHECK');
    expect(healthcheck).toMatch(/CMD \["node", "-e", ".*fetch\(.*\/health/);
    expect(healthcheck).not.toMatch(/curl|wget/);
    expect(runtimeArgs('STOPSIGNAL')).toEqual(['SIGTERM']);
  });

  it('starts node directly with an exec-form CMD, so node is PID 1 and gets the signal', () => {
    const [cmd = ''] = runtimeArgs('CMD');
    expect(JSON.parse(cmd)).toEqual(['node', 'dist/server.js']);
    expect(runtimeArgs('ENTRYPOINT')).toEqual([]);
  });
});

const ignorePatterns = (await readFile(join(root, '.dockerignore'), 'utf8'))
  .split('\n')
  .map((line) => line.trim())
  .filter((line) => line && !line.startsWith('#'));

describe('.dockerignore', () => {
  it.each([
    'node_modules/x/index.js',
    'app/node_modules/x/index.js',
    '.git/HEAD',
    '.humangov/state.json',
    '.serverless/x.zip',
    'app/dist/server.js',
    'test/a.test.ts',
    'app/test/a.test.ts',
    'src/index.ts',
    '.env',
  ])('keeps %s out of the build context', (path) => expect(isIgnored(ignorePatterns, path)).toBe(true));

  it.each([
    'package.json',
    'package-lock.json',
    'app/package.json',
    'app/build.ts',
    'app/build-assets.ts',
    'app/src/server.ts',
    'app/src/styles/humangov.scss',
  ])('sends %s to the build', (path) => {
    expect(isIgnored(ignorePatterns, path)).toBe(false);
  });
});

describe('the runtime stage, done without Docker', () => {
  let aws: LocalAws;
  let workdir: string;
  let server: ServerProcess | undefined;

  beforeAll(async () => {
    aws = await startLocalAws();
    // What the builder stage does (the install is the checkout's own), then what the runtime stage keeps.
    await run('npm', ['run', 'build', '-w', 'app'], { cwd: root, env: process.env });
    workdir = await mkdtemp(join(tmpdir(), 'humangov-image-'));
    await cp(join(root, 'app', 'package.json'), join(workdir, 'package.json'));
    await cp(join(root, 'app', 'dist'), join(workdir, 'dist'), { recursive: true });
  }, 120_000);

  afterAll(async () => {
    server?.kill();
    await aws?.stop();
    if (workdir) await rm(workdir, { recursive: true, force: true });
  });

  it('holds only package.json, dist/server.js and the assets the pages load (no node_modules)', async () => {
    expect((await readdir(workdir)).sort()).toEqual(['dist', 'package.json']);
    expect((await readdir(join(workdir, 'dist'))).sort()).toEqual(['assets', 'server.js']);
    const assets = await readdir(join(workdir, 'dist', 'assets'), { recursive: true });
    expect(assets.some((path) => path.includes('node_modules'))).toBe(false);
    expect(assets).toEqual(
      expect.arrayContaining(['manifest.json', expect.stringMatching(/^humangov\.[0-9a-f]{12}\.css$/), 'fonts/public-sans/PublicSans-Regular.woff2']),
    );
  });

  it('serves /health from the CMD, passes the HEALTHCHECK, and exits 0 within 10 s of SIGTERM', async () => {
    const tenant = await createTenantStorage(aws);
    const env = {
      ...aws.env,
      NODE_ENV: 'production',
      US_STATE: 'California',
      AWS_DYNAMODB_TABLE: tenant.tableName,
      AWS_BUCKET: tenant.bucketName,
      TENANT_ID: 'ca',
      APP_IMAGE: 'humangov@sha256:0123abcd',
      CSRF_SECRET: TEST_CSRF_SECRET,
      PORT: '0',
      // The image checked on its own, with no load balancer in front to sign anyone in.
      SIGN_IN: 'off',
    };
    // The CMD as written, with `node` being this runtime (no node on PATH, no node_modules).
    server = startServerProcess([process.execPath, 'dist/server.js'], { cwd: workdir, env });
    const port = await server.port();

    const response = await fetch(`http://127.0.0.1:${port}/health`);
    expect(await response.json()).toEqual({ status: 'ok', tenant: 'ca', image: 'humangov@sha256:0123abcd' });
    // The pages' stylesheet comes from the image itself.
    const home = await (await fetch(`http://127.0.0.1:${port}/`)).text();
    const stylesheet = /<link rel="stylesheet" href="([^"]+)">/.exec(home)?.[1];
    expect((await fetch(`http://127.0.0.1:${port}${stylesheet}`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${port}/ready`)).status).toBe(200);

    const [, ...probeArgs] = JSON.parse(/CMD (\[.*\])$/.exec(runtimeArgs('HEALTHCHECK')[0] ?? '')?.[1] ?? '[]') as string[];
    await expect(run(process.execPath, probeArgs, { cwd: workdir, env: { PORT: String(port) } })).resolves.toBeDefined();

    server.child.kill('SIGTERM');
    const { code, elapsedMs } = await exitWithin(server, 10_000);
    expect(code).toBe(0);
    expect(elapsedMs).toBeLessThan(10_000);
    // And the probe really probes: with the server gone it fails.
    await expect(run(process.execPath, probeArgs, { cwd: workdir, env: { PORT: String(port) } })).rejects.toThrow();
  }, 30_000);
});
