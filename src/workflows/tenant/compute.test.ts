import { describe, expect, it } from '@jest/globals';
import { FakeCloud } from '../../../test/support/fake-cloud.ts';
import type { TenantRepository } from '../../tenants/repository.ts';
import type { StepDeps } from '../deps.ts';
import { computeSteps } from './compute.ts';
import { NoReleaseError, RolloutFailedError, RolloutTimedOutError, ServiceNotGoneError } from './errors.ts';
import { InMemoryMetrics } from '../../../src/local/metrics.ts';

const RELEASE = { repository: 'app', tag: 'v1.0.0', digest: `sha256:${'c'.repeat(64)}` };
const CSRF_SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:humangov/test/tenants/ca/csrf-AbCdEf';
const base = { tenantId: 'ca', executionId: 'exec-1' };

const ROLLING = { repository: 'app', tag: 'v1.1.0', digest: `sha256:${'d'.repeat(64)}` };

function setup(
  options: ConstructorParameters<typeof FakeCloud>[0] = {},
  release: typeof RELEASE | null = RELEASE,
  rollout?: { image: typeof ROLLING; tenantImage: typeof ROLLING | typeof RELEASE },
) {
  const cloud = new FakeCloud(options);
  // The compute steps read the tenant's record only to learn whether a rollout in progress reached it.
  const deps: StepDeps = {
    cloud,
    tenants: { require: async (tenantId: string) => ({ tenantId, image: rollout?.tenantImage }) } as unknown as TenantRepository,
    releases: { currentRelease: async () => release ?? undefined, rollingOut: async () => rollout?.image },
    now: () => new Date(),
    metrics: new InMemoryMetrics(),
  };
  return { cloud, steps: computeSteps(deps) };
}

async function startService(steps: ReturnType<typeof computeSteps>) {
  const td = await steps.registerTaskDefinition({
    ...base,
    action: 'registerTaskDefinition',
    displayName: 'California',
    taskRoleArn: 'arn:aws:iam::123456789012:role/r',
    logGroup: '/lg',
    csrfSecretArn: CSRF_SECRET_ARN,
  });
  return steps.ensureService({ ...base, action: 'ensureService', taskDefinitionArn: td.taskDefinitionArn, desiredCount: 2, targetGroupArn: 'arn:tg' });
}

describe('compute steps', () => {
  it('registerTaskDefinition refuses to run anything before the first release', async () => {
    const { steps } = setup({}, null);
    await expect(
      steps.registerTaskDefinition({ ...base, action: 'x', displayName: 'California', taskRoleArn: 'r', logGroup: 'l', csrfSecretArn: CSRF_SECRET_ARN }),
    ).rejects.toThrow(NoReleaseError);
  });

  it('registerTaskDefinition runs the current release, or the release a rollout in progress already brought the tenant to', async () => {
    const input = { ...base, action: 'x', displayName: 'California', taskRoleArn: 'r', logGroup: 'l', csrfSecretArn: CSRF_SECRET_ARN };
    const notReached = setup({}, RELEASE, { image: ROLLING, tenantImage: RELEASE });
    const reached = setup({}, RELEASE, { image: ROLLING, tenantImage: ROLLING });

    expect((await notReached.steps.registerTaskDefinition(input)).image).toEqual(RELEASE);
    expect((await reached.steps.registerTaskDefinition(input)).image).toEqual(ROLLING);
  });

  it('registerTaskDefinition gives the app its CSRF key as a secret named by ARN, never as a plain variable', async () => {
    const { cloud, steps } = setup();

    const { taskDefinitionArn } = await steps.registerTaskDefinition({
      ...base,
      action: 'registerTaskDefinition',
      displayName: 'California',
      taskRoleArn: 'arn:aws:iam::123456789012:role/r',
      logGroup: '/lg',
      csrfSecretArn: CSRF_SECRET_ARN,
    });
    const registered = await cloud.compute.describeTaskDefinition(taskDefinitionArn);

    expect(registered?.secrets).toEqual({ CSRF_SECRET: CSRF_SECRET_ARN });
    expect(Object.keys(registered!.environment)).not.toContain('CSRF_SECRET');
    expect(JSON.stringify(registered!.environment)).not.toMatch(/secret/i);
  });

  it('checkRollout counts polls and says COMPLETED once ECS does', async () => {
    const { steps } = setup({ rolloutPolls: 3 });
    const started = await startService(steps);
    const poll = (polls: number) =>
      steps.checkRollout({ ...base, action: 'checkRollout', serviceArn: started.serviceArn, deploymentId: started.deploymentId, polls, maxPolls: 10 });
    expect(await poll(0)).toMatchObject({ state: 'IN_PROGRESS', polls: 1, detail: '0/2 tasks running' });
    expect(await poll(1)).toMatchObject({ state: 'IN_PROGRESS', polls: 2 });
    expect(await poll(2)).toMatchObject({ state: 'COMPLETED', polls: 3 });
  });

  it('checkRollout gives up at its bound, and fails on a circuit-breaker rollback', async () => {
    const slow = setup({ rolloutPolls: 100 });
    const started = await startService(slow.steps);
    await expect(
      slow.steps.checkRollout({ ...base, action: 'checkRollout', serviceArn: started.serviceArn, deploymentId: started.deploymentId, polls: 4, maxPolls: 5 }),
    ).rejects.toThrow(RolloutTimedOutError);

    const broken = setup();
    broken.cloud.compute.rollBackNextDeployment({ reason: 'exit code 1' });
    const failing = await startService(broken.steps);
    await expect(
      broken.steps.checkRollout({ ...base, action: 'checkRollout', serviceArn: failing.serviceArn, deploymentId: failing.deploymentId, polls: 0, maxPolls: 5 }),
    ).rejects.toThrow(RolloutFailedError);
  });

  it('checkServiceGone is done once the service is INACTIVE and gives up at its bound', async () => {
    const { steps } = setup({ drainPolls: 2 });
    await startService(steps);
    await steps.deleteService({ ...base, action: 'deleteService' });
    expect(await steps.checkServiceGone({ ...base, action: 'checkServiceGone', polls: 0, maxPolls: 5 })).toEqual({ gone: false, polls: 1 });
    expect(await steps.checkServiceGone({ ...base, action: 'checkServiceGone', polls: 1, maxPolls: 5 })).toEqual({ gone: true, polls: 2 });

    const stuck = setup({ drainPolls: 100 });
    await startService(stuck.steps);
    await stuck.steps.deleteService({ ...base, action: 'deleteService' });
    await expect(stuck.steps.checkServiceGone({ ...base, action: 'checkServiceGone', polls: 2, maxPolls: 3 })).rejects.toThrow(ServiceNotGoneError);
  });
});
