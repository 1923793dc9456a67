/**
 * One base class for the control plane's errors. Each says what went wrong and,
 * where a person can act on it, what to do next; `retryable` tells a workflow
 * whether trying again can help.
 */
export class HumanGovError extends Error {
  override name = 'HumanGovError';
  readonly retryable: boolean = false;
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
  }
}
