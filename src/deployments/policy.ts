/**
 * The rules of a rollout, as pure functions of the deployment record, so the
 * steps that schedule tenants and the step that ends the rollout judge alike.
 *
 * Stopping. A Step Functions Map cannot be stopped part-way, so the rollout
 * stops by refusal: every tenant's iteration asks `stopVerdict` before it
 * touches its tenant (and again before each attempt at its lock). Once the
 * verdict is "stop", every tenant not yet started is SKIPPED and keeps its
 * image; tenants already being deployed finish (succeed, or roll back) — at
 * most `maxConcurrency` of them.
 */
import type { TenantRecord } from '../tenants/schema.ts';
import { FAILED_OUTCOMES, type DeploymentRecord, type DeploymentStatus, type StopKind } from './schema.ts';

export interface RolloutPlan {
  canaryTenantId?: string;
  waves: string[][];
}

/** A tenant is rolled out to when it is meant to exist and is running (or left mid-deploy by a rollout that died). */
export function isDeployable(tenant: TenantRecord): boolean {
  return tenant.desiredState !== 'DELETED' && (tenant.status === 'ACTIVE' || tenant.status === 'DEPLOYING');
}

/**
 * The canary is the tenant marked `canary: true` (the first by id if several
 * are), else the first tenant by id. Wave 0 is the canary alone; wave 1 is the
 * rest, in id order. DEPLOYING tenants are planned too: they belong to a
 * rollout this one supersedes, and are reached once it lets go of them.
 */
export function planRollout(tenants: readonly TenantRecord[]): RolloutPlan {
  const ids = tenants
    .filter(isDeployable)
    .map((t) => t.tenantId)
    .sort();
  const marked = tenants
    .filter((t) => t.canary === true && isDeployable(t))
    .map((t) => t.tenantId)
    .sort();
  const canaryTenantId = marked[0] ?? ids[0];
  if (canaryTenantId === undefined) return { waves: [] };
  const rest = ids.filter((id) => id !== canaryTenantId);
  return { canaryTenantId, waves: rest.length > 0 ? [[canaryTenantId], rest] : [[canaryTenantId]] };
}

export type StopVerdict = { stop: false } | { stop: true; kind: StopKind; reason: string };

/**
 * Whether tenants not yet started must be left alone. Failures come first: a
 * rollout that failed and was also superseded is reported as failed.
 */
export function stopVerdict(deployment: DeploymentRecord): StopVerdict {
  const results = Object.values(deployment.results ?? {});
  const canary = deployment.canaryTenantId ? deployment.results?.[deployment.canaryTenantId] : undefined;
  if (canary && FAILED_OUTCOMES.includes(canary.outcome)) {
    return { stop: true, kind: 'FAILURES', reason: `the canary tenant "${canary.tenantId}" failed: ${canary.error ?? canary.outcome}` };
  }
  const failed = results.filter((r) => FAILED_OUTCOMES.includes(r.outcome));
  if (failed.length > deployment.failureThreshold) {
    const names = failed
      .map((r) => r.tenantId)
      .sort()
      .join(', ');
    return {
      stop: true,
      kind: 'FAILURES',
      reason: `${failed.length} tenants failed (${names}), more than the threshold of ${deployment.failureThreshold}`,
    };
  }
  if (deployment.supersededBy) {
    return { stop: true, kind: 'SUPERSEDED', reason: `a newer push (deployment ${deployment.supersededBy}) superseded this one` };
  }
  return { stop: false };
}

/**
 * The status a finished rollout ends in. A superseded rollout that had already
 * reached every tenant is judged on its results: it did complete.
 */
export function finalStatus(deployment: DeploymentRecord): { status: Exclude<DeploymentStatus, 'IN_PROGRESS'>; reason: string } {
  const verdict = stopVerdict(deployment);
  const results = Object.values(deployment.results ?? {});
  if (verdict.stop && verdict.kind === 'FAILURES') return { status: 'FAILED', reason: verdict.reason };
  if (deployment.stop?.kind === 'SUPERSEDED') return { status: 'SUPERSEDED', reason: deployment.stop.reason };
  const rolledBack = results
    .filter((r) => FAILED_OUTCOMES.includes(r.outcome))
    .map((r) => r.tenantId)
    .sort();
  const done = results.filter((r) => r.outcome === 'SUCCEEDED').length;
  const reason =
    results.length === 0
      ? 'no ACTIVE tenant to deploy to; the image is the release new tenants get'
      : `${done} of ${results.length} tenants updated` +
        (rolledBack.length > 0 ? `; ${rolledBack.join(', ')} failed and kept the previous image (within the threshold of ${deployment.failureThreshold})` : '');
  return { status: 'SUCCEEDED', reason };
}
