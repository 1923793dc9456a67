/**
 * The tenant-release steps after the rollout (tenant-release function). All
 * but rollBackRelease end the release: they write the tenant record and give
 * the lease back, in one write.
 *
 * - completeRelease (VERIFIED): ACTIVE on the new image and task definition.
 * - rollBackRelease (ROLLOUT_FAILED): point the service at the previous task
 *   definition; then watchRollout and verifyRelease follow the rollback.
 * - restoreTenant (ROLLBACK_VERIFIED): ACTIVE on the previous image, the
 *   failure as its status reason: ROLLED_BACK.
 * - degradeTenant (ROLLBACK_FAILED): DEGRADED with both reasons: FAILED.
 * - abandonRelease: after an unexpected error in any step, put the service back
 *   on the task definition the tenant record names (unverified, so DEGRADED if
 *   that changed anything) and give the lease back: FAILED.
 *
 * The first three write against the version startRelease left (`tenantVersion`)
 * without reading the record: nothing else writes it while the lease is held.
 * If something did, or the lease moved, the write reads the record and tries
 * again. Retried after a lost answer, the write finds the move already made
 * by this execution and ends the release as the first attempt did.
 */
import { tenantResourceNames } from '../../tenants/names.ts';
import type { TransitionOptions } from '../../tenants/repository.ts';
import type { TenantRecord } from '../../tenants/schema.ts';
import type { DeployDeps } from './deps.ts';
import { need, type Release } from '../../deployments/release.ts';

export async function completeRelease(deps: DeployDeps, release: Release): Promise<Release> {
  await deps.tenants.transition(release.tenantId, 'ACTIVE', {
    reason: `running ${release.image.tag} (deployment ${release.deploymentId})`,
    executionId: release.executionId,
    observed: {
      image: release.image,
      resources: { ...need(release, 'resources'), taskDefinitionArn: need(release, 'newTaskDefinitionArn') },
      ...(release.health ? { health: release.health } : {}),
    },
    ...ending(release),
  });
  return ended(deps, release, 'SUCCEEDED');
}

export async function rollBackRelease(deps: DeployDeps, release: Release): Promise<Release> {
  const change = await deps.cloud.compute.updateService({ name: need(release, 'serviceName'), taskDefinitionArn: need(release, 'previousTaskDefinitionArn') });
  // After a circuit-breaker rollback ECS already runs the previous definition: `changed` is false and we follow ECS's deployment.
  return { ...release, phase: 'ROLLING_BACK', serviceDeploymentId: change.deploymentId, polls: 0, checks: 0 };
}

export async function restoreTenant(deps: DeployDeps, release: Release): Promise<Release> {
  await deps.tenants.transition(release.tenantId, 'ACTIVE', {
    reason: `rolled back from ${release.image.tag} (deployment ${release.deploymentId}): ${release.error ?? 'it failed'}`,
    executionId: release.executionId,
    ...(release.health ? { observed: { health: release.health } } : {}),
    ...ending(release),
  });
  return ended(deps, release, 'ROLLED_BACK');
}

export async function degradeTenant(deps: DeployDeps, release: Release): Promise<Release> {
  await deps.tenants.transition(release.tenantId, 'DEGRADED', {
    reason: `${release.image.tag} failed (${release.error ?? 'unknown'}) and ${release.rollbackError ?? 'the rollback failed'}; the service needs a person: see it in the ECS console`,
    executionId: release.executionId,
    ...(release.health ? { observed: { health: release.health } } : {}),
    ...ending(release),
  });
  return ended(deps, release, 'FAILED');
}

export async function abandonRelease(deps: DeployDeps, release: Release, failure: string): Promise<Release> {
  const tenant = await deps.tenants.get(release.tenantId);
  // Deleted under us (a raw DeleteItem; offboarding would have waited for the lease): not the image's failure.
  if (!tenant) return { ...release, phase: 'SKIPPED', reason: `the tenant was deleted during its release (${failure})`, endedAt: deps.now().toISOString() };
  if (tenant.status === 'DEPLOYING') await putBack(deps, tenant, release, failure);
  else await deps.tenants.releaseLock(release.tenantId, release.executionId);
  return ended(deps, { ...release, error: failure }, 'FAILED');
}

/**
 * Points the service back at the task definition the tenant record names. If
 * that changed the service (or may have), nothing verified it: DEGRADED. If the
 * service had not moved yet: ACTIVE as before. The lease is given back with it.
 */
async function putBack(deps: DeployDeps, tenant: TenantRecord, release: Release, failure: string): Promise<void> {
  const { platform, compute } = deps.cloud;
  const previous = tenant.resources?.taskDefinitionArn;
  let moved = true;
  let problem = '; the tenant record names no task definition to put the service back on';
  if (previous) {
    try {
      const name = tenantResourceNames(platform.stage, release.tenantId, platform.accountId).service;
      moved = (await compute.updateService({ name, taskDefinitionArn: previous })).changed;
      problem = '';
    } catch (error) {
      // Best effort: the tenant is marked DEGRADED either way, with this as part of the reason.
      problem = `; putting the service back failed too: ${(error as Error).message}`;
    }
  }
  const reason = moved
    ? `deploying ${release.image.tag} stopped on an error (${failure}); the service was put back on ${previous ?? 'its previous task definition'} without verification${problem}`
    : `deploying ${release.image.tag} stopped on an error before the service changed (${failure})`;
  await deps.tenants.transition(release.tenantId, moved ? 'DEGRADED' : 'ACTIVE', {
    reason,
    executionId: release.executionId,
    current: tenant,
    releaseLockOf: release.executionId,
  });
}

/** How the write that ends a release finds the record (as startRelease left it) and gives the lease back. */
function ending(release: Release): Pick<TransitionOptions, 'after' | 'releaseLockOf'> {
  const after = release.tenantVersion === undefined ? {} : { after: { version: release.tenantVersion, status: 'DEPLOYING' as const } };
  return { ...after, releaseLockOf: release.executionId };
}

function ended(deps: DeployDeps, release: Release, phase: 'SUCCEEDED' | 'ROLLED_BACK' | 'FAILED'): Release {
  return { ...release, phase, endedAt: deps.now().toISOString() };
}
