import { HumanGovError } from '../kernel/errors.ts';

/**
 * Errors a provider raises, named for what a workflow should do about them.
 * Step Functions matches on `name` (the Lambda errorType), so these names are
 * part of the contract with the ASL Retry and Catch rules: do not rename them.
 */

/** Throttling, a 5xx, a connection reset: the same call is likely to work later. */
export class TransientCloudError extends HumanGovError {
  override name = 'TransientCloudError';
  override readonly retryable = true;
}

/** A resource exists but is not ready yet (a table CREATING, a role not yet visible): ask again shortly. */
export class NotReadyError extends HumanGovError {
  override name = 'NotReadyError';
  override readonly retryable = true;
}

/** The cloud refused for a reason retrying cannot fix (quota, bad parameter, missing permission). */
export class PermanentCloudError extends HumanGovError {
  override name = 'PermanentCloudError';
}
