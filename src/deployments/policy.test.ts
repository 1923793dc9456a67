import { describe, expect, it } from '@jest/globals';
import type { TenantRecord } from '../tenants/schema.ts';
import { finalStatus, planRollout, stopVerdict } from './policy.ts';
import type { DeploymentRecord, TenantOutcome } from './schema.ts';

const tenant = (tenantId: string, fields: Partial<TenantRecord> = {}): TenantRecord => ({ tenantId, status: 'ACTIVE', ...fields });

function deployment(outcomes: Record<string, TenantOutcome>, fields: Partial<DeploymentRecord> = {}): DeploymentRecord {
  return {
    deploymentId: '20250101T000000Z-e1',
    image: { repository: 'repo', tag: 'v1', digest: `sha256:${'a'.repeat(64)}` },
    status: 'IN_PROGRESS',
    eventId: 'e1',
    eventTime: '2025-01-01T00:00:00.000Z',
    executionId: 'x',
    maxConcurrency: 50,
    failureThreshold: 1,
    startedAt: '2025-01-01T00:00:00.000Z',
    canaryTenantId: Object.keys(outcomes)[0],
    results: Object.fromEntries(Object.entries(outcomes).map(([tenantId, outcome]) => [tenantId, { tenantId, outcome }])),
    ...fields,
  };
}

describe('planRollout', () => {
  it('puts the marked canary alone in wave 0 and every other deployable tenant, by id, in wave 1', () => {
    const plan = planRollout([tenant('wa'), tenant('ca'), tenant('tx', { canary: true }), tenant('ny', { status: 'DEPLOYING' })]);
    expect(plan).toEqual({ canaryTenantId: 'tx', waves: [['tx'], ['ca', 'ny', 'wa']] });
  });

  it('takes the first tenant by id as canary when none is marked, and leaves out tenants not running or being deleted', () => {
    const plan = planRollout([
      tenant('ny'),
      tenant('ca', { status: 'PROVISIONING' }),
      tenant('al', { desiredState: 'DELETED' }),
      tenant('ga', { status: 'DEGRADED' }),
      tenant('tx'),
    ]);
    expect(plan).toEqual({ canaryTenantId: 'ny', waves: [['ny'], ['tx']] });
  });

  it('plans nothing for an empty fleet', () => {
    expect(planRollout([])).toEqual({ waves: [] });
  });
});

describe('stopVerdict', () => {
  it('stops when the canary fails, whatever the threshold', () => {
    expect(stopVerdict(deployment({ ca: 'ROLLED_BACK', ny: 'PENDING' }, { failureThreshold: 5 }))).toMatchObject({
      stop: true,
      kind: 'FAILURES',
      reason: expect.stringMatching(/canary tenant "ca"/),
    });
  });

  it('tolerates failures up to the threshold and stops past it', () => {
    expect(stopVerdict(deployment({ ca: 'SUCCEEDED', ny: 'FAILED', tx: 'PENDING' }))).toEqual({ stop: false });
    expect(stopVerdict(deployment({ ca: 'SUCCEEDED', ny: 'FAILED', tx: 'ROLLED_BACK', wa: 'PENDING' }))).toMatchObject({ stop: true, kind: 'FAILURES' });
    expect(stopVerdict(deployment({ ca: 'SUCCEEDED', ny: 'FAILED' }, { failureThreshold: 0 }))).toMatchObject({ stop: true });
  });

  it('does not count skipped or unchanged tenants as failures', () => {
    expect(stopVerdict(deployment({ ca: 'NOOP', ny: 'SKIPPED', tx: 'SKIPPED' }, { failureThreshold: 0 }))).toEqual({ stop: false });
  });

  it('stops a superseded rollout', () => {
    expect(stopVerdict(deployment({ ca: 'SUCCEEDED', ny: 'PENDING' }, { supersededBy: 'newer' }))).toMatchObject({ stop: true, kind: 'SUPERSEDED' });
  });
});

describe('finalStatus', () => {
  it('is SUCCEEDED with failures within the threshold, naming them', () => {
    expect(finalStatus(deployment({ ca: 'SUCCEEDED', ny: 'ROLLED_BACK', tx: 'SUCCEEDED' }))).toEqual({
      status: 'SUCCEEDED',
      reason: '2 of 3 tenants updated; ny failed and kept the previous image (within the threshold of 1)',
    });
  });

  it('is FAILED past the threshold even when superseded too', () => {
    const record = deployment({ ca: 'FAILED', ny: 'SKIPPED' }, { supersededBy: 'newer', stop: { kind: 'SUPERSEDED', reason: 'newer', at: 'now' } });
    expect(finalStatus(record).status).toBe('FAILED');
  });

  it('is SUPERSEDED only when the supersede left tenants out', () => {
    expect(
      finalStatus(deployment({ ca: 'SUCCEEDED', ny: 'SKIPPED' }, { supersededBy: 'newer', stop: { kind: 'SUPERSEDED', reason: 'a newer push', at: 'now' } }))
        .status,
    ).toBe('SUPERSEDED');
    expect(finalStatus(deployment({ ca: 'SUCCEEDED', ny: 'SUCCEEDED' }, { supersededBy: 'newer' })).status).toBe('SUCCEEDED');
  });
});
