import type { StepDeps } from '../deps.ts';
import type { DeploymentRepository } from '../../deployments/repository.ts';

/** What the image-deploy steps need: the workflow steps' dependencies and the deployments table. */
export type DeployDeps = StepDeps & { deployments: DeploymentRepository };
