/**
 * What each Lambda function of the stack really uses, observed, not listed: the three
 * workflows run from their files (WorkflowRunner) with every Task state mapped to the real
 * function handler (`makeHandler(deps)` of functions/steps/*.ts), the status API and the
 * stream handler are driven through their real handlers, and each function gets its own
 * recording dependencies: the ports it calls (a recording proxy over the fake cloud) and
 * the commands its repositories send to the control plane's tables (dynalite, through a
 * client of its own whose middleware records every command).
 *
 * The scenarios walk every path a function has towards the cloud: first release, onboarding,
 * onboarding again (idempotent), a release to a tenant, a release that fails verification
 * and is rolled back, an onboarding that fails and is compensated, offboarding with purge,
 * the API's routes, the stream's insert, delete and invalid records, and a reconcile pass
 * (a tenant in sync, one never onboarded, one whose table is gone, and a discarded batch removing
 * a tenant), reading each tenant's table and bucket.
 */
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2, Context, DynamoDBStreamEvent } from 'aws-lambda';
import { makeApiHandler } from '../../../functions/api.ts';
import { makeHandler as deploymentRecordHandler } from '../../../functions/steps/deployment-record.ts';
import { makeHandler as tenantAccessHandler } from '../../../functions/steps/tenant-access.ts';
import { makeHandler as tenantComputeHandler } from '../../../functions/steps/tenant-compute.ts';
import { makeHandler as tenantDataHandler } from '../../../functions/steps/tenant-data.ts';
import { makeHandler as tenantNetworkHandler } from '../../../functions/steps/tenant-network.ts';
import { makeHandler as tenantRecordHandler } from '../../../functions/steps/tenant-record.ts';
import { makeHandler as tenantReleaseHandler } from '../../../functions/steps/tenant-release.ts';
import { makeStreamHandler } from '../../../functions/tenant-stream.ts';
import { makeReconcileHandler } from '../../../functions/reconcile.ts';
import { releasesOf } from '../../../src/reconcile/releases.ts';
import type { FailedChanges } from '../../../src/reconcile/reconciler.ts';
import type { Cloud, WorkflowName } from '../../../src/cloud/ports.ts';
import type { DeployDeps } from '../../../src/workflows/image-deploy/deps.ts';
import { DeploymentRepository } from '../../../src/deployments/repository.ts';
import { DEPLOYMENTS_TABLE_DEFINITION } from '../../../src/deployments/table.ts';
import { controlPlaneTables, tenantResourceNames } from '../../../src/tenants/names.ts';
import { TenantRepository } from '../../../src/tenants/repository.ts';
import { WorkflowRunner, type StepHandler } from '../../../src/local/workflows/runner.ts';
import { apiEvent } from '../../api/support.ts';
import { digest, pushEvent } from '../../support/deploy-fleet.ts';
import { FAKE_PLATFORM, FakeCloud } from '../../support/fake-cloud.ts';
import '../../support/quiet-logs.ts';
import { startTenantsTable } from '../../support/tenants-table.ts';
import { InMemoryMetrics } from '../../../src/local/metrics.ts';

// As the stack's environment gives every function (provider.environment).
process.env.CSRF_SECRET_SEED ??= 'conformance-seed-0123456789abcdef0123456789abcdef';

export type PortName = Exclude<keyof Cloud, 'platform'>;
export interface PortCall {
  /** `compute.registerTaskDefinition` */
  method: string;
  args: unknown[];
}
export interface TableCall {
  /** The command's class name as the SDK runs it (`GetCommand`, `UpdateCommand`...). */
  command: string;
  input: Record<string, unknown>;
}
export interface FunctionUse {
  ports: PortCall[];
  tables: TableCall[];
}

/** The serverless.yml name of the function a Task state's placeholder names (`TenantRecordFunctionArn` -> `tenantRecord`). */
export function functionOfPlaceholder(placeholder: string): string {
  const name = placeholder.replace(/FunctionArn$/, '');
  return name.charAt(0).toLowerCase() + name.slice(1);
}

const STEP_FUNCTIONS = {
  tenantRecord: tenantRecordHandler,
  tenantData: tenantDataHandler,
  tenantAccess: tenantAccessHandler,
  tenantCompute: tenantComputeHandler,
  tenantNetwork: tenantNetworkHandler,
  deploymentRecord: deploymentRecordHandler,
  tenantRelease: tenantReleaseHandler,
} as const;

export async function observeFunctionUses(): Promise<Record<string, FunctionUse>> {
  const table = await startTenantsTable('dev');
  const tables = controlPlaneTables('dev');
  await table.client.send(new CreateTableCommand({ TableName: tables.deployments, ...DEPLOYMENTS_TABLE_DEFINITION, BillingMode: 'PAY_PER_REQUEST' }));
  const cloud = new FakeCloud({ rolloutPolls: 2, drainPolls: 2, platform: { ...FAKE_PLATFORM, stage: 'dev' } });
  const uses: Record<string, FunctionUse> = {};
  const clients: DynamoDBClient[] = [];

  const depsOf = (fn: string): DeployDeps => {
    const use: FunctionUse = (uses[fn] ??= { ports: [], tables: [] });
    const client = new DynamoDBClient({ endpoint: table.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    clients.push(client);
    const db = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
    db.middlewareStack.add(
      (next, context) => async (args) => {
        use.tables.push({ command: context.commandName ?? 'unknown', input: structuredClone(args.input as Record<string, unknown>) });
        return next(args);
      },
      { step: 'initialize', name: 'recordTableCalls' },
    );
    const deployments = new DeploymentRepository(db, tables.deployments);
    return {
      cloud: recordingCloud(cloud, use),
      tenants: new TenantRepository(db, table.tableName),
      deployments,
      releases: deployments,
      now: () => new Date(),
      metrics: new InMemoryMetrics(),
    };
  };

  const handlers: Record<string, StepHandler> = {};
  for (const [fn, make] of Object.entries(STEP_FUNCTIONS)) {
    const placeholder = `${fn.charAt(0).toUpperCase()}${fn.slice(1)}FunctionArn`;
    handlers[placeholder] = make(depsOf(fn)) as unknown as StepHandler;
  }
  const runner = new WorkflowRunner();
  let runs = 0;
  const run = async (workflow: WorkflowName, input: unknown): Promise<void> => {
    const execution = await runner.start(workflow, input, { handlers, name: `conformance-${++runs}`, timeScale: 0.001, minDelayMs: 1 });
    // A run that fails (the scripted failure below) still shows what its steps used.
    await execution.result.catch(() => undefined);
  };
  const deploy = (imageDigest: string, tag: string) => run('image-deploy', { event: pushEvent(imageDigest, { tag }), maxConcurrency: 50, failureThreshold: 1 });
  const seeded = depsOf('seed');

  try {
    await deploy(digest('1'), 'v1.0.0');
    await seeded.tenants.create({ tenantId: 'ca' });
    await run('tenant-onboard', { tenantId: 'ca' });
    await run('tenant-onboard', { tenantId: 'ca' });
    await deploy(digest('2'), 'v1.1.0');
    cloud.loadBalancer.unhealthyFor(tenantResourceNames('dev', 'ca', cloud.platform.accountId).targetGroup, 40);
    await deploy(digest('3'), 'v1.2.0');
    await seeded.tenants.create({ tenantId: 'ny' });
    cloud.script.fail('compute.ensureService', { kind: 'permanent' });
    await run('tenant-onboard', { tenantId: 'ny' });
    await seeded.tenants.updateUserFields('ca', { desiredState: 'DELETED', purgeData: true });
    await run('tenant-offboard', { tenantId: 'ca', purgeData: true });

    const api = makeApiHandler({ ...depsOf('api'), stage: 'dev' });
    const context = {} as Context;
    for (const [method, path, body] of [
      ['GET', '/tenants'],
      ['GET', '/tenants/ny'],
      ['POST', '/tenants', { tenantId: 'tx' }],
      ['DELETE', '/tenants/tx'],
      ['GET', '/deployments'],
      ['GET', '/deployments/none'],
      ['GET', '/health'],
    ] as [string, string, object?][]) {
      await api(apiEvent(method, path, body ? { body } : {}) as APIGatewayProxyEventV2, context);
    }

    const streamDeps = depsOf('tenantStream');
    const stream = makeStreamHandler({
      workflows: streamDeps.cloud.workflows,
      markInvalid: (key, reason) => streamDeps.tenants.markInvalid(key, reason),
      restoreControlPlaneFields: (key, fields) => streamDeps.tenants.restoreControlPlaneFields(key, fields),
      log: { info: () => undefined, warn: () => undefined },
    });
    await stream(streamEvent(), context);

    await seeded.tenants.create({ tenantId: 'az' });
    await run('tenant-onboard', { tenantId: 'az' });
    await seeded.tenants.create({ tenantId: 'nv' });
    await seeded.tenants.create({ tenantId: 'ut' });
    await run('tenant-onboard', { tenantId: 'ut' });
    cloud.tables.items.delete(tenantResourceNames('dev', 'ut', cloud.platform.accountId).table);
    const reconcileDeps = depsOf('reconcile');
    const reconciler = makeReconcileHandler({
      cloud: reconcileDeps.cloud,
      tenants: reconcileDeps.tenants,
      releases: releasesOf(reconcileDeps.deployments),
      failedChanges: recordingFailedChanges(uses.reconcile!),
      maxLeaseMs: 60_000,
      now: () => Date.now(),
      log: () => undefined,
      metrics: reconcileDeps.metrics,
    });
    await reconciler(undefined as never, context);
  } finally {
    delete uses.seed;
    for (const client of clients) client.destroy();
    await table.close();
  }
  return uses;
}

/**
 * The stream's failure queue with one discarded batch removing tenant "gone", its calls
 * recorded as those of a port named failedChanges (sdk-calls.ts replays them on the SQS reader).
 */
function recordingFailedChanges(use: FunctionUse): FailedChanges {
  let pending = true;
  return {
    async batches() {
      use.ports.push({ method: 'failedChanges.batches', args: [] });
      if (!pending) return [];
      pending = false;
      return [{ id: 'receipt-1', changes: [{ eventName: 'REMOVE', sequenceNumber: '100', key: 'gone', oldImage: { tenantId: 'gone' } }] }];
    },
    async done(id) {
      use.ports.push({ method: 'failedChanges.done', args: [id] });
    },
  };
}

/** The fake cloud, with every port call of one function recorded. */
function recordingCloud(cloud: FakeCloud, use: FunctionUse): Cloud {
  const record = <T extends object>(port: T, name: string): T =>
    new Proxy(port, {
      get(target, property, receiver) {
        const value = Reflect.get(target, property, receiver);
        if (typeof value !== 'function' || typeof property !== 'string') return value;
        return (...args: unknown[]) => {
          use.ports.push({ method: `${name}.${property}`, args: structuredClone(args) });
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
  return {
    platform: cloud.platform,
    tables: record(cloud.tables, 'tables'),
    buckets: record(cloud.buckets, 'buckets'),
    access: record(cloud.access, 'access'),
    logs: record(cloud.logs, 'logs'),
    compute: record(cloud.compute, 'compute'),
    loadBalancer: record(cloud.loadBalancer, 'loadBalancer'),
    workflows: record(cloud.workflows, 'workflows'),
    secrets: record(cloud.secrets, 'secrets'),
  };
}

/** A batch of the tenants table's stream: an insert, a user's delete request, and a record no tenant id can be. */
function streamEvent(): DynamoDBStreamEvent {
  const record = (sequence: string, eventName: 'INSERT' | 'MODIFY', key: string, image: Record<string, { S: string }>) => ({
    eventID: sequence,
    eventName,
    eventSource: 'aws:dynamodb',
    dynamodb: {
      SequenceNumber: sequence,
      Keys: { tenantId: { S: key } },
      NewImage: { tenantId: { S: key }, ...image },
      StreamViewType: 'NEW_AND_OLD_IMAGES' as const,
    },
  });
  return {
    Records: [
      record('100', 'INSERT', 'wa', {}),
      {
        ...record('101', 'MODIFY', 'ny', { desiredState: { S: 'DELETED' } }),
        dynamodb: { ...record('101', 'MODIFY', 'ny', { desiredState: { S: 'DELETED' } }).dynamodb, OldImage: { tenantId: { S: 'ny' } } },
      },
      record('102', 'INSERT', 'Not A Tenant!', {}),
    ],
  };
}
