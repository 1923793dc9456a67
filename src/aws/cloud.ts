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
import type { SFNClient } from '@aws-sdk/client-sfn';
import type { Cloud } from '../cloud/ports.ts';
import { IamAccess } from './access.ts';
import { S3Buckets } from './buckets.ts';
import { EcsCompute } from './compute.ts';
import type { AwsConfig } from './config.ts';
import type { HttpGet } from './health-probe.ts';
import { AlbLoadBalancer } from './load-balancer.ts';
import { CloudWatchLogGroups } from './logs.ts';
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
  /** Not a client, but the other outside call: the health probe's HTTP GET. */
  httpGet: HttpGet;
}

export function createAwsCloud(config: AwsConfig, clients: Partial<AwsClients> = {}): Cloud {
  const { region, accountId } = config;
  return {
    platform: { stage: config.stage, region, accountId, imageRepository: config.imageRepository, containerPort: config.containerPort },
    tables: new DynamoDbTables({ client: clients.dynamodb, region }),
    buckets: new S3Buckets({ client: clients.s3, region }),
    access: new IamAccess({ client: clients.iam, region, accountId }),
    logs: new CloudWatchLogGroups({ client: clients.logs, region, accountId }),
    compute: new EcsCompute({ ...config, client: clients.ecs }),
    loadBalancer: new AlbLoadBalancer({ ...config, client: clients.elbv2, httpGet: clients.httpGet }),
    workflows: new StepFunctionsWorkflows({ client: clients.sfn, region, stateMachineArns: config.stateMachineArns }),
  };
}
