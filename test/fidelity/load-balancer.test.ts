/**
 * The local load balancer against the Application Load Balancer's documentation, and
 * against the target group settings the AWS provider creates.
 */
import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { HEALTH_CHECK } from '../../src/aws/load-balancer.ts';
import { PermanentCloudError } from '../../src/cloud/errors.ts';
import { LocalLoadBalancer, DEFAULT_HEALTH_CHECK } from '../../src/local/alb/local-load-balancer.ts';
import { hostForTarget, traceHeader } from '../../src/local/alb/proxy.ts';
import { tempHome, waitFor } from '../../src/local/data/testing.ts';

/** A target: counts the health checks it passed, answers with its name and the headers it got. */
interface App {
  name: string;
  port: number;
  health: number;
  passes: number;
  hangHealth: boolean;
  server: Server;
}

const apps: App[] = [];
async function app(name: string, health = 200): Promise<App> {
  const a = { name, health, passes: 0, hangHealth: false } as App;
  a.server = createServer((req, res) => {
    if (req.url === '/health') {
      if (a.hangHealth) return;
      if (a.health === 200) a.passes += 1;
      res.writeHead(a.health).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ name, headers: req.headers }));
  });
  await new Promise<void>((resolve) => a.server.listen(0, '127.0.0.1', resolve));
  a.port = (a.server.address() as AddressInfo).port;
  apps.push(a);
  return a;
}

function get(port: number, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/', headers, agent: false }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

let home: Awaited<ReturnType<typeof tempHome>>;
let lb: LocalLoadBalancer;
let changes: Record<string, unknown>[];

async function start(options: { healthyThreshold?: number; unhealthyThreshold?: number; timeoutMs?: number; deregistrationDelayMs?: number } = {}) {
  await lb?.close();
  changes = [];
  const { deregistrationDelayMs = 2000, ...healthCheck } = options;
  lb = new LocalLoadBalancer({
    home: home.home,
    port: 0,
    healthCheck: { intervalMs: 40, timeoutMs: 500, healthyThreshold: 2, unhealthyThreshold: 2, ...healthCheck },
    deregistrationDelayMs,
    log: (entry) => changes.push(entry),
  });
  await lb.start();
}

async function tenant(tenantId: string, targets: App[], host = `${tenantId}.localhost`): Promise<string> {
  const { arn } = await lb.ensureTargetGroup({ name: `hg-local-${tenantId}`, tags: {} });
  await lb.ensureListenerRule({ tenantId, host, targetGroupArn: arn, tags: {} });
  for (const target of targets) await lb.registerTarget(arn, { id: target.name, host: '127.0.0.1', port: target.port, zone: 'us-east-1a' });
  return arn;
}

const states = async (arn: string) => (await lb.describeTargetHealth(arn)).map((t) => t.state);
const ask = async (host: string, headers: Record<string, string> = {}) => {
  const { status, body } = await get(lb.port, { host, ...headers });
  return { status, ...(status === 200 ? (JSON.parse(body) as { name: string; headers: IncomingHttpHeaders }) : { name: '', headers: {} }) };
};

beforeEach(async () => {
  home = await tempHome();
  await start();
});

afterEach(async () => {
  await lb.close();
  for (const a of apps.splice(0)) {
    a.server.closeAllConnections();
    await new Promise((resolve) => a.server.close(resolve));
  }
  await home.remove();
});

describe('local ALB health checks', () => {
  // https://docs.aws.amazon.com/elasticloadbalancing/latest/application/target-group-health-checks.html: "After your
  // target is registered, it must pass one health check to be considered healthy"; "When the health checks exceed
  // HealthyThresholdCount consecutive successes, the load balancer puts the target back in service."
  it('makes a new target healthy after one passing check, an unhealthy one only after HealthyThresholdCount', async () => {
    await start({ healthyThreshold: 3, unhealthyThreshold: 2 });
    const a = await app('a');
    const arn = await tenant('ca', [a]);
    const healthyAt = () => changes.filter((c) => c.message === 'target healthy').length;

    await waitFor(() => healthyAt() === 1, 3_000, 'healthy');
    expect(a.passes).toBe(1);

    a.health = 503;
    await waitFor(async () => (await states(arn))[0] === 'unhealthy', 3_000, 'unhealthy');
    const before = a.passes;
    a.health = 200;
    await waitFor(() => healthyAt() === 2, 3_000, 'healthy again');
    expect(a.passes - before).toBe(3);
  });

  it('counts only the Matcher codes as passing, and says which code failed', async () => {
    const a = await app('a', 204);
    const arn = await tenant('ca', [a]);
    await waitFor(async () => (await states(arn))[0] === 'unhealthy', 3_000, 'unhealthy');
    expect((await lb.describeTargetHealth(arn))[0]?.reason).toContain('Target.ResponseCodeMismatch: health checks failed with these codes: [204]');
  });

  // Same page: "If a target group contains only unhealthy registered targets, the load balancer routes requests to all
  // those targets, regardless of their health status."
  it('fails open: with every target unhealthy, requests still reach them all, in turn', async () => {
    const [a, b] = [await app('a', 500), await app('b', 500)];
    const arn = await tenant('ca', [a, b]);
    await waitFor(async () => (await states(arn)).join() === 'unhealthy,unhealthy', 3_000, 'both unhealthy');

    const served = [await ask('ca.localhost'), await ask('ca.localhost'), await ask('ca.localhost'), await ask('ca.localhost')];
    expect(served.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    expect(new Set(served.map((r) => r.name))).toEqual(new Set(['a', 'b']));
  });

  // https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-troubleshooting.html#http-503-issues
  it('answers 503 when no target is registered, or none has passed its first check yet', async () => {
    await start({ timeoutMs: 2_000 });
    await tenant('tx', []);
    expect((await ask('tx.localhost')).status).toBe(503);

    const slow = await app('slow');
    slow.hangHealth = true;
    const arn = await tenant('ny', [slow]);
    expect(await states(arn)).toEqual(['initial']);
    expect((await ask('ny.localhost')).status).toBe(503);
  });

  it('uses the health check the AWS provider gives each target group, only faster', () => {
    expect({
      path: DEFAULT_HEALTH_CHECK.path,
      healthyThreshold: DEFAULT_HEALTH_CHECK.healthyThreshold,
      unhealthyThreshold: DEFAULT_HEALTH_CHECK.unhealthyThreshold,
      matcher: DEFAULT_HEALTH_CHECK.matcher,
    }).toEqual({
      path: HEALTH_CHECK.HealthCheckPath,
      healthyThreshold: HEALTH_CHECK.HealthyThresholdCount,
      unhealthyThreshold: HEALTH_CHECK.UnhealthyThresholdCount,
      matcher: HEALTH_CHECK.Matcher.HttpCode,
    });
    expect(DEFAULT_HEALTH_CHECK.intervalMs).toBeLessThanOrEqual(HEALTH_CHECK.HealthCheckIntervalSeconds * 1000);
    expect(DEFAULT_HEALTH_CHECK.timeoutMs).toBeLessThan(DEFAULT_HEALTH_CHECK.intervalMs * 3);
  });
});

describe('local ALB listener rules', () => {
  // https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_HostHeaderConditionConfig.html: "The
  // comparison is case insensitive. The following wildcard characters are supported: * (matches 0 or more characters)
  // and ? (matches exactly 1 character)"; rules are evaluated from the lowest priority value:
  // https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-listeners.html#listener-rule-priority
  it('matches host conditions without regard to case, with * and ? wildcards, lowest priority first', async () => {
    const [ca, any, two] = [await app('ca'), await app('any'), await app('two')];
    await tenant('ca', [ca]); // priority 1
    await tenant('two', [two], '??.two.localhost'); // priority 2
    await tenant('any', [any], '*.localhost'); // priority 3
    await waitFor(() => changes.filter((c) => c.message === 'target healthy').length === 3, 3_000, 'all healthy');

    expect((await ask(`CA.LocalHost:${lb.port}`)).name).toBe('ca');
    expect((await ask('ny.two.localhost')).name).toBe('two');
    expect((await ask('nyc.two.localhost')).name).toBe('any');
    expect((await ask('x.localhost')).name).toBe('any');
    expect((await ask('localhost')).status).toBe(404);
  });

  it('refuses host conditions an ALB refuses: no ".", something other than letters after the last one, over 128 characters', async () => {
    const { arn } = await lb.ensureTargetGroup({ name: 'hg-local-x', tags: {} });
    for (const host of ['localhost', 'ca.local1', `${'a'.repeat(120)}.localhost`]) {
      await expect(lb.ensureListenerRule({ tenantId: 'x', host, targetGroupArn: arn, tags: {} })).rejects.toBeInstanceOf(PermanentCloudError);
    }
  });

  // https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-limits.html: "Rules per
  // Application Load Balancer (not counting default rules): 100".
  it('holds at most 100 rules, one per tenant, as an ALB does by default', async () => {
    const { arn } = await lb.ensureTargetGroup({ name: 'hg-local-many', tags: {} });
    for (let i = 0; i < 100; i += 1) await lb.ensureListenerRule({ tenantId: `t${i}`, host: `t${i}.localhost`, targetGroupArn: arn, tags: {} });
    await expect(lb.ensureListenerRule({ tenantId: 'one-more', host: 'one-more.localhost', targetGroupArn: arn, tags: {} })).rejects.toThrow(
      /100 listener rules/,
    );
    await lb.deleteListenerRule('t0');
    await expect(lb.ensureListenerRule({ tenantId: 'one-more', host: 'one-more.localhost', targetGroupArn: arn, tags: {} })).resolves.toMatchObject({
      priority: 1,
    });
  });
});

describe('local ALB request headers', () => {
  // https://docs.aws.amazon.com/elasticloadbalancing/latest/application/x-forwarded-headers.html (X-Forwarded-For,
  // -Proto, -Port; no X-Forwarded-Host) and
  // https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-request-tracing.html
  it("adds X-Forwarded-For, -Proto, -Port and a trace id, and leaves a client's X-Forwarded-Host alone", async () => {
    const a = await app('a');
    await tenant('ca', [a]);
    await waitFor(() => changes.some((c) => c.message === 'target healthy'), 3_000, 'healthy');

    const { headers } = await ask(`ca.localhost:${lb.port}`, { 'x-forwarded-for': '203.0.113.9', 'x-forwarded-host': 'chosen.by.client' });
    expect(headers).toMatchObject({
      'x-forwarded-for': '203.0.113.9, 127.0.0.1',
      'x-forwarded-proto': 'http',
      'x-forwarded-port': String(lb.port),
      'x-forwarded-host': 'chosen.by.client',
      'x-amzn-trace-id': expect.stringMatching(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/),
    });
    const traced = await ask(`ca.localhost:${lb.port}`, { 'x-amzn-trace-id': 'Root=1-67891233-abcdef012345678912345678;CalledFrom=app' });
    expect(traced.headers['x-amzn-trace-id']).toMatch(/^Self=1-[0-9a-f]{8}-[0-9a-f]{24};Root=1-67891233-abcdef012345678912345678;CalledFrom=app$/);
    expect(traceHeader('Self=1-00000000-000000000000000000000000;Root=1-1-1', 1_700_000_000_000)).toMatch(/^Self=1-6553f100-[0-9a-f]{24};Root=1-1-1$/);
  });

  // https://docs.aws.amazon.com/elasticloadbalancing/latest/application/application-load-balancers.html#host-header-preservation
  it('appends the listener port to a Host without one on a port other than 80 or 443, and strips it on those', async () => {
    const a = await app('a');
    await tenant('ca', [a]);
    await waitFor(() => changes.some((c) => c.message === 'target healthy'), 3_000, 'healthy');

    expect((await ask('ca.localhost')).headers.host).toBe(`ca.localhost:${lb.port}`);
    expect((await ask(`ca.localhost:${lb.port}`)).headers.host).toBe(`ca.localhost:${lb.port}`);
    expect(hostForTarget('example.com:80', 80)).toBe('example.com');
    expect(hostForTarget('example.com', 443)).toBe('example.com');
    expect(hostForTarget('example.com', 8080)).toBe('example.com:8080');
  });

  // routing.http.drop_invalid_header_fields.enabled, which serverless.yml turns on:
  // https://docs.aws.amazon.com/elasticloadbalancing/latest/application/application-load-balancers.html#load-balancer-attributes
  it('removes request headers whose names are not only letters, digits and hyphens', async () => {
    const a = await app('a');
    await tenant('ca', [a]);
    await waitFor(() => changes.some((c) => c.message === 'target healthy'), 3_000, 'healthy');

    const { headers } = await ask('ca.localhost', { x_forwarded_for: '10.0.0.1', 'x-fine-1': 'kept' });
    expect(headers).not.toHaveProperty('x_forwarded_for');
    expect(headers['x-fine-1']).toBe('kept');
  });
});

describe('local ALB deregistration', () => {
  // https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-target-groups.html#deregistration-delay:
  // with nothing in flight deregistration completes at once, "However, even though target deregistration is
  // complete, the status of the target is displayed as draining until the deregistration delay timeout expires."
  it('completes an idle deregistration at once, but reports the target draining until the delay is over', async () => {
    await start({ deregistrationDelayMs: 400 });
    const a = await app('a');
    const arn = await tenant('ca', [a]);
    await waitFor(() => changes.some((c) => c.message === 'target healthy'), 3_000, 'healthy');

    const began = Date.now();
    await lb.deregisterTarget(arn, 'a');
    expect(Date.now() - began).toBeLessThan(300);
    expect(await lb.describeTargetHealth(arn)).toEqual([
      expect.objectContaining({ id: 'a', state: 'draining', reason: expect.stringContaining('Target.DeregistrationInProgress') }),
    ]);
    expect((await ask('ca.localhost')).status).toBe(503);
    await waitFor(async () => (await lb.describeTargetHealth(arn)).length === 0, 2_000, 'gone after the delay');
  });
});
