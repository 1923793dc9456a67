import {
  ContinuousBackupsUnavailableException,
  CreateTableCommand,
  DeleteTableCommand,
  DescribeContinuousBackupsCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceInUseException,
  ResourceNotFoundException,
  TagResourceCommand,
  ThrottlingException,
  UpdateContinuousBackupsCommand,
  UpdateTableCommand,
} from '@aws-sdk/client-dynamodb';
import type { TableDescription } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from '@jest/globals';
import { NotReadyError, PermanentCloudError, TransientCloudError } from '../cloud/errors.ts';
import type { TableSpec } from '../cloud/ports.ts';
import { DynamoDbTables } from './tables.ts';

const dynamodb = mockClient(DynamoDBClient);
const tables = new DynamoDbTables({ client: new DynamoDBClient({ region: 'us-east-1' }) });
const name = 'humangov-prod-tenant-ca';
const arn = `arn:aws:dynamodb:us-east-1:123456789012:table/${name}`;
const spec: TableSpec = {
  name,
  definition: {
    AttributeDefinitions: [
      { AttributeName: 'id', AttributeType: 'S' },
      { AttributeName: 'entity', AttributeType: 'S' },
    ],
    KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
    GlobalSecondaryIndexes: [{ IndexName: 'byEntity', KeySchema: [{ AttributeName: 'entity', KeyType: 'HASH' }], Projection: { ProjectionType: 'ALL' } }],
  },
  tags: { 'humangov:tenant': 'ca' },
};
const meta = { $metadata: {} };

function table(overrides: Partial<TableDescription>): { Table: TableDescription } {
  return { Table: { TableName: name, TableArn: arn, TableStatus: 'ACTIVE', DeletionProtectionEnabled: true, ...overrides } };
}

afterEach(() => {
  dynamodb.reset();
});

describe('DynamoDbTables.ensureTable', () => {
  it('creates an on-demand, encrypted, deletion-protected table with the definition and tags, then reports it not ready', async () => {
    dynamodb.on(CreateTableCommand).resolves({ TableDescription: { TableName: name, TableArn: arn, TableStatus: 'CREATING' } });

    await expect(tables.ensureTable(spec)).rejects.toBeInstanceOf(NotReadyError);

    const [call] = dynamodb.commandCalls(CreateTableCommand);
    expect(call?.args[0].input).toEqual({
      TableName: name,
      AttributeDefinitions: spec.definition.AttributeDefinitions,
      KeySchema: spec.definition.KeySchema,
      GlobalSecondaryIndexes: spec.definition.GlobalSecondaryIndexes,
      BillingMode: 'PAY_PER_REQUEST',
      SSESpecification: { Enabled: true, SSEType: 'KMS' },
      DeletionProtectionEnabled: true,
      Tags: [{ Key: 'humangov:tenant', Value: 'ca' }],
    });
  });

  it('reuses an existing ACTIVE table and enables point-in-time recovery, deletion protection and tags', async () => {
    dynamodb.on(CreateTableCommand).rejects(new ResourceInUseException({ message: 'Table already exists', ...meta }));
    dynamodb.on(DescribeTableCommand).resolves(table({ DeletionProtectionEnabled: false }));
    dynamodb.on(DescribeContinuousBackupsCommand).resolves({
      ContinuousBackupsDescription: { ContinuousBackupsStatus: 'ENABLED', PointInTimeRecoveryDescription: { PointInTimeRecoveryStatus: 'DISABLED' } },
    });

    await expect(tables.ensureTable(spec)).resolves.toEqual({ name, arn, status: 'ACTIVE' });

    expect(dynamodb.commandCalls(UpdateContinuousBackupsCommand)[0]?.args[0].input).toEqual({
      TableName: name,
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    });
    expect(dynamodb.commandCalls(UpdateTableCommand)[0]?.args[0].input).toEqual({ TableName: name, DeletionProtectionEnabled: true });
    expect(dynamodb.commandCalls(TagResourceCommand)[0]?.args[0].input).toEqual({ ResourceArn: arn, Tags: [{ Key: 'humangov:tenant', Value: 'ca' }] });
  });

  it('changes nothing but tags when recovery and protection are already on', async () => {
    dynamodb.on(CreateTableCommand).rejects(new ResourceInUseException({ message: 'Table already exists', ...meta }));
    dynamodb.on(DescribeTableCommand).resolves(table({}));
    dynamodb.on(DescribeContinuousBackupsCommand).resolves({
      ContinuousBackupsDescription: { ContinuousBackupsStatus: 'ENABLED', PointInTimeRecoveryDescription: { PointInTimeRecoveryStatus: 'ENABLED' } },
    });

    await tables.ensureTable(spec);

    expect(dynamodb.commandCalls(UpdateContinuousBackupsCommand)).toHaveLength(0);
    expect(dynamodb.commandCalls(UpdateTableCommand)).toHaveLength(0);
    expect(dynamodb.commandCalls(TagResourceCommand)).toHaveLength(1);
  });

  it('throws NotReadyError while the existing table is still CREATING', async () => {
    dynamodb.on(CreateTableCommand).rejects(new ResourceInUseException({ message: 'Table already exists', ...meta }));
    dynamodb.on(DescribeTableCommand).resolves(table({ TableStatus: 'CREATING' }));

    await expect(tables.ensureTable(spec)).rejects.toThrow(/is CREATING/);
    expect(dynamodb.commandCalls(DescribeContinuousBackupsCommand)).toHaveLength(0);
  });

  it('throws NotReadyError while continuous backups are not yet available on a new table', async () => {
    dynamodb.on(CreateTableCommand).rejects(new ResourceInUseException({ message: 'Table already exists', ...meta }));
    dynamodb.on(DescribeTableCommand).resolves(table({}));
    dynamodb.on(DescribeContinuousBackupsCommand).resolves({ ContinuousBackupsDescription: { ContinuousBackupsStatus: 'DISABLED' } });
    dynamodb.on(UpdateContinuousBackupsCommand).rejects(new ContinuousBackupsUnavailableException({ message: 'Backups are being enabled', ...meta }));

    await expect(tables.ensureTable(spec)).rejects.toBeInstanceOf(NotReadyError);
  });

  it('throws PermanentCloudError for a table that needs a person (ARCHIVED)', async () => {
    dynamodb.on(CreateTableCommand).rejects(new ResourceInUseException({ message: 'Table already exists', ...meta }));
    dynamodb.on(DescribeTableCommand).resolves(table({ TableStatus: 'ARCHIVED' }));

    await expect(tables.ensureTable(spec)).rejects.toBeInstanceOf(PermanentCloudError);
  });

  it('translates throttling into TransientCloudError, keeping the cause', async () => {
    const throttled = new ThrottlingException({ message: 'Rate exceeded', ...meta });
    dynamodb.on(CreateTableCommand).rejects(throttled);

    const error = await tables.ensureTable(spec).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TransientCloudError);
    expect((error as Error).cause).toBe(throttled);
  });
});

describe('DynamoDbTables.deleteTable', () => {
  it('lifts deletion protection, then deletes', async () => {
    dynamodb.on(DescribeTableCommand).resolves(table({}));

    await tables.deleteTable(name);

    expect(dynamodb.commandCalls(UpdateTableCommand)[0]?.args[0].input).toEqual({ TableName: name, DeletionProtectionEnabled: false });
    expect(dynamodb.commandCalls(DeleteTableCommand)[0]?.args[0].input).toEqual({ TableName: name });
    expect(dynamodb.calls().map((call) => call.args[0].constructor.name)).toEqual(['DescribeTableCommand', 'UpdateTableCommand', 'DeleteTableCommand']);
  });

  it('treats a missing table as deleted', async () => {
    dynamodb.on(DescribeTableCommand).rejects(new ResourceNotFoundException({ message: 'not found', ...meta }));

    await expect(tables.deleteTable(name)).resolves.toBeUndefined();
    expect(dynamodb.commandCalls(DeleteTableCommand)).toHaveLength(0);
  });

  it('treats a table that disappears before DeleteTable as deleted', async () => {
    dynamodb.on(DescribeTableCommand).resolves(table({ DeletionProtectionEnabled: false }));
    dynamodb.on(DeleteTableCommand).rejects(new ResourceNotFoundException({ message: 'not found', ...meta }));

    await expect(tables.deleteTable(name)).resolves.toBeUndefined();
    expect(dynamodb.commandCalls(UpdateTableCommand)).toHaveLength(0);
  });

  it('does nothing for a table already DELETING', async () => {
    dynamodb.on(DescribeTableCommand).resolves(table({ TableStatus: 'DELETING' }));

    await tables.deleteTable(name);
    expect(dynamodb.commandCalls(DeleteTableCommand)).toHaveLength(0);
  });

  it('throws NotReadyError while the table is busy', async () => {
    dynamodb.on(DescribeTableCommand).resolves(table({}));
    dynamodb.on(UpdateTableCommand).rejects(new ResourceInUseException({ message: 'in use', ...meta }));

    await expect(tables.deleteTable(name)).rejects.toBeInstanceOf(NotReadyError);
  });
});
