/**
 * A real tenants table for tests: dynalite (in memory) on a free port, the
 * table created with the key schema and stream the deployed tenants table has, and a
 * TenantRepository on it. Call `close()` in afterAll.
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import dynalite from 'dynalite';
import { controlPlaneTables } from '../../src/tenants/names.ts';
import { TenantRepository } from '../../src/tenants/repository.ts';

export interface TestTenantsTable {
  endpoint: string;
  tableName: string;
  client: DynamoDBClient;
  db: DynamoDBDocumentClient;
  /** A repository on the table; `now` defaults to the wall clock. */
  repository(now?: () => Date): TenantRepository;
  close(): Promise<void>;
}

export async function startTenantsTable(stage = 'test'): Promise<TestTenantsTable> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  const db = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  const tableName = controlPlaneTables(stage).tenants;
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      AttributeDefinitions: [{ AttributeName: 'tenantId', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'tenantId', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
      StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
    }),
  );
  return {
    endpoint,
    tableName,
    client,
    db,
    repository: (now) => new TenantRepository(db, tableName, now),
    close: async () => {
      client.destroy();
      await new Promise<void>((resolve, reject) => server.close((error?: Error) => (error ? reject(error) : resolve())));
    },
  };
}
