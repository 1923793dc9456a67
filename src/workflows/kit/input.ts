/**
 * The step kit every workflow's steps are written with (tenant-onboard, tenant-offboard and
 * image-deploy): this input check, StepInputError (./errors.ts) and the reading of a caught
 * failure (./failure.ts). The Lambda wrapper that hands a Task state's `action` to its step
 * is functions/lib/step-handler.ts.
 *
 * The one check of what a Task state sends its step. The input is the ASL's side of the
 * contract; a mismatch (a wrong path in the state machine) fails with a message naming
 * the step and the fields, not somewhere deep inside the step.
 */
import type * as z from 'zod/mini';
import { describeIssues } from '../../tenants/schema.ts';
import { StepInputError } from './errors.ts';

export function parseStepInput<S extends z.ZodMiniType>(schema: S, input: unknown): z.infer<S> {
  const result = schema.safeParse(input);
  if (!result.success) {
    const action = typeof input === 'object' && input !== null ? String((input as { action?: unknown }).action) : '?';
    throw new StepInputError(`step "${action}" received an input it cannot use (${describeIssues(result.error)}); the state machine definition needs fixing`);
  }
  return result.data;
}
