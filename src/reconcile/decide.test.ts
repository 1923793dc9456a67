import { describe, expect, it } from '@jest/globals';
import { backoffMs, decide, SETTLE_MS, UNHEALTHY_GRACE_MS, type DecideInput } from './decide.ts';

const RELEASE = { repository: 'app', tag: 'v2', digest: `sha256:${'b'.repeat(64)}` };
const OLD = { repository: 'app', tag: 'v1', digest: `sha256:${'a'.repeat(64)}` };
const NOW = Date.parse('2026-12-05T12:00:00Z');
const LEASE = 60 * 60 * 1000;
const TABLE = 'humangov-test-tenant-ca';
const BUCKET = 'humangov-test-ca-123456789012';
const table = { name: TABLE, found: { name: TABLE, status: 'ACTIVE' as const, deletionProtection: true, pointInTimeRecovery: true } };
const bucket = { name: BUCKET, found: { name: BUCKET, versioning: true, publicAccessBlocked: true } };
const running = {
  service: { desiredCount: 2, runningCount: 2, rolloutInProgress: false },
  imageDigest: RELEASE.digest,
  targets: { healthy: 2, total: 2 },
  table,
  bucket,
};
const serving = { tenantId: 'ca', status: 'ACTIVE' as const, image: RELEASE, resources: { tableName: TABLE, bucketName: BUCKET } };

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

  it('gives fewer healthy targets than asked a grace, then degrades, counting the grace from when it was first seen', () => {
    const sick = { ...running, service: { ...running.service, runningCount: 1 }, targets: { healthy: 1, total: 2 } };
    const gap = '1 of 2 task(s) healthy behind its load balancer (1 running)';
    const record = { tenantId: 'ca', status: 'ACTIVE' as const, image: RELEASE, desiredCount: 2 };

    expect(decide(input({ record, observed: sick }))).toEqual({ kind: 'unhealthy', gap, since: NOW, degrade: false });
    const seen = { ...record, reconcile: { attempts: 0, nextAttemptAt: NOW, gap, unhealthySince: NOW - UNHEALTHY_GRACE_MS + 1 } };
    expect(decide(input({ record: seen, observed: sick }))).toMatchObject({ kind: 'unhealthy', degrade: false });
    const long = { ...seen, reconcile: { ...seen.reconcile, unhealthySince: NOW - UNHEALTHY_GRACE_MS } };
    expect(decide(input({ record: long, observed: sick }))).toEqual({ kind: 'unhealthy', gap, since: NOW - UNHEALTHY_GRACE_MS, degrade: true });
  });

  it('leaves target health to a rollout in progress, and calls all targets healthy in sync', () => {
    const record = { tenantId: 'ca', status: 'ACTIVE' as const, image: RELEASE, desiredCount: 2 };
    const rolling = { ...running, service: { ...running.service, rolloutInProgress: true }, targets: { healthy: 0, total: 2 } };

    expect(decide(input({ record, observed: rolling }))).toEqual({ kind: 'in-sync' });
    expect(decide(input({ record, observed: { ...running, targets: { healthy: 3, total: 3 } } }))).toEqual({ kind: 'in-sync' });
  });

  it('leaves a record no workflow picked up yet to the stream for a while, then onboards it itself', () => {
    const fresh = { tenantId: 'ca' };

    expect(decide(input({ record: fresh, observed: {} }))).toEqual({ kind: 'settle', gap: 'not onboarded yet', until: NOW + SETTLE_MS });
    const noted = { ...fresh, reconcile: { attempts: 0, nextAttemptAt: NOW + SETTLE_MS, gap: 'not onboarded yet' } };
    expect(decide(input({ record: noted, observed: {} }))).toMatchObject({ kind: 'backoff' });
    expect(decide(input({ record: noted, observed: {}, now: NOW + SETTLE_MS }))).toMatchObject({ kind: 'start', workflow: 'tenant-onboard', attempt: 1 });
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

  it('re-onboards a tenant one of whose data protections was turned off, naming it and where', () => {
    const cases: [DecideInput['observed'], string][] = [
      [{ ...running, table: { name: TABLE, found: { ...table.found, pointInTimeRecovery: false } } }, `point-in-time recovery is off on its table ${TABLE}`],
      [{ ...running, table: { name: TABLE, found: { ...table.found, deletionProtection: false } } }, `deletion protection is off on its table ${TABLE}`],
      [{ ...running, bucket: { name: BUCKET, found: { ...bucket.found, versioning: false } } }, `versioning is off on its bucket ${BUCKET}`],
      [
        { ...running, bucket: { name: BUCKET, found: { ...bucket.found, publicAccessBlocked: false } } },
        `public access is not blocked on its bucket ${BUCKET}`,
      ],
    ];

    for (const [observed, gap] of cases)
      expect(decide(input({ record: serving, observed }))).toEqual({ kind: 'start', workflow: 'tenant-onboard', gap, attempt: 1 });
  });

  it('never starts onboarding over a table or bucket gone from a tenant that had them: FAILED, saying what to restore and how', () => {
    const noTable = decide(input({ record: serving, observed: { ...running, table: { name: TABLE } } }));
    const noBucket = decide(input({ record: { ...serving, status: 'DEGRADED' }, observed: { ...running, bucket: { name: BUCKET } } }));
    const deleting = decide(input({ record: serving, observed: { ...running, table: { name: TABLE, found: { ...table.found, status: 'DELETING' } } } }));
    const both = decide(input({ record: { ...serving, status: 'FAILED' }, observed: { ...running, table: { name: TABLE }, bucket: { name: BUCKET } } }));

    expect(noTable).toMatchObject({ kind: 'data-missing' });
    expect(noTable.kind === 'data-missing' && noTable.reason).toMatch(
      new RegExp(
        `^its table ${TABLE} \\(its employee records\\) is gone: restore it under the same name from a backup .*humangov tenant retry ca \\(POST /tenants/ca/retry\\) instead starts it again with an empty store$`,
      ),
    );
    expect(noBucket.kind === 'data-missing' && noBucket.reason).toMatch(new RegExp(`^its bucket ${BUCKET} \\(its scanned ID documents\\) is gone`));
    expect(deleting).toMatchObject({ kind: 'data-missing' });
    expect(both.kind === 'data-missing' && both.reason).toMatch(/^its table .* and its bucket .* are gone: restore them/);
  });

  it('creates the data store of a tenant that never had one, or whose data was purged, as onboarding does', () => {
    const cutOff = decide(input({ record: { tenantId: 'ca', status: 'PROVISIONING' }, observed: { table: { name: TABLE }, bucket: { name: BUCKET } } }));
    const purged = decide(input({ record: { tenantId: 'ca', status: 'FAILED', resources: {} }, observed: { ...running, table: { name: TABLE } } }));

    expect(cutOff).toMatchObject({ kind: 'start', workflow: 'tenant-onboard' });
    expect(purged).toEqual({ kind: 'start', workflow: 'tenant-onboard', gap: `its table ${TABLE} does not exist`, attempt: 1 });
  });

  it('is done with a DELETED tenant that has no service', () => {
    expect(decide(input({ record: { tenantId: 'ca', status: 'DELETED', desiredState: 'DELETED' }, observed: {} }))).toEqual({ kind: 'in-sync' });
  });
});
