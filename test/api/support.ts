/**
 * Test support for the status API: both control-plane tables on one dynalite
 * (the tenants table from test/support, the deployments table with the key
 * schema src/deployments/table.ts gives it), and API Gateway v2 events built
 * the way API Gateway builds them.
 */
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { startTenantsTable, type TestTenantsTable } from '../support/tenants-table.ts';
import { controlPlaneTables } from '../../src/tenants/names.ts';
import { DeploymentRepository } from '../../src/deployments/repository.ts';
import { DEPLOYMENTS_TABLE_DEFINITION } from '../../src/deployments/table.ts';
import type { HttpApiResult } from '../../src/api/http.ts';

export interface ApiTables {
  tenantsTable: TestTenantsTable;
  deploymentsTableName: string;
  deployments: DeploymentRepository;
  close(): Promise<void>;
}

export async function startApiTables(): Promise<ApiTables> {
  const tenantsTable = await startTenantsTable();
  const deploymentsTableName = controlPlaneTables('test').deployments;
  await tenantsTable.client.send(new CreateTableCommand({ TableName: deploymentsTableName, ...DEPLOYMENTS_TABLE_DEFINITION, BillingMode: 'PAY_PER_REQUEST' }));
  return {
    tenantsTable,
    deploymentsTableName,
    deployments: new DeploymentRepository(tenantsTable.db, deploymentsTableName),
    close: () => tenantsTable.close(),
  };
}

let requests = 0;

/** An HTTP API (payload 2.0) event for `METHOD /path?query`, as API Gateway delivers it. */
export function apiEvent(
  method: string,
  target: string,
  options: { body?: string | object; headers?: Record<string, string>; base64?: boolean } = {},
): APIGatewayProxyEventV2 {
  const [path = '/', rawQueryString = ''] = target.split(/\?(.*)/s);
  const params = new URLSearchParams(rawQueryString);
  const query = Object.fromEntries(params);
  const text = options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
  const headers: Record<string, string> = {
    host: 'abc123.execute-api.us-east-1.amazonaws.com',
    ...(typeof options.body === 'object' ? { 'content-type': 'application/json' } : {}),
    ...options.headers,
  };
  const requestId = `req-${++requests}`;
  return {
    version: '2.0',
    routeKey: `${method} ${path}`,
    rawPath: path,
    rawQueryString,
    headers,
    ...(rawQueryString ? { queryStringParameters: query } : {}),
    requestContext: {
      accountId: '123456789012',
      apiId: 'abc123',
      domainName: headers.host ?? '',
      domainPrefix: 'abc123',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '203.0.113.9', userAgent: 'jest' },
      requestId,
      routeKey: `${method} ${path}`,
      stage: '$default',
      time: '26/Nov/2026:10:00:00 +0000',
      timeEpoch: Date.parse('2026-11-26T10:00:00Z'),
    },
    ...(text === undefined ? {} : { body: options.base64 ? Buffer.from(text).toString('base64') : text }),
    isBase64Encoded: options.base64 ?? false,
  };
}

export function lambdaContext(requestId = 'lambda-req'): Context {
  return { functionName: 'api', awsRequestId: requestId } as Context;
}

export interface Answer {
  status: number;
  headers: Record<string, string>;
  // Response bodies are checked field by field in the tests.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

/** Invokes the handler as Lambda would and parses its JSON answer. */
export async function invoke(
  handler: (event: APIGatewayProxyEventV2, context: Context) => Promise<HttpApiResult>,
  event: APIGatewayProxyEventV2,
): Promise<Answer> {
  const result = await handler(event, lambdaContext(event.requestContext.requestId));
  return { status: result.statusCode, headers: result.headers, body: result.body ? JSON.parse(result.body) : undefined };
}
