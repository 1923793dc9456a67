/**
 * The reconciler: desired wins. One pass, run on a schedule in AWS and on a
 * timer and after every start locally:
 *
 * 1. replays what the tenants stream gave up on (its failure queue): a removed
 *    record whose tenant still runs is offboarded; every other change is
 *    covered by step 2, which reads the table itself;
 * 2. for each tenant, observes its service, task definition, targets, table
 *    and bucket (with their protections), decides (decide.ts), and starts the
 *    workflow that closes the gap under a deterministic name, frees a lease
 *    nobody holds, records why it waits, or marks FAILED a tenant whose data
 *    store is gone (never recreated empty behind the user's back);
 * 3. writes its backoff on the record (`reconcile`), so a tenant it cannot fix
 *    is tried again after 30 s, 1 min, 2 min... up to an hour, never in a loop.
 */
import { createHash } from 'node:crypto';
import type { Cloud, WorkflowName } from '../cloud/ports.ts';
import { tenantSpec, type ImageRef, type TenantRecord } from '../tenants/schema.ts';
import { executionNameFor, reactionTo, type TenantItemChange } from '../tenants/changes.ts';
import { InvalidTenantError } from '../tenants/errors.ts';
import { tenantResourceNames } from '../tenants/names.ts';
import { isTransitional } from '../tenants/status.ts';
import type { MetricsPort } from '../kernel/metrics.ts';
import { reconcilerCorrected, type ReconcilerCorrection } from '../workflows/kit/signals.ts';
import { backoffMs, decide, type Decision, type ObservedTenant, type ReconcileState } from './decide.ts';

/** One discarded batch of the tenants stream: its changes, read back from the stream, or why they cannot be. */
export interface FailedBatch {
  id: string;
  changes: TenantItemChange[];
  /** The stream no longer has the batch's records (or the message is not one): nothing to replay, said in the log. */
  unreadable?: string;
}

/** Batches the tenants stream discarded after its retries, as its failure queue holds them. */
export interface FailedChanges {
  batches(): Promise<FailedBatch[]>;
  /** Deletes the queue message once every change it names has been handled. */
  done(id: string): Promise<void>;
}

export interface ReconcileTenants {
  all(): Promise<TenantRecord[]>;
  get(tenantId: string): Promise<(TenantRecord & { reconcile?: ReconcileState }) | undefined>;
  forceReleaseLock(tenantId: string, owner: string, reason: string): Promise<void>;
  /** Writes the reconciler's bookkeeping if the record's is still `expected` (undefined: none); false when another pass got there first. */
  noteReconcile(tenantId: string, expected: ReconcileState | undefined, next: ReconcileState | null, statusReason?: string): Promise<boolean>;
  /** ACTIVE that is not what runs: DEGRADED, with the difference as its reason. */
  markDegraded(tenantId: string, reason: string): Promise<void>;
  /** What no workflow can close without a person: FAILED, with what to do as its reason. */
  markFailed(tenantId: string, reason: string): Promise<void>;
}

export interface ReconcileDeps {
  cloud: Pick<Cloud, 'platform' | 'compute' | 'loadBalancer' | 'tables' | 'buckets' | 'workflows'>;
  tenants: ReconcileTenants;
  releases: { currentRelease(): Promise<ImageRef | undefined>; rollingOut(): Promise<ImageRef | undefined> };
  failedChanges?: FailedChanges;
  maxLeaseMs: number;
  now: () => number;
  log: (message: string, details: Record<string, unknown>) => void;
  /** One ReconcilerCorrections sample per correction made (src/workflows/kit/signals.ts). */
  metrics: MetricsPort;
}

export interface ReconcileOutcome {
  tenantId: string;
  decision: Decision['kind'] | 'invalid' | 'replayed';
  detail?: string;
}

/** `skip`: tenants a workflow was just started for by other means (the local restart's resume), left to it this pass. */
export async function reconcile(deps: ReconcileDeps, options: { skip?: ReadonlySet<string> } = {}): Promise<ReconcileOutcome[]> {
  const outcomes: ReconcileOutcome[] = [];
  if (deps.failedChanges) outcomes.push(...(await replayFailedChanges(deps, deps.failedChanges)));
  const release = await deps.releases.currentRelease();
  const rollingOut = await deps.releases.rollingOut();
  for (const listed of await deps.tenants.all()) {
    if (options.skip?.has(listed.tenantId)) continue;
    try {
      const outcome = await reconcileTenant(deps, listed.tenantId, release, rollingOut);
      if (outcome) outcomes.push(outcome);
    } catch (error) {
      // One tenant's trouble never stops the pass; the next pass tries it again.
      deps.log('reconcile of tenant failed', { tenantId: listed.tenantId, error: error instanceof Error ? error.message : String(error) });
    }
  }
  return outcomes;
}

async function reconcileTenant(
  deps: ReconcileDeps,
  tenantId: string,
  release: ImageRef | undefined,
  rollingOut: ImageRef | undefined,
): Promise<ReconcileOutcome | undefined> {
  let record: (TenantRecord & { reconcile?: ReconcileState }) | undefined;
  try {
    record = await deps.tenants.get(tenantId);
  } catch (error) {
    // The stream marked it FAILED with what is wrong; only a write of its user fields (or its removal) moves it.
    if (error instanceof InvalidTenantError) return { tenantId, decision: 'invalid', detail: error.message };
    throw error;
  }
  if (!record) return undefined;
  const now = deps.now();
  const observed = await observe(deps.cloud, record);
  const decision = decide({ record, release, observed, now, maxLeaseMs: deps.maxLeaseMs, rollingOut });
  switch (decision.kind) {
    case 'in-sync':
      if (record.reconcile) await deps.tenants.noteReconcile(tenantId, record.reconcile, null);
      return { tenantId, decision: decision.kind };
    case 'wait': {
      // A workflow holding a lease says what it does in a transitional status, and on a settled
      // one (ACTIVE, DELETED...) holds it only for its last moments: its reason stays. A lease
      // still there, unchanged, a pass later (a lock a person wrote, a workflow stuck) is said.
      if (isTransitional(record.status)) return { tenantId, decision: decision.kind, detail: decision.reason };
      if (record.reconcile?.gap !== decision.reason) {
        await deps.tenants.noteReconcile(tenantId, record.reconcile, seen(record.reconcile, now, decision.reason));
      } else if (record.statusReason !== decision.reason) {
        await deps.tenants.noteReconcile(tenantId, record.reconcile, record.reconcile, decision.reason);
      }
      return { tenantId, decision: decision.kind, detail: decision.reason };
    }
    case 'settle':
      if (!record.reconcile) await deps.tenants.noteReconcile(tenantId, undefined, { attempts: 0, nextAttemptAt: decision.until, gap: decision.gap });
      return { tenantId, decision: decision.kind, detail: decision.gap };
    case 'free-lease':
      await deps.tenants.forceReleaseLock(tenantId, decision.owner, decision.reason);
      deps.log('lease freed', { tenantId, owner: decision.owner, reason: decision.reason });
      corrected(deps, tenantId, 'free-lease', decision.reason);
      return { tenantId, decision: decision.kind, detail: decision.reason };
    case 'data-missing': {
      const reason = `reconciler: ${decision.reason}`;
      if (record.status !== 'FAILED' || record.statusReason !== reason) {
        await deps.tenants.markFailed(tenantId, reason);
        deps.log('tenant data store missing', { tenantId, reason: decision.reason });
        corrected(deps, tenantId, 'mark-failed', decision.reason);
      }
      return { tenantId, decision: decision.kind, detail: decision.reason };
    }
    case 'unhealthy': {
      if (!decision.degrade) {
        // Noted once, so the grace runs from the first pass that saw it, not from each.
        if (record.reconcile?.unhealthySince === undefined) {
          await deps.tenants.noteReconcile(tenantId, record.reconcile, { ...seen(record.reconcile, now, decision.gap), unhealthySince: decision.since });
        }
        return { tenantId, decision: decision.kind, detail: decision.gap };
      }
      const reason =
        `reconciler: only ${decision.gap} since ${iso(decision.since)}; ` +
        `its tasks' logs say why (humangov tenant logs ${tenantId}); it is ACTIVE again once every task is healthy`;
      await deps.tenants.markDegraded(tenantId, reason);
      deps.log('tenant degraded: unhealthy targets', { tenantId, gap: decision.gap, since: iso(decision.since) });
      corrected(deps, tenantId, 'mark-degraded', decision.gap);
      return { tenantId, decision: decision.kind, detail: decision.gap };
    }
    case 'backoff':
      if (record.status === 'ACTIVE') {
        await deps.tenants.markDegraded(tenantId, `reconciler: ${decision.gap}; next attempt at ${iso(decision.nextAttemptAt)}`);
        corrected(deps, tenantId, 'mark-degraded', decision.gap);
      }
      return { tenantId, decision: decision.kind, detail: decision.gap };
    case 'start': {
      const next: ReconcileState = { attempts: decision.attempt, nextAttemptAt: now + backoffMs(decision.attempt), gap: decision.gap };
      // Two passes at once: one wins the write, the other starts nothing.
      if (!(await deps.tenants.noteReconcile(tenantId, record.reconcile, next))) return undefined;
      const name = reconcileExecutionName(record, decision.workflow, decision.attempt, release);
      const { started } = await deps.cloud.workflows.startExecution({ workflow: decision.workflow, name, input: { tenantId } });
      deps.log('reconciler started a workflow', {
        tenantId,
        workflow: decision.workflow,
        execution: name,
        started,
        gap: decision.gap,
        attempt: decision.attempt,
      });
      // A name another pass already started is that pass's correction.
      if (started) corrected(deps, tenantId, decision.workflow, decision.gap);
      return { tenantId, decision: decision.kind, detail: decision.gap };
    }
  }
}

/**
 * The same tenant, user fields, release and attempt give the same name, so a
 * second pass (or a second reconciler) starts nothing new.
 */
export function reconcileExecutionName(record: TenantRecord, workflow: WorkflowName, attempt: number, release: ImageRef | undefined): string {
  const desired = JSON.stringify([record.displayName, record.desiredState, record.desiredCount, record.purgeData, release?.digest]);
  const hash = createHash('sha256').update(desired).digest('hex').slice(0, 12);
  return executionNameFor(record.tenantId, workflow, `rc${attempt}x${hash}`);
}

/** What runs for the tenant; a resource that cannot be read is reported absent only when the provider says so. */
export async function observe(cloud: ReconcileDeps['cloud'], record: TenantRecord): Promise<ObservedTenant> {
  const names = tenantResourceNames(cloud.platform.stage, record.tenantId, cloud.platform.accountId);
  const data = await observeData(cloud, record, names);
  const service = await cloud.compute.describeService(names.service);
  if (!service || service.status === 'INACTIVE') return data;
  const primary = service.deployments.find((d) => d.status === 'PRIMARY') ?? service.deployments[0];
  const definition = primary ? await cloud.compute.describeTaskDefinition(primary.taskDefinitionArn) : undefined;
  const imageDigest = definition?.image.split('@')[1];
  const targetGroupArn = record.resources?.targetGroupArn;
  const targets = targetGroupArn ? await cloud.loadBalancer.describeTargetHealth(targetGroupArn) : undefined;
  return {
    service: { desiredCount: service.desiredCount, runningCount: service.runningCount, rolloutInProgress: primary?.rolloutState === 'IN_PROGRESS' },
    imageDigest,
    targets: targets ? { healthy: targets.filter((t) => t.state === 'healthy').length, total: targets.length } : undefined,
    ...data,
  };
}

/** The table and bucket of a tenant that should have them (desired ACTIVE); a tenant being removed is not asked about. */
async function observeData(
  cloud: ReconcileDeps['cloud'],
  record: TenantRecord,
  names: { table: string; bucket: string },
): Promise<Pick<ObservedTenant, 'table' | 'bucket'>> {
  if (tenantSpec(record).desiredState !== 'ACTIVE') return {};
  const [table, bucket] = await Promise.all([cloud.tables.describeTable(names.table), cloud.buckets.describeBucket(names.bucket)]);
  return { table: { name: names.table, found: table }, bucket: { name: names.bucket, found: bucket } };
}

/**
 * A discarded INSERT or MODIFY needs nothing here: the pass reads the record
 * itself. A discarded REMOVE is the one change the table no longer shows: its
 * tenant is offboarded, unless the record was written again since.
 */
async function replayFailedChanges(deps: ReconcileDeps, source: FailedChanges): Promise<ReconcileOutcome[]> {
  const outcomes: ReconcileOutcome[] = [];
  for (const batch of await source.batches()) {
    // Lost for good: a removed tenant among them keeps running until someone removes it again (README, limits).
    if (batch.unreadable) deps.log('discarded stream batch cannot be replayed', { reason: batch.unreadable });
    for (const change of batch.changes) {
      if (change.eventName !== 'REMOVE') continue;
      const current = await deps.tenants.get(change.key).catch((error: unknown) => {
        if (error instanceof InvalidTenantError) return { tenantId: change.key } as TenantRecord;
        throw error;
      });
      if (current) continue;
      const reaction = reactionTo(change);
      if (reaction.kind !== 'start') continue;
      const { started } = await deps.cloud.workflows.startExecution({ workflow: reaction.workflow, name: reaction.executionName, input: reaction.input });
      if (started) corrected(deps, change.key, 'replay-removal', `removed record ${change.sequenceNumber}`);
      outcomes.push({ tenantId: change.key, decision: 'replayed', detail: `removed record ${change.sequenceNumber} offboarded` });
    }
    await source.done(batch.id);
  }
  return outcomes;
}

function corrected(deps: ReconcileDeps, tenantId: string, correction: ReconcilerCorrection, gap: string): void {
  for (const sample of reconcilerCorrected(tenantId, correction, gap)) deps.metrics.record(sample);
}

/** What a pass saw, noted on the record without touching its backoff (a first note is due now). */
function seen(previous: ReconcileState | undefined, now: number, gap: string): ReconcileState {
  return { attempts: previous?.attempts ?? 0, nextAttemptAt: previous?.nextAttemptAt ?? now, gap };
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
