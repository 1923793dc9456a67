/**
 * The image-deploy steps on the deployments table (deployment-record function).
 *
 * 1. recordDeployment: validate the push event, create the deployment once
 *    (a redelivered event finds it and ends), and supersede: ask an older
 *    rollout still running to stop, or end this one at once if a newer push
 *    already has a deployment.
 * 2. planDeployment: list the deployable tenants, pick the canary, write the
 *    waves and a PENDING result for each tenant (once).
 * 3. checkTenantTurn: before a tenant is touched, is the rollout still going?
 *    If not, the tenant is SKIPPED.
 * 4. recordTenantResult / recordTenantFailure: one tenant's result.
 * 5. finishDeployment: tenants never reached become SKIPPED; the deployment
 *    ends SUCCEEDED, FAILED or SUPERSEDED; a success becomes the current release.
 *    failDeployment does the same for a rollout cut short by an unexpected error.
 */
import type { DeployDeps } from './deps.ts';
import { parseDeployRequest } from '../../deployments/event.ts';
import { describeFailure, type CaughtFailure } from '../kit/failure.ts';
import { finalStatus, planRollout, stopVerdict } from '../../deployments/policy.ts';
import { resultOf, type Release } from '../../deployments/release.ts';
import type { Deployment, DeploymentCounts, DeploymentStatus, TenantResult } from '../../deployments/schema.ts';

export interface RecordedDeployment {
  deploymentId: string;
  /** False when there is nothing (more) for this execution to do: a duplicate event, or an older push. */
  proceed: boolean;
  reason?: string;
  image: Deployment['image'];
  maxConcurrency: number;
  failureThreshold: number;
}

export async function recordDeployment(deps: DeployDeps, input: unknown, executionId: string): Promise<RecordedDeployment> {
  const request = parseDeployRequest(input, deps.cloud.platform.imageRepository);
  const { created, deployment } = await deps.deployments.create({
    deploymentId: request.deploymentId,
    image: request.image,
    status: 'IN_PROGRESS',
    eventId: request.event.id,
    eventTime: new Date(request.event.time).toISOString(),
    executionId,
    maxConcurrency: request.maxConcurrency,
    failureThreshold: request.failureThreshold,
    startedAt: deps.now().toISOString(),
  });
  const answer = (proceed: boolean, reason?: string): RecordedDeployment => ({
    deploymentId: deployment.deploymentId,
    proceed,
    ...(reason ? { reason } : {}),
    image: deployment.image,
    maxConcurrency: deployment.maxConcurrency,
    failureThreshold: deployment.failureThreshold,
  });
  // The same execution again is this step retried: carry on where it stopped.
  if (!created && deployment.executionId !== executionId) {
    return answer(false, `event ${request.event.id} was already delivered; execution ${deployment.executionId} handles deployment ${deployment.deploymentId}`);
  }
  if (deployment.status !== 'IN_PROGRESS') return answer(false, `deployment ${deployment.deploymentId} already ended ${deployment.status}`);

  const claim = await deps.deployments.claimLatest(deployment);
  if (!claim.newest) {
    const reason = `a newer push (deployment ${claim.newer}) arrived first; this older image is not rolled out`;
    await deps.deployments.finish(deployment.deploymentId, { status: 'SUPERSEDED', reason, endedAt: deps.now().toISOString(), results: {} });
    return answer(false, reason);
  }
  if (claim.replaced) await deps.deployments.requestSupersede(claim.replaced, deployment.deploymentId);
  return answer(true);
}

export async function planDeployment(deps: DeployDeps, deploymentId: string): Promise<{ canaryTenantId?: string; waves: string[][] }> {
  let deployment = await deps.deployments.require(deploymentId);
  if (!deployment.waves) deployment = await deps.deployments.savePlan(deploymentId, planRollout(await deps.tenants.all()));
  return { ...(deployment.canaryTenantId ? { canaryTenantId: deployment.canaryTenantId } : {}), waves: deployment.waves ?? [] };
}

export async function checkTenantTurn(deps: DeployDeps, release: Release): Promise<Release> {
  const deployment = await deps.deployments.require(release.deploymentId);
  if (deployment.status !== 'IN_PROGRESS') {
    return { ...release, phase: 'SKIPPED', reason: `the deployment already ended ${deployment.status}` };
  }
  const verdict = stopVerdict(deployment);
  if (!verdict.stop) return release;
  if (!deployment.stop)
    await deps.deployments.recordStop(deployment.deploymentId, { kind: verdict.kind, reason: verdict.reason, at: deps.now().toISOString() });
  return { ...release, phase: 'SKIPPED', reason: `not deployed: ${verdict.reason}` };
}

export async function recordTenantResult(deps: DeployDeps, release: Release, failure?: CaughtFailure): Promise<TenantResult> {
  const result = resultOf(release, deps.now(), failure && describeFailure(failure));
  await deps.deployments.recordResult(release.deploymentId, result);
  return result;
}

export interface FinishedDeployment {
  deploymentId: string;
  status: DeploymentStatus;
  reason?: string;
  counts: DeploymentCounts;
}

export async function finishDeployment(deps: DeployDeps, deploymentId: string): Promise<FinishedDeployment> {
  const deployment = await deps.deployments.require(deploymentId);
  if (deployment.status !== 'IN_PROGRESS') return summary(deployment);
  const verdict = stopVerdict(deployment);
  const pending = Object.values(deployment.results ?? {}).some((r) => r.outcome === 'PENDING');
  // Tenants the Map never reached (it should reach them all): the stop, if any, is why.
  if (pending && verdict.stop && !deployment.stop) {
    deployment.stop = { kind: verdict.kind, reason: verdict.reason, at: deps.now().toISOString() };
    await deps.deployments.recordStop(deploymentId, deployment.stop);
  }
  const { status, reason } = finalStatus(deployment);
  const results = skipPending(deployment, deployment.stop?.reason ?? 'the rollout ended before this tenant was reached', deps.now());
  const ended = await deps.deployments.finish(deploymentId, { status, reason, endedAt: deps.now().toISOString(), results });
  if (ended.status === 'SUCCEEDED') await deps.deployments.publishRelease(ended);
  return summary(ended);
}

export async function failDeployment(deps: DeployDeps, deploymentId: string, failure: CaughtFailure): Promise<FinishedDeployment> {
  const deployment = await deps.deployments.require(deploymentId);
  if (deployment.status !== 'IN_PROGRESS') return summary(deployment);
  const reason = `the rollout stopped on an unexpected error: ${describeFailure(failure)}`;
  const results = skipPending(deployment, reason, deps.now());
  return summary(await deps.deployments.finish(deploymentId, { status: 'FAILED', reason, endedAt: deps.now().toISOString(), results }));
}

function skipPending(deployment: Deployment, reason: string, now: Date): Record<string, TenantResult> {
  return Object.fromEntries(
    Object.entries(deployment.results ?? {}).map(([id, r]) => [
      id,
      r.outcome === 'PENDING' ? { ...r, outcome: 'SKIPPED', reason, endedAt: now.toISOString() } : r,
    ]),
  );
}

function summary(deployment: Deployment): FinishedDeployment {
  return {
    deploymentId: deployment.deploymentId,
    status: deployment.status,
    ...(deployment.reason ? { reason: deployment.reason } : {}),
    counts: deployment.counts,
  };
}
