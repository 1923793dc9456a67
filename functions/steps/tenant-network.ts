/**
 * Workflow steps on the load balancer (LoadBalancerPort): the tenant's target
 * group and host rule, and ALB verification including GET /health through it.
 * Split by capability so this function's role grants only that; the actions
 * are the use-cases of src/workflows/tenant/network.ts.
 */
import { awsLoadBalancer, awsStaffPool } from '../../src/aws/cloud.ts';
import type { StepDeps } from '../../src/workflows/deps.ts';
import { networkSteps } from '../../src/workflows/tenant/network.ts';
import { awsStepDeps } from '../lib/aws-deps.ts';
import { lazyHandler, stepHandler } from '../lib/step-handler.ts';

export function makeHandler(deps: StepDeps) {
  return stepHandler('tenant-network', networkSteps(deps));
}

export const handler = lazyHandler(() => makeHandler(awsStepDeps({ loadBalancer: awsLoadBalancer, staffPool: awsStaffPool })));
