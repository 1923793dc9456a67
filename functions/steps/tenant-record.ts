/**
 * Workflow steps on the tenant's record: the tenants table only (lease, status,
 * observed fields).
 * Split by capability so this function's role grants only that; the actions
 * are the use-cases of src/workflows/tenant/record.ts.
 */
import type { StepDeps } from '../../src/workflows/deps.ts';
import { recordSteps } from '../../src/workflows/tenant/record.ts';
import { awsStepDeps } from '../lib/aws-deps.ts';
import { lazyHandler, stepHandler } from '../lib/step-handler.ts';

export function makeHandler(deps: StepDeps) {
  return stepHandler('tenant-record', recordSteps(deps));
}

export const handler = lazyHandler(() => makeHandler(awsStepDeps({})));
