/** The TablePort contract against the fake, the local adapter on dynalite, and the AWS adapter over DynamoDB's documented answers. */
import {
  DynamoDBClient,
  ListTagsOfResourceCommand,
  ResourceNotFoundException,
  UpdateContinuousBackupsCommand,
  UpdateTableCommand,
} from '@aws-sdk/client-dynamodb';
import { DynamoDbTables } from '../../src/aws/tables.ts';
import { startLocalDynamo } from '../../src/local/data/dynamodb-server.ts';
import { DynaliteTables } from '../../src/local/data/dynalite-tables.ts';
import { tempHome } from '../../src/local/data/testing.ts';
import { FakeCloud } from '../support/fake-cloud.ts';
import { DynamoDbModel } from './aws/dynamodb.ts';
import { tagRecord } from './support.ts';
import { tablesContract } from './tables.contract.ts';

/** As a person would turn them off, with the same two calls on any DynamoDB endpoint. */
async function turnOffProtections(client: DynamoDBClient, name: string): Promise<void> {
  await client.send(new UpdateContinuousBackupsCommand({ TableName: name, PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: false } }));
  await client.send(new UpdateTableCommand({ TableName: name, DeletionProtectionEnabled: false }));
}

tablesContract('the fake', async () => {
  const cloud = new FakeCloud({ tableCreatingPolls: 2 });
  return {
    port: cloud.tables,
    tagsOf: async (name) => cloud.tables.items.get(name)?.tags,
    turnOffProtections: async (name) => void Object.assign(cloud.tables.items.get(name) ?? {}, { pointInTimeRecovery: false, deletionProtection: false }),
    close: async () => undefined,
  };
});

tablesContract(
  'the local adapter on dynalite',
  async () => {
    const home = await tempHome();
    const dynamo = await startLocalDynamo({ home: home.home, port: 0, host: '127.0.0.1', tableTransitionMs: 150 });
    const client = new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
    const port = new DynaliteTables({ endpoint: dynamo.endpoint, client });
    return {
      port,
      tagsOf: async (name) => {
        try {
          const { Tags } = await client.send(new ListTagsOfResourceCommand({ ResourceArn: `arn:aws:dynamodb:us-east-1:000000000000:table/${name}` }));
          return tagRecord(Tags);
        } catch (error) {
          if (error instanceof ResourceNotFoundException) return undefined;
          throw error;
        }
      },
      turnOffProtections: (name) => turnOffProtections(client, name),
      close: async () => {
        client.destroy();
        await dynamo.close();
        await home.remove();
      },
    };
  },
  async () => ({ port: new DynaliteTables({ endpoint: 'http://127.0.0.1:1' }), close: async () => undefined }),
);

tablesContract(
  'the AWS adapter over DynamoDB',
  async () => {
    const dynamodb = new DynamoDbModel();
    return {
      port: new DynamoDbTables({ client: dynamodb.client }),
      tagsOf: async (name) => dynamodb.tagsOf(name),
      turnOffProtections: (name) => turnOffProtections(dynamodb.client, name),
      close: async () => undefined,
    };
  },
  async () => ({ port: new DynamoDbTables({ client: new DynamoDbModel({ throttling: true }).client }), close: async () => undefined }),
);
