/**
 * The waiting tenant-release steps (tenant-release function); the state
 * machine's Wait states space them out, so no Lambda ever sleeps.
 *
 * 1. watchRollout: one describeService of the ECS deployment being followed
 *    (ours while ROLLING_OUT, the rollback's while ROLLING_BACK), judged by
 *    assessRollout: "stable" is not success, a deployment the circuit breaker
 *    rolled back or one no longer primary has failed. Bounded by
 *    RELEASE_BOUNDS.rolloutPolls.
 * 2. verifyRelease: the tenant through the load balancer (verifyTenant): every
 *    target healthy, enough of them over two zones, and /health serving the
 *    expected digest (the new one, or after a rollback the previous one).
 *    Bounded by RELEASE_BOUNDS.verifyChecks.
 */
import { assessRollout } from '../../tenants/rollout.ts';
import { verifyTenant } from '../../tenants/verification.ts';
import type { DeployDeps } from './deps.ts';
import { need, RELEASE_BOUNDS, type Release } from '../../deployments/release.ts';

export async function watchRollout(deps: DeployDeps, release: Release): Promise<Release> {
  const rollingBack = release.phase === 'ROLLING_BACK';
  const deploymentId = need(release, 'serviceDeploymentId');
  const verdict = assessRollout(await deps.cloud.compute.describeService(need(release, 'serviceName')), deploymentId);
  const polls = release.polls + 1;
  if (verdict.state === 'COMPLETED') return { ...release, polls, checks: 0, phase: rollingBack ? 'VERIFYING_ROLLBACK' : 'VERIFYING' };
  if (verdict.state === 'IN_PROGRESS' && polls < RELEASE_BOUNDS.rolloutPolls) return { ...release, polls };
  const why = verdict.state === 'FAILED' ? verdict.reason : `ECS deployment ${deploymentId} did not complete within ${polls} checks (${verdict.detail})`;
  return rollingBack
    ? { ...release, polls, phase: 'ROLLBACK_FAILED', rollbackError: `the rollback failed: ${why}` }
    : { ...release, polls, phase: 'ROLLOUT_FAILED', error: why };
}

export async function verifyRelease(deps: DeployDeps, release: Release): Promise<Release> {
  const rollingBack = release.phase === 'VERIFYING_ROLLBACK';
  const expectedDigest = rollingBack ? need(release, 'previousDigest') : release.image.digest;
  const request = { tenantId: release.tenantId, targetGroupArn: need(release, 'targetGroupArn'), desiredCount: need(release, 'desiredCount'), expectedDigest };
  const result = await verifyTenant(deps.cloud.loadBalancer, request, deps.now);
  const checks = release.checks + 1;
  if (result.ok) return { ...release, checks, health: result.health, phase: rollingBack ? 'ROLLBACK_VERIFIED' : 'VERIFIED' };
  if (checks < RELEASE_BOUNDS.verifyChecks) return { ...release, checks, health: result.health };
  const why = `verification through the load balancer failed ${checks} times: ${result.problems.join('; ')}`;
  return rollingBack
    ? { ...release, checks, health: result.health, phase: 'ROLLBACK_FAILED', rollbackError: `the rollback did not verify: ${why}` }
    : { ...release, checks, health: result.health, phase: 'ROLLOUT_FAILED', error: why };
}
