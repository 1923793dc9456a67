/** App instances for tests: real HTTP on a free port, against the servers of local-aws.ts. */
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import type { FastifyInstance } from 'fastify';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { buildAssets } from '../../build-assets.ts';
import { buildApp } from '../../src/app.ts';
import { loadAssets } from '../../src/assets.ts';
import type { Assets } from '../../src/assets.ts';
import type { AwsClients } from '../../src/aws-clients.ts';
import type { AppConfig } from '../../src/config.ts';
import type { LocalAws } from './local-aws.ts';
import { LOCAL_REGION } from './local-aws.ts';
import { signedIn, TEST_SIGN_IN, testPublicKeys } from './sign-in.ts';

export const TEST_CSRF_SECRET = 'test-csrf-secret-0123456789abcdefghijklmnop';

export interface TestTenant {
  readonly tableName: string;
  readonly bucketName: string;
}

/** A fresh table and bucket, so test files never see each other's data. */
export async function createTenantStorage(aws: LocalAws): Promise<TestTenant> {
  const suffix = randomUUID().slice(0, 8);
  const tenant = { tableName: `employees-${suffix}`, bucketName: `documents-${suffix}` };
  await Promise.all([aws.createTable(tenant.tableName), aws.createBucket(tenant.bucketName)]);
  return tenant;
}

export function testConfig(aws: LocalAws, tenant: TestTenant, overrides: Partial<AppConfig> = {}): AppConfig {
  return {
    usState: 'California',
    awsRegion: LOCAL_REGION,
    tableName: tenant.tableName,
    bucketName: tenant.bucketName,
    port: 0,
    listenHost: '127.0.0.1',
    tenantId: 'ca',
    appImage: 'registry.example/humangov@sha256:test',
    csrfSecret: TEST_CSRF_SECRET,
    maxUploadBytes: 10 * 1024 * 1024,
    dynamodbEndpoint: aws.dynamodbEndpoint,
    s3Endpoint: aws.s3Endpoint,
    logLevel: 'silent',
    signIn: TEST_SIGN_IN,
    ...overrides,
  };
}

export interface RunningApp {
  readonly app: FastifyInstance;
  readonly config: AppConfig;
  readonly clients: AwsClients;
  readonly baseUrl: string;
  close(): Promise<void>;
}

let assets: Promise<Assets> | undefined;

/** The pages' assets as the build makes them (into app/dist/assets; the Sass output is cached), once per test file. */
export function testAssets(): Promise<Assets> {
  assets ??= buildAssets().then(() => loadAssets());
  return assets;
}

export async function startApp(aws: LocalAws, config: AppConfig): Promise<RunningApp> {
  const clients = aws.clientsFor(config);
  const app = await buildApp(config, { aws: clients, logger: false, assets: await testAssets(), publicKeys: testPublicKeys });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  return {
    app,
    config,
    clients,
    baseUrl: `http://127.0.0.1:${port}`,
    async close() {
      await app.close();
      clients.dynamodb.destroy();
      clients.s3.destroy();
    },
  };
}

export function pdfBytes(label: string, paddingBytes = 0): Buffer {
  return Buffer.concat([Buffer.from(`%PDF-1.4\n% ${label}\n`), Buffer.alloc(paddingBytes, 0x20), Buffer.from('\n%%EOF\n')]);
}

export function pdfBlob(bytes: Buffer): Blob {
  return new Blob([new Uint8Array(bytes)], { type: 'application/pdf' });
}

export async function listDocumentKeys(running: RunningApp): Promise<string[]> {
  const { Contents = [] } = await running.clients.s3.send(new ListObjectsV2Command({ Bucket: running.config.bucketName }));
  return Contents.map((object) => object.Key ?? '').sort();
}

export interface EmployeeJson {
  id: string;
  firstName: string;
  lastName: string;
  role: string;
  salary: number;
  document: { fileName: string; sizeBytes: number; url: string } | null;
  version: number;
}

export function employeeForm(fields: Record<string, string>, document?: { bytes: Buffer; fileName?: string }): FormData {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  if (document) form.append('document', pdfBlob(document.bytes), document.fileName ?? 'id-scan.pdf');
  return form;
}

/** Creates an employee through the API; fails the test on anything but 201. */
export async function createEmployee(running: RunningApp, fields: Record<string, string>, bytes = pdfBytes(fields.firstName ?? 'x')): Promise<EmployeeJson> {
  const response = await fetch(`${running.baseUrl}/api/employees`, { method: 'POST', headers: signedIn(), body: employeeForm(fields, { bytes }) });
  if (response.status !== 201) throw new Error(`create failed: ${response.status} ${await response.text()}`);
  return (await response.json()) as EmployeeJson;
}
