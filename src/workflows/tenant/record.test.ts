import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { FakeCloud } from '../../../test/support/fake-cloud.ts';
import { startTenantsTable, type TestTenantsTable } from '../../../test/support/tenants-table.ts';
import type { TenantRepository } from '../../tenants/repository.ts';
import { LeaseLostError } from './errors.ts';
import { recordSteps } from './record.ts';
import { InMemoryMetrics } from '../../../src/local/metrics.ts';

const HEALTH = { healthy: 2, total: 2, zones: ['us-east-1a', 'us-east-1b'] };
const IMAGE = { repository: 'app', tag: 'v1.0.0', digest: `sha256:${'e'.repeat(64)}` };

describe('record steps', () => {
  let table: TestTenantsTable;
  let tenants: TenantRepository;
  let steps: ReturnType<typeof recordSteps>;
  beforeAll(async () => {
    table = await startTenantsTable();
    tenants = table.repository();
    steps = recordSteps({
      cloud: new FakeCloud(),
      tenants,
      releases: { currentRelease: async () => undefined, rollingOut: async () => undefined },
      now: () => new Date(),
      metrics: new InMemoryMetrics(),
    });
  });
  afterAll(async () => {
    await table.close();
  });

  async function provisioning(tenantId: string, executionId: string) {
    await tenants.create({ tenantId });
    await steps.acquireLock({ action: 'acquireLock', tenantId, executionId });
    return steps.beginOnboarding({ action: 'beginOnboarding', tenantId, executionId });
  }

  it('markActive run twice by one execution (a retried step) moves the tenant once', async () => {
    await provisioning('ca', 'e1');
    const input = { action: 'markActive', tenantId: 'ca', executionId: 'e1', endpoint: 'https://ca.x', image: IMAGE, health: HEALTH, resources: {} };
    await steps.markActive(input);
    await steps.markActive(input);
    expect((await tenants.require('ca')).history?.map((e) => e.to)).toEqual(['PROVISIONING', 'ACTIVE']);
  });

  it('markFailed says DEGRADED, not FAILED, for a tenant that was serving before', async () => {
    await provisioning('ny', 'e1');
    const result = await steps.markFailed({
      action: 'markFailed',
      tenantId: 'ny',
      executionId: 'e1',
      error: { Error: 'RolloutFailedError', Cause: 'ECS rolled back' },
      failure: { wasServing: true, cleanupErrors: {} },
    });
    expect(result).toMatchObject({ status: 'DEGRADED', recorded: true });
    expect((await tenants.require('ny')).statusReason).toBe('ECS rolled back; the service that was running before was left in place');
  });

  it('markFailed leaves alone a tenant another execution now holds', async () => {
    await provisioning('tx', 'old');
    await tenants.releaseLock('tx', 'old');
    await tenants.acquireLock('tx', 'new', 60_000);
    const result = await steps.markFailed({ action: 'markFailed', tenantId: 'tx', executionId: 'old', error: { Error: 'X', Cause: 'boom' } });
    expect(result).toMatchObject({ recorded: false });
    expect((await tenants.require('tx')).status).toBe('PROVISIONING');
  });

  it('a renewal that finds the lease taken stops the execution with LeaseLostError', async () => {
    await provisioning('wa', 'old');
    await tenants.releaseLock('wa', 'old');
    await tenants.acquireLock('wa', 'new', 60_000);
    await expect(steps.recordProgress({ action: 'recordProgress', tenantId: 'wa', executionId: 'old', resources: {}, detail: 'x' })).rejects.toThrow(
      LeaseLostError,
    );
  });

  it('refuses an invalid id before touching the table, and releasing it is a no-op', async () => {
    await expect(steps.acquireLock({ action: 'acquireLock', tenantId: 'NY', executionId: 'e1' })).rejects.toThrow('must start with a lowercase letter');
    expect(await steps.releaseLock({ action: 'releaseLock', tenantId: '', executionId: 'e1' })).toEqual({ released: false });
  });
});
