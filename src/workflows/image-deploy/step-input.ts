/**
 * What the image-deploy Task states send the deployment-record and tenant-release
 * functions, beyond `action`: the ASL's side of the contract, checked with the step kit.
 */
import * as z from 'zod/mini';
import '../../kernel/zod-english.ts';
import { releaseSchema, type Release } from '../../deployments/release.ts';
import { parseStepInput } from '../kit/input.ts';
import { caughtFailureSchema, type CaughtFailure } from '../kit/failure.ts';

const deploymentStepSchema = z.object({
  deploymentId: z.string().check(z.minLength(1)),
  executionId: z.string().check(z.minLength(1)),
  failure: z.optional(caughtFailureSchema),
});

const recordStepSchema = z.object({ executionId: z.string().check(z.minLength(1)), input: z.unknown() });

export function parseDeploymentStep(input: unknown): { deploymentId: string; executionId: string; failure?: CaughtFailure } {
  return parseStepInput(deploymentStepSchema, input);
}

export function parseRecordStep(input: unknown): { executionId: string; input: unknown } {
  return parseStepInput(recordStepSchema, input);
}

export function parseFailure(input: unknown): CaughtFailure | undefined {
  return parseStepInput(z.object({ failure: z.optional(caughtFailureSchema) }), input).failure;
}

/** The `release` a Task state passes (its shape is the ASL's contract with these steps). */
export function parseRelease(input: unknown): Release {
  return parseStepInput(z.object({ release: releaseSchema }), input).release;
}
