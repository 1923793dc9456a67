import type { ReleaseSource } from '../deployments/repository.ts';

/** The release pointer and the rollout still running, as the reconciler reads them from the deployments table. */
export function releasesOf(deployments: ReleaseSource): ReleaseSource {
  return { currentRelease: () => deployments.currentRelease(), rollingOut: () => deployments.rollingOut() };
}
