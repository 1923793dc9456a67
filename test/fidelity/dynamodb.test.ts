/**
 * The local DynamoDB endpoint (dynalite behind the local proxy) against DynamoDB's
 * documented table lifecycle and settings, for any client that talks to it.
 */
import { crc32 } from 'node:zlib';
import {
  ContinuousBackupsUnavailableException,
  CreateTableCommand,
  DeleteTableCommand,
  DescribeContinuousBackupsCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceInUseException,
  UpdateContinuousBackupsCommand,
  UpdateTableCommand,
} from '@aws-sdk/client-dynamodb';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { startLocalDynamo, type LocalDynamo } from '../../src/local/data/dynamodb-server.ts';
import { tempHome, waitFor } from '../../src/local/data/testing.ts';

let home: Awaited<ReturnType<typeof tempHome>>;
let dynamo: LocalDynamo;
let client: DynamoDBClient;

async function start(tableTransitionMs = 100) {
  dynamo = await startLocalDynamo({ home: home.home, port: 0, host: '127.0.0.1', tableTransitionMs, log: () => undefined });
  client = new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'any', secretAccessKey: 'any' } });
}
async function stop() {
  client.destroy();
  await dynamo.close();
}

const create = (TableName: string, extra: Partial<ConstructorParameters<typeof CreateTableCommand>[0]> = {}) =>
  client.send(
    new CreateTableCommand({
      TableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      ...extra,
    }),
  );
const describeTable = async (TableName: string) => (await client.send(new DescribeTableCommand({ TableName }))).Table;
const active = (TableName: string) => waitFor(async () => (await describeTable(TableName))?.TableStatus === 'ACTIVE', 3_000, `${TableName} ACTIVE`);

beforeEach(async () => {
  home = await tempHome();
  await start();
});
afterEach(async () => {
  await stop();
  await home.remove();
});

describe('the local DynamoDB endpoint', () => {
  // https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/WorkingWithTables.Basics.html#WorkingWithTables.Basics.DeletionProtection
  // ("While deletion protection is enabled for a table, no one can delete it":
  // https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/GlobalTables.html)
  it('refuses to delete a table with deletion protection, from any client, until UpdateTable lifts it', async () => {
    const created = await create('protected-table', { DeletionProtectionEnabled: true });
    expect(created.TableDescription?.DeletionProtectionEnabled).toBe(true);
    await active('protected-table');
    expect((await describeTable('protected-table'))?.DeletionProtectionEnabled).toBe(true);

    await expect(client.send(new DeleteTableCommand({ TableName: 'protected-table' }))).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining('protected against deletion'),
    });
    expect((await describeTable('protected-table'))?.TableStatus).toBe('ACTIVE');

    const lifted = await client.send(new UpdateTableCommand({ TableName: 'protected-table', DeletionProtectionEnabled: false }));
    expect(lifted.TableDescription?.DeletionProtectionEnabled).toBe(false);
    await expect(client.send(new DeleteTableCommand({ TableName: 'protected-table' }))).resolves.toMatchObject({
      TableDescription: { TableStatus: 'DELETING' },
    });
  });

  it('answers the AWS CLI too: a table description it amends carries a matching x-amz-crc32', async () => {
    await create('crc-table', { DeletionProtectionEnabled: true });
    const response = await fetch(dynamo.endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': 'DynamoDB_20120810.DescribeTable',
        'x-amz-date': '20250101T000000Z',
        authorization: 'AWS4-HMAC-SHA256 Credential=AKID/20250101/us-east-1/dynamodb/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc',
      },
      body: JSON.stringify({ TableName: 'crc-table' }),
    });
    const body = Buffer.from(await response.arrayBuffer());
    expect(JSON.parse(body.toString()).Table.DeletionProtectionEnabled).toBe(true);
    expect(response.headers.get('x-amz-crc32')).toBe(String(crc32(body)));
    expect(response.headers.get('content-length')).toBe(String(body.length));
  });

  // A new table is CREATING, then ACTIVE (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_CreateTable.html);
  // continuous backups come once it is ACTIVE:
  // https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateContinuousBackups.html
  it('creates a table CREATING then ACTIVE, and enables point-in-time recovery only once it is ACTIVE', async () => {
    await stop();
    await start(400);
    const created = await create('pitr-table');
    expect(created.TableDescription?.TableStatus).toBe('CREATING');
    await expect(
      client.send(new UpdateContinuousBackupsCommand({ TableName: 'pitr-table', PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } })),
    ).rejects.toBeInstanceOf(ContinuousBackupsUnavailableException);
    await expect(client.send(new UpdateTableCommand({ TableName: 'pitr-table', DeletionProtectionEnabled: true }))).rejects.toBeInstanceOf(
      ResourceInUseException,
    );

    await active('pitr-table');
    const backups = async () =>
      (await client.send(new DescribeContinuousBackupsCommand({ TableName: 'pitr-table' }))).ContinuousBackupsDescription?.PointInTimeRecoveryDescription
        ?.PointInTimeRecoveryStatus;
    expect(await backups()).toBe('DISABLED');
    await client.send(new UpdateContinuousBackupsCommand({ TableName: 'pitr-table', PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } }));
    expect(await backups()).toBe('ENABLED');
  });

  // https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_SSEDescription.html
  it('reports KMS encryption when it was asked for, and none otherwise', async () => {
    await create('kms-table', { SSESpecification: { Enabled: true, SSEType: 'KMS' } });
    await create('owned-key-table');
    expect((await describeTable('kms-table'))?.SSEDescription).toMatchObject({ Status: 'ENABLED', SSEType: 'KMS' });
    expect((await describeTable('owned-key-table'))?.SSEDescription).toBeUndefined();
  });

  it('keeps deletion protection and point-in-time recovery across a restart', async () => {
    await create('kept-table', { DeletionProtectionEnabled: true });
    await active('kept-table');
    await client.send(new UpdateContinuousBackupsCommand({ TableName: 'kept-table', PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } }));
    await stop();
    await start();
    expect((await describeTable('kept-table'))?.DeletionProtectionEnabled).toBe(true);
    await expect(client.send(new DeleteTableCommand({ TableName: 'kept-table' }))).rejects.toMatchObject({ name: 'ValidationException' });
    const { ContinuousBackupsDescription } = await client.send(new DescribeContinuousBackupsCommand({ TableName: 'kept-table' }));
    expect(ContinuousBackupsDescription?.PointInTimeRecoveryDescription?.PointInTimeRecoveryStatus).toBe('ENABLED');
  });
});
