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

/** The same `prod` stage in us-east-1 as serverless.yml gives it to the functions, in their environment (src/aws/config.ts reads it). */
export const PROD_AWS_ENV: Readonly<Record<string, string>> = {
  STAGE: 'prod',
  AWS_REGION: 'us-east-1',
  ACCOUNT_ID: '123456789012',
  IMAGE_REPOSITORY_URI: '123456789012.dkr.ecr.us-east-1.amazonaws.com/humangov-app',
  CLUSTER_NAME: 'humangov-prod',
  SUBNET_IDS: 'subnet-0a1, subnet-0b2',
  TASK_SECURITY_GROUP_ID: 'sg-0123',
  VPC_ID: 'vpc-0123',
  LISTENER_ARN: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/humangov-prod/50dc6c495c0c9188/f2f7dc8efc522ab2',
  EXECUTION_ROLE_ARN: 'arn:aws:iam::123456789012:role/humangov-prod-execution',
  TASK_ROLE_BOUNDARY_ARN: 'arn:aws:iam::123456789012:policy/humangov-prod-tenant-task-boundary',
  TENANT_DOMAIN: 'tenants.example.gov',
  ALB_DNS_NAME: 'humangov-prod-123.us-east-1.elb.amazonaws.com',
};
