import { describe, expect, it } from '@jest/globals';
import type { ContainerEngine } from './container-engine.ts';
import type { ContainerImageRecord } from './container-image.ts';
import { containerEnvironment, containerRunArgs } from './container-task.ts';

const privateNetwork = { mode: 'private' as const, args: ['--network', 'slirp4netns:allow_host_loopback=true'], hostAddress: '10.0.2.2' };
const podman: ContainerEngine = {
  name: 'podman',
  command: '/usr/bin/podman',
  version: '4.3.1',
  rootless: false,
  globalArgs: ['--runtime', 'runc'],
  runArgs: ['--ulimit', 'nofile=20000:20000'],
  network: privateNetwork,
  notes: [],
};
const image: ContainerImageRecord = {
  kind: 'container',
  engine: 'podman',
  id: `sha256:${'a'.repeat(64)}`,
  user: 'node',
  stopSignal: 'SIGTERM',
  exposedPorts: ['8080/tcp'],
  sizeBytes: 1,
  dockerfile: '/repo/Dockerfile',
  builtAt: '2026-01-01T00:00:00.000Z',
};

describe('a task container', () => {
  it("points the host's loopback servers at the host's address as the container sees it", () => {
    const environment = {
      AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:8000',
      AWS_ENDPOINT_URL_S3: 'http://localhost:4569/',
      US_STATE: 'California',
      PORT: '8080',
    };
    expect(containerEnvironment(environment, privateNetwork, 41234)).toEqual({
      AWS_ENDPOINT_URL_DYNAMODB: 'http://10.0.2.2:8000',
      AWS_ENDPOINT_URL_S3: 'http://10.0.2.2:4569/',
      US_STATE: 'California',
      PORT: '8080',
    });
  });

  it("on the host's network keeps the endpoints and listens on the task's own port, on loopback only", () => {
    expect(containerEnvironment({ AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:4569', PORT: '8080' }, { mode: 'host', args: ['--network', 'host'] }, 41234)).toEqual({
      AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:4569',
      PORT: '41234',
      HOST: '127.0.0.1',
    });
  });

  it('runs the exact image ID read-only with /tmp writable, the task size as limits, the port on loopback only, and no value on the command line', () => {
    const args = containerRunArgs({
      engine: podman,
      home: '/h',
      taskId: 't1',
      image,
      variables: ['CSRF_SECRET', 'PORT'],
      hostPort: 41234,
      containerPort: 8080,
      cpu: 256,
      memory: 512,
    });
    expect(args.at(-1)).toBe(image.id);
    expect(args.join(' ')).toContain('--rm --pull never --name humangov-task-t1 --label org.humangov.task=t1 --label org.humangov.home=/h');
    expect(args.join(' ')).toContain('--read-only --read-only-tmpfs=false --tmpfs /tmp --cpus 0.25 --memory 512m');
    expect(args.join(' ')).toContain('--publish 127.0.0.1:41234:8080');
    expect(args.join(' ')).toContain('--ulimit nofile=20000:20000');
    expect(args.join(' ')).toContain('--env CSRF_SECRET --env PORT');
    expect(args).toContain('--no-healthcheck');
    // Values travel in the client's environment: `ps` shows no secret.
    expect(args.filter((arg) => /^[A-Z_]+=/.test(arg))).toEqual([]);
  });

  it('on the host network publishes nothing, and docker gets no podman-only flag', () => {
    const docker: ContainerEngine = { ...podman, name: 'docker', globalArgs: [], runArgs: [], network: { mode: 'host', args: ['--network', 'host'] } };
    const args = containerRunArgs({
      engine: docker,
      home: '/h',
      taskId: 't2',
      image,
      variables: [],
      hostPort: 41234,
      containerPort: 8080,
      cpu: 512,
      memory: 1024,
    });
    expect(args).not.toContain('--publish');
    expect(args).not.toContain('--read-only-tmpfs=false');
    expect(args.join(' ')).toContain('--cpus 0.5 --memory 1024m --network host');
  });
});
