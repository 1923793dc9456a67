import { describe, expect, it } from '@jest/globals';
import { PROD_AWS_ENV } from '../../test/support/aws-config.ts';
import { AwsConfigError, awsConfigFromEnv } from './config.ts';

const env = PROD_AWS_ENV;

function problemOf(overrides: Record<string, string | undefined>): string {
  try {
    awsConfigFromEnv({ ...env, ...overrides });
  } catch (error) {
    expect(error).toBeInstanceOf(AwsConfigError);
    return (error as Error).message;
  }
  throw new Error('expected the configuration to be refused');
}

describe('awsConfigFromEnv', () => {
  it('reads every setting, splitting the subnets and defaulting the scheme to https and the port to 8080', () => {
    expect(awsConfigFromEnv(env)).toEqual({
      stage: 'prod',
      region: 'us-east-1',
      accountId: '123456789012',
      imageRepository: env.IMAGE_REPOSITORY_URI,
      clusterName: 'humangov-prod',
      subnetIds: ['subnet-0a1', 'subnet-0b2'],
      taskSecurityGroupId: 'sg-0123',
      vpcId: 'vpc-0123',
      listenerArn: env.LISTENER_ARN,
      executionRoleArn: env.EXECUTION_ROLE_ARN,
      taskRoleBoundaryArn: env.TASK_ROLE_BOUNDARY_ARN,
      tenantDomain: 'tenants.example.gov',
      albDnsName: env.ALB_DNS_NAME,
      endpointScheme: 'https',
      containerPort: 8080,
      stateMachineArns: {},
    });
  });

  it('reads the state machine ARNs that are set', () => {
    const onboard = 'arn:aws:states:us-east-1:123456789012:stateMachine:humangov-prod-tenant-onboard';
    const deploy = 'arn:aws:states:us-east-1:123456789012:stateMachine:humangov-prod-image-deploy';

    expect(awsConfigFromEnv({ ...env, ONBOARD_STATE_MACHINE_ARN: onboard, DEPLOY_STATE_MACHINE_ARN: deploy }).stateMachineArns).toEqual({
      'tenant-onboard': onboard,
      'image-deploy': deploy,
    });
  });

  it('names every missing variable in one message', () => {
    expect(problemOf({ VPC_ID: undefined, LISTENER_ARN: '' })).toMatch(/missing environment variables VPC_ID, LISTENER_ARN/);
    expect(problemOf({ CLUSTER_NAME: undefined })).toMatch(/missing environment variable CLUSTER_NAME\b/);
  });

  it('wants at least two subnets, so tasks spread over two AZs', () => {
    expect(problemOf({ SUBNET_IDS: 'subnet-0a1' })).toMatch(/SUBNET_IDS="subnet-0a1" must be at least two/);
  });

  it('refuses malformed values, naming the variable', () => {
    expect(problemOf({ ACCOUNT_ID: '1234' })).toMatch(/ACCOUNT_ID="1234" must be 12 digits/);
    expect(problemOf({ ENDPOINT_SCHEME: 'ftp' })).toMatch(/ENDPOINT_SCHEME="ftp" must be http or https/);
    expect(problemOf({ STAGE: 'Prod-1' })).toMatch(/STAGE/);
    expect(problemOf({ OFFBOARD_STATE_MACHINE_ARN: 'arn:aws:lambda:x' })).toMatch(/OFFBOARD_STATE_MACHINE_ARN/);
  });

  it('accepts http for stages without a certificate', () => {
    expect(awsConfigFromEnv({ ...env, ENDPOINT_SCHEME: 'http' }).endpointScheme).toBe('http');
  });
});
