import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startLocalAws } from './support/local-aws.ts';
import type { LocalAws } from './support/local-aws.ts';
import { createTenantStorage, startApp, testConfig } from './support/test-app.ts';
import type { RunningApp } from './support/test-app.ts';

let aws: LocalAws;
const running: RunningApp[] = [];

beforeAll(async () => {
  aws = await startLocalAws();
});

afterAll(async () => {
  await Promise.all(running.map((app) => app.close()));
  await aws?.stop();
});

async function appFor(overrides: Parameters<typeof testConfig>[2] = {}): Promise<RunningApp> {
  const app = await startApp(aws, testConfig(aws, await createTenantStorage(aws), overrides));
  running.push(app);
  return app;
}

describe('GET /health', () => {
  it('reports liveness with the tenant id and the image reference verbatim', async () => {
    const app = await appFor({ tenantId: 'new-york', appImage: '123.dkr.ecr.us-east-1.amazonaws.com/humangov@sha256:abc' });
    const response = await fetch(`${app.baseUrl}/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok', tenant: 'new-york', image: '123.dkr.ecr.us-east-1.amazonaws.com/humangov@sha256:abc' });
    expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('GET /ready', () => {
  it('is ready when the table and the bucket are reachable', async () => {
    const app = await appFor();
    const response = await fetch(`${app.baseUrl}/ready`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: 'ready' });
  });

  it('answers 503 naming the table when the table is missing', async () => {
    const app = await appFor();
    await aws.deleteTable(app.config.tableName);
    const response = await fetch(`${app.baseUrl}/ready`);
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({
      status: 'unavailable',
      failed: ['table'],
      checks: { table: { ok: false, error: expect.stringContaining('ResourceNotFoundException') }, bucket: { ok: true } },
    });
  });

  it('answers 503 naming the bucket when the bucket is missing', async () => {
    const app = await appFor({ bucketName: 'no-such-bucket-here' });
    const response = await fetch(`${app.baseUrl}/ready`);
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ failed: ['bucket'], checks: { table: { ok: true }, bucket: { ok: false } } });
  });

  it('keeps /health at 200 while a dependency is down, so the orchestrator does not restart the task', async () => {
    const app = await appFor();
    await aws.deleteTable(app.config.tableName);
    expect((await fetch(`${app.baseUrl}/health`)).status).toBe(200);
  });
});
