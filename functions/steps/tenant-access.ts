/**
 * Workflow steps on what lets a tenant's tasks in: its task role (AccessPort) and its secrets
 * (SecretsPort; this is the one function that reads the stack secret they derive from).
 * Split by capability so this function's role grants only that; the actions
 * are the use-cases of src/workflows/tenant/access.ts and secrets.ts.
 */
import { awsAccess, awsSecrets } from '../../src/aws/cloud.ts';
import type { StepDeps } from '../../src/workflows/deps.ts';
import { accessSteps } from '../../src/workflows/tenant/access.ts';
import { secretSteps } from '../../src/workflows/tenant/secrets.ts';
import { awsStepDeps } from '../lib/aws-deps.ts';
import { lazyHandler, stepHandler } from '../lib/step-handler.ts';

export function makeHandler(deps: StepDeps) {
  return stepHandler('tenant-access', { ...accessSteps(deps), ...secretSteps(deps) });
}

export const handler = lazyHandler(() => makeHandler(awsStepDeps({ access: awsAccess, secrets: awsSecrets })));
