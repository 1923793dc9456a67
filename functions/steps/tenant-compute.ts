/**
 * Workflow steps on ECS and CloudWatch Logs (ComputePort, LogsPort). Also reads
 * the current release (StepDeps.releases: the deployments table).
 * Split by capability so this function's role grants only that; the actions
 * are the use-cases of src/workflows/tenant/compute.ts.
 */
import { awsCompute, awsLogs } from '../../src/aws/cloud.ts';
import type { StepDeps } from '../../src/workflows/deps.ts';
import { computeSteps } from '../../src/workflows/tenant/compute.ts';
import { awsStepDeps } from '../lib/aws-deps.ts';
import { lazyHandler, stepHandler } from '../lib/step-handler.ts';

export function makeHandler(deps: StepDeps) {
  return stepHandler('tenant-compute', computeSteps(deps));
}

export const handler = lazyHandler(() => makeHandler(awsStepDeps({ compute: awsCompute, logs: awsLogs })));
