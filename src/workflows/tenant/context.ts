/**
 * What every workflow step shares: the input every Task state sends, the
 * tenant's derived names and tags, and the message a failure leaves behind.
 */
import { z } from 'zod';
import type { Platform, Tags } from '../../cloud/ports.ts';
import { describeIssues } from '../../tenants/schema.ts';
import { STAGE_TAG_KEY, tenantResourceNames, TENANT_TAG_KEY, type TenantResourceNames } from '../../tenants/names.ts';
import { StepInputError } from './errors.ts';

/** Every Task state passes these (see the ASL files: `tenantId.$`, `executionId.$: $$.Execution.Name`). */
export const stepInputSchema = z.object({
  action: z.string(),
  tenantId: z.string(),
  executionId: z.string().min(1),
});

/** Validates a Task state's input; a mismatch is a defect of the state machine, reported as such. */
export function parseStepInput<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const result = schema.safeParse(input);
  if (!result.success) {
    const action = typeof input === 'object' && input !== null ? String((input as { action?: unknown }).action) : '?';
    throw new StepInputError(`step "${action}" received an input it cannot use (${describeIssues(result.error)}); the state machine definition needs fixing`);
  }
  return result.data;
}

export function tenantNames(platform: Platform, tenantId: string): TenantResourceNames {
  return tenantResourceNames(platform.stage, tenantId, platform.accountId);
}

/** Tags put on everything made for a tenant, so a person (or a sweep) can find it by tenant and stage. */
export function tenantTags(platform: Platform, tenantId: string): Tags {
  return { [TENANT_TAG_KEY]: tenantId, [STAGE_TAG_KEY]: platform.stage, 'humangov:managed-by': 'control-plane' };
}

/** What a Catch rule puts at its ResultPath. */
export const caughtErrorSchema = z.object({ Error: z.string(), Cause: z.string().optional() });
export type CaughtError = z.infer<typeof caughtErrorSchema>;

const MAX_REASON_LENGTH = 600;

/**
 * The message of a caught error, without stack or envelope. In AWS the Cause of
 * a Lambda error is JSON (`{"errorType","errorMessage","trace"}`); the local
 * runner gives the bare message. Either way a person reads only the message.
 */
export function failureMessage(error: CaughtError): string {
  let message = error.Cause ?? '';
  try {
    const parsed: unknown = JSON.parse(message);
    if (typeof parsed === 'object' && parsed !== null && typeof (parsed as { errorMessage?: unknown }).errorMessage === 'string') {
      message = (parsed as { errorMessage: string }).errorMessage;
    }
  } catch {
    // not JSON: the Cause is the message itself
  }
  message = message.trim();
  if (!message) message = error.Error === 'States.Timeout' ? 'a step timed out (States.Timeout)' : `a step failed with ${error.Error}`;
  return message.length > MAX_REASON_LENGTH ? `${message.slice(0, MAX_REASON_LENGTH - 1)}…` : message;
}
