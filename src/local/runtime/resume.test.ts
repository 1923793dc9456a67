import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { WorkflowName, WorkflowPort } from '../../cloud/ports.ts';
import { startApiTables, type ApiTables } from '../../../test/api/support.ts';
import { resumeUnfinishedWork } from './resume.ts';

const IMAGE = { repository: 'humangov-local-app', tag: 'v1.0.0', digest: `sha256:${'a'.repeat(64)}` };

describe('resumeUnfinishedWork', () => {
  let tables: ApiTables;
  const started: { workflow: WorkflowName; name: string; input: unknown }[] = [];
  const workflows: WorkflowPort = {
    async startExecution(request) {
      started.push(request);
      return { executionArn: `arn:${request.name}`, started: true };
    },
  };

  beforeAll(async () => {
    tables = await startApiTables();
    const put = (Item: Record<string, unknown>) => tables.tenantsTable.db.send(new PutCommand({ TableName: tables.tenantsTable.tableName, Item }));
    await put({ tenantId: 'ca', status: 'ACTIVE', version: 3 });
    await put({ tenantId: 'ny', status: 'PROVISIONING', version: 1, lock: { owner: 'ny-onboard-1', expiresAt: Date.now() + 3_600_000 } });
    await put({ tenantId: 'tx', status: 'DEPLOYING', version: 5, lock: { owner: 'deploy-1', expiresAt: Date.now() + 3_600_000 } });
    await put({ tenantId: 'wa', status: 'DEPROVISIONING', desiredState: 'DELETED', version: 2 });
    await put({ tenantId: 'or' });
    await tables.deployments.create({
      deploymentId: '2026-11-26T10:00:00Z-e1',
      image: IMAGE,
      status: 'IN_PROGRESS',
      eventId: 'e1',
      eventTime: '2026-11-26T10:00:00Z',
      executionId: 'deploy-e1',
      maxConcurrency: 50,
      failureThreshold: 1,
      startedAt: '2026-11-26T10:00:01Z',
      results: {
        tx: { tenantId: 'tx', outcome: 'PENDING' },
        ca: { tenantId: 'ca', outcome: 'SUCCEEDED' },
      },
    });
  });
  afterAll(() => tables.close());

  it('converges every tenant a stop left half-done, and only those', async () => {
    const { resumed } = await resumeUnfinishedWork({ tenants: tables.tenantsTable.repository(), deployments: tables.deployments, workflows, log: () => {} });
    expect(resumed.sort()).toEqual(['ny', 'or', 'tx', 'wa']);
    const byTenant = Object.fromEntries(started.map((s) => [(s.input as { tenantId: string }).tenantId, s.workflow]));
    expect(byTenant).toEqual({ ny: 'tenant-onboard', or: 'tenant-onboard', tx: 'tenant-onboard', wa: 'tenant-offboard' });
  });

  it('frees the leases of executions that died with the last run', async () => {
    const repo = tables.tenantsTable.repository();
    expect((await repo.require('ny')).lock).toBeUndefined();
    await repo.acquireLock('tx', 'new-execution', 60_000);
    expect((await repo.require('tx')).lock?.owner).toBe('new-execution');
  });

  it('ends a rollout the stop cut off as FAILED, with the tenants it had not reached SKIPPED', async () => {
    const deployment = await tables.deployments.require('2026-11-26T10:00:00Z-e1');
    expect(deployment.status).toBe('FAILED');
    expect(deployment.reason).toContain('push the image again');
    expect(deployment.results?.tx?.outcome).toBe('SKIPPED');
    expect(deployment.results?.ca?.outcome).toBe('SUCCEEDED');
  });
});
