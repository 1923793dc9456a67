import { createServer, request } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { NotReadyError, PermanentCloudError } from '../../cloud/errors.ts';
import { get, startLoad } from '../compute/fixtures/load.ts';
import { waitFor } from '../compute/fixtures/wait.ts';
import { LocalLoadBalancer } from './local-load-balancer.ts';

/** A target stand-in: a real HTTP server whose health can be switched, answering with its name. */
interface FakeApp {
  name: string;
  port: number;
  healthy: boolean;
  hits: number;
  server: Server;
}

const apps: FakeApp[] = [];

async function fakeApp(name: string): Promise<FakeApp> {
  const app = { name, port: 0, healthy: true, hits: 0 } as FakeApp;
  app.server = createServer((req, res) => {
    if (req.url === '/health') {
      res.writeHead(app.healthy ? 200 : 500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: app.healthy ? 'ok' : 'error', image: name }));
      return;
    }
    app.hits += 1;
    if (req.url?.startsWith('/slow')) {
      setTimeout(() => res.end(name), 300);
      return;
    }
    if (req.url === '/echo') {
      res.writeHead(201, { 'content-type': 'application/octet-stream', 'set-cookie': ['a=1', 'b=2'], 'x-seen': JSON.stringify(req.headers) });
      req.pipe(res);
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ name }));
  });
  await new Promise<void>((resolve) => app.server.listen(0, '127.0.0.1', resolve));
  app.port = (app.server.address() as AddressInfo).port;
  apps.push(app);
  return app;
}

const fast = { intervalMs: 50, timeoutMs: 500, healthyThreshold: 2, unhealthyThreshold: 2 };
let home: string;
let lb: LocalLoadBalancer;
let logs: Record<string, unknown>[] = [];

beforeEach(async () => {
  logs = [];
  home = await mkdtemp(join(tmpdir(), 'humangov-alb-'));
  lb = new LocalLoadBalancer({ home, port: 0, healthCheck: fast, deregistrationDelayMs: 2000, log: (entry) => logs.push(entry) });
  await lb.start();
});

afterEach(async () => {
  await lb.close();
  for (const app of apps.splice(0)) {
    app.server.closeAllConnections();
    await new Promise((resolve) => app.server.close(resolve));
  }
  await rm(home, { recursive: true, force: true });
});

/** A tenant behind the load balancer with the given apps registered as targets, in zones a/b. */
async function tenant(tenantId: string, targets: FakeApp[]): Promise<string> {
  const { arn } = await lb.ensureTargetGroup({ name: `hg-local-${tenantId}`, tags: {} });
  await lb.ensureListenerRule({ tenantId, host: lb.hostFor(tenantId), targetGroupArn: arn, tags: {} });
  for (const [i, app] of targets.entries())
    await lb.registerTarget(arn, { id: app.name, host: '127.0.0.1', port: app.port, zone: i % 2 ? 'us-east-1b' : 'us-east-1a' });
  return arn;
}

const healthyCount = async (arn: string) => (await lb.describeTargetHealth(arn)).filter((t) => t.state === 'healthy').length;
const ask = (tenantId: string, path = '/') => get(lb.port, `${tenantId}.localhost:${lb.port}`, path);

describe('LocalLoadBalancer routing', () => {
  it('routes each tenant host to its own target group', async () => {
    const ca = await tenant('ca', [await fakeApp('ca-app')]);
    const ny = await tenant('new-york', [await fakeApp('ny-app')]);
    await waitFor('both targets healthy', async () => (await healthyCount(ca)) === 1 && (await healthyCount(ny)) === 1);

    expect(JSON.parse((await ask('ca')).body)).toEqual({ name: 'ca-app' });
    expect(JSON.parse((await ask('new-york')).body)).toEqual({ name: 'ny-app' });
    expect(JSON.parse((await get(lb.port, 'CA.LOCALHOST', '/')).body)).toEqual({ name: 'ca-app' });
  });

  it('answers 404 naming the host when no tenant is served there', async () => {
    const res = await ask('nowhere');
    expect(res.status).toBe(404);
    expect(JSON.parse(res.body)).toEqual({ error: { code: 'UnknownHost', message: expect.stringContaining('"nowhere.localhost"') } });

    const html = await new Promise<string>((resolve, reject) => {
      request({ host: '127.0.0.1', port: lb.port, path: '/', headers: { host: 'x<b>.localhost', accept: 'text/html' } }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve(body));
      })
        .on('error', reject)
        .end();
    });
    expect(html).toContain('received a request for <strong>x&#60;b&#62;.localhost</strong>');
    expect(html).not.toContain('<b>');
  });

  it('answers 503 when the tenant has no healthy target', async () => {
    await tenant('tx', []);
    const res = await ask('tx');
    expect(res.status).toBe(503);
    expect(JSON.parse(res.body).error.code).toBe('NoHealthyTarget');
  });

  it('streams bodies both ways and keeps headers, adding X-Forwarded-For, -Proto and -Port', async () => {
    const arn = await tenant('ca', [await fakeApp('ca-app')]);
    await waitFor('target healthy', async () => (await healthyCount(arn)) === 1);
    const payload = Buffer.alloc(3 * 1024 * 1024, 7);
    const res = await new Promise<{ status: number; headers: Record<string, unknown>; length: number }>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: lb.port,
          method: 'POST',
          path: '/echo',
          headers: { host: `ca.localhost:${lb.port}`, 'x-custom': 'kept', 'x-forwarded-for': '203.0.113.9', 'transfer-encoding': 'chunked' },
        },
        (r) => {
          let length = 0;
          r.on('data', (c: Buffer) => (length += c.length));
          r.on('end', () => resolve({ status: r.statusCode ?? 0, headers: r.headers, length }));
        },
      );
      req.on('error', reject);
      req.write(payload.subarray(0, 1024 * 1024));
      req.end(payload.subarray(1024 * 1024));
    });
    expect(res.status).toBe(201);
    expect(res.length).toBe(payload.length);
    expect(res.headers['set-cookie']).toEqual(['a=1', 'b=2']);
    const seen = JSON.parse(String(res.headers['x-seen'])) as Record<string, string>;
    expect(seen).toMatchObject({
      host: `ca.localhost:${lb.port}`,
      'x-custom': 'kept',
      'x-forwarded-for': '203.0.113.9, 127.0.0.1',
      'x-forwarded-proto': 'http',
      'x-forwarded-port': String(lb.port),
    });
  });
});

describe('LocalLoadBalancer health checks', () => {
  it('takes an unhealthy target out and puts it back once healthy', async () => {
    const a = await fakeApp('a');
    const b = await fakeApp('b');
    b.healthy = false;
    const arn = await tenant('ca', [a, b]);
    await waitFor('a healthy, b unhealthy', async () => {
      const states = (await lb.describeTargetHealth(arn)).map((t) => t.state);
      return states[0] === 'healthy' && states[1] === 'unhealthy';
    });
    const unhealthy = (await lb.describeTargetHealth(arn))[1];
    expect(unhealthy).toMatchObject({ id: 'b', zone: 'us-east-1b', port: b.port, reason: expect.stringContaining('Target.ResponseCodeMismatch') });
    expect(logs).toContainEqual(expect.objectContaining({ level: 'WARN', message: 'target unhealthy', target: 'b', previous: 'initial', targetGroupArn: arn }));
    for (let i = 0; i < 6; i += 1) expect(JSON.parse((await ask('ca')).body).name).toBe('a');

    b.healthy = true;
    await waitFor('b healthy again', async () => (await healthyCount(arn)) === 2);
    const names = new Set<string>();
    for (let i = 0; i < 4; i += 1) names.add(JSON.parse((await ask('ca')).body).name);
    expect(names).toEqual(new Set(['a', 'b']));

    a.healthy = false;
    await waitFor('a unhealthy', async () => (await lb.describeTargetHealth(arn))[0]?.state === 'unhealthy');
    for (let i = 0; i < 4; i += 1) expect(JSON.parse((await ask('ca')).body).name).toBe('b');
  });

  it('reports a target that does not listen as failing health checks', async () => {
    const gone = await fakeApp('gone');
    await new Promise((resolve) => gone.server.close(resolve));
    const arn = await tenant('ca', [gone]);
    await waitFor('unhealthy', async () => (await lb.describeTargetHealth(arn))[0]?.state === 'unhealthy');
    expect((await lb.describeTargetHealth(arn))[0]?.reason).toContain('ECONNREFUSED');
  });

  it('round-robins over the healthy targets only', async () => {
    const [a, b, c] = [await fakeApp('a'), await fakeApp('b'), await fakeApp('c')];
    c.healthy = false;
    const arn = await tenant('ca', [a, b, c]);
    await waitFor('a and b healthy, c unhealthy', async () => (await lb.describeTargetHealth(arn)).map((t) => t.state).join() === 'healthy,healthy,unhealthy');
    for (let i = 0; i < 10; i += 1) await ask('ca');
    expect([a.hits, b.hits, c.hits]).toEqual([5, 5, 0]);
  });
});

describe('LocalLoadBalancer draining', () => {
  it('lets in-flight requests finish and sends no new ones to a deregistered target', async () => {
    const a = await fakeApp('a');
    const b = await fakeApp('b');
    const arn = await tenant('ca', [a]);
    await waitFor('a healthy', async () => (await healthyCount(arn)) === 1);
    const slow = ask('ca', '/slow');
    await waitFor('slow request reached a', () => a.hits === 1);
    await lb.registerTarget(arn, { id: 'b', host: '127.0.0.1', port: b.port, zone: 'us-east-1b' });
    await waitFor('b healthy', async () => (await healthyCount(arn)) === 2);

    let drained = false;
    const deregistered = lb.deregisterTarget(arn, 'a').then(() => (drained = true));
    expect(lb.targetHealth(arn, 'a')?.state).toBe('draining');
    expect(JSON.parse((await ask('ca')).body).name).toBe('b');
    expect(drained).toBe(false);
    expect(await slow).toMatchObject({ status: 200, body: 'a' });
    await deregistered;
    expect(lb.targetHealth(arn, 'a')).toBeUndefined();
    expect(a.hits).toBe(1);
  });

  it('drops no request while a steady stream is swapped to new targets', async () => {
    const old = [await fakeApp('old-1'), await fakeApp('old-2')];
    const arn = await tenant('ca', old);
    await waitFor('old targets healthy', async () => (await healthyCount(arn)) === 2);
    const load = startLoad(lb.port, `ca.localhost:${lb.port}`, '/', { concurrency: 4, field: 'name' });

    const fresh = [await fakeApp('new-1'), await fakeApp('new-2')];
    for (const app of fresh) await lb.registerTarget(arn, { id: app.name, host: '127.0.0.1', port: app.port, zone: 'us-east-1a' });
    await waitFor('new targets healthy', async () => (await healthyCount(arn)) === 4);
    for (const app of old) {
      await lb.deregisterTarget(arn, app.name);
      // What ECS does once draining is over: the process goes away.
      app.server.closeAllConnections();
      await new Promise((resolve) => app.server.close(resolve));
    }
    const after = fresh[0]!.hits + fresh[1]!.hits;
    await waitFor('more requests served by the new targets', () => fresh[0]!.hits + fresh[1]!.hits > after + 20);
    const result = await load.stop();

    expect(result.failures).toEqual([]);
    expect(result.failed).toBe(0);
    expect(result.seen).toEqual(new Set(['old-1', 'old-2', 'new-1', 'new-2']));
  });
});

describe('LocalLoadBalancer as the LoadBalancerPort', () => {
  it('creates target groups and rules idempotently with AWS-shaped ARNs and free priorities', async () => {
    const first = await lb.ensureTargetGroup({ name: 'hg-local-ca', tags: { a: '1' } });
    expect(first.arn).toMatch(/^arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup\/hg-local-ca\/[0-9a-f]{16}$/);
    expect(await lb.ensureTargetGroup({ name: 'hg-local-ca', tags: {} })).toEqual(first);
    const other = await lb.ensureTargetGroup({ name: 'hg-local-ny', tags: {} });

    const ca = await lb.ensureListenerRule({ tenantId: 'ca', host: 'ca.localhost', targetGroupArn: first.arn, tags: {} });
    expect(ca.arn).toMatch(
      /^arn:aws:elasticloadbalancing:us-east-1:000000000000:listener-rule\/app\/humangov-local\/[0-9a-f]{16}\/[0-9a-f]{16}\/[0-9a-f]{16}$/,
    );
    expect(await lb.ensureListenerRule({ tenantId: 'ca', host: 'ca.localhost', targetGroupArn: first.arn, tags: {} })).toEqual(ca);
    const [ny, tx] = await Promise.all([
      lb.ensureListenerRule({ tenantId: 'ny', host: 'ny.localhost', targetGroupArn: other.arn, tags: {} }),
      lb.ensureListenerRule({ tenantId: 'tx', host: 'tx.localhost', targetGroupArn: other.arn, tags: {} }),
    ]);
    expect(new Set([ca.priority, ny.priority, tx.priority]).size).toBe(3);

    await lb.deleteListenerRule('ny');
    await lb.deleteListenerRule('ny');
    const wa = await lb.ensureListenerRule({ tenantId: 'wa', host: 'wa.localhost', targetGroupArn: other.arn, tags: {} });
    expect(wa.priority).toBe(ny.priority);
  });

  it('refuses what an ALB refuses, and treats deleting the missing as done', async () => {
    await expect(lb.ensureTargetGroup({ name: '-bad-', tags: {} })).rejects.toBeInstanceOf(PermanentCloudError);
    await expect(lb.ensureTargetGroup({ name: 'x'.repeat(33), tags: {} })).rejects.toBeInstanceOf(PermanentCloudError);
    await expect(lb.ensureListenerRule({ tenantId: 'ca', host: 'ca.localhost', targetGroupArn: 'arn:nope', tags: {} })).rejects.toBeInstanceOf(
      PermanentCloudError,
    );
    await expect(lb.describeTargetHealth('arn:nope')).rejects.toBeInstanceOf(PermanentCloudError);
    const { arn } = await lb.ensureTargetGroup({ name: 'hg-local-ca', tags: {} });
    await lb.ensureListenerRule({ tenantId: 'ca', host: 'ca.localhost', targetGroupArn: arn, tags: {} });
    await expect(lb.deleteTargetGroup('hg-local-ca')).rejects.toBeInstanceOf(NotReadyError);
    await lb.deleteListenerRule('ca');
    await lb.deleteTargetGroup('hg-local-ca');
    await lb.deleteTargetGroup('hg-local-ca');
    await expect(lb.describeTargetHealth(arn)).rejects.toBeInstanceOf(PermanentCloudError);
  });

  it('names hosts and endpoints, and probes /health through its own listener', async () => {
    expect(lb.hostFor('ca')).toBe('ca.localhost');
    expect(lb.endpointFor('ca')).toBe(`http://ca.localhost:${lb.port}`);
    const arn = await tenant('ca', []);
    expect(await lb.probeHealth('ca')).toMatchObject({ status: 503 });
    const app = await fakeApp('ca-app');
    await lb.registerTarget(arn, { id: app.name, host: '127.0.0.1', port: app.port, zone: 'us-east-1a' });
    await waitFor('healthy', async () => (await healthyCount(arn)) === 1);
    expect(await lb.probeHealth('ca')).toEqual({ status: 200, body: { status: 'ok', image: 'ca-app' } });
    expect((await lb.probeHealth('nobody')).status).toBe(404);
  });

  it('knows its target groups, rules and targets after a restart', async () => {
    const app = await fakeApp('ca-app');
    const arn = await tenant('ca', [app]);
    await lb.close();
    lb = new LocalLoadBalancer({ home, port: 0, healthCheck: fast, log: () => undefined });
    await lb.start();
    expect(await lb.ensureTargetGroup({ name: 'hg-local-ca', tags: {} })).toEqual({ arn });
    expect((await lb.describeTargetHealth(arn)).map((t) => t.id)).toEqual(['ca-app']);
    await waitFor('healthy after restart', async () => (await healthyCount(arn)) === 1);
    expect(JSON.parse((await ask('ca')).body)).toEqual({ name: 'ca-app' });
  });
});
