import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { describeEngine, detectContainerEngine, type HostFacts } from './container-engine.ts';

/** Engines that answer as podman and docker do: shell scripts on a PATH of their own. */
let bin: string;

function podmanInfo(host: { runtime: string; cgroups: string; manager: string; rootless?: boolean }): string {
  const info = {
    host: { ociRuntime: { name: host.runtime }, cgroupVersion: host.cgroups, cgroupManager: host.manager, security: { rootless: host.rootless ?? false } },
    version: { Version: '4.3.1' },
  };
  return `[ "$1" = info ] && echo '${JSON.stringify(info)}' && exit 0; exit 125`;
}

const roomy: HostFacts = { systemdRunning: true, limits: { nofile: 2_000_000, nproc: 5_000_000 }, platform: 'linux' };

beforeAll(async () => {
  bin = await mkdtemp(join(tmpdir(), 'humangov-engines-'));
});

afterAll(async () => {
  await rm(bin, { recursive: true, force: true });
});

describe('detectContainerEngine', () => {
  it('finds nothing, and says why, where neither podman nor docker is installed', async () => {
    const found = await detectContainerEngine({ PATH: join(bin, 'empty') }, roomy);
    expect(found).toEqual({ engine: undefined, tried: ['podman: not installed', 'docker: not installed'] });
  });

  it('takes a docker CLI whose daemon does not answer for no engine', async () => {
    const dir = await mkdtemp(join(bin, 'no-daemon-'));
    const daemonDown = 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?';
    await writeFile(join(dir, 'docker'), `#!/bin/sh\necho "${daemonDown}" >&2\nexit 1\n`, { mode: 0o755 });
    const found = await detectContainerEngine({ PATH: dir }, roomy);
    expect(found).toEqual({
      engine: undefined,
      tried: ['podman: not installed', `${join(dir, 'docker')} is installed but its daemon does not answer (${daemonDown})`],
    });
  });

  it('runs podman as it is where its defaults work', async () => {
    const dir = await mkdtemp(join(bin, 'plain-'));
    await writeFile(join(dir, 'podman'), `#!/bin/sh\n${podmanInfo({ runtime: 'crun', cgroups: 'v2', manager: 'systemd' })}\n`, { mode: 0o755 });
    await writeFile(join(dir, 'slirp4netns'), '#!/bin/sh\n', { mode: 0o755 });
    const { engine } = await detectContainerEngine({ PATH: dir }, roomy);
    expect(engine).toMatchObject({ name: 'podman', version: '4.3.1', rootless: false, globalArgs: [], runArgs: [], notes: [] });
    expect(engine?.network).toEqual({ mode: 'private', args: ['--network', 'slirp4netns:allow_host_loopback=true'], hostAddress: '10.0.2.2' });
    expect(describeEngine(engine!)).toBe('podman 4.3.1, own network, port on 127.0.0.1');
  });

  it("adds runc, cgroupfs and this machine's limits where crun, systemd and podman's limits cannot work", async () => {
    const dir = await mkdtemp(join(bin, 'constrained-'));
    await writeFile(join(dir, 'podman'), `#!/bin/sh\n${podmanInfo({ runtime: 'crun', cgroups: 'v1', manager: 'systemd' })}\n`, { mode: 0o755 });
    await writeFile(join(dir, 'runc'), '#!/bin/sh\n', { mode: 0o755 });
    const { engine } = await detectContainerEngine({ PATH: dir }, { systemdRunning: false, limits: { nofile: 20_000, nproc: 32_768 }, platform: 'linux' });
    expect(engine?.globalArgs).toEqual(['--runtime', 'runc', '--cgroup-manager', 'cgroupfs']);
    expect(engine?.runArgs).toEqual(['--ulimit', 'nofile=20000:20000', '--ulimit', 'nproc=32768:32768']);
    // Without slirp4netns a container cannot reach the host's loopback from a network of its own.
    expect(engine?.network).toEqual({ mode: 'host', args: ['--network', 'host'] });
  });

  it('keeps crun where runc is not installed, and takes the flags a person gives instead of its own', async () => {
    const dir = await mkdtemp(join(bin, 'override-'));
    await writeFile(join(dir, 'podman'), `#!/bin/sh\n${podmanInfo({ runtime: 'crun', cgroups: 'v1', manager: 'systemd' })}\n`, { mode: 0o755 });
    const facts: HostFacts = { systemdRunning: true, limits: {}, platform: 'linux' };
    expect((await detectContainerEngine({ PATH: dir }, facts)).engine?.globalArgs).toEqual([]);
    const forced = await detectContainerEngine({ PATH: dir, HUMANGOV_CONTAINER_ENGINE_ARGS: '--runtime /opt/runc --log-level error' }, facts);
    expect(forced.engine?.globalArgs).toEqual(['--runtime', '/opt/runc', '--log-level', 'error']);
    expect(forced.engine?.notes).toEqual(['HUMANGOV_CONTAINER_ENGINE_ARGS="--runtime /opt/runc --log-level error"']);
  });

  it('uses the engine HUMANGOV_CONTAINER_ENGINE names, and docker on Linux shares the host network', async () => {
    const dir = await mkdtemp(join(bin, 'docker-'));
    await writeFile(join(dir, 'podman'), `#!/bin/sh\n${podmanInfo({ runtime: 'crun', cgroups: 'v2', manager: 'systemd' })}\n`, { mode: 0o755 });
    await writeFile(
      join(dir, 'docker'),
      '#!/bin/sh\n[ "$1" = version ] && echo 27.3.1 && exit 0\n[ "$1" = info ] && echo \'["name=seccomp"]\' && exit 0\nexit 1\n',
      { mode: 0o755 },
    );
    const { engine } = await detectContainerEngine({ PATH: dir, HUMANGOV_CONTAINER_ENGINE: 'docker' }, roomy);
    expect(engine).toMatchObject({ name: 'docker', version: '27.3.1', rootless: false, runArgs: [] });
    expect(engine?.network).toEqual({ mode: 'host', args: ['--network', 'host'] });
    const desktop = await detectContainerEngine({ PATH: dir, HUMANGOV_CONTAINER_ENGINE: 'docker' }, { ...roomy, platform: 'darwin' });
    expect(desktop.engine?.network).toEqual({
      mode: 'private',
      args: ['--add-host', 'host.docker.internal:host-gateway'],
      hostAddress: 'host.docker.internal',
    });
    const hostNetwork = await detectContainerEngine(
      { PATH: dir, HUMANGOV_CONTAINER_ENGINE: 'docker', HUMANGOV_CONTAINER_NETWORK: 'host' },
      { ...roomy, platform: 'darwin' },
    );
    expect(hostNetwork.engine?.network.mode).toBe('host');
  });

  it('refuses an engine variable that names neither podman nor docker', async () => {
    const found = await detectContainerEngine({ PATH: '/usr/bin:/bin', HUMANGOV_CONTAINER_ENGINE: 'sh' }, roomy);
    expect(found).toEqual({ engine: undefined, tried: ['sh: HUMANGOV_CONTAINER_ENGINE must name podman or docker (or a path to one)'] });
  });
});
