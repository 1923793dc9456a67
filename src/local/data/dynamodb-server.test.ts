import {
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-dynamodb';
import { afterEach, describe, expect, it } from '@jest/globals';
import { startLocalDynamo } from './dynamodb-server.ts';
import { LocalServerError } from './listen.ts';
import { tempHome, waitFor } from './testing.ts';

const TABLE = 'humangov-local-deployments';

describe('startLocalDynamo', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  async function start(home: string, tableTransitionMs: number, log: (entry: Record<string, unknown>) => void = () => undefined) {
    const dynamo = await startLocalDynamo({ home, port: 0, host: '127.0.0.1', tableTransitionMs, log });
    const client = new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
    return { dynamo, client, stop: async () => (client.destroy(), await dynamo.close()) };
  }
  const status = async (client: DynamoDBClient) => {
    try {
      return (await client.send(new DescribeTableCommand({ TableName: TABLE }))).Table?.TableStatus;
    } catch (error) {
      if (error instanceof ResourceNotFoundException) return 'GONE';
      throw error;
    }
  };
  const createTable = (client: DynamoDBClient) =>
    client.send(
      new CreateTableCommand({
        TableName: TABLE,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      }),
    );

  it('keeps tables and items across a restart', async () => {
    const home = await tempHome();
    cleanup.push(home.remove);
    const first = await start(home.home, 10);
    await createTable(first.client);
    await waitFor(async () => (await status(first.client)) === 'ACTIVE');
    await first.client.send(new PutItemCommand({ TableName: TABLE, Item: { id: { S: 'd-1' } } }));
    await first.stop();

    const second = await start(home.home, 10);
    cleanup.push(second.stop);
    const { Item } = await second.client.send(new GetItemCommand({ TableName: TABLE, Key: { id: { S: 'd-1' } } }));
    expect(Item).toEqual({ id: { S: 'd-1' } });
  });

  it('finishes a create and a delete that a stop interrupted, instead of leaving them stuck', async () => {
    const home = await tempHome();
    cleanup.push(home.remove);
    const logs: Record<string, unknown>[] = [];

    const first = await start(home.home, 5_000);
    await createTable(first.client);
    expect(await status(first.client)).toBe('CREATING');
    await first.stop();

    const second = await start(home.home, 5_000, (entry) => logs.push(entry));
    expect(await status(second.client)).toBe('ACTIVE');
    expect(logs).toContainEqual(expect.objectContaining({ level: 'WARN', activated: [TABLE], deleted: [] }));
    await second.client.send(new PutItemCommand({ TableName: TABLE, Item: { id: { S: 'left-behind' } } }));
    await second.client.send(new DeleteTableCommand({ TableName: TABLE }));
    expect(await status(second.client)).toBe('DELETING');
    await second.stop();

    const third = await start(home.home, 10);
    cleanup.push(third.stop);
    expect(await status(third.client)).toBe('GONE');
    await createTable(third.client);
    await waitFor(async () => (await status(third.client)) === 'ACTIVE');
    const { Item } = await third.client.send(new GetItemCommand({ TableName: TABLE, Key: { id: { S: 'left-behind' } } }));
    expect(Item).toBeUndefined();
  });

  it('says which setting to change when the port is taken', async () => {
    const home = await tempHome();
    cleanup.push(home.remove);
    const first = await start(home.home, 10);
    cleanup.push(first.stop);
    const port = Number(new URL(first.dynamo.endpoint).port);
    const other = await tempHome();
    cleanup.push(other.remove);
    const attempt = startLocalDynamo({ home: other.home, port, host: '127.0.0.1' });
    await expect(attempt).rejects.toThrow(LocalServerError);
    await expect(attempt).rejects.toThrow(/HUMANGOV_DYNAMODB_PORT/);
    // The same home twice: LevelDB's lock refuses, and the message says why.
    await expect(startLocalDynamo({ home: home.home, port: 0, host: '127.0.0.1' })).rejects.toThrow(/same HUMANGOV_HOME/);
  });
});
