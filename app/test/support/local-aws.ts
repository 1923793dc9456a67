/**
 * Real DynamoDB and S3 wire protocols for tests and the benchmark: dynalite and s3rver on
 * free ports, a fresh table (from the app's own table definition) and bucket per test file.
 */
import { CreateTableCommand, DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAwsClients } from '../../src/aws-clients.ts';
import type { AwsClients } from '../../src/aws-clients.ts';
import type { AppConfig } from '../../src/config.ts';
import { employeesTableInput } from '../../src/employees-table.ts';

// Neither package ships types; these are the few members used here.
type DynaliteFactory = (options: { createTableMs: number; deleteTableMs: number; updateTableMs: number }) => Server;
interface S3rverServer {
  httpServer?: Server;
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
}
type S3rverClass = new (options: { port: number; address: string; silent: boolean; directory: string; resetOnClose: boolean }) => S3rverServer;

const require = createRequire(import.meta.url);
const dynalite = require('dynalite') as DynaliteFactory;
const S3rver = require('s3rver') as S3rverClass;

/** s3rver checks signatures against its one built-in account. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
export const LOCAL_REGION = 'us-east-1';

export interface LocalAws {
  readonly dynamodbEndpoint: string;
  readonly s3Endpoint: string;
  /** Clients with the same options as the app's, plus the local credentials. */
  clientsFor(config: AppConfig): AwsClients;
  /** Environment for a child process running the app against these servers. */
  readonly env: Readonly<Record<string, string>>;
  createTable(tableName: string): Promise<void>;
  deleteTable(tableName: string): Promise<void>;
  createBucket(bucketName: string): Promise<void>;
  stop(): Promise<void>;
}

export async function startLocalAws(): Promise<LocalAws> {
  const dynamoServer = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    dynamoServer.once('error', reject);
    dynamoServer.listen(0, '127.0.0.1', () => resolve());
  });
  const directory = await mkdtemp(join(tmpdir(), 'humangov-s3rver-'));
  const s3Server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory, resetOnClose: true });
  const { port: s3Port } = await s3Server.run();

  const dynamodbEndpoint = `http://127.0.0.1:${(dynamoServer.address() as AddressInfo).port}`;
  const s3Endpoint = `http://127.0.0.1:${s3Port}`;
  const adminConfig = { awsRegion: LOCAL_REGION, dynamodbEndpoint, s3Endpoint } as AppConfig;
  const admin = createAwsClients(adminConfig, LOCAL_CREDENTIALS);

  return {
    dynamodbEndpoint,
    s3Endpoint,
    clientsFor: (config) => createAwsClients({ ...config, dynamodbEndpoint, s3Endpoint }, LOCAL_CREDENTIALS),
    env: {
      AWS_REGION: LOCAL_REGION,
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
      AWS_ENDPOINT_URL_DYNAMODB: dynamodbEndpoint,
      AWS_ENDPOINT_URL_S3: s3Endpoint,
    },
    async createTable(tableName) {
      await admin.dynamodb.send(new CreateTableCommand(employeesTableInput(tableName)));
    },
    async deleteTable(tableName) {
      await admin.dynamodb.send(new DeleteTableCommand({ TableName: tableName }));
    },
    async createBucket(bucketName) {
      await admin.s3.send(new CreateBucketCommand({ Bucket: bucketName }));
    },
    async stop() {
      admin.dynamodb.destroy();
      admin.s3.destroy();
      // Keep-alive sockets from SDK clients would otherwise hold close() open.
      dynamoServer.closeAllConnections();
      s3Server.httpServer?.closeAllConnections();
      await Promise.all([new Promise<void>((resolve) => dynamoServer.close(() => resolve())), s3Server.close()]);
      await rm(directory, { recursive: true, force: true });
    },
  };
}
