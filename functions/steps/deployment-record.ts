/**
 * Image-deploy steps on the deployments table (and reads of the tenants
 * table); the steps themselves are in src/workflows/image-deploy/record-steps.ts.
 */
import type { DeployDeps } from '../../src/workflows/image-deploy/deps.ts';
import {
  checkTenantTurn,
  failDeployment,
  finishDeployment,
  planDeployment,
  recordDeployment,
  recordTenantResult,
} from '../../src/workflows/image-deploy/record-steps.ts';
import { parseDeploymentStep, parseFailure, parseRecordStep, parseRelease } from '../../src/workflows/image-deploy/step-input.ts';
import { awsDeployDeps } from '../lib/aws-deps.ts';
import { lazyHandler, stepHandler, type StepInput } from '../lib/step-handler.ts';

export function actions(deps: DeployDeps) {
  return {
    /** `input` is the workflow input itself, validated by the step. */
    record: (input: StepInput) => {
      const step = parseRecordStep(input);
      return recordDeployment(deps, step.input, step.executionId);
    },
    plan: (input: StepInput) => planDeployment(deps, parseDeploymentStep(input).deploymentId),
    checkTurn: (input: StepInput) => checkTenantTurn(deps, parseRelease(input)),
    recordResult: (input: StepInput) => recordTenantResult(deps, parseRelease(input)),
    /** After even abandoning the tenant failed: `failure` is the original error. */
    recordFailure: (input: StepInput) => recordTenantResult(deps, parseRelease(input), parseFailure(input) ?? {}),
    finish: (input: StepInput) => finishDeployment(deps, parseDeploymentStep(input).deploymentId),
    fail: (input: StepInput) => {
      const step = parseDeploymentStep(input);
      return failDeployment(deps, step.deploymentId, step.failure ?? {});
    },
  };
}

export function makeHandler(deps: DeployDeps) {
  return stepHandler('deployment-record', actions(deps));
}

export const handler = lazyHandler(() => makeHandler(awsDeployDeps({})));
