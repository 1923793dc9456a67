/**
 * The samples the workflows record, built in one place so both providers report the same names,
 * units and dimensions.
 *
 * - TenantOnboardings / TenantOffboardings (Count) and TenantOnboardingDuration /
 *   TenantOffboardingDuration (Milliseconds), by Outcome (the status the tenant ended in), from the
 *   workflow's first status move to its last.
 * - TenantRollouts (Count), by Outcome (SUCCEEDED, ROLLED_BACK, FAILED, SKIPPED): one per tenant per rollout.
 * - Tenants (Count), by Status: the whole fleet, every status (0 included, so a status emptied reads 0).
 * - ReconcilerCorrections (Count), by Correction (the workflow it started, tenant-onboard or
 *   tenant-offboard; free-lease; mark-degraded; mark-failed; replay-removal): one per correction the
 *   reconciler makes, so a fleet that keeps drifting shows as a rate.
 *
 * Steps are retried (at least once), so a count can repeat after a retried step; the steps record
 * only when they make their move, which keeps repeats to a step whose answer was lost.
 */
import type { MetricSample } from '../../kernel/metrics.ts';
import type { TenantRecord } from '../../tenants/schema.ts';
import { TENANT_STATUSES, type TenantStatus } from '../../tenants/status.ts';

export type TenantWorkflowKind = 'Onboarding' | 'Offboarding';

/** The status a workflow's first move goes to, which says which workflow ran. */
const BEGINS: Record<TenantWorkflowKind, TenantStatus> = { Onboarding: 'PROVISIONING', Offboarding: 'DEPROVISIONING' };

/**
 * The end of one onboarding or offboarding, measured from the move that began it (in the
 * record's history, by execution); nothing when this execution never began (an invalid or held tenant).
 */
export function workflowEnded(record: TenantRecord, executionId: string, outcome: TenantStatus, now: Date): MetricSample[] {
  const began = record.history?.findLast((entry) => entry.executionId === executionId && Object.values(BEGINS).includes(entry.to));
  if (!began) return [];
  const kind = (Object.keys(BEGINS) as TenantWorkflowKind[]).find((k) => BEGINS[k] === began.to)!;
  const properties = { tenantId: record.tenantId, executionId };
  const dimensions = { Outcome: outcome };
  return [
    { name: `Tenant${kind}s`, unit: 'Count', value: 1, dimensions, properties },
    { name: `Tenant${kind}Duration`, unit: 'Milliseconds', value: Math.max(0, now.getTime() - Date.parse(began.at)), dimensions, properties },
  ];
}

/** One tenant's part of a rollout, once its result is known. */
export function rolloutEnded(tenantId: string, deploymentId: string, outcome: string): MetricSample[] {
  return [{ name: 'TenantRollouts', unit: 'Count', value: 1, dimensions: { Outcome: outcome }, properties: { tenantId, deploymentId } }];
}

/** How many tenants are in each status now. */
export function tenantsByStatus(tenants: readonly Pick<TenantRecord, 'status'>[]): MetricSample[] {
  return TENANT_STATUSES.map((status) => ({
    name: 'Tenants',
    unit: 'Count',
    value: tenants.filter((tenant) => tenant.status === status).length,
    dimensions: { Status: status },
  }));
}

/** What the reconciler did to close a gap (src/reconcile/reconciler.ts). */
export type ReconcilerCorrection = 'tenant-onboard' | 'tenant-offboard' | 'free-lease' | 'mark-degraded' | 'mark-failed' | 'replay-removal';

/** One correction the reconciler made, with the difference it acted on beside it. */
export function reconcilerCorrected(tenantId: string, correction: ReconcilerCorrection, gap: string): MetricSample[] {
  return [{ name: 'ReconcilerCorrections', unit: 'Count', value: 1, dimensions: { Correction: correction }, properties: { tenantId, gap } }];
}
