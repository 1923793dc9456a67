/**
 * statemachines/image-deploy.asl.json run by the WorkflowRunner with the real
 * step handlers, the fake cloud at the ports, and the tenants and deployments
 * tables on dynalite (test/support/deploy-fleet.ts). Assertions are what a
 * person would see: the deployment's status and per-tenant outcomes, and the
 * digest each tenant serves.
 */
import { DeleteItemCommand, ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { eventually } from '../support/eventually.ts';
import { PermanentCloudError } from '../../src/cloud/errors.ts';
import { deploymentIdFor } from '../../src/deployments/event.ts';
import { LocalEventBus } from '../../src/local/events/event-bus.ts';
import { DeployFleet, digest, pushEvent } from '../support/deploy-fleet.ts';

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => (resolve = done));
  return { promise, resolve };
}

const OLD = digest('1');
const NEW = digest('2');

describe('image-deploy', () => {
  let fleet: DeployFleet;
  beforeEach(async () => {
    fleet = await DeployFleet.start();
  });
  afterEach(async () => {
    await fleet.close();
  });

  it('rolls a push out to every ACTIVE tenant, canary first, and makes it the current release', async () => {
    await fleet.seed(['ca', 'ny', 'tx', 'wa'], OLD, { canary: 'tx' });
    // ECS throttles a burst of updates: the Retry (with jitter) absorbs it.
    fleet.cloud.script.fail('compute.updateService', { kind: 'transient', times: 3 });

    const deployment = await fleet.deploy(pushEvent(NEW, { tag: 'v2.0.0' }));

    expect(deployment.status).toBe('SUCCEEDED');
    expect(deployment.canaryTenantId).toBe('tx');
    expect(deployment.waves).toEqual([['tx'], ['ca', 'ny', 'wa']]);
    expect(fleet.outcomes(deployment)).toEqual({ ca: 'SUCCEEDED', ny: 'SUCCEEDED', tx: 'SUCCEEDED', wa: 'SUCCEEDED' });
    for (const id of ['ca', 'ny', 'tx', 'wa']) {
      expect(fleet.servedDigest(id)).toBe(NEW);
      expect(await fleet.tenant(id)).toMatchObject({ status: 'ACTIVE', image: { tag: 'v2.0.0', digest: NEW } });
    }
    expect(fleet.updatedServices()[0]).toBe('humangov-tx');
    expect(await fleet.deployments.currentRelease()).toEqual({ repository: fleet.cloud.platform.imageRepository, tag: 'v2.0.0', digest: NEW });
  });

  it('changes only the image of the task definition (and APP_IMAGE, which /health reports), once, though a response is lost', async () => {
    await fleet.seed(['ca'], OLD);
    const before = fleet.taskDefinition('ca');
    const { created } = fleet.cloud.script;
    const [revisions, deployments] = [created.taskDefinition, created.deployment];
    // The service update takes effect but its answer is lost: the retried step must not deploy twice.
    fleet.cloud.script.fail('compute.updateService', { kind: 'transient', after: true });

    const deployment = await fleet.deploy(pushEvent(NEW));

    expect([created.taskDefinition - revisions, created.deployment - deployments]).toEqual([1, 1]);

    const after = fleet.taskDefinition('ca');
    const pinned = `${fleet.cloud.platform.imageRepository}@${NEW}`;
    expect(after).toEqual({
      ...before,
      image: pinned,
      environment: { ...before.environment, APP_IMAGE: pinned },
      arn: after.arn,
      revision: before.revision + 1,
    });
    expect(deployment.results?.ca).toMatchObject({ previousTaskDefinitionArn: before.arn, newTaskDefinitionArn: after.arn, outcome: 'SUCCEEDED' });
  });

  it('stops at a failing canary: it is rolled back and no other tenant is touched', async () => {
    await fleet.seed(['ca', 'ny', 'tx'], OLD);
    fleet.failVerification('ca');
    const untouched = await fleet.tenant('ny');

    const deployment = await fleet.deploy(pushEvent(NEW), { expectFailure: 'RolloutFailed' });

    expect(deployment.status).toBe('FAILED');
    expect(deployment.reason).toMatch(/canary tenant "ca" failed/);
    expect(fleet.outcomes(deployment)).toEqual({ ca: 'ROLLED_BACK', ny: 'SKIPPED', tx: 'SKIPPED' });
    expect(['ca', 'ny', 'tx'].map((id) => fleet.servedDigest(id))).toEqual([OLD, OLD, OLD]);
    expect(await fleet.tenant('ca')).toMatchObject({ status: 'ACTIVE', image: { digest: OLD }, statusReason: expect.stringMatching(/rolled back/) });
    expect(fleet.updatedServices()).toEqual(['humangov-ca', 'humangov-ca']);
    expect(await fleet.tenant('ny')).toEqual(untouched);
    expect(await fleet.deployments.currentRelease()).toBeUndefined();
  });

  it('stops when failures pass the threshold: tenants not reached keep the old image', async () => {
    await fleet.seed(['a1', 'b2', 'c3', 'd4', 'e5'], OLD);
    fleet.failVerification('b2');
    fleet.failVerification('c3');

    const deployment = await fleet.deploy(pushEvent(NEW), { maxConcurrency: 1, failureThreshold: 1, expectFailure: 'RolloutFailed' });

    expect(deployment.status).toBe('FAILED');
    expect(deployment.reason).toMatch(/2 tenants failed \(b2, c3\), more than the threshold of 1/);
    expect(fleet.outcomes(deployment)).toEqual({ a1: 'SUCCEEDED', b2: 'ROLLED_BACK', c3: 'ROLLED_BACK', d4: 'SKIPPED', e5: 'SKIPPED' });
    expect(['a1', 'b2', 'c3', 'd4', 'e5'].map((id) => fleet.servedDigest(id))).toEqual([NEW, OLD, OLD, OLD, OLD]);
    expect(deployment.results?.d4?.reason).toMatch(/not deployed: 2 tenants failed/);
  });

  it('rolls back one failing tenant under the threshold and updates the others', async () => {
    await fleet.seed(['ca', 'ny', 'tx', 'wa'], OLD);
    fleet.failVerification('ny');

    const deployment = await fleet.deploy(pushEvent(NEW), { failureThreshold: 1 });

    expect(deployment.status).toBe('SUCCEEDED');
    expect(deployment.reason).toMatch(/ny failed and kept the previous image/);
    expect(fleet.outcomes(deployment)).toEqual({ ca: 'SUCCEEDED', ny: 'ROLLED_BACK', tx: 'SUCCEEDED', wa: 'SUCCEEDED' });
    expect(deployment.results?.ny?.error).toMatch(/verification through the load balancer failed/);
    expect(['ca', 'ny', 'tx', 'wa'].map((id) => fleet.servedDigest(id))).toEqual([NEW, OLD, NEW, NEW]);
    expect(await fleet.tenant('ny')).toMatchObject({ status: 'ACTIVE', image: { digest: OLD } });
    expect(deployment.counts).toMatchObject({ SUCCEEDED: 3, ROLLED_BACK: 1, PENDING: 0 });
  });

  it('counts a deployment the ECS circuit breaker rolled back as a failure, though the service is stable', async () => {
    await fleet.seed(['ca', 'ny', 'tx'], OLD);
    fleet.cloud.compute.rollBackNextDeployment({ service: 'humangov-ny' });

    const deployment = await fleet.deploy(pushEvent(NEW), { maxConcurrency: 1, failureThreshold: 0, expectFailure: 'RolloutFailed' });

    expect(fleet.outcomes(deployment)).toEqual({ ca: 'SUCCEEDED', ny: 'ROLLED_BACK', tx: 'SKIPPED' });
    expect(deployment.results?.ny?.error).toMatch(/ECS rolled deployment .* back: ECS deployment circuit breaker/);
    expect(fleet.servedDigest('ny')).toBe(OLD);
    expect(await fleet.tenant('ny')).toMatchObject({ status: 'ACTIVE', image: { digest: OLD } });
  });

  it('marks a tenant DEGRADED when its rollback does not verify either', async () => {
    await fleet.seed(['ca', 'ny'], OLD);
    fleet.failVerification('ny', 100);

    const deployment = await fleet.deploy(pushEvent(NEW), { failureThreshold: 1 });

    expect(fleet.outcomes(deployment)).toEqual({ ca: 'SUCCEEDED', ny: 'FAILED' });
    expect(await fleet.tenant('ny')).toMatchObject({ status: 'DEGRADED', statusReason: expect.stringMatching(/the rollback did not verify/) });
    expect((await fleet.tenant('ny'))?.lock).toBeUndefined();
  });
  it('fails only the tenant an unexpected error hits: its service is put back, it is DEGRADED, the others go on', async () => {
    await fleet.seed(['ca', 'ny', 'tx'], OLD);
    // ny's service vanishes from ECS's answers mid-rollout: describeService fails permanently once.
    const failOnNy = fleet.cloud.compute.describeService.bind(fleet.cloud.compute);
    let failed = false;
    fleet.cloud.compute.describeService = async (name) => {
      if (name === 'humangov-ny' && !failed && fleet.updatedServices().includes('humangov-ny')) {
        failed = true;
        throw new PermanentCloudError('ECS says: service humangov-ny not found');
      }
      return failOnNy(name);
    };

    const deployment = await fleet.deploy(pushEvent(NEW), { failureThreshold: 1 });

    expect(fleet.outcomes(deployment)).toEqual({ ca: 'SUCCEEDED', ny: 'FAILED', tx: 'SUCCEEDED' });
    expect(deployment.results?.ny?.error).toMatch(/PermanentCloudError: ECS says: service humangov-ny not found/);
    expect(await fleet.tenant('ny')).toMatchObject({
      status: 'DEGRADED',
      image: { digest: OLD },
      statusReason: expect.stringMatching(/put back on .* without verification/),
    });
    expect((await fleet.tenant('ny'))?.lock).toBeUndefined();
  });

  it('skips a tenant another workflow holds for the whole bounded wait', async () => {
    await fleet.seed(['ca', 'ny'], OLD);
    await fleet.tenants.acquireLock('ny', 'tenant-offboard-ny', 3_600_000);

    const deployment = await fleet.deploy(pushEvent(NEW));

    expect(fleet.outcomes(deployment)).toEqual({ ca: 'SUCCEEDED', ny: 'SKIPPED' });
    expect(deployment.results?.ny?.reason).toMatch(/another workflow \(tenant-offboard-ny\) held the tenant/);
    expect(fleet.servedDigest('ny')).toBe(OLD);
  });

  it("keeps each tenant's record to one write per move: the lease, DEPLOYING, and the end with the lease given back", async () => {
    await fleet.seed(['ca', 'ny'], OLD);
    await fleet.seed(['tx'], NEW);
    fleet.failVerification('ny');

    const deployment = await fleet.deploy(pushEvent(NEW), { failureThreshold: 1 });

    expect(fleet.outcomes(deployment)).toEqual({ ca: 'SUCCEEDED', ny: 'ROLLED_BACK', tx: 'NOOP' });
    expect(fleet.tenantTableCalls('ca')).toEqual(['UpdateItem lease', 'UpdateItem DEPLOYING', 'UpdateItem ACTIVE']);
    expect(fleet.tenantTableCalls('ny')).toEqual(['UpdateItem lease', 'UpdateItem DEPLOYING', 'UpdateItem ACTIVE']);
    expect(fleet.tenantTableCalls('tx')).toEqual(['UpdateItem lease', 'UpdateItem unlock']);
    for (const id of ['ca', 'ny', 'tx']) expect((await fleet.tenant(id))?.lock).toBeUndefined();
    expect((await fleet.tenant('ny'))?.history?.map((h) => [h.from, h.to])).toEqual([
      ['ACTIVE', 'DEPLOYING'],
      ['DEPLOYING', 'ACTIVE'],
    ]);
  });

  it("ends each release once though the first answer to every write of a tenant's record is lost", async () => {
    await fleet.seed(['ca', 'ny'], OLD);
    fleet.failVerification('ny');
    fleet.loseFirstAnswers('ca');
    fleet.loseFirstAnswers('ny');

    const deployment = await fleet.deploy(pushEvent(NEW, { tag: 'v2.0.0' }), { failureThreshold: 1 });

    expect(fleet.outcomes(deployment)).toEqual({ ca: 'SUCCEEDED', ny: 'ROLLED_BACK' });
    expect(await fleet.tenant('ca')).toMatchObject({ status: 'ACTIVE', image: { tag: 'v2.0.0', digest: NEW } });
    expect(await fleet.tenant('ny')).toMatchObject({ status: 'ACTIVE', image: { digest: OLD }, statusReason: expect.stringMatching(/rolled back/) });
    for (const id of ['ca', 'ny']) {
      const tenant = await fleet.tenant(id);
      expect(tenant?.lock).toBeUndefined();
      // Each move once in the history, though each write was made again.
      expect(tenant?.history?.map((h) => h.to)).toEqual(['DEPLOYING', 'ACTIVE']);
      expect(fleet.tenantTableCalls(id).filter((call) => call === 'UpdateItem ACTIVE').length).toBeGreaterThan(1);
    }
    expect([fleet.servedDigest('ca'), fleet.servedDigest('ny')]).toEqual([NEW, OLD]);
  });

  it('rides out the deployments table throttled for longer than the SDK retries: the step fails with TransientCloudError and the ASL retries it', async () => {
    await fleet.seed(['ca', 'ny'], OLD);
    // Every attempt the SDK makes at the first tenant result write, its own retries included, is throttled, and the step's retry's first attempt too.
    const sdkAttempts = await fleet.table.client.config.maxAttempts();
    const seen = { attempts: 0, throttled: 0 };
    fleet.table.db.middlewareStack.add(
      (next) => async (args) => {
        const input = args.input as { TableName?: string; UpdateExpression?: string };
        if (input.TableName !== 'humangov-test-deployments' || !input.UpdateExpression?.includes('#results.#tenant')) return next(args);
        seen.attempts += 1;
        if (seen.throttled > sdkAttempts) return next(args);
        seen.throttled += 1;
        throw new ProvisionedThroughputExceededException({
          message: 'The level of configured provisioned throughput for the table was exceeded.',
          $metadata: { httpStatusCode: 400 },
        });
      },
      { step: 'deserialize', name: 'throttle-deployment-results' },
    );

    const deployment = await fleet.deploy(pushEvent(NEW));

    expect(seen.throttled).toBe(sdkAttempts + 1);
    expect(deployment.status).toBe('SUCCEEDED');
    expect(fleet.outcomes(deployment)).toEqual({ ca: 'SUCCEEDED', ny: 'SUCCEEDED' });
    expect([fleet.servedDigest('ca'), fleet.servedDigest('ny')]).toEqual([NEW, NEW]);
  });

  it('with no tenant yet, still makes the push the release new tenants get', async () => {
    const deployment = await fleet.deploy(pushEvent(NEW, { tag: 'v1.0.0' }));

    expect(deployment).toMatchObject({ status: 'SUCCEEDED', waves: [], counts: { SUCCEEDED: 0 } });
    expect((await fleet.deployments.currentRelease())?.digest).toBe(NEW);
  });
});

describe('image-deploy events', () => {
  let fleet: DeployFleet;
  beforeEach(async () => {
    fleet = await DeployFleet.start();
  });
  afterEach(async () => {
    await fleet.close();
  });

  it("deploys a push that reaches it through serverless.yml's ImagePushRule, as EventBridge delivers it: the pushed tag and digest", async () => {
    // The rule matches pushes to humangov-<stage>-app; tenants pull from that repository.
    Object.assign(fleet.cloud.platform, { imageRepository: '123456789012.dkr.ecr.us-east-1.amazonaws.com/humangov-test-app' });
    await fleet.seed(['ca', 'ny'], OLD);
    const bus = await LocalEventBus.fromServerless({ stage: 'test', region: 'us-east-1', accountId: '123456789012', log: () => undefined });
    // The rule's target is StartExecution: it succeeds once the execution has started.
    const executions: Promise<unknown>[] = [];
    bus.onRule('ImagePushRule', async ({ event, input }) => {
      executions.push(fleet.run(input, `deploy-${event.id}`));
    });
    const detail = { result: 'SUCCESS', 'repository-name': 'humangov-test-app', 'image-digest': NEW, 'action-type': 'PUSH', 'image-tag': 'v3.1.0' };

    try {
      const { Entries } = await bus.putEvents([{ Source: 'aws.ecr', DetailType: 'ECR Image Action', Detail: JSON.stringify(detail) }]);
      await bus.idle();
      await Promise.all(executions);
      expect(Entries[0]?.matchedRules).toEqual(['ImagePushRule']);
    } finally {
      await bus.close();
    }

    const [deployment] = (await fleet.deployments.list()).items;
    expect(deployment).toMatchObject({ status: 'SUCCEEDED', image: { tag: 'v3.1.0', digest: NEW } });
    expect([fleet.servedDigest('ca'), fleet.servedDigest('ny')]).toEqual([NEW, NEW]);
  });

  it('makes one deployment of an event delivered twice, even at the same time', async () => {
    await fleet.seed(['ca', 'ny'], OLD);
    const event = pushEvent(NEW);

    await Promise.all([fleet.run(fleet.input(event), 'first-delivery'), fleet.run(fleet.input(event), 'second-delivery')]);
    await fleet.run(fleet.input(event), 'late-redelivery');

    const { items } = await fleet.deployments.list();
    expect(items.map((d) => d.deploymentId)).toEqual([deploymentIdFor(event)]);
    expect(items[0]).toMatchObject({ status: 'SUCCEEDED', counts: { SUCCEEDED: 2 } });
    expect(fleet.updatedServices()).toHaveLength(2);
  });

  it('leaves a tenant already on the pushed digest alone (NOOP)', async () => {
    await fleet.seed(['ca', 'tx'], OLD);
    await fleet.seed(['ny'], NEW);

    const deployment = await fleet.deploy(pushEvent(NEW));

    expect(fleet.outcomes(deployment)).toEqual({ ca: 'SUCCEEDED', ny: 'NOOP', tx: 'SUCCEEDED' });
    expect(fleet.updatedServices()).not.toContain('humangov-ny');
    expect(fleet.cloud.script.calls.filter((c) => c.op === 'compute.registerTaskDefinition').length).toBe(3 + 2);
  });

  it('keeps a tenant on the release being rolled out when its desiredCount changes while the rollout holds it, and reports only what it serves', async () => {
    await fleet.seed(['ca', 'ny'], OLD, { canary: 'ca' });
    await fleet.deploy(pushEvent(OLD, { tag: 'v1.0.0' }));
    const canaryWatched = deferred();
    const onboarded = deferred();
    fleet.holdRollout('ca', 'watchRollout', canaryWatched.promise);
    fleet.holdRollout('ny', 'checkTurn', onboarded.promise);

    const deploying = fleet.deploy(pushEvent(NEW, { tag: 'v2.0.0' }));
    await eventually(async () => expect(await fleet.tenant('ca')).toMatchObject({ status: 'DEPLOYING', lock: expect.anything() }));
    await fleet.tenants.updateUserFields('ca', { desiredCount: 3 });
    const onboarding = fleet.onboard('ca', 'onboard-ca-desired-count');
    await eventually(async () => expect(fleet.onboardActions).toContain('record.acquireLock!'));
    canaryWatched.resolve();
    await onboarding.finally(onboarded.resolve);
    const deployment = await deploying;

    expect(deployment.status).toBe('SUCCEEDED');
    expect(fleet.outcomes(deployment)).toEqual({ ca: 'SUCCEEDED', ny: 'SUCCEEDED' });
    expect([fleet.servedDigest('ca'), fleet.servedDigest('ny')]).toEqual([NEW, NEW]);
    expect(await fleet.tenant('ca')).toMatchObject({ status: 'ACTIVE', image: { digest: NEW }, desiredCount: 3 });
    expect((await fleet.cloud.compute.describeService('humangov-ca'))?.desiredCount).toBe(3);
    expect((await fleet.deployments.currentRelease())?.digest).toBe(NEW);
  });

  it('refuses a malformed event with a clear error and records nothing', async () => {
    await fleet.seed(['ca'], OLD);
    const event = pushEvent(NEW);
    const broken = { ...event, detail: { ...event.detail, 'image-digest': 'latest', 'action-type': 'DELETE' } };

    await expect(fleet.run(fleet.input(broken), 'malformed')).rejects.toMatchObject({
      cause: {
        name: 'InvalidDeployEventError',
        message: expect.stringMatching(/detail.image-digest: digest must look like sha256.*detail.action-type: action-type must be PUSH/),
      },
    });
    await expect(fleet.run({ maxConcurrency: 50 }, 'no-event')).rejects.toMatchObject({ cause: { name: 'InvalidDeployEventError' } });

    expect((await fleet.deployments.list()).items).toEqual([]);
    expect(await fleet.deployments.currentRelease()).toBeUndefined();
    expect(fleet.updatedServices()).toEqual([]);
  });

  it('supersedes a running rollout with a newer push: the older one schedules no more tenants', async () => {
    await fleet.seed(['a1', 'b2', 'c3', 'd4'], OLD);
    // Another workflow holds b2, so the first rollout is mid-way (waiting for it) when the second push lands.
    await fleet.tenants.acquireLock('b2', 'tenant-onboard-b2', 60_000);
    const first = pushEvent(NEW, { time: '2025-01-01T10:00:00Z', tag: 'v2' });
    const second = pushEvent(digest('3'), { time: '2025-01-01T10:05:00Z', tag: 'v3' });

    const firstRun = fleet.run(fleet.input(first, { maxConcurrency: 1 }), 'first-push');
    await eventually(async () => expect((await fleet.deployments.get(deploymentIdFor(first)))?.results?.a1?.outcome).toBe('SUCCEEDED'));
    const secondRun = fleet.run(fleet.input(second), 'second-push');
    await eventually(async () => expect((await fleet.deployments.get(deploymentIdFor(first)))?.supersededBy).toBe(deploymentIdFor(second)));
    await fleet.tenants.releaseLock('b2', 'tenant-onboard-b2');
    await Promise.all([firstRun, secondRun]);

    const older = await fleet.deployments.require(deploymentIdFor(first));
    expect(older.status).toBe('SUPERSEDED');
    expect(fleet.outcomes(older)).toEqual({ a1: 'SUCCEEDED', b2: 'SKIPPED', c3: 'SKIPPED', d4: 'SKIPPED' });
    const newer = await fleet.deployments.require(deploymentIdFor(second));
    expect(newer.status).toBe('SUCCEEDED');
    expect(['a1', 'b2', 'c3', 'd4'].map((id) => fleet.servedDigest(id))).toEqual(Array(4).fill(digest('3')));
    expect((await fleet.deployments.currentRelease())?.tag).toBe('v3');
  });

  it('does not roll out an older push that arrives after a newer one', async () => {
    await fleet.seed(['ca'], OLD);
    const newer = pushEvent(digest('3'), { time: '2025-01-01T10:05:00Z' });
    const older = pushEvent(NEW, { time: '2025-01-01T10:00:00Z' });

    await fleet.deploy(newer);
    const late = await fleet.deploy(older);

    expect(late).toMatchObject({ status: 'SUPERSEDED', reason: expect.stringMatching(/a newer push/) });
    expect(fleet.servedDigest('ca')).toBe(digest('3'));
  });

  it('skips tenants deleted or being deleted when their turn comes, without failing anyone', async () => {
    await fleet.seed(['a1', 'b2', 'c3', 'd4'], OLD);
    await fleet.tenants.acquireLock('b2', 'someone-else', 60_000);
    const event = pushEvent(NEW);

    const run = fleet.run(fleet.input(event, { maxConcurrency: 1 }), 'deletions');
    await eventually(async () => expect((await fleet.deployments.get(deploymentIdFor(event)))?.results?.a1?.outcome).toBe('SUCCEEDED'));
    await fleet.tenants.updateUserFields('c3', { desiredState: 'DELETED' });
    await fleet.table.client.send(new DeleteItemCommand({ TableName: fleet.table.tableName, Key: { tenantId: { S: 'd4' } } }));
    await fleet.tenants.releaseLock('b2', 'someone-else');
    await run;

    const deployment = await fleet.deployments.require(deploymentIdFor(event));
    expect(deployment.status).toBe('SUCCEEDED');
    expect(fleet.outcomes(deployment)).toEqual({ a1: 'SUCCEEDED', b2: 'SUCCEEDED', c3: 'SKIPPED', d4: 'SKIPPED' });
    expect(deployment.results?.c3?.reason).toMatch(/being deleted/);
    expect(deployment.results?.d4?.reason).toMatch(/deleted before its turn/);
    expect(fleet.servedDigest('c3')).toBe(OLD);
  });
});
