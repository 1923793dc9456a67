/**
 * The AWS composition root of every function: clients and adapters built once
 * per Lambda container, from the environment serverless.yml gives the function.
 * Functions call these lazily (first invocation), so importing a handler module
 * never needs AWS settings: the local provider imports the same modules.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { awsConfigFromEnv, awsWorkflows, createAwsCloudOf, type AwsPortBuilders } from '../../src/aws/index.ts';
import { TenantRepository } from '../../src/tenants/repository.ts';
import { DeploymentRepository } from '../../src/deployments/repository.ts';
import type { StreamDeps } from '../../src/tenants/stream-processor.ts';
import type { StepDeps } from '../../src/workflows/deps.ts';
import type { DeployDeps } from '../../src/workflows/image-deploy/deps.ts';
import { logger } from './step-handler.ts';

function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`missing environment variable ${name}; set it in serverless.yml and redeploy`);
  return value;
}

function documentClient(): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } });
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
  return { cloud: createAwsCloudOf(awsConfigFromEnv(process.env), ports), tenants, deployments, releases: deployments, now: () => new Date() };
}

export function awsStepDeps(ports: Partial<AwsPortBuilders>): StepDeps {
  return awsDeployDeps(ports);
}

export function awsStreamDeps(): StreamDeps {
  const { tenants } = awsRepositories();
  return {
    workflows: awsWorkflows(awsConfigFromEnv(process.env)),
    markInvalid: (key, reason) => tenants.markInvalid(key, reason),
    log: logger,
  };
}
