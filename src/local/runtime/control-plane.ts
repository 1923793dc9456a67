/**
 * The local composition root (`npm start`): the same handlers and state-machine
 * files as in AWS, with the local provider behind the ports. Like functions/ for
 * AWS, this is the one place that builds adapters; everything else takes them.
 *
 * Start order: DynamoDB (with the tenants stream) and S3 → control-plane tables →
 * load balancer → Fargate → workflows → event bus and registry → the first
 * release if asked and none exists → stream handler → status API → resume what a
 * previous run left unfinished.
 */
import { mkdir } from 'node:fs/promises';
import type { Context } from 'aws-lambda';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient, ResourceInUseException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Cloud, TableDefinition } from '../../cloud/ports.ts';
import { TenantRepository } from '../../tenants/repository.ts';
import { controlPlaneTables } from '../../tenants/names.ts';
import { DeploymentRepository } from '../../deployments/repository.ts';
import { DEPLOYMENTS_TABLE_DEFINITION } from '../../deployments/table.ts';
import type { DeployDeps } from '../../workflows/image-deploy/deps.ts';
import { WorkflowRunner, type StepHandler, type StepHandlers } from '../workflows/runner.ts';
import * as tenantRecord from '../../../functions/steps/tenant-record.ts';
import * as tenantData from '../../../functions/steps/tenant-data.ts';
import * as tenantAccess from '../../../functions/steps/tenant-access.ts';
import * as tenantCompute from '../../../functions/steps/tenant-compute.ts';
import * as tenantNetwork from '../../../functions/steps/tenant-network.ts';
import * as deploymentRecord from '../../../functions/steps/deployment-record.ts';
import * as tenantRelease from '../../../functions/steps/tenant-release.ts';
import { makeStreamHandler } from '../../../functions/tenant-stream.ts';
import { makeApiHandler } from '../../../functions/api.ts';
import { startLocalDynamo } from '../data/dynamodb-server.ts';
import { startLocalS3 } from '../data/s3-server.ts';
import { DynaliteTables } from '../data/dynalite-tables.ts';
import { S3rverBuckets } from '../data/s3rver-buckets.ts';
import { RecordedRoles } from '../iam/recorded-roles.ts';
import { FileLogGroups } from '../logs/file-log-groups.ts';
import { logJson, type LogFn } from '../logs/json-log.ts';
import { LocalLoadBalancer } from '../alb/local-load-balancer.ts';
import { LocalSignIn } from '../alb/sign-in.ts';
import { LocalIdentityProvider } from '../identity/local-idp.ts';
import { LocalFargate } from '../compute/local-fargate.ts';
import { SecretsManagerSecrets } from '../../aws/secrets.ts';
import { LocalSecretsManager } from '../secrets/local-secrets-manager.ts';
import { ensureLocalStackSecret } from '../secrets/stack-secret.ts';
import { LocalEventBus } from '../events/event-bus.ts';
import { EventSpool } from '../events/spool.ts';
import { LocalRegistry } from '../registry/registry.ts';
import type { TaskRuntime } from '../compute/task-runtime.ts';
import type { StreamEvent } from '../streams/types.ts';
import { startApiServer } from '../api-server.ts';
import { InMemoryMetrics } from '../metrics.ts';
import type { LocalSettings } from '../settings.ts';
import { LocalWorkflows } from './local-workflows.ts';
import { resumeUnfinishedWork } from './resume.ts';
import { faultPointFrom } from './fault-point.ts';
import { startReconcileTimer } from '../../reconcile/timer.ts';
import { releasesOf } from '../../reconcile/releases.ts';
import { localFailedChanges } from '../streams/failed-changes.ts';
import { LOCK_TTL_MS } from '../../workflows/tenant/record.ts';
import { RELEASE_LEASE_MS } from '../../deployments/release.ts';
import { executionName } from '../../kernel/execution-name.ts';

export interface LocalControlPlaneOptions {
  /** Share of each Wait and retry interval of the state machines kept locally (default 0.05: a 15 s poll takes 750 ms). */
  timeScale?: number;
  /** Load-balancer health checks (defaults: every 1 s, healthy after 2, unhealthy after 2). */
  healthCheck?: { intervalMs?: number; healthyThreshold?: number; unhealthyThreshold?: number; timeoutMs?: number };
  deregistrationDelayMs?: number;
  /**
   * When there is no release yet, build and push this image before the stream
   * and the API take any work, so a tenant inserted right after start finds a
   * release to run (what `npm start` does with app/).
   */
  firstRelease?: { contextDir?: string; tag: string; onPushed?: (digest: string) => void };
  /**
   * How pushes build releases (and so how their tasks run): containers of the Dockerfile's
   * image, or processes of the packed app (the default here; `npm start` decides with
   * selectTaskRuntime).
   */
  taskRuntime?: TaskRuntime;
  log?: LogFn;
  /** How often the reconciler runs (default 15 s; HUMANGOV_RECONCILE_INTERVAL_MS); it also runs once right after the start. */
  reconcileIntervalMs?: number;
}

export interface LocalControlPlane {
  settings: LocalSettings;
  urls: { api: string; loadBalancer: string; dynamodb: string; s3: string; identityProvider: string };
  cloud: Cloud;
  tenants: TenantRepository;
  deployments: DeploymentRepository;
  workflows: LocalWorkflows;
  registry: LocalRegistry;
  /** Resolves once no workflow is running and no stream record or event waits for delivery. */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

const LOCAL_CONTEXT = { functionName: 'local', awsRequestId: 'local', getRemainingTimeInMillis: () => 900_000 } as unknown as Context;

const FAULT = faultPointFrom(process.env.HUMANGOV_FAULT_FILE);

/** A Lambda handler as the state-machine runner calls it: the state's input in, its result out. */
function asStep(handler: (event: never, context: Context) => Promise<unknown>): StepHandler {
  if (FAULT) {
    return async (input) => {
      const action = String((input as { action?: unknown }).action);
      FAULT.before(action);
      const output = await handler(input as never, LOCAL_CONTEXT);
      FAULT.after(action);
      return output;
    };
  }
  return (input) => handler(input as never, LOCAL_CONTEXT);
}

async function ensureTable(client: DynamoDBClient, name: string, definition: TableDefinition, stream: boolean): Promise<void> {
  try {
    await client.send(
      new CreateTableCommand({
        TableName: name,
        BillingMode: 'PAY_PER_REQUEST',
        ...definition,
        ...(stream ? { StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' } } : {}),
      }),
    );
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  // A new table is CREATING for a moment, as in AWS; nothing may use it before it is ACTIVE.
  for (const deadline = Date.now() + 15_000; ;) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: name }));
    if (Table?.TableStatus === 'ACTIVE') return;
    if (Date.now() > deadline)
      throw new Error(`table ${name} is still ${Table?.TableStatus} after 15 s; remove ${name} from .humangov/dynamodb or start with an empty HUMANGOV_HOME`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export async function startLocalControlPlane(settings: LocalSettings, options: LocalControlPlaneOptions = {}): Promise<LocalControlPlane> {
  const log = options.log ?? logJson;
  const { home, host } = settings;
  await mkdir(home, { recursive: true });
  // Secrets Manager: the same adapter as in AWS, on a local stand-in; the stack secret is made once per home.
  const secretsManager = new LocalSecretsManager({ home, region: settings.region, accountId: settings.accountId });
  const stackSecretArn = await ensureLocalStackSecret(secretsManager, home, settings.stage);
  const tables = controlPlaneTables(settings.stage);
  const stoppers: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const stopOne of stoppers.reverse()) {
      await stopOne().catch((error: unknown) => log({ level: 'WARN', message: 'stop step failed', error: String(error) }));
    }
  };

  try {
    const dynamo = await startLocalDynamo({ home, port: settings.dynamodbPort, host, watchTable: tables.tenants, log });
    stoppers.push(() => dynamo.close());
    const s3 = await startLocalS3({ home, port: settings.s3Port, host });
    stoppers.push(() => s3.close());

    const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
    const client = new DynamoDBClient({ endpoint: dynamo.endpoint, region: settings.region, credentials });
    await ensureTable(
      client,
      tables.tenants,
      { AttributeDefinitions: [{ AttributeName: 'tenantId', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'tenantId', KeyType: 'HASH' }] },
      true,
    );
    await ensureTable(client, tables.deployments, DEPLOYMENTS_TABLE_DEFINITION, false);
    const db = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
    const tenants = new TenantRepository(db, tables.tenants);
    const deployments = new DeploymentRepository(db, tables.deployments);

    // Staff sign in at the load balancer with the local identity provider, as at the ALB with the user pool.
    const identityProvider = new LocalIdentityProvider({ port: settings.idpPort, loadBalancerPort: () => loadBalancer.port });
    await identityProvider.start();
    stoppers.push(() => identityProvider.close());
    const signIn: LocalSignIn = new LocalSignIn({ client: () => identityProvider.client, loadBalancerArn: () => loadBalancer.loadBalancerArn });
    const loadBalancer: LocalLoadBalancer = new LocalLoadBalancer({
      home,
      port: settings.lbPort,
      host,
      signIn,
      healthCheck: options.healthCheck,
      deregistrationDelayMs: options.deregistrationDelayMs,
      log,
    });
    await loadBalancer.start();
    stoppers.push(() => loadBalancer.close());
    // Tasks reach the local servers the way the app is configured to (the SDK's standard endpoint
    // variables); the placeholder credentials stand in for the task role, which nothing checks locally.
    const platformEnvironment = {
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      AWS_ENDPOINT_URL_S3: s3.endpoint,
      AWS_ACCESS_KEY_ID: 'local-task',
      AWS_SECRET_ACCESS_KEY: 'local-task',
    };
    const compute = new LocalFargate({ home, targets: loadBalancer, log, platformEnvironment, secrets: secretsManager });
    stoppers.push(() => compute.stopAll());

    const handlers: StepHandlers = {};
    const workflows = new LocalWorkflows({
      runner: new WorkflowRunner(),
      handlers,
      timeScale: options.timeScale ?? 0.05,
      log: (message, details) => log({ level: 'INFO', message, ...details }),
    });
    stoppers.push(async () => workflows.abortAll());

    // What the workflow steps report as they end, served by the status API at GET /metrics.
    const metrics = new InMemoryMetrics();
    const cloud: Cloud = {
      platform: {
        stage: settings.stage,
        region: settings.region,
        accountId: settings.accountId,
        imageRepository: settings.imageRepository,
        containerPort: 8080,
        signIn: {
          loadBalancerArn: loadBalancer.loadBalancerArn,
          issuer: identityProvider.issuer,
          publicKeyEndpoint: loadBalancer.publicKeyEndpoint,
          signOutUrl: identityProvider.signOutUrl,
          // The local identity provider stands in for every state's own as well as for the user pool.
          tenantIdentityProviders: false,
        },
      },
      tables: new DynaliteTables({ home, endpoint: dynamo.endpoint, region: settings.region, accountId: settings.accountId }),
      buckets: new S3rverBuckets({ home, endpoint: s3.endpoint }),
      access: new RecordedRoles({ home, accountId: settings.accountId }),
      logs: new FileLogGroups({ home }),
      compute,
      loadBalancer,
      secrets: new SecretsManagerSecrets({ client: secretsManager.asClient(), region: settings.region, stackSecretArn }),
      workflows,
    };
    const deps: DeployDeps = { cloud, tenants, deployments, releases: deployments, now: () => new Date(), metrics };
    Object.assign(handlers, {
      TenantRecordFunctionArn: asStep(tenantRecord.makeHandler(deps)),
      TenantDataFunctionArn: asStep(tenantData.makeHandler(deps)),
      TenantAccessFunctionArn: asStep(tenantAccess.makeHandler(deps)),
      TenantComputeFunctionArn: asStep(tenantCompute.makeHandler(deps)),
      TenantNetworkFunctionArn: asStep(tenantNetwork.makeHandler(deps)),
      DeploymentRecordFunctionArn: asStep(deploymentRecord.makeHandler(deps)),
      TenantReleaseFunctionArn: asStep(tenantRelease.makeHandler(deps)),
    } satisfies StepHandlers);

    await compute.resume();

    const bus = await LocalEventBus.fromServerless({ stage: settings.stage, region: settings.region, accountId: settings.accountId, log });
    bus.onRule('ImagePushRule', async ({ event, input }) => {
      await workflows.startExecution({ workflow: 'image-deploy', name: executionName(`deploy-${event.id}`), input });
    });
    stoppers.push(() => bus.close());
    const registry = new LocalRegistry({ home, repository: settings.imageRepository, events: bus, runtime: options.taskRuntime, log });

    if (options.firstRelease && !(await deployments.currentRelease())) {
      const pushed = await registry.push({ contextDir: options.firstRelease.contextDir, tag: options.firstRelease.tag });
      await bus.idle();
      await workflows.idle();
      options.firstRelease.onPushed?.(pushed.digest);
    }

    const streamHandler = makeStreamHandler({
      workflows,
      markInvalid: (key, reason) => tenants.markInvalid(key, reason),
      restoreControlPlaneFields: (key, fields) => tenants.restoreControlPlaneFields(key, fields),
      log: { info: (message, details) => log({ level: 'INFO', message, ...details }), warn: (message, details) => log({ level: 'WARN', message, ...details }) },
    });
    dynamo.stream?.attach((event: StreamEvent) => streamHandler(event as never, LOCAL_CONTEXT));

    bus.consume(new EventSpool(home));

    const api = await startApiServer({
      handler: makeApiHandler({ tenants, deployments, stage: settings.stage, localHome: home, readMetrics: () => metrics.snapshot() }),
      host,
      port: settings.apiPort,
    });
    loadBalancer.showFleetAt(`${api.url}/`);
    stoppers.push(() => api.close());

    const { resumed } = await resumeUnfinishedWork({ tenants, deployments, workflows, log });
    // Desired wins: the same reconciler as the scheduled Lambda, on a timer, and once now for what resume does not cover.
    const reconciler = startReconcileTimer(
      {
        cloud,
        tenants,
        releases: releasesOf(deployments),
        failedChanges: dynamo.discardedRecords ? localFailedChanges(dynamo.streamFailures, dynamo.discardedRecords) : undefined,
        maxLeaseMs: Math.max(LOCK_TTL_MS, RELEASE_LEASE_MS),
        now: () => Date.now(),
        log: (message, details) => log({ level: 'INFO', message, ...details }),
        metrics,
      },
      options.reconcileIntervalMs ?? (Number(process.env.HUMANGOV_RECONCILE_INTERVAL_MS) || 15_000),
    );
    stoppers.push(() => reconciler.stop());
    await reconciler.runNow({ skip: new Set(resumed) });

    const lbUrl = `http://localhost:${loadBalancer.port}`;
    return {
      settings,
      urls: { api: api.url, loadBalancer: lbUrl, dynamodb: dynamo.endpoint, s3: s3.endpoint, identityProvider: identityProvider.issuer },
      cloud,
      tenants,
      deployments,
      workflows,
      registry,
      idle: async () => {
        for (let settled = false; !settled;) {
          await dynamo.stream?.idle();
          await bus.idle();
          await workflows.idle();
          settled = workflows.executions().every((e) => e.status !== 'RUNNING');
        }
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
