/**
 * What the image-deploy Task states send the deployment-record function, beyond
 * `action`: the ASL's side of the contract, checked so that a wrong path in the
 * state machine fails with a message naming it, not deep inside a step.
 */
import { z } from 'zod';
import { describeIssues } from '../../tenants/schema.ts';
import { StepInputError } from '../../deployments/errors.ts';
import type { CaughtFailure } from './failure.ts';

const failureSchema = z.object({ Error: z.string().optional(), Cause: z.string().optional() });

const deploymentStepSchema = z.object({
  deploymentId: z.string().min(1),
  executionId: z.string().min(1),
  failure: failureSchema.optional(),
});

const recordStepSchema = z.object({ executionId: z.string().min(1), input: z.unknown() });

export function parseDeploymentStep(input: unknown): { deploymentId: string; executionId: string; failure?: CaughtFailure } {
  return parse(deploymentStepSchema, input);
}

export function parseRecordStep(input: unknown): { executionId: string; input: unknown } {
  return parse(recordStepSchema, input);
}

export function parseFailure(input: unknown): CaughtFailure | undefined {
  return parse(z.object({ failure: failureSchema.optional() }), input).failure;
}

export function parse<T>(schema: z.ZodType<T>, input: unknown): T {
  const result = schema.safeParse(input);
  if (!result.success) throw new StepInputError(`the state machine passed an invalid step input: ${describeIssues(result.error)}`);
  return result.data;
}
