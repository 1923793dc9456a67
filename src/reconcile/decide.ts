/**
 * The reconciler's decision, free of I/O: a tenant's desired state (its user
 * fields and the current release) against what runs, to one action and the
 * reason that names the difference. The reconciler (src/reconcile/reconciler.ts)
 * is the imperative shell around it.
 */
import type { BucketProtection, TableProtection, WorkflowName } from '../cloud/ports.ts';
import { dataStoreGoneReason } from '../tenants/data-loss.ts';
import { tenantSpec, type ImageRef, type TenantRecord } from '../tenants/schema.ts';
import { isTransitional } from '../tenants/status.ts';

/** What the reconciler saw of one tenant's resources. */
export interface ObservedTenant {
  /** The service, when it exists and is not INACTIVE. */
  service?: { desiredCount: number; runningCount: number; rolloutInProgress: boolean };
  /** The digest the service's primary task definition pins, when it could be read. */
  imageDigest?: string;
  /** Targets of the tenant's target group in `healthy` state, out of `total` registered. */
  targets?: { healthy: number; total: number };
  /** The tenant's own table by name, and what DynamoDB reports of it (`found` absent: there is none); undefined when not looked at. */
  table?: { name: string; found?: TableProtection };
  /** The tenant's own bucket by name, and what S3 reports of it (`found` absent: there is none); undefined when not looked at. */
  bucket?: { name: string; found?: BucketProtection };
}

/** The reconciler's own bookkeeping on a record: how often it tried to close a gap, and when it may try again. */
export interface ReconcileState {
  attempts: number;
  /** Milliseconds since the epoch. */
  nextAttemptAt: number;
  /** The difference it last acted on. */
  gap: string;
  /** When it first saw fewer healthy targets than the tenant asks for (milliseconds since the epoch); absent once they are back. */
  unhealthySince?: number;
}

export interface DecideInput {
  record: TenantRecord & { reconcile?: ReconcileState };
  release: ImageRef | undefined;
  observed: ObservedTenant;
  now: number;
  /** The longest lease a workflow takes; a lease that ends later than now + this was not written by one. */
  maxLeaseMs: number;
  /** The image of a rollout still in progress: a tenant it already reached runs it, and that is no gap. */
  rollingOut?: ImageRef;
}

export type Decision =
  | { kind: 'in-sync' }
  /** A live workflow holds the tenant: leave it, say so when the record does not. */
  | { kind: 'wait'; reason: string }
  /** A lease no live workflow holds: free it, and say so on the record. */
  | { kind: 'free-lease'; owner: string; reason: string }
  /**
   * The tenant's table or bucket is gone while it held data: onboarding would make an empty
   * one and call the tenant ACTIVE, so nothing is started; FAILED, with what to do.
   */
  | { kind: 'data-missing'; reason: string }
  /**
   * Everything is as asked but fewer targets are healthy than tasks asked for. Within the grace
   * it is noted (`since`) and left to the service scheduler; past it the tenant is DEGRADED.
   */
  | { kind: 'unhealthy'; gap: string; since: number; degrade: boolean }
  /**
   * A record no workflow has picked up yet: the stream starts its onboarding within moments, so
   * the reconciler notes it and starts one itself only if it is still untouched `until`.
   */
  | { kind: 'settle'; gap: string; until: number }
  /** A gap to close, and its retry is not due yet: nothing now. */
  | { kind: 'backoff'; gap: string; nextAttemptAt: number }
  | { kind: 'start'; workflow: TenantWorkflow; gap: string; attempt: number };

/** The workflows the reconciler starts: a tenant's own (a rollout starts only from a push). */
export type TenantWorkflow = Extract<WorkflowName, 'tenant-onboard' | 'tenant-offboard'>;

/** First retry after 30 s, doubling to at most an hour: a broken tenant costs a few workflow runs a day, not a hot loop. */
export const BACKOFF_BASE_MS = 30_000;
export const BACKOFF_MAX_MS = 60 * 60 * 1000;

/**
 * How long fewer healthy targets than asked is the service scheduler's to fix (a task replaced, a
 * deploy's new tasks passing their checks) before the record stops saying ACTIVE. In AWS a pass
 * runs every 5 minutes, so two passes in a row must see it.
 */
export const UNHEALTHY_GRACE_MS = 4 * 60 * 1000;

/**
 * How long a new record is the stream's to pick up before the reconciler onboards it itself (a
 * stream record reaches its handler within a second or so; retries of a failing batch take
 * longer). Two starts would only run onboarding twice, but the tenant would read ACTIVE, then
 * PROVISIONING again.
 */
export const SETTLE_MS = 30_000;

export function backoffMs(attempt: number): number {
  return Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, attempt - 1));
}

/** Statuses in which the tenant has had its table and bucket: only their loss, not their absence, is news. */
const HELD_DATA = ['ACTIVE', 'DEGRADED', 'DEPLOYING', 'FAILED'];

/**
 * Why the tenant's data store is missing and what a person does about it; undefined when
 * nothing is missing, or when the tenant never had it (it is still being onboarded, or its
 * data was purged, which clears the names from its resources).
 */
export function missingData(record: TenantRecord, observed: ObservedTenant): string | undefined {
  if (tenantSpec(record).desiredState !== 'ACTIVE' || !HELD_DATA.includes(record.status ?? '')) return undefined;
  const gone = {
    ...(record.resources?.tableName && observed.table && !present(observed.table.found) ? { table: observed.table.name } : {}),
    ...(record.resources?.bucketName && observed.bucket && !observed.bucket.found ? { bucket: observed.bucket.name } : {}),
  };
  return gone.table || gone.bucket ? dataStoreGoneReason(record.tenantId, gone) : undefined;
}

function present(table: TableProtection | undefined): boolean {
  return table !== undefined && table.status !== 'DELETING';
}

/** The first protection onboarding puts on the table or bucket that is off now, in words a person can check. */
function protectionGap(observed: ObservedTenant): string | undefined {
  const table = observed.table?.found;
  if (table && present(table)) {
    if (!table.pointInTimeRecovery) return `point-in-time recovery is off on its table ${table.name}`;
    if (!table.deletionProtection) return `deletion protection is off on its table ${table.name}`;
  }
  const bucket = observed.bucket?.found;
  if (bucket) {
    if (!bucket.versioning) return `versioning is off on its bucket ${bucket.name}`;
    if (!bucket.publicAccessBlocked) return `public access is not blocked on its bucket ${bucket.name}`;
  }
  if (observed.table && !present(observed.table.found)) return `its table ${observed.table.name} does not exist`;
  if (observed.bucket && !observed.bucket.found) return `its bucket ${observed.bucket.name} does not exist`;
  return undefined;
}

/**
 * The first difference between what the user asked for and what runs, in
 * words a person can check; undefined when there is none.
 */
export function gapOf(record: TenantRecord, release: ImageRef | undefined, observed: ObservedTenant, rollingOut?: ImageRef): string | undefined {
  const spec = tenantSpec(record);
  if (spec.desiredState === 'DELETED') {
    if (observed.service) return `desiredState is DELETED but its service still runs ${observed.service.runningCount} task(s)`;
    if (record.status !== 'DELETED') return `desiredState is DELETED but the status is ${record.status ?? 'new'}`;
    return undefined;
  }
  if (!observed.service) return record.status === undefined ? 'not onboarded yet' : `desiredState is ACTIVE but it has no service (status ${record.status})`;
  if (observed.service.desiredCount !== spec.desiredCount) {
    return `desiredCount is ${spec.desiredCount} but its service asks for ${observed.service.desiredCount}`;
  }
  const rolledOut = rollingOut !== undefined && observed.imageDigest === rollingOut.digest;
  if (release && observed.imageDigest !== release.digest && !rolledOut) {
    return `the current release is ${release.tag} (${release.digest}) but its service runs ${observed.imageDigest ?? 'an unknown image'}`;
  }
  // Onboarding's data steps bring an existing table and bucket back to their protections.
  const unprotected = protectionGap(observed);
  if (unprotected) return unprotected;
  // Fewer running tasks or healthy targets than asked is the service scheduler's to fix (it replaces
  // tasks, as right after a restart); a workflow would only race it. Verification reports it.
  if (record.status !== 'ACTIVE') return `everything runs as asked but the status is ${record.status ?? 'new'}`;
  if (release && !rolledOut && record.image?.digest !== release.digest) {
    return `its service runs ${release.tag} but the record says ${record.image?.tag ?? 'no image'}`;
  }
  return undefined;
}

/**
 * Fewer healthy targets than the tenant asks for, on a service that is not rolling out, in
 * words a person can check; undefined when they are all healthy or were not looked at.
 */
export function healthGap(record: TenantRecord, observed: ObservedTenant): string | undefined {
  const { service, targets } = observed;
  if (!service || !targets || service.rolloutInProgress) return undefined;
  const wanted = tenantSpec(record).desiredCount;
  if (targets.healthy >= wanted) return undefined;
  return `${targets.healthy} of ${wanted} task(s) healthy behind its load balancer (${service.runningCount} running)`;
}

export function decide(input: DecideInput): Decision {
  const { record, release, observed, now, maxLeaseMs, rollingOut } = input;
  const lock = record.lock;
  if (lock) {
    if (lock.expiresAt <= now) return { kind: 'free-lease', owner: lock.owner, reason: `lease of ${lock.owner} expired at ${iso(lock.expiresAt)}; freed` };
    if (lock.expiresAt > now + maxLeaseMs) {
      return {
        kind: 'free-lease',
        owner: lock.owner,
        reason: `lease of ${lock.owner} until ${iso(lock.expiresAt)} is longer than any workflow takes (${maxLeaseMs / 60_000} min), so no workflow wrote it; freed`,
      };
    }
    return { kind: 'wait', reason: `held by ${lock.owner} until ${iso(lock.expiresAt)}; the reconciler frees it then if nothing renews it` };
  }

  const missing = missingData(record, observed);
  if (missing) return { kind: 'data-missing', reason: missing };
  const gap = gapOf(record, release, observed, rollingOut);
  if (gap === undefined) {
    const unhealthy = healthGap(record, observed);
    if (unhealthy === undefined) return { kind: 'in-sync' };
    const since = record.reconcile?.unhealthySince ?? now;
    return { kind: 'unhealthy', gap: unhealthy, since, degrade: now - since >= UNHEALTHY_GRACE_MS };
  }
  // A workflow that is mid-way holds the lease; a transitional status without one was cut off.
  const previous = record.reconcile;
  if (record.status === undefined && tenantSpec(record).desiredState === 'ACTIVE' && previous === undefined) {
    return { kind: 'settle', gap, until: now + SETTLE_MS };
  }
  if (previous && previous.nextAttemptAt > now) return { kind: 'backoff', gap, nextAttemptAt: previous.nextAttemptAt };
  if (!release && tenantSpec(record).desiredState === 'ACTIVE' && !isTransitional(record.status) && record.status === 'FAILED' && !observed.service) {
    // Nothing to run until a release exists; onboarding would only fail again with the same reason.
    return { kind: 'backoff', gap: `${gap}; no release pushed yet`, nextAttemptAt: now + BACKOFF_MAX_MS };
  }
  const workflow: TenantWorkflow = tenantSpec(record).desiredState === 'DELETED' ? 'tenant-offboard' : 'tenant-onboard';
  return { kind: 'start', workflow, gap, attempt: (previous?.attempts ?? 0) + 1 };
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
