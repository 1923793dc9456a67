import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { makeApiHandler } from '../../functions/api.ts';
import { deploymentIdFor } from '../../src/deployments/event.ts';
import type { DeploymentRepository } from '../../src/deployments/repository.ts';
import { apiEvent, invoke, startApiTables, type ApiTables } from './support.ts';

const image = (tag: string, hex: string) => ({
  repository: '123456789012.dkr.ecr.us-east-1.amazonaws.com/humangov-app',
  tag,
  digest: `sha256:${hex.repeat(64)}`,
});
const taskDef = (tenantId: string, revision: number) => `arn:aws:ecs:us-east-1:123456789012:task-definition/humangov-test-${tenantId}:${revision}`;

/** Seeds a rollout through the repository's own steps, as the image-deploy workflow writes it. */
async function seed(deployments: DeploymentRepository, eventId: string, time: string, tag: string, hex: string): Promise<string> {
  const deploymentId = deploymentIdFor({ id: eventId, time });
  await deployments.create({
    deploymentId,
    image: image(tag, hex),
    status: 'IN_PROGRESS',
    eventId,
    eventTime: time,
    executionId: `exec-${eventId}`,
    maxConcurrency: 50,
    failureThreshold: 1,
    startedAt: time,
  });
  await deployments.claimLatest({ deploymentId, eventTime: time });
  await deployments.savePlan(deploymentId, { canaryTenantId: 'tx', waves: [['tx'], ['ca', 'ny']] });
  return deploymentId;
}

describe('status API: deployments (real middy chain, dynalite)', () => {
  let tables: ApiTables;
  let handler: ReturnType<typeof makeApiHandler>;
  const ids: { succeeded: string; failed: string; running: string } = { succeeded: '', failed: '', running: '' };

  beforeAll(async () => {
    tables = await startApiTables();
    const { deployments } = tables;
    handler = makeApiHandler({ tenants: tables.tenantsTable.repository(), deployments, stage: 'test' });

    ids.succeeded = await seed(deployments, 'evt-1', '2026-11-24T09:00:00.000Z', 'v1.0.0', 'a');
    for (const tenantId of ['tx', 'ca', 'ny']) {
      await deployments.recordResult(ids.succeeded, {
        tenantId,
        outcome: 'SUCCEEDED',
        previousTaskDefinitionArn: taskDef(tenantId, 1),
        newTaskDefinitionArn: taskDef(tenantId, 2),
        startedAt: '2026-11-24T09:01:00.000Z',
        endedAt: '2026-11-24T09:04:00.000Z',
      });
    }
    const done = await deployments.finish(ids.succeeded, { status: 'SUCCEEDED', reason: '3 of 3 tenants updated', endedAt: '2026-11-24T09:10:00.000Z' });
    await deployments.publishRelease(done);

    ids.failed = await seed(deployments, 'evt-2', '2026-11-25T09:00:00.000Z', 'v1.1.0', 'b');
    await deployments.recordResult(ids.failed, {
      tenantId: 'tx',
      outcome: 'ROLLED_BACK',
      previousTaskDefinitionArn: taskDef('tx', 2),
      newTaskDefinitionArn: taskDef('tx', 3),
      error: 'GET /health answered digest sha256:aaaa…, expected sha256:bbbb…',
      startedAt: '2026-11-25T09:01:00.000Z',
      endedAt: '2026-11-25T09:06:00.000Z',
    });
    const reason = 'the canary tenant "tx" failed';
    await deployments.recordStop(ids.failed, { kind: 'FAILURES', reason, at: '2026-11-25T09:06:01.000Z' });
    for (const tenantId of ['ca', 'ny']) await deployments.recordResult(ids.failed, { tenantId, outcome: 'SKIPPED', reason: `not deployed: ${reason}` });
    await deployments.finish(ids.failed, { status: 'FAILED', reason, endedAt: '2026-11-25T09:07:00.000Z' });

    ids.running = await seed(deployments, 'evt-3', '2026-11-26T09:00:00.000Z', 'v1.2.0', 'c');
    await deployments.recordResult(ids.running, {
      tenantId: 'tx',
      outcome: 'SUCCEEDED',
      startedAt: '2026-11-26T09:01:00.000Z',
      endedAt: '2026-11-26T09:03:00.000Z',
    });
  });
  afterAll(() => tables.close());

  const call = (target: string) => invoke(handler, apiEvent('GET', target));

  it("lists deployments newest first with their counts, hiding the table's pointer items", async () => {
    const { status, body } = await call('/deployments');
    expect(status).toBe(200);
    expect(body.nextCursor).toBeNull();
    expect(body.items.map((item: { deploymentId: string }) => item.deploymentId)).toEqual([ids.running, ids.failed, ids.succeeded]);
    expect(body.items[0]).toEqual({
      deploymentId: ids.running,
      status: 'IN_PROGRESS',
      reason: null,
      image: image('v1.2.0', 'c'),
      canaryTenantId: 'tx',
      startedAt: '2026-11-26T09:00:00.000Z',
      endedAt: null,
      counts: { PENDING: 2, SUCCEEDED: 1, ROLLED_BACK: 0, FAILED: 0, SKIPPED: 0, NOOP: 0 },
    });
  });

  it('shows one deployment tenant by tenant, the canary first, with task definitions, errors and times', async () => {
    const { status, body } = await call(`/deployments/${ids.failed}`);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      deploymentId: ids.failed,
      status: 'FAILED',
      reason: 'the canary tenant "tx" failed',
      endedAt: '2026-11-25T09:07:00.000Z',
      counts: { ROLLED_BACK: 1, SKIPPED: 2, SUCCEEDED: 0, PENDING: 0 },
      stop: { kind: 'FAILURES', reason: 'the canary tenant "tx" failed', at: '2026-11-25T09:06:01.000Z' },
      waves: [['tx'], ['ca', 'ny']],
    });
    expect(body.tenants).toEqual([
      {
        tenantId: 'tx',
        outcome: 'ROLLED_BACK',
        previousTaskDefinitionArn: taskDef('tx', 2),
        newTaskDefinitionArn: taskDef('tx', 3),
        error: 'GET /health answered digest sha256:aaaa…, expected sha256:bbbb…',
        reason: null,
        startedAt: '2026-11-25T09:01:00.000Z',
        endedAt: '2026-11-25T09:06:00.000Z',
      },
      expect.objectContaining({ tenantId: 'ca', outcome: 'SKIPPED', reason: 'not deployed: the canary tenant "tx" failed', error: null }),
      expect.objectContaining({ tenantId: 'ny', outcome: 'SKIPPED' }),
    ]);
  });

  it('shows the progress of a deployment still running', async () => {
    const { body } = await call(`/deployments/${ids.running}`);
    expect(body.tenants.map((t: { tenantId: string; outcome: string }) => `${t.tenantId}:${t.outcome}`)).toEqual(['tx:SUCCEEDED', 'ca:PENDING', 'ny:PENDING']);
    expect(body.counts).toMatchObject({ SUCCEEDED: 1, PENDING: 2 });
  });

  it('pages through GET /deployments with limit and cursor, every deployment exactly once', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const answer = await call(`/deployments?limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(answer.status).toBe(200);
      seen.push(...answer.body.items.map((item: { deploymentId: string }) => item.deploymentId));
      cursor = answer.body.nextCursor;
      pages++;
    } while (cursor && pages < 20);
    expect(pages).toBeGreaterThanOrEqual(3);
    expect(seen.sort()).toEqual([ids.succeeded, ids.failed, ids.running].sort());
  });

  it('answers a bad cursor with 400 INVALID_CURSOR rather than failing inside the scan', async () => {
    expect((await call('/deployments?cursor=%7Bnot-json')).body.error.code).toBe('INVALID_CURSOR');
    const tenantCursor = Buffer.from(JSON.stringify({ tenantId: 'ca' })).toString('base64url');
    expect((await call(`/deployments?cursor=${tenantCursor}`)).status).toBe(400);
  });

  it("answers an unknown deployment, or a pointer item's key, with 404 saying how to list deployments", async () => {
    const notFound = { code: 'NOT_FOUND', message: 'deployment "20990101T000000Z-nope" does not exist; list deployments with GET /deployments' };
    expect(await call('/deployments/20990101T000000Z-nope')).toMatchObject({ status: 404, body: { error: notFound } });
    expect((await call('/deployments/%40latest')).body.error).toEqual({
      code: 'NOT_FOUND',
      message: 'deployment "@latest" does not exist; list deployments with GET /deployments',
    });
  });
});
