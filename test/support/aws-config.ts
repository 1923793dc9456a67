import type { AwsConfig } from '../../src/aws/config.ts';

/** A complete `prod` stage in us-east-1, as the functions read it from their environment; tests override what they look at. */
export function prodAwsConfig(overrides: Partial<AwsConfig> = {}): AwsConfig {
  return {
    stage: 'prod',
    region: 'us-east-1',
    accountId: '123456789012',
    imageRepository: '123456789012.dkr.ecr.us-east-1.amazonaws.com/humangov-app',
    clusterName: 'humangov-prod',
    subnetIds: ['subnet-a', 'subnet-b'],
    taskSecurityGroupId: 'sg-1',
    vpcId: 'vpc-1',
    listenerArn: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/humangov-prod/a/b',
    executionRoleArn: 'arn:aws:iam::123456789012:role/exec',
    taskRoleBoundaryArn: 'arn:aws:iam::123456789012:policy/humangov-prod-tenant-task-boundary',
    tenantDomain: 'tenants.example.gov',
    albDnsName: 'alb.example.com',
    endpointScheme: 'https',
    containerPort: 8080,
    stateMachineArns: {},
    ...overrides,
  };
}
