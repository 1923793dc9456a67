/**
 * What the tenant workflows report as they end (src/workflows/kit/signals.ts), read from the
 * metrics the steps recorded while the real state machines ran: how each onboarding and
 * offboarding ended and how long it took, and the fleet by status after it.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { MetricSummary } from '../../src/local/metrics.ts';
import { TENANT_STATUSES } from '../../src/tenants/status.ts';
import { TenantWorkflowHarness } from '../support/tenant-workflows.ts';

describe('workflow signals', () => {
  let h: TenantWorkflowHarness;
  beforeEach(async () => {
    h = await TenantWorkflowHarness.start();
  });
  afterEach(async () => {
    await h.close();
  });

  const metric = (name: string, dimensions: Record<string, string>): MetricSummary | undefined =>
    h.metrics.snapshot().metrics.find((m) => m.name === name && JSON.stringify(m.dimensions) === JSON.stringify(dimensions));
  const fleet = () => Object.fromEntries(TENANT_STATUSES.map((status) => [status, metric('Tenants', { Status: status })?.last]));

  it('counts an onboarding that ends ACTIVE, with its duration from PROVISIONING, and the fleet after it', async () => {
    await h.tenants.create({ tenantId: 'ca' });
    await h.tenants.create({ tenantId: 'wa' });
    h.cloud.loadBalancer.unhealthyFor('hg-test-ca', 2);
    expect((await h.run('tenant-onboard', { tenantId: 'ca' })).status).toBe('SUCCEEDED');

    const record = await h.tenants.require('ca');
    const began = Date.parse(record.history!.find((entry) => entry.to === 'PROVISIONING')!.at);
    const ended = Date.parse(record.history!.at(-1)!.at);
    expect(metric('TenantOnboardings', { Outcome: 'ACTIVE' })).toMatchObject({ unit: 'Count', sampleCount: 1, sum: 1 });
    const duration = metric('TenantOnboardingDuration', { Outcome: 'ACTIVE' })!;
    expect(duration.unit).toBe('Milliseconds');
    // The harness's waits are real (scaled down), so the duration is the span the history shows, give or take a step.
    expect(duration.last).toBeGreaterThanOrEqual(ended - began);
    expect(duration.last).toBeLessThan(ended - began + 1_000);
    // wa was inserted but not onboarded: a record with no status yet counts in none.
    expect(fleet()).toEqual({ PROVISIONING: 0, ACTIVE: 1, DEPLOYING: 0, DEGRADED: 0, DEPROVISIONING: 0, DELETED: 0, FAILED: 0 });
  });

  it('counts a failed onboarding as FAILED, and an offboarding as DELETED, each once', async () => {
    await h.tenants.create({ tenantId: 'or' });
    h.cloud.script.fail('loadBalancer.describeTargetHealth', { kind: 'permanent', message: 'AccessDenied' });
    expect((await h.run('tenant-onboard', { tenantId: 'or' })).status).toBe('FAILED');
    expect(metric('TenantOnboardings', { Outcome: 'FAILED' })).toMatchObject({ sampleCount: 1 });
    expect(metric('TenantOnboardings', { Outcome: 'ACTIVE' })).toBeUndefined();
    expect(fleet()).toMatchObject({ FAILED: 1, ACTIVE: 0 });

    await h.tenants.create({ tenantId: 'tx' });
    expect((await h.run('tenant-onboard', { tenantId: 'tx' })).status).toBe('SUCCEEDED');
    await h.tenants.updateUserFields('tx', { desiredState: 'DELETED' });
    expect((await h.run('tenant-offboard', { tenantId: 'tx' })).status).toBe('SUCCEEDED');
    expect(metric('TenantOffboardings', { Outcome: 'DELETED' })).toMatchObject({ sampleCount: 1 });
    expect(metric('TenantOffboardingDuration', { Outcome: 'DELETED' })?.last).toBeGreaterThanOrEqual(0);
    expect(metric('TenantOnboardings', { Outcome: 'DELETED' })).toBeUndefined();
    expect(fleet()).toMatchObject({ FAILED: 1, ACTIVE: 0, DELETED: 1 });
  });
});
