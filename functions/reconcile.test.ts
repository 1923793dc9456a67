import { DescribeTableCommand, DynamoDBClient, ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import { DescribeServicesCommand, ECSClient } from '@aws-sdk/client-ecs';
import { GetBucketVersioningCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { afterEach, describe, expect, it } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import { createAwsCloudOf } from '../src/aws/index.ts';
import { prodAwsConfig } from '../test/support/aws-config.ts';
import { observe } from '../src/reconcile/reconciler.ts';
import { RECONCILE_PORTS } from './lib/aws-deps.ts';

const dynamodb = mockClient(DynamoDBClient);
const s3 = mockClient(S3Client);
const ecs = mockClient(ECSClient);
const config = prodAwsConfig();

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
