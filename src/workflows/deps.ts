import type { Cloud } from '../cloud/ports.ts';
import type { ReleaseSource } from '../deployments/repository.ts';
import type { TenantRepository } from '../tenants/repository.ts';

/** What the workflow steps need; each provider's composition root builds one. */
export interface StepDeps {
  cloud: Cloud;
  tenants: TenantRepository;
  releases: ReleaseSource;
  now: () => Date;
}
