/**
 * Workflow steps on IAM: the tenant's task role (AccessPort).
 * Split by capability so this function's role grants only that; the actions
 * are the use-cases of src/workflows/steps/access.ts.
 */
import { awsAccess } from '../../src/aws/cloud.ts';
import type { StepDeps } from '../../src/workflows/deps.ts';
import { accessSteps } from '../../src/workflows/steps/access.ts';
import { awsStepDeps } from '../lib/aws-deps.ts';
import { lazyHandler, stepHandler } from '../lib/step-handler.ts';

export function makeHandler(deps: StepDeps) {
  return stepHandler('tenant-access', accessSteps(deps));
}

export const handler = lazyHandler(() => makeHandler(awsStepDeps({ access: awsAccess })));
