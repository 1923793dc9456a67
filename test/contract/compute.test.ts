/**
 * The ComputePort contract against the fake, the local Fargate (behind the local load balancer;
 * services at desired count 0, so no task process is started), and the AWS adapter over ECS's
 * documented answers.
 */
import { EcsCompute } from '../../src/aws/compute.ts';
import { LocalLoadBalancer } from '../../src/local/alb/local-load-balancer.ts';
import { LocalFargate } from '../../src/local/compute/local-fargate.ts';
import { tempHome } from '../../src/local/data/testing.ts';
import { FakeCloud } from '../support/fake-cloud.ts';
import { EcsModel } from './aws/ecs.ts';
import { computeContract } from './compute.contract.ts';

computeContract('the fake', async () => {
  const cloud = new FakeCloud({ drainPolls: 2 });
  const { arn } = await cloud.loadBalancer.ensureTargetGroup({ name: 'hg-test-ca', tags: {} });
  return { port: cloud.compute, targetGroupArn: arn, close: async () => undefined };
});

computeContract('the local Fargate', async () => {
  const home = await tempHome();
  const lb = new LocalLoadBalancer({ home: home.home, port: 0, log: () => undefined });
  await lb.start();
  const fargate = new LocalFargate({ home: home.home, targets: lb, reconcileIntervalMs: 20, log: () => undefined });
  const { arn } = await lb.ensureTargetGroup({ name: 'hg-test-ca', tags: {} });
  return {
    port: fargate,
    targetGroupArn: arn,
    close: async () => {
      await fargate.stopAll();
      await lb.close();
      await home.remove();
    },
  };
});

const ecs = {
  region: 'us-east-1',
  clusterName: 'humangov-test',
  subnetIds: ['subnet-0a', 'subnet-0b'],
  taskSecurityGroupId: 'sg-0123456789abcdef0',
  containerPort: 3000,
  executionRoleArn: 'arn:aws:iam::123456789012:role/humangov-test-task-execution',
};
computeContract('the AWS adapter over ECS', async () => ({
  port: new EcsCompute({ ...ecs, client: new EcsModel().client }),
  targetGroupArn: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/hg-test-ca/0123456789abcdef',
  close: async () => undefined,
}));
