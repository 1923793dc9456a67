/**
 * DynamoDB throttling the tenants table, longer than the SDK's own retries, in the middle of
 * the tenant workflows: the step fails with TransientCloudError (translated at the
 * repository's boundary), the ASL retries it, and the workflow ends as if nothing had
 * happened, with nothing torn down. The throttle is injected inside the SDK's retry loop (the
 * `deserialize` step), so every attempt the SDK makes meets it, as it would in AWS.
 */
import { ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { TenantWorkflowHarness } from '../support/tenant-workflows.ts';

/** Answers the first `times` attempts (each the SDK makes, its own retries included) of the tenant-record writes that set `status` with a throttle; counts every attempt. */
function throttleStatusWrites(h: TenantWorkflowHarness, status: string, times: number) {
  const seen = { attempts: 0, throttled: 0 };
  h.table.db.middlewareStack.add(
    (next) => async (args) => {
      const input = args.input as { ExpressionAttributeValues?: Record<string, { S?: string }> };
      if (input.ExpressionAttributeValues?.[':status']?.S !== status) return next(args);
      seen.attempts += 1;
      if (seen.throttled < times) {
        seen.throttled += 1;
        throw new ProvisionedThroughputExceededException({
          message: 'The level of configured provisioned throughput for the table was exceeded.',
          $metadata: { httpStatusCode: 400 },
        });
      }
      return next(args);
    },
    { step: 'deserialize', name: `throttle-${status}` },
  );
  return seen;
}

describe('tenants table throttled for longer than the SDK retries', () => {
  let h: TenantWorkflowHarness;
  beforeEach(async () => {
    h = await TenantWorkflowHarness.start();
  });
  afterEach(async () => {
    await h.close();
  });

  it('onboarding retries the throttled step and ends ACTIVE, tearing nothing down', async () => {
    await h.tenants.create({ tenantId: 'ca' });
    // One throttle more than the SDK's attempts per call: the step fails once, and its retry's first attempt is throttled too.
    const sdkAttempts = await h.table.client.config.maxAttempts();
    const seen = throttleStatusWrites(h, 'ACTIVE', sdkAttempts + 1);

    const outcome = await h.run('tenant-onboard', { tenantId: 'ca' });

    expect(outcome.status).toBe('SUCCEEDED');
    expect(seen).toEqual({ attempts: sdkAttempts + 2, throttled: sdkAttempts + 1 });
    expect(outcome.actions.filter((action) => action.startsWith('record.markActive'))).toEqual(['record.markActive!', 'record.markActive']);
    expect(outcome.actions).not.toContain('record.markFailed');
    expect(outcome.actions).not.toContain('compute.deleteService');
    expect(h.actions('access').sort()).toEqual(['access.ensureTaskRole', 'access.ensureTenantSecrets']);
    expect(await h.tenants.require('ca')).toMatchObject({ status: 'ACTIVE' });
    expect(h.trace.find((entry) => entry.action === 'markActive' && entry.error)?.error).toBe('TransientCloudError');
  });

  it('offboarding retries the throttled step and ends DELETED', async () => {
    await h.tenants.create({ tenantId: 'ny' });
    expect((await h.run('tenant-onboard', { tenantId: 'ny' })).status).toBe('SUCCEEDED');
    await h.tenants.updateUserFields('ny', { desiredState: 'DELETED' });
    const seen = throttleStatusWrites(h, 'DEPROVISIONING', await h.table.client.config.maxAttempts());

    const outcome = await h.run('tenant-offboard', { tenantId: 'ny' });

    expect(outcome.status).toBe('SUCCEEDED');
    expect(seen.attempts).toBe(seen.throttled + 1);
    expect(outcome.actions.filter((action) => action.startsWith('record.beginOffboarding'))).toEqual(['record.beginOffboarding!', 'record.beginOffboarding']);
    expect(outcome.actions).not.toContain('record.markFailed');
    expect(await h.tenants.require('ny')).toMatchObject({ status: 'DELETED' });
  });
});
