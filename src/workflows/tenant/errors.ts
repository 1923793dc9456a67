/**
 * Why a workflow step gives up. Each `name` is what the state machines' Catch
 * rules see; each message is written for the person who reads the tenant's
 * statusReason, so it says what to do next.
 */
import { HumanGovError } from '../../kernel/errors.ts';

/** The control plane is missing a setting it needs (not the tenant's fault). */
export class StepConfigurationError extends HumanGovError {
  override name = 'StepConfigurationError';
}

/** Nothing has been released yet, so there is no image to run. */
export class NoReleaseError extends HumanGovError {
  override name = 'NoReleaseError';
  constructor(imageRepository: string, options?: ErrorOptions) {
    super(`no release yet: push an image tagged v* (for example v1.0.0) to ${imageRepository}, then onboard the tenant again`, options);
  }
}

/** ECS gave up on the deployment (circuit breaker rollback) or another deployment replaced it. */
export class RolloutFailedError extends HumanGovError {
  override name = 'RolloutFailedError';
}

/** The deployment was still in progress when the workflow's bound ran out. */
export class RolloutTimedOutError extends HumanGovError {
  override name = 'RolloutTimedOutError';
}

/** The tenant did not pass ALB verification in the time allowed. */
export class VerificationFailedError extends HumanGovError {
  override name = 'VerificationFailedError';
}

/** A deleted service was still draining when the workflow's bound ran out. */
export class ServiceNotGoneError extends HumanGovError {
  override name = 'ServiceNotGoneError';
}

/**
 * Another execution took the tenant's lease (ours expired). This execution
 * must stop touching the tenant at once: no cleanup, no status write.
 */
export class LeaseLostError extends HumanGovError {
  override name = 'LeaseLostError';
}
