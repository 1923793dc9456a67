import { describe, expect, it } from '@jest/globals';
import type { DeploymentDetail, TenantDetail } from '../../src/cli/api-client.ts';
import { colors } from '../../src/cli/format.ts';
import { deploymentVerdict, describeDeployment, describeTenant, tenantVerdict } from '../../src/cli/watch.ts';

function tenant(status: TenantDetail['status'], history: [string, NonNullable<TenantDetail['status']>][] = []): TenantDetail {
  return {
    tenantId: 'ca',
    status,
    statusReason: status === 'FAILED' ? 'service did not stabilise' : null,
    health: null,
    history: history.map(([at, to]) => ({ at, from: null, to, reason: null, executionId: null })),
  } as unknown as TenantDetail;
}

const c = colors(false);

describe('tenantVerdict', () => {
  it('ends as wanted when the tenant reaches the wanted status', () => {
    expect(tenantVerdict(tenant('ACTIVE', [['t1', 'ACTIVE']]), { want: 'ACTIVE', before: tenant(null) })).toBe('ended-as-wanted');
  });

  it('keeps waiting while the record has not been picked up, or is on its way', () => {
    expect(tenantVerdict(tenant(null), { want: 'ACTIVE', before: tenant(null) })).toBe('pending');
    expect(tenantVerdict(tenant('PROVISIONING', [['t1', 'PROVISIONING']]), { want: 'ACTIVE', before: tenant(null) })).toBe('pending');
  });

  it('ends otherwise on a FAILED or DEGRADED reached after the request', () => {
    expect(tenantVerdict(tenant('FAILED', [['t1', 'FAILED']]), { want: 'ACTIVE', before: tenant(null) })).toBe('ended-otherwise');
    expect(tenantVerdict(tenant('DEGRADED', [['t1', 'DEGRADED']]), { want: 'ACTIVE', before: tenant(null) })).toBe('ended-otherwise');
  });

  it('does not take a FAILED the tenant already had for the outcome of removing it', () => {
    const failedBefore = tenant('FAILED', [['t1', 'FAILED']]);
    expect(tenantVerdict(failedBefore, { want: 'DELETED', before: failedBefore })).toBe('pending');
    expect(
      tenantVerdict(
        tenant('FAILED', [
          ['t1', 'FAILED'],
          ['t2', 'DEPROVISIONING'],
          ['t3', 'FAILED'],
        ]),
        { want: 'DELETED', before: failedBefore },
      ),
    ).toBe('ended-otherwise');
  });

  it('follows a removal that starts new work past the DELETED an older request left, to a DELETED without the data when purging', () => {
    const dataKept = { tableName: 'humangov-local-tenant-ca', bucketName: 'humangov-local-ca-data' };
    const noData = { tableName: null, bucketName: null };
    const deletedBefore = { ...tenant('DELETED', [['t1', 'DELETED']]), resources: dataKept } as TenantDetail;
    const purging = { want: 'DELETED' as const, before: deletedBefore, changed: true, purge: true };
    const later = (history: [string, NonNullable<TenantDetail['status']>][], resources: object) =>
      ({ ...tenant(history.at(-1)![1], history), resources }) as TenantDetail;

    expect(tenantVerdict(deletedBefore, purging)).toBe('pending');
    expect(
      tenantVerdict(
        later(
          [
            ['t1', 'DELETED'],
            ['t2', 'DEPROVISIONING'],
          ],
          dataKept,
        ),
        purging,
      ),
    ).toBe('pending');
    expect(
      tenantVerdict(
        later(
          [
            ['t1', 'DELETED'],
            ['t2', 'DEPROVISIONING'],
            ['t3', 'DELETED'],
          ],
          noData,
        ),
        purging,
      ),
    ).toBe('ended-as-wanted');
    expect(
      tenantVerdict(
        later(
          [
            ['t0', 'DEPROVISIONING'],
            ['t1', 'DELETED'],
          ],
          dataKept,
        ),
        { ...purging, before: tenant('DEPROVISIONING', [['t0', 'DEPROVISIONING']]) },
      ),
    ).toBe('pending');
    expect(tenantVerdict(deletedBefore, { want: 'DELETED', before: deletedBefore, changed: false, purge: false })).toBe('ended-as-wanted');
    // Asked back to ACTIVE and removed again before anything ran: the DELETED shown is the older request's.
    expect(tenantVerdict(deletedBefore, { want: 'DELETED', before: deletedBefore, changed: true, purge: false })).toBe('pending');
  });

  it('counts a removed tenant whose record is gone as deleted', () => {
    expect(tenantVerdict({ gone: true }, { want: 'DELETED', before: tenant('ACTIVE') })).toBe('ended-as-wanted');
  });

  it('describes the status with its reason', () => {
    expect(describeTenant(tenant('FAILED'), { c })).toBe('FAILED: service did not stabilise');
    expect(describeTenant(tenant(null), { c })).toMatch(/waiting for the control plane/);
  });
});

describe('deploymentVerdict', () => {
  const deployment = (status: string, outcomes: string[] = []) =>
    ({
      status,
      waves: [['ca'], ['ny']],
      counts: { FAILED: outcomes.filter((o) => o === 'FAILED').length, ROLLED_BACK: 0 },
      tenants: outcomes.map((outcome, i) => ({ tenantId: `t${i}`, outcome, startedAt: outcome === 'PENDING' ? 'x' : null })),
    }) as unknown as DeploymentDetail;

  it('waits for a push the control plane has not taken yet, and for a rollout in progress', () => {
    expect(deploymentVerdict({ notYet: true })).toBe('pending');
    expect(deploymentVerdict(deployment('IN_PROGRESS'))).toBe('pending');
  });

  it('ends as wanted only when SUCCEEDED', () => {
    expect(deploymentVerdict(deployment('SUCCEEDED'))).toBe('ended-as-wanted');
    expect(deploymentVerdict(deployment('FAILED'))).toBe('ended-otherwise');
    expect(deploymentVerdict(deployment('SUPERSEDED'))).toBe('ended-otherwise');
  });

  it('describes progress tenant by tenant', () => {
    expect(describeDeployment(deployment('IN_PROGRESS', ['SUCCEEDED', 'FAILED', 'PENDING']), { c })).toBe(
      'IN_PROGRESS: 2/3 tenants done, 1 failed, deploying to t2',
    );
  });
});
