import { HumanGovError } from '../kernel/errors.ts';

/**
 * The workflow input is not an ECR push of a release image. Nothing is
 * recorded; the execution fails with this message (its `name` is the
 * Step Functions error, matched by no Retry).
 */
export class InvalidDeployEventError extends HumanGovError {
  override name = 'InvalidDeployEventError';
}

export class DeploymentNotFoundError extends HumanGovError {
  override name = 'DeploymentNotFoundError';
  readonly deploymentId: string;
  constructor(deploymentId: string, options?: ErrorOptions) {
    super(`deployment "${deploymentId}" does not exist; list deployments with GET /deployments`, options);
    this.deploymentId = deploymentId;
  }
}

/**
 * A tenant cannot be released for a reason retrying will not fix (its task
 * definition or service is missing): the tenant is left on its image and the
 * failure counts against the rollout's threshold.
 */
export class TenantReleaseError extends HumanGovError {
  override name = 'TenantReleaseError';
  readonly tenantId: string;
  constructor(tenantId: string, message: string, options?: ErrorOptions) {
    super(`tenant "${tenantId}": ${message}`, options);
    this.tenantId = tenantId;
  }
}
