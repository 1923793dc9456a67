/**
 * The local control plane with the container runtime, end to end: a release is the image the
 * Dockerfile builds, a tenant's tasks are containers of exactly that image ID, and a second
 * release rolls out to them with no failed request.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { LocalFargate } from '../../src/local/compute/local-fargate.ts';
import { engineRun } from '../../src/local/compute/container-engine.ts';
import { startLocalControlPlane, type LocalControlPlane } from '../../src/local/runtime/control-plane.ts';
import { localSettingsFromEnv, onFreePorts } from '../../src/local/settings.ts';
import { tenantResourceNames } from '../../src/tenants/names.ts';
import { dynamoClient, signInThroughLoadBalancer, steadyLoad, viaLoadBalancer } from '../e2e/support.ts';
import { eventually } from '../support/eventually.ts';
import { buildContext, containerRuntime, containersOf, inspectImage } from './support.ts';

let home: string;
let plane: LocalControlPlane;
let runtime: Awaited<ReturnType<typeof containerRuntime>>;
let firstDigest: string;
let secondDigest: string;
let stopped = false;

const tasksOf = (tenantId: string) => (plane.cloud.compute as LocalFargate).tasksOf(tenantResourceNames('local', tenantId, '000000000000').service);

async function servedImage(tenantId: string): Promise<string> {
  const res = await viaLoadBalancer(plane.urls.loadBalancer, tenantId, '/health');
  expect(res.status).toBe(200);
  return String((JSON.parse(res.body) as { image: string }).image);
}

beforeAll(async () => {
  runtime = await containerRuntime();
  home = await mkdtemp(join(tmpdir(), 'humangov-image-e2e-'));
  const settings = localSettingsFromEnv(onFreePorts(home));
  // As `npm start` does on a first run: no release yet, so the Dockerfile's image becomes v1.0.0.
  plane = await startLocalControlPlane(settings, {
    log: () => undefined,
    taskRuntime: runtime,
    firstRelease: { tag: 'v1.0.0', onPushed: (digest) => (firstDigest = digest) },
  });
}, 600_000);

afterAll(async () => {
  if (!stopped) await plane?.stop();
  if (runtime && home) {
    const left = await containersOf(runtime.engine, home);
    if (left.length > 0) await engineRun(runtime.engine, ['rm', '--force', ...left]);
  }
  if (home) await rm(home, { recursive: true, force: true });
}, 120_000);

describe('the control plane with containers as tasks', () => {
  it("releases the Dockerfile's image under the ID the engine gives it", async () => {
    const release = await plane.registry.resolve('v1.0.0');
    expect(release.kind).toBe('container');
    expect(release.digest).toBe(firstDigest);
    expect((await inspectImage(runtime.engine, `humangov-local-app:v1.0.0`)).Id).toBe(firstDigest);
  });

  it('onboards a tenant whose two tasks are containers of that exact image, in two zones, healthy', async () => {
    await dynamoClient(plane.urls.dynamodb).send(new PutItemCommand({ TableName: 'humangov-local-tenants', Item: { tenantId: { S: 'ca' } } }));
    const tenant = await eventually(
      async () => {
        const record = await plane.tenants.get('ca');
        if (record?.status === 'FAILED') throw new Error(`ca FAILED: ${record.statusReason}`);
        expect(record?.status).toBe('ACTIVE');
        return record;
      },
      { timeout: 180_000, interval: 500 },
    );
    expect(tenant?.image?.digest).toBe(firstDigest);
    expect(tenant?.health).toMatchObject({ healthy: 2, total: 2, zones: ['us-east-1a', 'us-east-1b'] });

    const tasks = tasksOf('ca');
    expect(tasks).toHaveLength(2);
    const running = await containersOf(runtime.engine, home);
    expect(running).toEqual(tasks.map((t) => t.container).sort());
    for (const task of tasks) {
      expect(task.containerHealth).toBe('HEALTHY');
      const inspected = await engineRun(runtime.engine, ['container', 'inspect', '--format', '{{.Image}} {{.Config.User}}', String(task.container)]);
      const [image, user] = inspected.stdout.trim().split(' ');
      expect(`sha256:${image?.replace(/^sha256:/, '')}`).toBe(firstDigest);
      expect(user).toBe('node');
    }
    expect(await servedImage('ca')).toBe(`humangov-local-app@${firstDigest}`);
  }, 240_000);

  it("writes each task's output into the tenant's log group, as the awslogs driver would", async () => {
    const [task] = tasksOf('ca');
    expect(task?.logFile).toBe(join(home, 'logs', '~humangov~local~tenants~ca', 'app', 'app', `${task?.id}.log`));
    expect(await readFile(task?.logFile ?? '', 'utf8')).toMatch(/"msg":"listening"/);
  });

  it('serves the app through the load balancer from a read-only root, writing uploads only to /tmp', async () => {
    const form = new FormData();
    for (const [key, value] of Object.entries({ firstName: 'Grace', lastName: 'Hopper', role: 'Engineer', salary: '120000' })) form.set(key, value);
    form.set('document', new Blob([Buffer.from('%PDF-1.4\n% grace\n%%EOF\n')], { type: 'application/pdf' }), 'id.pdf');
    const encoded = new Request('http://localhost/', { method: 'POST', body: form });
    // As a Californian staff member, signed in through the load balancer as every tenant page asks.
    const cookie = await signInThroughLoadBalancer(plane.urls.loadBalancer, 'ca', 'maria.ca');
    const created = await viaLoadBalancer(plane.urls.loadBalancer, 'ca', '/api/employees', {
      method: 'POST',
      headers: { 'content-type': encoded.headers.get('content-type') ?? '', cookie },
      body: Buffer.from(await encoded.arrayBuffer()),
    });
    expect(created.status).toBe(201);
    expect((await viaLoadBalancer(plane.urls.loadBalancer, 'ca', '/', { headers: { cookie } })).body).toContain('State of California');

    const [task] = tasksOf('ca');
    const write = await engineRun(runtime.engine, ['exec', String(task?.container), 'sh', '-c', 'touch /app/x; touch /tmp/x && echo tmp-writable']);
    expect(write.stderr).toMatch(/Read-only file system/);
    expect(write.stdout.trim()).toBe('tmp-writable');
  });

  it('rolls a second release out to the tenant without a failed request, each task a container of the new image', async () => {
    const context = await buildContext('v2', {
      file: 'app/src/views/layout.ts',
      from: 'Human Resources Management System',
      to: 'Human Resources Records System',
    });
    const load = steadyLoad(plane.urls.loadBalancer, ['ca'], 20);
    try {
      const pushed = await plane.registry.push({ contextDir: context.dir, tag: 'v1.1.0' });
      secondDigest = pushed.digest;
      expect(pushed.kind).toBe('container');
      expect(secondDigest).not.toBe(firstDigest);
      await plane.idle();
    } finally {
      await context.remove();
    }
    const { requests, failures } = await load.stop();
    expect(failures).toEqual([]);
    expect(requests).toBeGreaterThan(50);

    const [deployment] = (await plane.deployments.list()).items.filter((d) => d.image.digest === secondDigest);
    expect(deployment?.status).toBe('SUCCEEDED');
    expect((await plane.tenants.require('ca')).image?.digest).toBe(secondDigest);
    expect(await servedImage('ca')).toBe(`humangov-local-app@${secondDigest}`);
    const cookie = await signInThroughLoadBalancer(plane.urls.loadBalancer, 'ca', 'maria.ca');
    expect((await viaLoadBalancer(plane.urls.loadBalancer, 'ca', '/', { headers: { cookie } })).body).toContain('Human Resources Records System');
    // The old release's containers are gone, not just out of the load balancer.
    expect(await containersOf(runtime.engine, home)).toEqual(
      tasksOf('ca')
        .map((t) => t.container)
        .sort(),
    );
  }, 420_000);

  it('rolls back a release whose container does not start: the tenant keeps serving the previous image and none of its containers is left', async () => {
    const context = await buildContext('broken', { file: 'Dockerfile', from: 'CMD ["node", "dist/server.js"]', to: 'CMD ["node", "dist/missing.js"]' });
    const load = steadyLoad(plane.urls.loadBalancer, ['ca'], 50);
    let brokenDigest: string;
    try {
      brokenDigest = (await plane.registry.push({ contextDir: context.dir, tag: 'v1.2.0' })).digest;
      await plane.idle();
    } finally {
      await context.remove();
    }
    const { failures } = await load.stop();
    expect(failures).toEqual([]);

    const [deployment] = (await plane.deployments.list()).items.filter((d) => d.image.digest === brokenDigest);
    expect(deployment?.status).toBe('FAILED');
    expect(deployment?.results?.ca).toMatchObject({ outcome: 'ROLLED_BACK' });
    expect(deployment?.results?.ca?.error).toMatch(/container exited with code 1 before passing health checks/);
    expect((await plane.tenants.require('ca')).image?.digest).toBe(secondDigest);
    expect(await servedImage('ca')).toBe(`humangov-local-app@${secondDigest}`);
    const containers = await containersOf(runtime.engine, home);
    expect(containers).toEqual(
      tasksOf('ca')
        .map((t) => t.container)
        .sort(),
    );
    expect(containers).toHaveLength(2);
  }, 420_000);

  it('stops every container when the control plane stops', async () => {
    stopped = true;
    await plane.stop();
    expect(await containersOf(runtime.engine, home)).toEqual([]);
  }, 120_000);
});
