/**
 * The AWS provider: every port on SDK v3 clients, built once per Lambda container (call
 * it at module scope). Tests pass their own clients; by default each is made for the region.
 */
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { ECSClient } from '@aws-sdk/client-ecs';
import type { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { IAMClient } from '@aws-sdk/client-iam';
import type { S3Client } from '@aws-sdk/client-s3';
import type { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SFNClient } from '@aws-sdk/client-sfn';
import type { Cloud } from '../cloud/ports.ts';
import { PermanentCloudError } from '../cloud/errors.ts';
import { IamAccess } from './access.ts';
import { S3Buckets } from './buckets.ts';
import { EcsCompute } from './compute.ts';
import type { AwsConfig } from './config.ts';
import type { HttpGet } from './health-probe.ts';
import { ListenerSignInResolver } from './listener-sign-in.ts';
import { AlbLoadBalancer } from './load-balancer.ts';
import { CloudWatchLogGroups } from './logs.ts';
import { SecretsManagerSecrets } from './secrets.ts';
import { CognitoStaffPool } from './staff-pool.ts';
import { DynamoDbTables } from './tables.ts';
import { StepFunctionsWorkflows } from './workflows.ts';

export interface AwsClients {
  dynamodb: DynamoDBClient;
  s3: S3Client;
  iam: IAMClient;
  logs: CloudWatchLogsClient;
  ecs: ECSClient;
  elbv2: ElasticLoadBalancingV2Client;
  sfn: SFNClient;
  secretsManager: SecretsManagerClient;
  cognito: CognitoIdentityProviderClient;
  /** Not a client, but the other outside call: the health probe's HTTP GET. */
  httpGet: HttpGet;
}

/** One builder per port, so a function can be composed of only the ports (and SDK clients) it uses. */
export type AwsPortName = Exclude<keyof Cloud, 'platform'>;
export type AwsPortBuilders = { [K in AwsPortName]: (config: AwsConfig, clients?: Partial<AwsClients>) => Cloud[K] };

export const awsTables = (config: AwsConfig, clients: Partial<AwsClients> = {}) => new DynamoDbTables({ client: clients.dynamodb, region: config.region });
export const awsBuckets = (config: AwsConfig, clients: Partial<AwsClients> = {}) => new S3Buckets({ client: clients.s3, region: config.region });
export const awsAccess = (config: AwsConfig, clients: Partial<AwsClients> = {}) =>
  new IamAccess({ client: clients.iam, region: config.region, accountId: config.accountId, permissionsBoundaryArn: config.taskRoleBoundaryArn });
export const awsLogs = (config: AwsConfig, clients: Partial<AwsClients> = {}) =>
  new CloudWatchLogGroups({ client: clients.logs, region: config.region, accountId: config.accountId });
export const awsCompute = (config: AwsConfig, clients: Partial<AwsClients> = {}) => new EcsCompute({ ...config, client: clients.ecs });
export const awsLoadBalancer = (config: AwsConfig, clients: Partial<AwsClients> = {}) =>
  new AlbLoadBalancer({
    ...config,
    client: clients.elbv2,
    httpGet: clients.httpGet,
    signIn: new ListenerSignInResolver({ stage: config.stage, region: config.region, userPool: config.userPool, secretsManager: clients.secretsManager }),
  });
export const awsSecrets = (config: AwsConfig, clients: Partial<AwsClients> = {}) =>
  new SecretsManagerSecrets({ client: clients.secretsManager, region: config.region, stackSecretArn: config.stackSecretArn });
/** Only where the stack has a user pool (USER_POOL_ARN); elsewhere the Cloud has no staffPool. */
export const awsStaffPool = (config: AwsConfig, clients: Partial<AwsClients> = {}) =>
  config.userPool ? new CognitoStaffPool({ stage: config.stage, region: config.region, userPoolArn: config.userPool.arn, client: clients.cognito }) : undefined;
export const awsWorkflows = (config: AwsConfig, clients: Partial<AwsClients> = {}) =>
  new StepFunctionsWorkflows({ client: clients.sfn, region: config.region, stateMachineArns: config.stateMachineArns });

export function awsPlatform(config: AwsConfig): Cloud['platform'] {
  return {
    stage: config.stage,
    region: config.region,
    accountId: config.accountId,
    imageRepository: config.imageRepository,
    containerPort: config.containerPort,
    // Sign-in needs an HTTPS listener; a stage deployed without a certificate runs its apps with SIGN_IN=off.
    ...(config.endpointScheme === 'https' && config.loadBalancerArn
      ? { signIn: { loadBalancerArn: config.loadBalancerArn, ...(config.userPool ? { issuer: config.userPool.issuer } : {}) } }
      : {}),
  };
}

/**
 * A Cloud of only the given ports. A port left out answers every call with an
 * error naming it: a function wired without a port has no permission for it
 * either (serverless.yml gives each function only its own), so reaching for it
 * is a wiring mistake, said plainly instead of as an AccessDenied from AWS.
 */
export function createAwsCloudOf(config: AwsConfig, builders: Partial<AwsPortBuilders>, clients: Partial<AwsClients> = {}): Cloud {
  const port = <K extends AwsPortName>(name: K): Cloud[K] =>
    builders[name]?.(config, clients) ??
    (new Proxy({} as NonNullable<Cloud[K]>, {
      get: (_target, method) => () => {
        throw new PermanentCloudError(
          `the ${name} port is not wired into this function (called ${String(method)}); add it to the function's composition and its IAM role`,
        );
      },
    }) as Cloud[K]);
  return {
    platform: awsPlatform(config),
    tables: port('tables'),
    buckets: port('buckets'),
    access: port('access'),
    logs: port('logs'),
    compute: port('compute'),
    loadBalancer: port('loadBalancer'),
    secrets: port('secrets'),
    workflows: port('workflows'),
    ...(config.userPool ? { staffPool: port('staffPool') } : {}),
  };
}

/** Every port (tests and tools; functions take only theirs through createAwsCloudOf). */
export function createAwsCloud(config: AwsConfig, clients: Partial<AwsClients> = {}): Cloud {
  return createAwsCloudOf(
    config,
    {
      tables: awsTables,
      buckets: awsBuckets,
      access: awsAccess,
      logs: awsLogs,
      compute: awsCompute,
      loadBalancer: awsLoadBalancer,
      secrets: awsSecrets,
      workflows: awsWorkflows,
      staffPool: awsStaffPool,
    },
    clients,
  );
}
