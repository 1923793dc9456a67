/**
 * The ComputePort contract against the fake and the local Fargate (behind the local load
 * balancer; services at desired count 0, so no task process is started). The AWS adapter's
 * ECS calls are pinned in src/aws/services.test.ts and src/aws/task-definitions.test.ts.
 */
import { LocalLoadBalancer } from '../../src/local/alb/local-load-balancer.ts';
import { LocalFargate } from '../../src/local/compute/local-fargate.ts';
import { tempHome } from '../../src/local/data/testing.ts';
import { FakeCloud } from '../support/fake-cloud.ts';
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
