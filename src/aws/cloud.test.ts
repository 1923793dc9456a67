import { DescribeTableCommand, DynamoDBClient, ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import { ExecutionAlreadyExists, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from '@jest/globals';
import { createAwsCloud } from './cloud.ts';
import { prodAwsConfig } from '../../test/support/aws-config.ts';

const dynamodb = mockClient(DynamoDBClient);
const sfn = mockClient(SFNClient);
const config = prodAwsConfig({ stateMachineArns: { 'tenant-offboard': 'arn:aws:states:us-east-1:123456789012:stateMachine:offboard' } });

afterEach(() => {
  dynamodb.reset();
  sfn.reset();
});

describe('createAwsCloud', () => {
  it('describes the platform from the configuration', () => {
    expect(createAwsCloud(config).platform).toEqual({
      stage: 'prod',
      region: 'us-east-1',
      accountId: '123456789012',
      imageRepository: config.imageRepository,
      containerPort: 8080,
    });
  });

  it('wires every port to the given clients and settings', async () => {
    const cloud = createAwsCloud(config, { dynamodb: new DynamoDBClient({ region: 'us-east-1' }), sfn: new SFNClient({ region: 'us-east-1' }) });
    dynamodb.on(DescribeTableCommand).rejects(new ResourceNotFoundException({ message: 'missing', $metadata: {} }));
    sfn.on(StartExecutionCommand).rejects(new ExecutionAlreadyExists({ message: 'exists', $metadata: {} }));

    await cloud.tables.deleteTable('humangov-prod-tenant-ca');
    await expect(cloud.workflows.startExecution({ workflow: 'tenant-offboard', name: 'offboard-ca', input: {} })).resolves.toMatchObject({ started: false });
    expect(cloud.loadBalancer.endpointFor('ca')).toBe('https://ca.tenants.example.gov');
    expect(dynamodb.commandCalls(DescribeTableCommand)).toHaveLength(1);
  });
});
