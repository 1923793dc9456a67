import type { DeploymentRepository } from '../deployments/repository.ts';
import type { ImageRef } from '../tenants/schema.ts';

/** The release pointer and the rollout still running, as the reconciler reads them from the deployments table. */
export function releasesOf(deployments: Pick<DeploymentRepository, 'currentRelease' | 'list'>) {
  return {
    currentRelease: () => deployments.currentRelease(),
    async rollingOut(): Promise<ImageRef | undefined> {
      let cursor: string | undefined;
      let newest: { image: ImageRef; startedAt: string } | undefined;
      do {
        const page = await deployments.list({ cursor });
        for (const d of page.items)
          if (d.status === 'IN_PROGRESS' && (!newest || d.startedAt > newest.startedAt)) newest = { image: d.image, startedAt: d.startedAt };
        cursor = page.nextCursor;
      } while (cursor);
      return newest?.image;
    },
  };
}
