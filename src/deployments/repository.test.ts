import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTenantsTable, type TestTenantsTable } from '../../test/support/tenants-table.ts';
import { DeploymentRepository } from './repository.ts';
import type { DeploymentRecord } from './schema.ts';
import { DEPLOYMENTS_TABLE_DEFINITION } from './table.ts';

let table: TestTenantsTable;
let seq = 0;

beforeAll(async () => {
  table = await startTenantsTable();
});
afterAll(async () => {
  await table.close();
});

/** A fresh table per test: the pointer items are table-wide. */
async function repository(): Promise<DeploymentRepository> {
  const name = `deployments-${++seq}`;
  await table.client.send(new CreateTableCommand({ TableName: name, ...DEPLOYMENTS_TABLE_DEFINITION, BillingMode: 'PAY_PER_REQUEST' }));
  return new DeploymentRepository(table.db, name);
}

function record(minute: number, fields: Partial<DeploymentRecord> = {}): DeploymentRecord {
  const eventTime = new Date(Date.UTC(2025, 0, 1, 10, minute)).toISOString();
  return {
    deploymentId: `${eventTime.replace(/[-:.]/g, '')}-e${minute}`,
    image: { repository: 'repo', tag: `v${minute}`, digest: `sha256:${String(minute % 10).repeat(64)}` },
    status: 'IN_PROGRESS',
    eventId: `e${minute}`,
    eventTime,
    executionId: `exec-${minute}`,
    maxConcurrency: 50,
    failureThreshold: 1,
    startedAt: eventTime,
    ...fields,
  };
}

describe('DeploymentRepository', () => {
  it('creates a deployment once; the same id again returns the first', async () => {
    const repo = await repository();
    expect((await repo.create(record(1))).created).toBe(true);
    const again = await repo.create(record(1, { executionId: 'another' }));
    expect(again).toMatchObject({ created: false, deployment: { executionId: 'exec-1' } });
  });

  it('lets the newest push by event time claim the pointer, whatever the arrival order', async () => {
    const repo = await repository();
    expect(await repo.claimLatest(record(5))).toEqual({ newest: true });
    expect(await repo.claimLatest(record(9))).toEqual({ newest: true, replaced: record(5).deploymentId });
    expect(await repo.claimLatest(record(7))).toEqual({ newest: false, newer: record(9).deploymentId });
    // A retried claim still names the deployment it replaced.
    expect(await repo.claimLatest(record(9))).toEqual({ newest: true, replaced: record(5).deploymentId });
  });

  it('records tenant results concurrently without losing any, and counts them', async () => {
    const repo = await repository();
    await repo.create(record(1));
    const ids = Array.from({ length: 20 }, (_, i) => `t${i}`);
    await repo.savePlan(record(1).deploymentId, { canaryTenantId: 't0', waves: [['t0'], ids.slice(1)] });
    await Promise.all(ids.map((tenantId, i) => repo.recordResult(record(1).deploymentId, { tenantId, outcome: i % 2 ? 'SUCCEEDED' : 'NOOP' })));
    const deployment = await repo.require(record(1).deploymentId);
    expect(deployment.counts).toMatchObject({ SUCCEEDED: 10, NOOP: 10, PENDING: 0 });
  });

  it('writes the plan once: a retried step gets the first plan', async () => {
    const repo = await repository();
    await repo.create(record(1));
    await repo.savePlan(record(1).deploymentId, { canaryTenantId: 'ca', waves: [['ca'], ['ny']] });
    const again = await repo.savePlan(record(1).deploymentId, { canaryTenantId: 'tx', waves: [['tx']] });
    expect(again).toMatchObject({ canaryTenantId: 'ca', waves: [['ca'], ['ny']] });
  });

  it('ends a deployment once, and leaves an ended one unchanged', async () => {
    const repo = await repository();
    await repo.create(record(1));
    await repo.finish(record(1).deploymentId, { status: 'FAILED', reason: 'first', endedAt: 'now' });
    const again = await repo.finish(record(1).deploymentId, { status: 'SUCCEEDED', reason: 'second', endedAt: 'later' });
    expect(again).toMatchObject({ status: 'FAILED', reason: 'first' });
    await repo.recordResult(record(1).deploymentId, { tenantId: 'late', outcome: 'SUCCEEDED' });
    expect((await repo.require(record(1).deploymentId)).results?.late).toBeUndefined();
  });

  it('serves the newest successful image as the current release, never an older one finishing later', async () => {
    const repo = await repository();
    expect(await repo.currentRelease()).toBeUndefined();
    await repo.publishRelease(record(5));
    await repo.publishRelease(record(3));
    expect(await repo.currentRelease()).toEqual(record(5).image);
    await repo.publishRelease(record(8));
    expect(await repo.currentRelease()).toEqual(record(8).image);
  });

  it('lists deployments newest first, without its pointer items', async () => {
    const repo = await repository();
    await repo.create(record(1));
    await repo.create(record(2));
    await repo.claimLatest(record(2));
    await repo.publishRelease(record(2));
    expect((await repo.list()).items.map((d) => d.eventId)).toEqual(['e2', 'e1']);
    expect(await repo.get('@release')).toBeUndefined();
  });
});
