import {
  AddTagsCommand,
  CreateRuleCommand,
  CreateTargetGroupCommand,
  DeleteRuleCommand,
  DeleteTargetGroupCommand,
  DescribeRulesCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  DuplicateTargetGroupNameException,
  ElasticLoadBalancingV2Client,
  ElasticLoadBalancingV2ServiceException,
  ModifyTargetGroupAttributesCommand,
  ModifyTargetGroupCommand,
  ResourceInUseException,
  TargetGroupNotFoundException,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { NotReadyError, PermanentCloudError, TransientCloudError } from '../cloud/errors.ts';
import type { HttpGet } from './health-probe.ts';
import { AlbLoadBalancer } from './load-balancer.ts';
import type { AlbLoadBalancerOptions } from './load-balancer.ts';

const elb = mockClient(ElasticLoadBalancingV2Client);
const options: AlbLoadBalancerOptions = {
  client: new ElasticLoadBalancingV2Client({ region: 'us-east-1' }),
  region: 'us-east-1',
  vpcId: 'vpc-123',
  listenerArn: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/humangov-prod/abc/def',
  tenantDomain: 'tenants.example.gov',
  albDnsName: 'humangov-prod-1234.us-east-1.elb.amazonaws.com',
  endpointScheme: 'https',
  containerPort: 8080,
};
const loadBalancer = new AlbLoadBalancer(options);
const Name = 'hg-prod-ca';
const TargetGroupArn = `arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/${Name}/1`;
const meta = { $metadata: {} };

afterEach(() => {
  elb.reset();
});

describe('AlbLoadBalancer.ensureTargetGroup', () => {
  it('creates an ip target group on the app port with the /health check, then shortens the deregistration delay', async () => {
    elb.on(CreateTargetGroupCommand).resolves({ TargetGroups: [{ TargetGroupArn }] });

    await expect(loadBalancer.ensureTargetGroup({ name: Name, tags: { 'humangov:tenant': 'ca' } })).resolves.toEqual({ arn: TargetGroupArn });

    expect(elb.commandCalls(CreateTargetGroupCommand)[0]?.args[0].input).toEqual({
      Name,
      Protocol: 'HTTP',
      ProtocolVersion: 'HTTP1',
      Port: 8080,
      TargetType: 'ip',
      VpcId: 'vpc-123',
      HealthCheckEnabled: true,
      HealthCheckProtocol: 'HTTP',
      HealthCheckPath: '/health',
      HealthCheckIntervalSeconds: 10,
      HealthCheckTimeoutSeconds: 5,
      HealthyThresholdCount: 2,
      UnhealthyThresholdCount: 3,
      Matcher: { HttpCode: '200' },
      Tags: [{ Key: 'humangov:tenant', Value: 'ca' }],
    });
    expect(elb.commandCalls(ModifyTargetGroupAttributesCommand)[0]?.args[0].input).toEqual({
      TargetGroupArn,
      Attributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: '30' }],
    });
  });

  it('reuses a group of that name with other health-check settings, bringing them and the tags to the spec', async () => {
    elb.on(CreateTargetGroupCommand).rejects(new DuplicateTargetGroupNameException({ message: 'exists', ...meta }));
    elb.on(DescribeTargetGroupsCommand).resolves({ TargetGroups: [{ TargetGroupArn, VpcId: 'vpc-123', Port: 8080, TargetType: 'ip', Protocol: 'HTTP' }] });

    await expect(loadBalancer.ensureTargetGroup({ name: Name, tags: { 'humangov:tenant': 'ca' } })).resolves.toEqual({ arn: TargetGroupArn });

    expect(elb.commandCalls(DescribeTargetGroupsCommand)[0]?.args[0].input).toEqual({ Names: [Name] });
    expect(elb.commandCalls(ModifyTargetGroupCommand)[0]?.args[0].input).toMatchObject({
      TargetGroupArn,
      HealthCheckPath: '/health',
      Matcher: { HttpCode: '200' },
    });
    expect(elb.commandCalls(AddTagsCommand)[0]?.args[0].input).toEqual({ ResourceArns: [TargetGroupArn], Tags: [{ Key: 'humangov:tenant', Value: 'ca' }] });
    expect(elb.commandCalls(ModifyTargetGroupAttributesCommand)).toHaveLength(1);
  });

  it('refuses an existing group in another VPC or on another port, which cannot be modified', async () => {
    elb.on(CreateTargetGroupCommand).rejects(new DuplicateTargetGroupNameException({ message: 'exists', ...meta }));
    elb.on(DescribeTargetGroupsCommand).resolves({ TargetGroups: [{ TargetGroupArn, VpcId: 'vpc-other', Port: 80, TargetType: 'ip', Protocol: 'HTTP' }] });

    await expect(loadBalancer.ensureTargetGroup({ name: Name, tags: {} })).rejects.toBeInstanceOf(PermanentCloudError);
  });

  it('translates ELB throttling into TransientCloudError', async () => {
    elb
      .on(CreateTargetGroupCommand)
      .rejects(
        new ElasticLoadBalancingV2ServiceException({ name: 'Throttling', $fault: 'client', message: 'Rate exceeded', $metadata: { httpStatusCode: 400 } }),
      );

    await expect(loadBalancer.ensureTargetGroup({ name: Name, tags: {} })).rejects.toBeInstanceOf(TransientCloudError);
  });
});

describe('AlbLoadBalancer.describeTargetHealth', () => {
  it('maps each target to id, port, zone, state and reason', async () => {
    elb.on(DescribeTargetHealthCommand).resolves({
      TargetHealthDescriptions: [
        { Target: { Id: '10.0.1.10', Port: 8080, AvailabilityZone: 'us-east-1a' }, TargetHealth: { State: 'healthy' } },
        {
          Target: { Id: '10.0.2.10', Port: 8080, AvailabilityZone: 'us-east-1b' },
          TargetHealth: { State: 'unhealthy', Reason: 'Target.ResponseCodeMismatch' },
        },
      ],
    });

    await expect(loadBalancer.describeTargetHealth(TargetGroupArn)).resolves.toEqual([
      { id: '10.0.1.10', port: 8080, zone: 'us-east-1a', state: 'healthy' },
      { id: '10.0.2.10', port: 8080, zone: 'us-east-1b', state: 'unhealthy', reason: 'Target.ResponseCodeMismatch' },
    ]);
    expect(elb.commandCalls(DescribeTargetHealthCommand)[0]?.args[0].input).toEqual({ TargetGroupArn });
  });
});

describe('AlbLoadBalancer.deleteTargetGroup', () => {
  it('deletes the group found by name', async () => {
    elb.on(DescribeTargetGroupsCommand).resolves({ TargetGroups: [{ TargetGroupArn }] });

    await loadBalancer.deleteTargetGroup(Name);

    expect(elb.commandCalls(DeleteTargetGroupCommand)[0]?.args[0].input).toEqual({ TargetGroupArn });
  });

  it('treats a missing group as deleted', async () => {
    elb.on(DescribeTargetGroupsCommand).rejects(new TargetGroupNotFoundException({ message: 'One or more target groups not found', ...meta }));

    await expect(loadBalancer.deleteTargetGroup(Name)).resolves.toBeUndefined();
    expect(elb.commandCalls(DeleteTargetGroupCommand)).toHaveLength(0);
  });

  it('throws NotReadyError while a rule or service still uses the group', async () => {
    elb.on(DescribeTargetGroupsCommand).resolves({ TargetGroups: [{ TargetGroupArn }] });
    elb.on(DeleteTargetGroupCommand).rejects(new ResourceInUseException({ message: 'in use by a listener', ...meta }));

    await expect(loadBalancer.deleteTargetGroup(Name)).rejects.toBeInstanceOf(NotReadyError);
  });
});

describe('AlbLoadBalancer listener rules', () => {
  it('ensures the rule for the tenant host and deletes it by tenant id', async () => {
    elb
      .on(DescribeRulesCommand)
      .resolvesOnce({ Rules: [] })
      .resolves({
        Rules: [{ RuleArn: 'rule-ca', Priority: '7', Conditions: [{ Field: 'host-header', HostHeaderConfig: { Values: ['ca.tenants.example.gov'] } }] }],
      });
    elb.on(CreateRuleCommand).resolves({ Rules: [{ RuleArn: 'rule-ca' }] });

    await loadBalancer.ensureListenerRule({ tenantId: 'ca', host: loadBalancer.hostFor('ca'), targetGroupArn: TargetGroupArn, tags: {} });
    await loadBalancer.deleteListenerRule('ca');

    expect(elb.commandCalls(DeleteRuleCommand)[0]?.args[0].input).toEqual({ RuleArn: 'rule-ca' });
  });
});

describe('AlbLoadBalancer host, endpoint and health probe', () => {
  it('serves each tenant at <tenantId>.<TENANT_DOMAIN> over the configured scheme', () => {
    expect(loadBalancer.hostFor('new-york')).toBe('new-york.tenants.example.gov');
    expect(loadBalancer.endpointFor('new-york')).toBe('https://new-york.tenants.example.gov');
    expect(new AlbLoadBalancer({ ...options, endpointScheme: 'http' }).endpointFor('ca')).toBe('http://ca.tenants.example.gov');
  });

  it('asks /health at the ALB address with the tenant host, within 5 s, and parses the JSON answer', async () => {
    const httpGet = jest.fn<HttpGet>().mockResolvedValue({ status: 200, body: '{"status":"ok","tenant":"ca","image":"sha256:abc"}' });
    const probing = new AlbLoadBalancer({ ...options, httpGet });

    await expect(probing.probeHealth('ca')).resolves.toEqual({ status: 200, body: { status: 'ok', tenant: 'ca', image: 'sha256:abc' } });
    expect(httpGet).toHaveBeenCalledWith({
      url: 'https://humangov-prod-1234.us-east-1.elb.amazonaws.com/health',
      host: 'ca.tenants.example.gov',
      timeoutMs: 5000,
    });
  });

  it('returns a body that is not JSON as text', async () => {
    const probing = new AlbLoadBalancer({ ...options, httpGet: jest.fn<HttpGet>().mockResolvedValue({ status: 503, body: 'Service Unavailable' }) });

    await expect(probing.probeHealth('ca')).resolves.toEqual({ status: 503, body: 'Service Unavailable' });
  });

  it('turns a network failure into TransientCloudError', async () => {
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    const probing = new AlbLoadBalancer({ ...options, httpGet: jest.fn<HttpGet>().mockRejectedValue(reset) });

    const error = await probing.probeHealth('ca').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TransientCloudError);
    expect((error as Error).cause).toBe(reset);
  });
});
