/**
 * What a Catch rule hands the next state, and the one reading of it for a person.
 */
import * as z from 'zod/mini';
import '../../kernel/zod-english.ts';

/** What a Catch clause puts at its ResultPath: the error's name and its cause. */
export interface CaughtFailure {
  Error?: string;
  Cause?: string;
}

/** A Catch result as the tenant workflows receive it (their Catch rules always set Error). */
export const caughtErrorSchema = z.object({ Error: z.string(), Cause: z.optional(z.string()) });
export type CaughtError = z.infer<typeof caughtErrorSchema>;

/** A Catch result that may be absent or partial (the image-deploy steps' `failure`). */
export const caughtFailureSchema = z.object({ Error: z.optional(z.string()), Cause: z.optional(z.string()) });

/**
 * The message inside a caught error's Cause, without stack or envelope. In AWS the Cause
 * of a Lambda error is the JSON of {errorType, errorMessage, trace}: the message is what
 * matters; the local interpreter passes the message itself.
 */
export function causeMessage(cause: string | undefined): string {
  const message = cause ?? '';
  try {
    const parsed: unknown = JSON.parse(message);
    if (typeof parsed === 'object' && parsed !== null && typeof (parsed as { errorMessage?: unknown }).errorMessage === 'string') {
      return (parsed as { errorMessage: string }).errorMessage;
    }
  } catch {
    // not JSON: the Cause is the message itself
  }
  return message;
}

/** A caught error as one line for a deployment's record: "<Error>: <message>". */
export function describeFailure(failure: CaughtFailure | undefined): string {
  return `${failure?.Error ?? 'Error'}: ${causeMessage(failure?.Cause) || 'no detail'}`.slice(0, 1000);
}

const MAX_REASON_LENGTH = 600;

/** A caught error as the message a person reads in a tenant's statusReason. */
export function failureMessage(error: CaughtError): string {
  let message = causeMessage(error.Cause).trim();
  if (!message) message = error.Error === 'States.Timeout' ? 'a step timed out (States.Timeout)' : `a step failed with ${error.Error}`;
  return message.length > MAX_REASON_LENGTH ? `${message.slice(0, MAX_REASON_LENGTH - 1)}…` : message;
}
