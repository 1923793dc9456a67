/**
 * startRelease, the first tenant-release step (tenant-release function):
 *
 * 1. Take the tenant's lease, which answers with the record it holds. Held by
 *    another workflow: LOCK_HELD, and the state machine waits and asks again
 *    (checking the rollout is still going each time), up to
 *    RELEASE_BOUNDS.lockAttempts; then SKIPPED.
 * 2. With the lease held, look at the tenant:
 *    - gone, being deleted, or not ACTIVE: SKIPPED (nobody fails for it);
 *    - already serving the pushed digest: NOOP;
 *    - else register a revision of its task definition that differs only in
 *      the image (and APP_IMAGE, which /health reports), mark it DEPLOYING and
 *      point its service at the revision: ROLLING_OUT.
 *    A tenant left alone gets its lease back at once.
 *
 * Lease and start are one step, not two, because every tenant of a wave runs
 * them at the same moment: one Lambda invocation fewer per tenant at the peak.
 * For the same reason the tenants table sees two writes here and nothing else:
 * the lease (returning the record) and DEPLOYING (against the version the
 * lease returned, with room kept in the history for the entry that ends the
 * release, which then needs no read either; see release-end.ts).
 *
 * Retried after a lost answer, the step finds its own lease (renewed), the
 * tenant DEPLOYING (still deployable), the same revision (registering an
 * identical one returns it) and the service already on it: it ends as the first attempt did.
 */
import type { TaskDefinitionSpec } from '../../cloud/ports.ts';
import { TenantLockedError, TenantNotFoundError } from '../../tenants/errors.ts';
import { tenantResourceNames } from '../../tenants/names.ts';
import { DEFAULT_DESIRED_COUNT, type ImageRef, type TenantRecord } from '../../tenants/schema.ts';
import type { DeployDeps } from './deps.ts';
import { TenantReleaseError } from '../../deployments/errors.ts';
import { isDeployable } from '../../deployments/policy.ts';
import { RELEASE_BOUNDS, RELEASE_LEASE_MS, type Release } from '../../deployments/release.ts';

/** Takes the lease: the record it holds, or the release ended or waiting. */
async function takeLease(deps: DeployDeps, release: Release): Promise<{ tenant: TenantRecord } | { notNow: Release }> {
  try {
    return { tenant: await deps.tenants.acquireLock(release.tenantId, release.executionId, RELEASE_LEASE_MS) };
  } catch (error) {
    if (error instanceof TenantNotFoundError) return { notNow: skipped(deps, release, 'the tenant was deleted before its turn') };
    if (!(error instanceof TenantLockedError)) throw error;
    const lockAttempts = release.lockAttempts + 1;
    if (lockAttempts >= RELEASE_BOUNDS.lockAttempts) {
      return {
        notNow: skipped(deps, { ...release, lockAttempts }, `another workflow (${error.holder}) held the tenant for the whole wait; deploy it again later`),
      };
    }
    return { notNow: { ...release, phase: 'LOCK_HELD', lockAttempts } };
  }
}

export async function startRelease(deps: DeployDeps, release: Release): Promise<Release> {
  const lease = await takeLease(deps, release);
  if ('notNow' in lease) return lease.notNow;
  const { tenant } = lease;
  if (!isDeployable(tenant)) {
    await deps.tenants.releaseLock(release.tenantId, release.executionId);
    const why = tenant.desiredState === 'DELETED' ? 'is being deleted' : `is ${tenant.status ?? 'not yet onboarded'}, not ACTIVE`;
    return skipped(deps, release, `the tenant ${why}`);
  }
  if (tenant.status === 'ACTIVE' && tenant.image?.digest === release.image.digest) {
    await deps.tenants.releaseLock(release.tenantId, release.executionId);
    return { ...release, phase: 'NOOP', reason: `already serving ${release.image.digest}`, endedAt: deps.now().toISOString() };
  }

  const { platform, compute } = deps.cloud;
  const previousTaskDefinitionArn = tenant.resources?.taskDefinitionArn;
  const targetGroupArn = tenant.resources?.targetGroupArn;
  if (!previousTaskDefinitionArn || !targetGroupArn) {
    throw new TenantReleaseError(release.tenantId, 'its record names no task definition or target group; onboard it again to repair it');
  }
  const current = await compute.describeTaskDefinition(previousTaskDefinitionArn);
  if (!current)
    throw new TenantReleaseError(release.tenantId, `its task definition ${previousTaskDefinitionArn} no longer exists; onboard it again to repair it`);
  const previousDigest = tenant.image?.digest ?? digestOf(current.image);
  if (!previousDigest)
    throw new TenantReleaseError(
      release.tenantId,
      `its task definition runs ${current.image}, not pinned by digest, so a rollback could not be verified; onboard it again to repair it`,
    );
  const registered = await compute.registerTaskDefinition(withImage(current, release.image));

  const startedAt = release.startedAt ?? deps.now().toISOString();
  const deploying = await deps.tenants.transition(release.tenantId, 'DEPLOYING', {
    reason: `deploying ${release.image.tag} (deployment ${release.deploymentId})`,
    executionId: release.executionId,
    current: tenant,
    leaveHistoryRoom: true,
  });
  const serviceName = tenantResourceNames(platform.stage, release.tenantId, platform.accountId).service;
  const change = await compute.updateService({ name: serviceName, taskDefinitionArn: registered.arn });
  return {
    ...release,
    phase: 'ROLLING_OUT',
    serviceName,
    targetGroupArn,
    resources: tenant.resources,
    tenantVersion: deploying.version,
    desiredCount: tenant.desiredCount ?? DEFAULT_DESIRED_COUNT,
    previousTaskDefinitionArn,
    newTaskDefinitionArn: registered.arn,
    previousDigest,
    serviceDeploymentId: change.deploymentId,
    polls: 0,
    checks: 0,
    startedAt,
  };
}

/** The same task definition running another image: only the image and APP_IMAGE change (the secrets stay). */
export function withImage(current: TaskDefinitionSpec, image: ImageRef): TaskDefinitionSpec {
  const pinned = `${image.repository}@${image.digest}`;
  return {
    family: current.family,
    image: pinned,
    cpu: current.cpu,
    memory: current.memory,
    environment: { ...current.environment, APP_IMAGE: pinned },
    secrets: current.secrets,
    taskRoleArn: current.taskRoleArn,
    logGroup: current.logGroup,
    tags: current.tags,
  };
}

function digestOf(image: string): string | undefined {
  return /@(sha256:[a-f0-9]{64})$/.exec(image)?.[1];
}

function skipped(deps: DeployDeps, release: Release, reason: string): Release {
  return { ...release, phase: 'SKIPPED', reason, endedAt: deps.now().toISOString() };
}
