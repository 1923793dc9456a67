/**
 * The product's front door, end to end, on free ports: the local control plane
 * as `npm start` runs it, driven the way a newcomer would drive it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DeleteItemCommand, DescribeTableCommand, GetItemCommand, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { localSettingsFromEnv, onFreePorts, type LocalSettings } from '../../src/local/settings.ts';
import { startLocalControlPlane, type LocalControlPlane } from '../../src/local/runtime/control-plane.ts';
import { tenantResourceNames } from '../../src/tenants/names.ts';
import type { TenantRecord } from '../../src/tenants/schema.ts';
import { APP_DIR, appVariant, dynamoClient, eventually, multipart, pdf, signInThroughLoadBalancer, steadyLoad, viaLoadBalancer } from './support.ts';

let home: string;
let settings: LocalSettings;
let plane: LocalControlPlane;
let firstDigest: string;
let secondDigest: string;

const quiet = () => {};
const start = () => startLocalControlPlane(settings, { log: quiet });

async function statusOf(tenantId: string, wanted: TenantRecord['status']): Promise<TenantRecord> {
  return eventually(`${tenantId} to be ${wanted}`, async () => {
    const tenant = await plane.tenants.get(tenantId);
    if (tenant?.status === 'FAILED' && wanted !== 'FAILED') throw new Error(`${tenantId} FAILED: ${tenant.statusReason}`);
    return tenant?.status === wanted ? tenant : undefined;
  });
}

async function servedDigest(tenantId: string): Promise<string> {
  const res = await viaLoadBalancer(plane.urls.loadBalancer, tenantId, '/health');
  expect(res.status).toBe(200);
  return String((JSON.parse(res.body) as { image: string }).image).split('@')[1] ?? '';
}

beforeAll(async () => {
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  home = await mkdtemp(join(tmpdir(), 'humangov-e2e-'));
  settings = localSettingsFromEnv(onFreePorts(home));
  plane = await start();
  const pushed = await plane.registry.push({ contextDir: APP_DIR, tag: 'v1.0.0' });
  firstDigest = pushed.digest;
  await plane.idle();
}, 180_000);

afterAll(async () => {
  await plane?.stop();
  if (home) await rm(home, { recursive: true, force: true });
});

describe('local control plane, end to end', () => {
  it('onboards two tenants inserted straight through the DynamoDB endpoint', async () => {
    const db = dynamoClient(plane.urls.dynamodb);
    await db.send(new PutItemCommand({ TableName: 'humangov-local-tenants', Item: { tenantId: { S: 'ca' } } }));
    await db.send(new PutItemCommand({ TableName: 'humangov-local-tenants', Item: { tenantId: { S: 'new-york' } } }));
    const [ca, ny] = await Promise.all([statusOf('ca', 'ACTIVE'), statusOf('new-york', 'ACTIVE')]);
    for (const tenant of [ca, ny]) {
      expect(tenant.image?.digest).toBe(firstDigest);
      expect(tenant.health).toMatchObject({ healthy: 2, total: 2, zones: ['us-east-1a', 'us-east-1b'] });
    }
    expect(ca.endpoint).toBe(`http://ca.localhost:${new URL(plane.urls.loadBalancer).port}`);
  }, 120_000);

  it('reports both onboardings and the fleet by status at GET /metrics on the status API', async () => {
    const res = await fetch(`${plane.urls.api}/metrics`);
    expect(res.status).toBe(200);
    const { namespace, metrics } = (await res.json()) as {
      namespace: string;
      metrics: { name: string; dimensions: Record<string, string>; sampleCount: number; last: number; minimum: number }[];
    };
    const find = (name: string, dimensions: Record<string, string>) =>
      metrics.find((m) => m.name === name && JSON.stringify(m.dimensions) === JSON.stringify(dimensions));
    expect(namespace).toBe('HumanGov');
    expect(find('TenantOnboardings', { Outcome: 'ACTIVE' })).toMatchObject({ sampleCount: 2 });
    // Each took at least the wait for its tasks to turn healthy.
    expect(find('TenantOnboardingDuration', { Outcome: 'ACTIVE' })?.minimum).toBeGreaterThan(0);
    expect(find('Tenants', { Status: 'ACTIVE' })?.last).toBe(2);
    expect(find('Tenants', { Status: 'FAILED' })?.last).toBe(0);
  });

  it('serves each tenant its own app through the load balancer, by host, to its own staff once signed in', async () => {
    const anonymous = await viaLoadBalancer(plane.urls.loadBalancer, 'ca', '/');
    const [maria, lee] = await Promise.all([
      signInThroughLoadBalancer(plane.urls.loadBalancer, 'ca', 'maria.ca'),
      signInThroughLoadBalancer(plane.urls.loadBalancer, 'new-york', 'lee.ny'),
    ]);
    const ca = await viaLoadBalancer(plane.urls.loadBalancer, 'ca', '/', { headers: { cookie: maria } });
    const ny = await viaLoadBalancer(plane.urls.loadBalancer, 'new-york', '/', { headers: { cookie: lee } });
    expect(anonymous.status).toBe(302);
    expect(anonymous.headers.location).toContain(plane.urls.identityProvider);
    expect(ca.status).toBe(200);
    expect(ca.body).toContain('State of California');
    expect(ny.body).toContain('State of New York');
    expect((await viaLoadBalancer(plane.urls.loadBalancer, 'texas', '/')).status).toBe(404);
  });

  it("keeps a tenant's status, endpoint, image, resources and history when its onboarding record is written again", async () => {
    const before = await plane.tenants.get('ca');
    const db = dynamoClient(plane.urls.dynamodb);

    // The README's onboarding insert, run a second time: a PutItem replacing the whole item.
    await db.send(new PutItemCommand({ TableName: 'humangov-local-tenants', Item: { tenantId: { S: 'ca' } } }));

    const after = await eventually('the control-plane fields of ca to be back', async () => {
      const tenant = await plane.tenants.get('ca');
      return tenant?.status ? tenant : undefined;
    });
    expect(after).toMatchObject({
      status: 'ACTIVE',
      endpoint: before!.endpoint,
      image: before!.image,
      resources: before!.resources,
      history: before!.history,
    });
    expect(await servedDigest('ca')).toBe(firstDigest);
  });

  it("keeps one tenant's employees invisible to another", async () => {
    const form = new FormData();
    for (const [key, value] of Object.entries({ firstName: 'Ada', lastName: 'Lovelace', role: 'Analyst', salary: '91000' })) form.set(key, value);
    form.set('document', pdf('ada'), 'id.pdf');
    const { body, contentType } = await multipart(form);
    const [maria, lee] = await Promise.all([
      signInThroughLoadBalancer(plane.urls.loadBalancer, 'ca', 'maria.ca'),
      signInThroughLoadBalancer(plane.urls.loadBalancer, 'new-york', 'lee.ny'),
    ]);
    const created = await viaLoadBalancer(plane.urls.loadBalancer, 'ca', '/api/employees', {
      method: 'POST',
      headers: { 'content-type': contentType, cookie: maria },
      body,
    });
    expect(created.status).toBe(201);

    const inCa = await viaLoadBalancer(plane.urls.loadBalancer, 'ca', '/api/employees', { headers: { cookie: maria } });
    const inNy = await viaLoadBalancer(plane.urls.loadBalancer, 'new-york', '/api/employees', { headers: { cookie: lee } });
    expect(inCa.body).toContain('Lovelace');
    expect(inNy.status).toBe(200);
    expect(inNy.body).not.toContain('Lovelace');
  });

  it('marks a record with an invalid id FAILED with the reason, and keeps serving everyone else', async () => {
    const db = dynamoClient(plane.urls.dynamodb);
    await db.send(new PutItemCommand({ TableName: 'humangov-local-tenants', Item: { tenantId: { S: 'New York' } } }));
    const item = await eventually('the invalid record to be marked', async () => {
      const { Item } = await db.send(new GetItemCommand({ TableName: 'humangov-local-tenants', Key: { tenantId: { S: 'New York' } }, ConsistentRead: true }));
      return Item?.status?.S === 'FAILED' ? Item : undefined;
    });
    expect(item.statusReason?.S).toContain('must start with a lowercase letter');
    expect((await viaLoadBalancer(plane.urls.loadBalancer, 'ca', '/health')).status).toBe(200);
    await db.send(new DeleteItemCommand({ TableName: 'humangov-local-tenants', Key: { tenantId: { S: 'New York' } } }));
  });

  it('rolls a changed app out to both tenants without a failed request', async () => {
    const image = await appVariant('v2', (server) => `${server}\n// release 1.1.0\n`);
    const load = steadyLoad(plane.urls.loadBalancer, ['ca', 'new-york']);
    try {
      const pushed = await plane.registry.push({ contextDir: image.dir, tag: 'v1.1.0' });
      secondDigest = pushed.digest;
      expect(secondDigest).not.toBe(firstDigest);
      await plane.idle();
    } finally {
      await image.remove();
    }
    const { requests, failures } = await load.stop();
    expect(failures).toEqual([]);
    expect(requests).toBeGreaterThan(20);

    const [deployment] = (await plane.deployments.list()).items.filter((d) => d.image.digest === secondDigest);
    expect(deployment?.status).toBe('SUCCEEDED');
    expect(await servedDigest('ca')).toBe(secondDigest);
    expect(await servedDigest('new-york')).toBe(secondDigest);
    expect((await plane.tenants.require('ca')).image?.digest).toBe(secondDigest);
  }, 180_000);

  it('stops a release whose /health fails, leaving both tenants on the previous image and serving', async () => {
    const broken = await appVariant(
      'broken',
      (server) =>
        // The app answers /health with 500: the canary never turns healthy, ECS's circuit breaker rolls it back.
        `import { createServer } from 'node:http';\ncreateServer((req, res) => { res.statusCode = req.url === '/health' ? 500 : 200; res.end('broken'); }).listen(Number(process.env.PORT));\n// ${server.length}\n`,
    );
    try {
      await plane.registry.push({ contextDir: broken.dir, tag: 'v1.2.0-broken' });
      await plane.idle();
    } finally {
      await broken.remove();
    }
    const [deployment] = (await plane.deployments.list()).items.filter((d) => d.image.tag === 'v1.2.0-broken');
    expect(deployment?.status).toBe('FAILED');
    expect(await servedDigest('ca')).toBe(secondDigest);
    expect(await servedDigest('new-york')).toBe(secondDigest);
    for (const id of ['ca', 'new-york']) expect((await plane.tenants.require(id)).image?.digest).toBe(secondDigest);
  }, 240_000);

  it('reports each tenant of each rollout at GET /metrics: both on v1.1.0, then the canary rolled back and the other skipped', async () => {
    const { metrics } = (await (await fetch(`${plane.urls.api}/metrics`)).json()) as {
      metrics: { name: string; dimensions: Record<string, string>; sum: number }[];
    };
    const rollouts = Object.fromEntries(metrics.filter((m) => m.name === 'TenantRollouts').map((m) => [m.dimensions.Outcome, m.sum]));
    expect(rollouts).toEqual({ SUCCEEDED: 2, ROLLED_BACK: 1, SKIPPED: 1 });
  });

  it('offboards a tenant: its host is no longer routed, its data is kept', async () => {
    const db = dynamoClient(plane.urls.dynamodb);
    await db.send(
      new UpdateItemCommand({
        TableName: 'humangov-local-tenants',
        Key: { tenantId: { S: 'new-york' } },
        UpdateExpression: 'SET desiredState = :deleted',
        ExpressionAttributeValues: { ':deleted': { S: 'DELETED' } },
      }),
    );
    await statusOf('new-york', 'DELETED');
    expect((await viaLoadBalancer(plane.urls.loadBalancer, 'new-york', '/health')).status).toBe(404);

    const names = tenantResourceNames('local', 'new-york', settings.accountId);
    expect((await db.send(new DescribeTableCommand({ TableName: names.table }))).Table?.TableStatus).toBe('ACTIVE');
    const s3 = new S3Client({
      endpoint: plane.urls.s3,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'e2e', secretAccessKey: 'e2e' },
    });
    await expect(s3.send(new HeadBucketCommand({ Bucket: names.bucket }))).resolves.toBeDefined();
  }, 120_000);

  it('keeps everything across a restart', async () => {
    // On the same ports, as `npm start` runs on its defaults: the tenants' tasks know the load balancer's key endpoint and the IdP by them.
    settings = { ...settings, lbPort: Number(new URL(plane.urls.loadBalancer).port), idpPort: Number(new URL(plane.urls.identityProvider).port) };
    await plane.stop();
    plane = await start();
    const health = await eventually('ca to answer through the load balancer again', async () => {
      const res = await viaLoadBalancer(plane.urls.loadBalancer, 'ca', '/health');
      return res.status === 200 ? (JSON.parse(res.body) as { image: string }) : undefined;
    });
    expect(health.image).toContain(secondDigest);
    // Sessions do not outlive the load balancer (nor the IdP's its process): staff sign in again.
    const maria = await signInThroughLoadBalancer(plane.urls.loadBalancer, 'ca', 'maria.ca');
    const employees = await eventually('ca to serve its employees again', async () => {
      const res = await viaLoadBalancer(plane.urls.loadBalancer, 'ca', '/api/employees', { headers: { cookie: maria } });
      return res.status === 200 ? res.body : undefined;
    });
    expect(employees).toContain('Lovelace');
    expect((await plane.tenants.require('new-york')).status).toBe('DELETED');
    expect((await plane.tenants.require('ca')).status).toBe('ACTIVE');
  }, 120_000);
});
