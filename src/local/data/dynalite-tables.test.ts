import { DescribeTableCommand, DynamoDBClient, ListTagsOfResourceCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { NotReadyError, PermanentCloudError, TransientCloudError } from '../../cloud/errors.ts';
import type { TableSpec, TableState } from '../../cloud/ports.ts';
import { startLocalDynamo, type LocalDynamo } from './dynamodb-server.ts';
import { DynaliteTables } from './dynalite-tables.ts';
import { tempHome, waitFor } from './testing.ts';

const spec = (name: string): TableSpec => ({
  name,
  definition: {
    AttributeDefinitions: [
      { AttributeName: 'id', AttributeType: 'S' },
      { AttributeName: 'entity', AttributeType: 'S' },
      { AttributeName: 'lastFirstLower', AttributeType: 'S' },
    ],
    KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
    GlobalSecondaryIndexes: [
      {
        IndexName: 'byLastName',
        KeySchema: [
          { AttributeName: 'entity', KeyType: 'HASH' },
          { AttributeName: 'lastFirstLower', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
    ],
  },
  tags: { 'humangov:tenant': 'ca', 'humangov:stage': 'local' },
});

/** Calls ensureTable until it stops answering NotReadyError, as the workflow's Retry would. */
async function ensureReady(port: DynaliteTables, s: TableSpec): Promise<TableState> {
  return waitFor(async () => {
    try {
      return await port.ensureTable(s);
    } catch (error) {
      if (error instanceof NotReadyError) return undefined;
      throw error;
    }
  });
}

describe('DynaliteTables', () => {
  let dynamo: LocalDynamo;
  let home: Awaited<ReturnType<typeof tempHome>>;
  let port: DynaliteTables;
  let client: DynamoDBClient;

  beforeAll(async () => {
    home = await tempHome();
    dynamo = await startLocalDynamo({ home: home.home, port: 0, host: '127.0.0.1', tableTransitionMs: 50 });
    port = new DynaliteTables({ home: home.home, endpoint: dynamo.endpoint });
    client = new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
  });

  afterAll(async () => {
    client?.destroy();
    await dynamo?.close();
    await home?.remove();
  });

  it('creates the table on demand, answers NotReadyError while CREATING, then completes it', async () => {
    const name = 'humangov-local-tenant-ca';
    await expect(port.ensureTable(spec(name))).rejects.toBeInstanceOf(NotReadyError);
    expect(await port.settingsOf(name)).toEqual({ deletionProtection: true, encrypted: true, pointInTimeRecovery: false });

    const state = await ensureReady(port, spec(name));
    expect(state).toEqual({ name, arn: `arn:aws:dynamodb:us-east-1:000000000000:table/${name}`, status: 'ACTIVE' });
    expect(await port.settingsOf(name)).toEqual({ deletionProtection: true, encrypted: true, pointInTimeRecovery: true });
    const { Table } = await client.send(new DescribeTableCommand({ TableName: name }));
    expect(Table?.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
    expect(Table?.GlobalSecondaryIndexes?.map((i) => i.IndexName)).toEqual(['byLastName']);
    const { Tags } = await client.send(new ListTagsOfResourceCommand({ ResourceArn: state.arn }));
    expect(Object.fromEntries((Tags ?? []).map((t) => [t.Key, t.Value]))).toEqual(spec(name).tags);

    // Idempotent: the same call again reuses the table.
    await expect(port.ensureTable(spec(name))).resolves.toEqual(state);
  });

  it('refuses a table whose key differs from the spec, with what to do', async () => {
    const name = 'humangov-local-tenant-tx';
    await ensureReady(port, spec(name));
    const other = spec(name);
    other.definition = { ...other.definition, KeySchema: [{ AttributeName: 'entity', KeyType: 'HASH' }] };
    await expect(port.ensureTable(other)).rejects.toThrow(PermanentCloudError);
    await expect(port.ensureTable(other)).rejects.toThrow(/cannot change in place/);
  });

  it('lifts deletion protection, deletes, and treats a missing table as deleted', async () => {
    const name = 'humangov-local-tenant-ny';
    await ensureReady(port, spec(name));
    await port.deleteTable(name);
    await waitFor(async () => (await port.settingsOf(name)) === undefined);
    await expect(port.deleteTable(name)).resolves.toBeUndefined();
  });

  it('answers TransientCloudError when the endpoint does not answer', async () => {
    const offline = new DynaliteTables({ home: home.home, endpoint: 'http://127.0.0.1:1' });
    await expect(offline.ensureTable(spec('humangov-local-tenant-wa'))).rejects.toThrow(TransientCloudError);
    await expect(offline.ensureTable(spec('humangov-local-tenant-wa'))).rejects.toThrow(/npm start/);
  });
});
