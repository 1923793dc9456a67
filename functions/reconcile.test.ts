import { DescribeTableCommand, DynamoDBClient, ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import { DescribeServicesCommand, ECSClient } from '@aws-sdk/client-ecs';
import { GetBucketVersioningCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { afterEach, describe, expect, it } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import { createAwsCloudOf, type AwsConfig } from '../src/aws/index.ts';
import { observe } from '../src/reconcile/reconciler.ts';
import { RECONCILE_PORTS } from './lib/aws-deps.ts';

const dynamodb = mockClient(DynamoDBClient);
const s3 = mockClient(S3Client);
const ecs = mockClient(ECSClient);
const config: AwsConfig = {
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
};

afterEach(() => {
  dynamodb.reset();
  s3.reset();
  ecs.reset();
});

describe('the reconcile function', () => {
  it("is wired with every port the reconciler reads: a tenant's service, table and bucket are looked at in AWS", async () => {
    dynamodb.on(DescribeTableCommand).rejects(new ResourceNotFoundException({ message: 'Requested resource not found', $metadata: {} }));
    s3.on(GetBucketVersioningCommand).rejects(new S3ServiceException({ name: 'NoSuchBucket', $fault: 'client', message: 'no such bucket', $metadata: {} }));
    ecs.on(DescribeServicesCommand).resolves({ services: [], failures: [{ reason: 'MISSING' }] });

    const observed = await observe(createAwsCloudOf(config, RECONCILE_PORTS), { tenantId: 'ca', status: 'ACTIVE' });

    expect(observed).toEqual({ table: { name: 'humangov-prod-tenant-ca' }, bucket: { name: 'humangov-prod-ca-123456789012' } });
  });
});
