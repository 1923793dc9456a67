/**
 * The actions each step function's handler dispatches on, by the ARN placeholder the state
 * machines name it with: what a Task state's `Parameters.action` must be one of. Only the names
 * are read; no step runs.
 */
import { actions as deploymentRecordActions } from '../../functions/steps/deployment-record.ts';
import { actions as tenantReleaseActions } from '../../functions/steps/tenant-release.ts';
import type { DeployDeps } from '../../src/workflows/image-deploy/deps.ts';
import type { StepDeps } from '../../src/workflows/deps.ts';
import { accessSteps } from '../../src/workflows/tenant/access.ts';
import { computeSteps } from '../../src/workflows/tenant/compute.ts';
import { dataSteps } from '../../src/workflows/tenant/data.ts';
import { networkSteps } from '../../src/workflows/tenant/network.ts';
import { recordSteps } from '../../src/workflows/tenant/record.ts';
import { secretSteps } from '../../src/workflows/tenant/secrets.ts';
import { FakeCloud } from './fake-cloud.ts';

const deps = { cloud: new FakeCloud() } as unknown as StepDeps & DeployDeps;

export const STEP_ACTIONS: Readonly<Record<string, readonly string[]>> = {
  '${TenantRecordFunctionArn}': Object.keys(recordSteps(deps)),
  '${TenantDataFunctionArn}': Object.keys(dataSteps(deps)),
  '${TenantAccessFunctionArn}': [...Object.keys(accessSteps(deps)), ...Object.keys(secretSteps(deps))],
  '${TenantComputeFunctionArn}': Object.keys(computeSteps(deps)),
  '${TenantNetworkFunctionArn}': Object.keys(networkSteps(deps)),
  '${DeploymentRecordFunctionArn}': Object.keys(deploymentRecordActions(deps)),
  '${TenantReleaseFunctionArn}': Object.keys(tenantReleaseActions(deps)),
};
