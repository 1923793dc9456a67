/**
 * The reconciler over a tenant onboarded by the real workflow (TenantWorkflowHarness): what it
 * does when the tenant's table or bucket loses a protection, or is gone, and when its targets stay
 * unhealthy.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { SETTLE_MS, UNHEALTHY_GRACE_MS } from '../../src/reconcile/decide.ts';
import { reconcile, type ReconcileDeps } from '../../src/reconcile/reconciler.ts';
import { tenantResourceNames } from '../../src/tenants/names.ts';
import { RELEASE_V1, TenantWorkflowHarness } from '../support/tenant-workflows.ts';

describe('reconciler', () => {
  let h: TenantWorkflowHarness;
  let deps: ReconcileDeps;
  /** How far the reconciler's clock is ahead of the records'. */
  let ahead = 0;
  const names = () => tenantResourceNames(h.cloud.platform.stage, 'ca', h.cloud.platform.accountId);
  /** ReconcilerCorrections as the metrics port sums them, by Correction. */
  const corrections = () =>
    Object.fromEntries(
      h.metrics
        .snapshot()
        .metrics.filter((m) => m.name === 'ReconcilerCorrections')
        .map((m) => [m.dimensions.Correction, m.sum]),
    );

  beforeEach(async () => {
    h = await TenantWorkflowHarness.start();
    ahead = 0;
    deps = {
      cloud: h.cloud,
      tenants: h.tenants,
      releases: { currentRelease: async () => RELEASE_V1, rollingOut: async () => undefined },
      maxLeaseMs: 60 * 60 * 1000,
      now: () => Date.now() + ahead,
      log: () => undefined,
      metrics: h.metrics,
    };
    await h.tenants.create({ tenantId: 'ca' });
    expect((await h.run('tenant-onboard', { tenantId: 'ca' })).status).toBe('SUCCEEDED');
  });
  afterEach(async () => {
    await h.close();
  });

  it('starts onboarding for a protection turned off, and the onboarding turns it back on', async () => {
    const table = h.cloud.tables.items.get(names().table)!;
    table.pointInTimeRecovery = false;

    const outcomes = await reconcile(deps);

    expect(outcomes).toEqual([{ tenantId: 'ca', decision: 'start', detail: `point-in-time recovery is off on its table ${names().table}` }]);
    const started = h.cloud.workflows.executions.at(-1)!;
    expect(started).toMatchObject({ workflow: 'tenant-onboard', input: { tenantId: 'ca' } });
    expect((await h.run('tenant-onboard', started.input, { name: started.name })).status).toBe('SUCCEEDED');
    expect(table.pointInTimeRecovery).toBe(true);
    expect(await reconcile(deps)).toEqual([{ tenantId: 'ca', decision: 'in-sync' }]);
    expect(corrections()).toEqual({ 'tenant-onboard': 1 });
  });

  it('marks FAILED, once, a tenant whose table is gone, and neither starts onboarding nor makes an empty table', async () => {
    h.cloud.tables.items.delete(names().table);

    const first = await reconcile(deps);
    const afterFirst = await h.tenants.require('ca');
    const second = await reconcile(deps);

    expect(first).toMatchObject([{ tenantId: 'ca', decision: 'data-missing' }]);
    expect(second).toMatchObject([{ tenantId: 'ca', decision: 'data-missing' }]);
    expect(afterFirst.status).toBe('FAILED');
    expect(afterFirst.statusReason).toMatch(new RegExp(`^reconciler: its table ${names().table} \\(its employee records\\) is gone: restore it`));
    expect((await h.tenants.require('ca')).history).toEqual(afterFirst.history);
    expect(h.cloud.workflows.executions).toEqual([]);
    expect(h.cloud.tables.items.has(names().table)).toBe(false);
    expect(corrections()).toEqual({ 'mark-failed': 1 });
  });

  it('counts nothing for a tenant in sync, and one correction for a lease no workflow holds', async () => {
    await reconcile(deps);
    await h.tenants.acquireLock('ca', 'gone-execution', 60_000);
    ahead = 120_000;

    expect(await reconcile(deps)).toMatchObject([{ tenantId: 'ca', decision: 'free-lease' }]);
    expect(corrections()).toEqual({ 'free-lease': 1 });
  });

  it('brings the tenant back once its table is restored under its name', async () => {
    const table = h.cloud.tables.items.get(names().table)!;
    h.cloud.tables.items.delete(names().table);
    await reconcile(deps);

    h.cloud.tables.items.set(names().table, table);
    const outcomes = await reconcile(deps);

    expect(outcomes).toEqual([{ tenantId: 'ca', decision: 'start', detail: 'everything runs as asked but the status is FAILED' }]);
  });
  it('marks DEGRADED a tenant whose targets stay unhealthy past the grace, and brings it back to ACTIVE once they are healthy', async () => {
    h.cloud.loadBalancer.unhealthyFor(names().targetGroup, 2);

    expect(await reconcile(deps)).toMatchObject([{ tenantId: 'ca', decision: 'unhealthy' }]);
    expect(await h.tenants.require('ca')).toMatchObject({ status: 'ACTIVE', reconcile: { unhealthySince: expect.any(Number) } });
    ahead = UNHEALTHY_GRACE_MS + 1000;
    expect(await reconcile(deps)).toMatchObject([{ tenantId: 'ca', decision: 'unhealthy' }]);

    const degraded = await h.tenants.require('ca');
    expect(degraded.status).toBe('DEGRADED');
    expect(degraded.statusReason).toMatch(/^reconciler: only 0 of 2 task\(s\) healthy behind its load balancer \(2 running\) since .*humangov tenant logs ca/);
    expect(corrections()).toEqual({ 'mark-degraded': 1 });

    // Healthy again: the next pass re-verifies through onboarding, which marks it ACTIVE.
    expect(await reconcile(deps)).toEqual([{ tenantId: 'ca', decision: 'start', detail: 'everything runs as asked but the status is DEGRADED' }]);
    const started = h.cloud.workflows.executions.at(-1)!;
    expect((await h.run('tenant-onboard', started.input, { name: started.name })).status).toBe('SUCCEEDED');
    expect((await h.tenants.require('ca')).status).toBe('ACTIVE');
    expect(await reconcile(deps)).toEqual([{ tenantId: 'ca', decision: 'in-sync' }]);
    expect((await h.tenants.require('ca')).reconcile).toBeUndefined();
  });

  it('forgets unhealthy targets that recover within the grace', async () => {
    h.cloud.loadBalancer.unhealthyFor(names().targetGroup, 1);

    expect(await reconcile(deps)).toMatchObject([{ tenantId: 'ca', decision: 'unhealthy' }]);
    expect(await reconcile(deps)).toEqual([{ tenantId: 'ca', decision: 'in-sync' }]);
    expect(await h.tenants.require('ca')).toMatchObject({ status: 'ACTIVE' });
    expect((await h.tenants.require('ca')).reconcile).toBeUndefined();
  });
  it('does not make a gone table again empty when the user fields change, and does when the tenant is retried', async () => {
    h.cloud.tables.items.delete(names().table);
    await h.tenants.updateUserFields('ca', { desiredCount: 3 });

    await h.run('tenant-onboard', { tenantId: 'ca' }, { name: 'ca-count-3' });

    const refused = await h.tenants.require('ca');
    expect(refused.statusReason).toMatch(new RegExp(`its table ${names().table} \\(its employee records\\) is gone: restore it`));
    expect(h.cloud.tables.items.has(names().table)).toBe(false);

    await h.tenants.forgetDataStores('ca');
    expect((await h.run('tenant-onboard', { tenantId: 'ca' }, { name: 'ca-retry' })).status).toBe('SUCCEEDED');
    expect(h.cloud.tables.items.has(names().table)).toBe(true);
    expect(await h.tenants.require('ca')).toMatchObject({ status: 'ACTIVE', resources: { tableName: names().table } });
  });
  it("keeps a settled tenant's reason while a workflow holds it for its last moments, and says so when a lease stays a pass later", async () => {
    await h.tenants.acquireLock('ca', 'someone', 10 * 60_000);
    const before = await h.tenants.require('ca');

    expect(await reconcile(deps)).toMatchObject([{ tenantId: 'ca', decision: 'wait' }]);
    expect((await h.tenants.require('ca')).statusReason).toBe(before.statusReason);

    expect(await reconcile(deps)).toMatchObject([{ tenantId: 'ca', decision: 'wait' }]);
    expect((await h.tenants.require('ca')).statusReason).toMatch(/^held by someone until .*; the reconciler frees it then if nothing renews it$/);
    expect(h.cloud.workflows.executions).toEqual([]);
  });

  it('leaves a new record to the stream, and onboards it itself once it is still untouched after the settle time', async () => {
    await h.tenants.create({ tenantId: 'tx' });

    const first = await reconcile(deps);
    const second = await reconcile(deps);
    ahead = SETTLE_MS;
    const third = await reconcile(deps);

    expect(first.find((o) => o.tenantId === 'tx')).toEqual({ tenantId: 'tx', decision: 'settle', detail: 'not onboarded yet' });
    expect(second.find((o) => o.tenantId === 'tx')).toMatchObject({ decision: 'backoff' });
    expect(third.find((o) => o.tenantId === 'tx')).toEqual({ tenantId: 'tx', decision: 'start', detail: 'not onboarded yet' });
    expect(h.cloud.workflows.executions.map((e) => e.input)).toEqual([{ tenantId: 'tx' }]);
    expect((await h.tenants.require('tx')).status).toBeUndefined();
  });
});
