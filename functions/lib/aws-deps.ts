/**
 * The AWS composition root of every function: clients and adapters built once
 * per Lambda container, from the environment serverless.yml gives the function.
 * Functions call these lazily (first invocation), so importing a handler module
 * never needs AWS settings: the local provider imports the same modules.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  awsBuckets,
  awsCompute,
  awsConfigFromEnv,
  awsLoadBalancer,
  awsTables,
  awsWorkflows,
  createAwsCloudOf,
  SqsStreamFailures,
  type AwsPortBuilders,
} from '../../src/aws/index.ts';
import { awsClient } from '../../src/aws/clients.ts';
import { EmfMetrics } from '../../src/aws/metrics.ts';
import { TenantRepository } from '../../src/tenants/repository.ts';
import { DeploymentRepository } from '../../src/deployments/repository.ts';
import type { StreamDeps } from '../../src/tenants/stream-processor.ts';
import type { ReconcileDeps } from '../../src/reconcile/reconciler.ts';
import { releasesOf } from '../../src/reconcile/releases.ts';
import { LOCK_TTL_MS } from '../../src/workflows/tenant/record.ts';
import { RELEASE_LEASE_MS } from '../../src/deployments/release.ts';
import type { StepDeps } from '../../src/workflows/deps.ts';
import type { DeployDeps } from '../../src/workflows/image-deploy/deps.ts';
import { logger } from './step-handler.ts';

function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`missing environment variable ${name}; set it in serverless.yml and redeploy`);
  return value;
}

function documentClient(): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(awsClient(DynamoDBClient, {}), { marshallOptions: { removeUndefinedValues: true } });
}

/** The control plane's two tables. */
export function awsRepositories(db: DynamoDBDocumentClient = documentClient()) {
  return {
    tenants: new TenantRepository(db, requireEnv('TENANTS_TABLE')),
    deployments: new DeploymentRepository(db, requireEnv('DEPLOYMENTS_TABLE')),
  };
}

/**
 * Dependencies of a workflow step function, with only the ports it names: each
 * function's bundle then holds only the SDK clients its IAM role can use.
 */
export function awsDeployDeps(ports: Partial<AwsPortBuilders>): DeployDeps {
  const { tenants, deployments } = awsRepositories();
  const config = awsConfigFromEnv(process.env);
  return {
    cloud: createAwsCloudOf(config, ports),
    tenants,
    deployments,
    releases: deployments,
    now: () => new Date(),
    metrics: new EmfMetrics({ stage: config.stage }),
  };
}

export function awsStepDeps(ports: Partial<AwsPortBuilders>): StepDeps {
  return awsDeployDeps(ports);
}

export function awsStreamDeps(): StreamDeps {
  const { tenants } = awsRepositories();
  return {
    workflows: awsWorkflows(awsConfigFromEnv(process.env)),
    markInvalid: (key, reason) => tenants.markInvalid(key, reason),
    restoreControlPlaneFields: (key, fields) => tenants.restoreControlPlaneFields(key, fields),
    log: logger,
  };
}

/** The ports the reconciler reads (ECS, the load balancer, each tenant's table and bucket) and starts workflows with. */
export const RECONCILE_PORTS = {
  tables: awsTables,
  buckets: awsBuckets,
  compute: awsCompute,
  loadBalancer: awsLoadBalancer,
  workflows: awsWorkflows,
} satisfies Partial<AwsPortBuilders>;

/** The reconciler: reads what runs, starts workflows, replays the stream's failure queue, and counts its corrections. */
export function awsReconcileDeps(): ReconcileDeps {
  const config = awsConfigFromEnv(process.env);
  const { tenants, deployments } = awsRepositories();
  return {
    cloud: createAwsCloudOf(config, RECONCILE_PORTS),
    tenants,
    releases: releasesOf(deployments),
    failedChanges: new SqsStreamFailures({ queueUrl: requireEnv('STREAM_FAILURE_QUEUE_URL'), region: config.region }),
    // A lease older than the longest any workflow takes has outlived its owner.
    maxLeaseMs: Math.max(LOCK_TTL_MS, RELEASE_LEASE_MS),
    now: () => Date.now(),
    log: (message, details) => logger.info(message, details),
    metrics: new EmfMetrics({ stage: config.stage }),
  };
}
