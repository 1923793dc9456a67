/**
 * The LoadBalancerPort contract against the fake, the local load balancer (its listener on a
 * free port), and the AWS adapter over ELB's documented answers.
 */
import { AlbLoadBalancer } from '../../src/aws/load-balancer.ts';
import { LocalLoadBalancer } from '../../src/local/alb/local-load-balancer.ts';
import { tempHome } from '../../src/local/data/testing.ts';
import { FakeCloud } from '../support/fake-cloud.ts';
import { ElbModel, LISTENER_ARN } from './aws/elbv2.ts';
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

const alb = {
  region: 'us-east-1',
  vpcId: 'vpc-0123456789abcdef0',
  listenerArn: LISTENER_ARN,
  tenantDomain: 'humangov.test',
  albDnsName: 'humangov-test-123.us-east-1.elb.amazonaws.com',
  endpointScheme: 'https' as const,
  containerPort: 3000,
};
loadBalancerContract(
  'the AWS adapter over ELB',
  async () => {
    const elb = new ElbModel();
    return { port: new AlbLoadBalancer({ ...alb, client: elb.client, httpGet: elb.httpGet }), close: async () => undefined };
  },
  async () => ({ port: new AlbLoadBalancer({ ...alb, client: new ElbModel({ throttling: true }).client }), close: async () => undefined }),
);
