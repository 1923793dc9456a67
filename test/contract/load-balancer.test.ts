/**
 * The LoadBalancerPort contract against the fake and the local load balancer (its listener on a
 * free port). The AWS adapter's ELB calls are pinned in src/aws/load-balancer.test.ts and
 * src/aws/listener-rules.test.ts.
 */
import { LocalLoadBalancer } from '../../src/local/alb/local-load-balancer.ts';
import { tempHome } from '../../src/local/data/testing.ts';
import { FakeCloud } from '../support/fake-cloud.ts';
import { loadBalancerContract } from './load-balancer.contract.ts';

loadBalancerContract('the fake', async () => ({ port: new FakeCloud().loadBalancer, close: async () => undefined }));

loadBalancerContract('the local load balancer', async () => {
  const home = await tempHome();
  const lb = new LocalLoadBalancer({ home: home.home, port: 0, log: () => undefined });
  await lb.start();
  return {
    port: lb,
    close: async () => {
      await lb.close();
      await home.remove();
    },
  };
});
