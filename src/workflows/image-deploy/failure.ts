/** What a Catch clause hands the next state: the error's name and its cause. */
export interface CaughtFailure {
  Error?: string;
  Cause?: string;
}

/**
 * A caught error as one line for a person. In AWS the cause of a Lambda error
 * is the JSON of {errorType, errorMessage, stackTrace}: the message is what
 * matters; the local interpreter passes the message itself.
 */
export function describeFailure(failure: CaughtFailure | undefined): string {
  let message = failure?.Cause ?? '';
  try {
    const parsed = JSON.parse(message) as { errorMessage?: unknown };
    if (typeof parsed.errorMessage === 'string') message = parsed.errorMessage;
  } catch {
    // plain text: keep it as it is
  }
  return `${failure?.Error ?? 'Error'}: ${message || 'no detail'}`.slice(0, 1000);
}
