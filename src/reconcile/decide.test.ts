import { describe, expect, it } from '@jest/globals';
import { backoffMs, decide, type DecideInput } from './decide.ts';

const RELEASE = { repository: 'app', tag: 'v2', digest: `sha256:${'b'.repeat(64)}` };
const OLD = { repository: 'app', tag: 'v1', digest: `sha256:${'a'.repeat(64)}` };
const NOW = Date.parse('2026-12-05T12:00:00Z');
const LEASE = 60 * 60 * 1000;
const running = { service: { desiredCount: 2, runningCount: 2, rolloutInProgress: false }, imageDigest: RELEASE.digest, targets: { healthy: 2, total: 2 } };

function input(overrides: Partial<DecideInput> & { record?: DecideInput['record'] }): DecideInput {
  return {
    record: { tenantId: 'ca', status: 'ACTIVE', image: RELEASE },
    release: RELEASE,
    observed: running,
    now: NOW,
    maxLeaseMs: LEASE,
    ...overrides,
  };
}

describe('decide', () => {
  it('leaves a tenant that runs what was asked alone', () => {
    expect(decide(input({}))).toEqual({ kind: 'in-sync' });
  });

  it('offboards an ACTIVE tenant whose desiredState is DELETED, naming the running service', () => {
    const decision = decide(input({ record: { tenantId: 'ca', status: 'ACTIVE', desiredState: 'DELETED' } }));

    expect(decision).toEqual({ kind: 'start', workflow: 'tenant-offboard', gap: 'desiredState is DELETED but its service still runs 2 task(s)', attempt: 1 });
  });

  it('converges a tenant whose service runs another image than the current release, even when its record says the release', () => {
    const decision = decide(input({ observed: { ...running, imageDigest: OLD.digest } }));

    expect(decision).toMatchObject({ kind: 'start', workflow: 'tenant-onboard', attempt: 1 });
    expect(decision.kind === 'start' && decision.gap).toContain(`runs ${OLD.digest}`);
  });

  it('does not undo a rollout in progress on a tenant it already reached', () => {
    const decision = decide(input({ release: OLD, record: { tenantId: 'ca', status: 'ACTIVE', image: RELEASE }, rollingOut: RELEASE }));

    expect(decision).toEqual({ kind: 'in-sync' });
  });

  it('converges a changed desiredCount and a status cut off mid-way (no lease)', () => {
    expect(decide(input({ record: { tenantId: 'ca', status: 'ACTIVE', desiredCount: 3, image: RELEASE } }))).toMatchObject({
      kind: 'start',
      gap: 'desiredCount is 3 but its service asks for 2',
    });
    expect(decide(input({ record: { tenantId: 'ca', status: 'DEPLOYING', image: RELEASE } }))).toMatchObject({
      kind: 'start',
      gap: 'everything runs as asked but the status is DEPLOYING',
    });
  });

  it('waits for a live lease and frees an expired one or one no workflow could have written', () => {
    const live = { owner: 'exec-1', expiresAt: NOW + 60_000 };
    expect(decide(input({ record: { tenantId: 'ca', status: 'ACTIVE', lock: live, desiredCount: 3 } }))).toMatchObject({ kind: 'wait' });
    expect(decide(input({ record: { tenantId: 'ca', lock: { owner: 'exec-1', expiresAt: NOW - 1 } } }))).toMatchObject({ kind: 'free-lease', owner: 'exec-1' });
    const forever = decide(input({ record: { tenantId: 'ca', status: 'ACTIVE', lock: { owner: 'me', expiresAt: NOW + 10 * LEASE } } }));
    expect(forever).toMatchObject({ kind: 'free-lease', owner: 'me' });
    expect(forever.kind === 'free-lease' && forever.reason).toMatch(/no workflow wrote it/);
  });

  it('backs off a tenant it already tried, and counts the attempts', () => {
    const record = { tenantId: 'ca', status: 'FAILED' as const, reconcile: { attempts: 3, nextAttemptAt: NOW + 1000, gap: 'x' } };
    expect(decide(input({ record, observed: {} }))).toMatchObject({ kind: 'backoff', nextAttemptAt: NOW + 1000 });
    expect(decide(input({ record: { ...record, reconcile: { ...record.reconcile, nextAttemptAt: NOW } }, observed: {} }))).toMatchObject({
      kind: 'start',
      attempt: 4,
    });
    expect([1, 2, 3, 20].map(backoffMs)).toEqual([30_000, 60_000, 120_000, 3_600_000]);
  });

  it('is done with a DELETED tenant that has no service', () => {
    expect(decide(input({ record: { tenantId: 'ca', status: 'DELETED', desiredState: 'DELETED' }, observed: {} }))).toEqual({ kind: 'in-sync' });
  });
});
