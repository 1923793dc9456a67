import { describe, expect, it } from '@jest/globals';
import { PermanentCloudError, TransientCloudError } from '../../src/cloud/errors.ts';
import { FakeCloud } from './fake-cloud.ts';

async function service(cloud: FakeCloud, image: string) {
  const td = await cloud.compute.registerTaskDefinition({
    family: 'f',
    image,
    cpu: 256,
    memory: 512,
    environment: { APP_IMAGE: image },
    taskRoleArn: 'r',
    logGroup: 'l',
    tags: {},
  });
  const tg = await cloud.loadBalancer.ensureTargetGroup({ name: 'tg', tags: {} });
  await cloud.loadBalancer.ensureListenerRule({ tenantId: 'ca', host: 'ca.x', targetGroupArn: tg.arn, tags: {} });
  return { td, tg, change: await cloud.compute.ensureService({ name: 's', taskDefinitionArn: td.arn, desiredCount: 2, targetGroupArn: tg.arn, tags: {} }) };
}

describe('FakeCloud', () => {
  it('throws scripted failures in order, then lets calls through', async () => {
    const cloud = new FakeCloud();
    cloud.script.fail('buckets.ensureBucket', { kind: 'transient', times: 2 });
    cloud.script.fail('buckets.ensureBucket', { kind: 'permanent' });
    const ensure = () => cloud.buckets.ensureBucket({ name: 'humangov-test-ca', tags: {} });
    await expect(ensure()).rejects.toThrow(TransientCloudError);
    await expect(ensure()).rejects.toThrow(TransientCloudError);
    await expect(ensure()).rejects.toThrow(PermanentCloudError);
    await expect(ensure()).resolves.toMatchObject({ name: 'humangov-test-ca' });
    expect(cloud.script.count('buckets.ensureBucket')).toBe(4);
    expect(cloud.script.created.bucket).toBe(1);
  });

  it('registers a task definition once for the same spec', async () => {
    const cloud = new FakeCloud();
    const spec = { family: 'f', image: 'i@sha256:1', cpu: 256, memory: 512, environment: {}, taskRoleArn: 'r', logGroup: 'l', tags: {} };
    const first = await cloud.compute.registerTaskDefinition(spec);
    expect(await cloud.compute.registerTaskDefinition(spec)).toEqual(first);
    expect((await cloud.compute.registerTaskDefinition({ ...spec, image: 'i@sha256:2' })).revision).toBe(2);
  });

  it('completes a deployment after rolloutPolls describes and serves its image through the load balancer', async () => {
    const cloud = new FakeCloud({ rolloutPolls: 2 });
    const { change } = await service(cloud, 'i@sha256:1');
    expect((await cloud.compute.describeService('s'))?.deployments[0]).toMatchObject({ id: change.deploymentId, rolloutState: 'IN_PROGRESS' });
    expect((await cloud.compute.describeService('s'))?.deployments[0]).toMatchObject({ rolloutState: 'COMPLETED', runningCount: 2 });
    expect(await cloud.loadBalancer.probeHealth('ca')).toMatchObject({ status: 200, body: { image: 'i@sha256:1' } });
  });

  it('rolls a failed update back to the last completed task definition, as the ECS circuit breaker does', async () => {
    const cloud = new FakeCloud({ rolloutPolls: 1 });
    const { td } = await service(cloud, 'i@sha256:1');
    await cloud.compute.describeService('s');
    const v2 = await cloud.compute.registerTaskDefinition({
      family: 'f',
      image: 'i@sha256:2',
      cpu: 256,
      memory: 512,
      environment: { APP_IMAGE: 'i@sha256:2' },
      taskRoleArn: 'r',
      logGroup: 'l',
      tags: {},
    });
    cloud.compute.rollBackNextDeployment({ reason: 'exit code 1' });
    const update = await cloud.compute.updateService({ name: 's', taskDefinitionArn: v2.arn });

    const afterFailure = await cloud.compute.describeService('s');
    expect(afterFailure?.deployments.find((d) => d.id === update.deploymentId)).toMatchObject({
      rolloutState: 'FAILED',
      rolloutStateReason: expect.stringContaining('exit code 1'),
    });
    expect(afterFailure?.deployments[0]).toMatchObject({ status: 'PRIMARY', taskDefinitionArn: td.arn });
    await cloud.compute.describeService('s');
    expect(await cloud.loadBalancer.probeHealth('ca')).toMatchObject({ body: { image: 'i@sha256:1' } });
  });

  it('reports targets unhealthy for the scripted number of polls', async () => {
    const cloud = new FakeCloud({ rolloutPolls: 1 });
    const { tg } = await service(cloud, 'i@sha256:1');
    await cloud.compute.describeService('s');
    cloud.loadBalancer.unhealthyFor('tg', 2);
    const states = async () => (await cloud.loadBalancer.describeTargetHealth(tg.arn)).map((t) => t.state);
    expect(await states()).toEqual(['unhealthy', 'unhealthy']);
    expect(await states()).toEqual(['unhealthy', 'unhealthy']);
    expect(await states()).toEqual(['healthy', 'healthy']);
  });

  it('drains a deleted service, then reports it INACTIVE and its targets gone', async () => {
    const cloud = new FakeCloud({ rolloutPolls: 1, drainPolls: 2 });
    const { tg } = await service(cloud, 'i@sha256:1');
    await cloud.compute.describeService('s');
    await cloud.compute.deleteService('s');
    expect((await cloud.compute.describeService('s'))?.status).toBe('DRAINING');
    expect((await cloud.compute.describeService('s'))?.status).toBe('INACTIVE');
    expect(await cloud.loadBalancer.describeTargetHealth(tg.arn)).toEqual([]);
  });
});
