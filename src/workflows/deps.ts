import type { Cloud } from '../cloud/ports.ts';
import type { ImageRef } from '../tenants/schema.ts';
import type { TenantRepository } from '../tenants/repository.ts';

/** Where onboarding learns which image to run: the last SUCCEEDED deployment. */
export interface ReleaseSource {
  currentRelease(): Promise<ImageRef | undefined>;
}

/** What the workflow steps need; each provider's composition root builds one. */
export interface StepDeps {
  cloud: Cloud;
  tenants: TenantRepository;
  releases: ReleaseSource;
  now: () => Date;
}
