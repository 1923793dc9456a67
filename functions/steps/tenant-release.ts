/**
 * Image-deploy steps on one tenant: its lease, task definition, service,
 * verification through the load balancer, rollback and record. Each takes the
 * tenant's `release` and returns the next one (src/deployments/release.ts).
 */
import { awsCompute, awsLoadBalancer } from '../../src/aws/cloud.ts';
import type { DeployDeps } from '../../src/workflows/image-deploy/deps.ts';
import { describeFailure } from '../../src/workflows/kit/failure.ts';
import { abandonRelease, completeRelease, degradeTenant, restoreTenant, rollBackRelease } from '../../src/workflows/image-deploy/release-end.ts';
import { startRelease } from '../../src/workflows/image-deploy/release-start.ts';
import { verifyRelease, watchRollout } from '../../src/workflows/image-deploy/release-watch.ts';
import type { Release } from '../../src/deployments/release.ts';
import { parseFailure, parseRelease } from '../../src/workflows/image-deploy/step-input.ts';
import { awsDeployDeps } from '../lib/aws-deps.ts';
import { lazyHandler, stepHandler, type StepInput } from '../lib/step-handler.ts';

type ReleaseStep = (deps: DeployDeps, release: Release) => Promise<Release>;

export function actions(deps: DeployDeps) {
  const step = (run: ReleaseStep) => (input: StepInput) => run(deps, parseRelease(input));
  return {
    start: step(startRelease),
    watchRollout: step(watchRollout),
    verify: step(verifyRelease),
    complete: step(completeRelease),
    rollBack: step(rollBackRelease),
    restore: step(restoreTenant),
    degrade: step(degradeTenant),
    /** After an unexpected error: the Catch clause's `failure` says what it was. */
    abandon: (input: StepInput) => abandonRelease(deps, parseRelease(input), describeFailure(parseFailure(input))),
  };
}

export function makeHandler(deps: DeployDeps) {
  return stepHandler('tenant-release', actions(deps));
}

export const handler = lazyHandler(() => makeHandler(awsDeployDeps({ compute: awsCompute, loadBalancer: awsLoadBalancer })));
