/**
 * The SDK commands the AWS provider sends for a port call, observed: the port call a
 * function made (function-uses.ts) is made again on the real AWS adapters (src/aws/*),
 * configured from the function's environment as the packaged template gives it, with SDK
 * clients whose `send` records each command and answers as AWS would in one of two worlds:
 * `fresh` (nothing exists yet: creates succeed, describes find nothing) and `existing`
 * (everything exists, drifted from its spec, so every repair path runs). Every command an
 * adapter sends in either world is recorded with its input and the answer it got.
 */
import { CloudWatchLogsClient, ResourceAlreadyExistsException } from '@aws-sdk/client-cloudwatch-logs';
import { CognitoIdentityProviderClient, GroupExistsException } from '@aws-sdk/client-cognito-identity-provider';
import { DynamoDBClient, ResourceInUseException } from '@aws-sdk/client-dynamodb';
import { ClientException, ECSClient } from '@aws-sdk/client-ecs';
import { DuplicateTargetGroupNameException, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { EntityAlreadyExistsException, IAMClient } from '@aws-sdk/client-iam';
import { BucketAlreadyOwnedByYou, S3Client } from '@aws-sdk/client-s3';
import { InvalidRequestException, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { awsConfigFromEnv, createAwsCloud, SqsStreamFailures, type AwsClients } from '../../../src/aws/index.ts';
import type { Cloud } from '../../../src/cloud/ports.ts';
import { TENANT_TAG_KEY } from '../../../src/tenants/names.ts';
import type { ResolvedStack } from './cfn.ts';
import type { PortCall } from './function-uses.ts';

export type World = 'fresh' | 'existing';
export const WORLDS: World[] = ['fresh', 'existing'];

export interface SdkCall {
  /** The IAM service prefix: the name the SDK client signs its requests with. */
  service: string;
  /** The command class (`CreateRoleCommand`). */
  command: string;
  input: Record<string, unknown>;
  output?: Record<string, unknown>;
}

const meta = { $metadata: {} };
type Responder = (command: string, input: Record<string, any>) => Record<string, unknown>; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * The commands one port call sends, in `world`, made by the AWS adapters configured from
 * `environment` (a function's resolved environment) in the stack's region.
 */
export async function sdkCallsOf(portCall: PortCall, world: World, stack: ResolvedStack, environment: Record<string, string>): Promise<SdkCall[]> {
  const calls: SdkCall[] = [];
  const config = awsConfigFromEnv({ ...environment, AWS_REGION: stack.region });
  const tenant = { id: tenantOf(portCall) };
  const responders = answersFor(world, stack, config, tenant);
  const clients: Partial<AwsClients> = {
    iam: recordingClient(IAMClient, 'iam', responders.iam, calls),
    dynamodb: recordingClient(DynamoDBClient, 'dynamodb', responders.dynamodb, calls),
    s3: recordingClient(S3Client, 's3', responders.s3, calls),
    logs: recordingClient(CloudWatchLogsClient, 'logs', responders.logs, calls),
    ecs: recordingClient(ECSClient, 'ecs', responders.ecs, calls),
    elbv2: recordingClient(ElasticLoadBalancingV2Client, 'elasticloadbalancing', responders.elbv2, calls),
    sfn: recordingClient(SFNClient, 'states', responders.sfn, calls),
    secretsManager: recordingClient(SecretsManagerClient, 'secretsmanager', responders.secretsmanager, calls),
    cognito: recordingClient(CognitoIdentityProviderClient, 'cognito-idp', responders.cognito, calls),
    httpGet: async () => ({ status: 200, body: '{"status":"ok"}' }),
  };
  const cloud = createAwsCloud(config, clients);
  const [portName, method] = portCall.method.split('.') as [Exclude<keyof Cloud, 'platform'> | 'failedChanges', string];
  const port = (portName === 'failedChanges' ? failureQueueReader(stack, environment, calls) : cloud[portName]) as unknown as Record<
    string,
    (...args: unknown[]) => unknown
  >;
  const args = inRegion(portCall.args, stack) as unknown[];
  try {
    await port[method]!(...args);
  } catch {
    // A world in which the call cannot succeed (updating a service that does not exist) still shows what was sent.
  }
  return calls;
}

/**
 * The reconciler's reader of the stream's failure queue (not a port of the Cloud: only the
 * reconciler has it), on clients that answer as AWS would with one discarded batch: a message
 * naming two sequence numbers of the tenants stream, and the stream's records between them.
 */
function failureQueueReader(stack: ResolvedStack, environment: Record<string, string>, calls: SdkCall[]): SqsStreamFailures {
  const streamArn = String(stack.resolve({ 'Fn::GetAtt': ['TenantsTable', 'StreamArn'] }));
  const batchInfo = { shardId: 'shardId-00000001700000000000-0123abcd', startSequenceNumber: '100', endSequenceNumber: '101', batchSize: 2, streamArn };
  let received = 0;
  const sqs: Responder = (command) => {
    if (command !== 'ReceiveMessageCommand' || received++ > 0) return {};
    return { Messages: [{ MessageId: 'm-1', ReceiptHandle: 'receipt-1', Body: JSON.stringify({ version: '1.0', DDBStreamBatchInfo: batchInfo }) }] };
  };
  const streams: Responder = (command) => {
    if (command === 'GetShardIteratorCommand') return { ShardIterator: 'iterator-1' };
    const record = (sequence: string) => ({ eventName: 'REMOVE', dynamodb: { SequenceNumber: sequence, Keys: { tenantId: { S: 'gone' } } } });
    return { Records: [record('100'), record('101')], NextShardIterator: 'iterator-2' };
  };
  return new SqsStreamFailures({
    queueUrl: environment.STREAM_FAILURE_QUEUE_URL ?? 'STREAM_FAILURE_QUEUE_URL is not in this function’s environment',
    region: stack.region,
    sqs: recordingClient(SQSClient, 'sqs', sqs, calls),
    // DynamoDB Streams signs as "dynamodb": its actions are DynamoDB's (dynamodb:GetRecords...).
    streams: recordingClient(DynamoDBStreamsClient, 'dynamodb', streams, calls),
  });
}

/** The fake cloud answers as us-east-1 of the aws partition: its ARNs in a call's arguments are moved to the stack's region. */
function inRegion(value: unknown, stack: ResolvedStack): unknown {
  return JSON.parse(
    JSON.stringify(value)
      .replace(/arn:aws:([a-z0-9-]+):us-east-1:/g, `arn:${stack.partition}:$1:${stack.region}:`)
      .replace(/arn:aws:/g, `arn:${stack.partition}:`),
  );
}

function tenantOf(call: PortCall): string {
  const [first] = call.args as [unknown];
  if (typeof first === 'object' && first && 'tenantId' in first) return String((first as { tenantId: unknown }).tenantId);
  if (call.method === 'loadBalancer.deleteListenerRule' || call.method.startsWith('staffPool.')) return String(first);
  return 'ca';
}

/**
 * A client of the SDK's own class (so the adapter's `instanceof` and typing hold) whose
 * `send` records the command and answers it from `respond`; the service prefix is the one
 * the class signs with.
 */
function recordingClient<C>(Client: new (config: { region: string }) => C, service: string, respond: Responder, calls: SdkCall[]): C {
  const client = new Client({ region: 'us-east-1' }) as C & { send: (command: { input: Record<string, unknown> }) => Promise<unknown> };
  client.send = async (command) => {
    const name = command.constructor.name;
    const call: SdkCall = { service, command: name, input: structuredClone(command.input) };
    calls.push(call);
    const output = respond(name, command.input);
    call.output = output;
    return { ...output, ...meta };
  };
  return client;
}

function answersFor(world: World, stack: ResolvedStack, config: ReturnType<typeof awsConfigFromEnv>, tenant: { id: string }) {
  const fresh = world === 'fresh';
  const tableArn = (name: string) => stack.arn('dynamodb', `table/${name}`);
  const roleArn = (name: string) => stack.arn('iam', `role/${name}`, { regional: false });
  const taskDefinitionArn = (family: string, revision: number) => stack.arn('ecs', `task-definition/${family}:${revision}`);
  const serviceArn = (name: string) => stack.arn('ecs', `service/${config.clusterName}/${name}`);
  const targetGroupArn = (name: string) => stack.arn('elasticloadbalancing', `targetgroup/${name}/0123456789abcdef`);
  const ruleArn = (id: string) => `${config.listenerArn.replace(':listener/', ':listener-rule/')}/${id}`;
  const familyOf = (taskDefinition: string) => taskDefinition.replace(/^.*task-definition\//, '').replace(/:\d+$/, '');
  const strayRule = {
    RuleArn: ruleArn('0a1b2c3d4e5f6a7b'),
    Priority: '7',
    IsDefault: false,
    Conditions: [{ Field: 'host-header', HostHeaderConfig: { Values: ['old-name.example.gov'] } }],
    Actions: [{ Type: 'forward', TargetGroupArn: targetGroupArn('hg-old') }],
  };
  const defaultRule = { RuleArn: ruleArn('ffffffffffffffff'), Priority: 'default', IsDefault: true };

  const iam: Responder = (command, input) => {
    if (command === 'CreateRoleCommand') {
      if (!fresh) throw new EntityAlreadyExistsException({ message: `Role with name ${input.RoleName} already exists.`, ...meta });
      return { Role: { RoleName: input.RoleName, Arn: roleArn(input.RoleName) } };
    }
    // A role made before permissions boundaries, with a trust of its own and policies added by hand.
    if (command === 'GetRoleCommand')
      return {
        Role: {
          RoleName: input.RoleName,
          Arn: roleArn(input.RoleName),
          AssumeRolePolicyDocument: encodeURIComponent('{"Version":"2012-10-17","Statement":[]}'),
        },
      };
    if (command === 'ListRolePoliciesCommand') return { PolicyNames: ['tenant-access', 'added-by-hand'] };
    if (command === 'ListAttachedRolePoliciesCommand')
      return { AttachedPolicies: [{ PolicyName: 'ReadOnlyAccess', PolicyArn: `arn:${stack.partition}:iam::aws:policy/ReadOnlyAccess` }] };
    return {};
  };
  const dynamodb: Responder = (command, input) => {
    const table = { TableName: input.TableName, TableArn: tableArn(input.TableName), TableStatus: 'ACTIVE', DeletionProtectionEnabled: fresh };
    if (command === 'CreateTableCommand') {
      if (!fresh) throw new ResourceInUseException({ message: `Table already exists: ${input.TableName}`, ...meta });
      return { TableDescription: table };
    }
    if (command === 'DescribeTableCommand') return { Table: table };
    if (command === 'DescribeContinuousBackupsCommand')
      return { ContinuousBackupsDescription: { PointInTimeRecoveryDescription: { PointInTimeRecoveryStatus: 'DISABLED' } } };
    return {};
  };
  const s3: Responder = (command) => {
    if (command === 'CreateBucketCommand' && !fresh)
      throw new BucketAlreadyOwnedByYou({ message: 'Your previous request to create the named bucket succeeded', ...meta });
    if (command === 'ListObjectVersionsCommand') {
      return {
        Versions: [{ Key: 'employees/1/id-scan.pdf', VersionId: 'v1' }],
        DeleteMarkers: [{ Key: 'employees/2/id-scan.pdf', VersionId: 'v2' }],
        IsTruncated: false,
      };
    }
    if (command === 'DeleteObjectsCommand') return { Errors: [] };
    return {};
  };
  const logs: Responder = (command, input) => {
    if (command === 'CreateLogGroupCommand' && !fresh) throw new ResourceAlreadyExistsException({ message: `${input.logGroupName} exists`, ...meta });
    return {};
  };
  const ecs: Responder = (command, input) => {
    if (command === 'DescribeTaskDefinitionCommand') {
      const family = familyOf(input.taskDefinition);
      if (fresh && !/:\d+$/.test(input.taskDefinition)) throw new ClientException({ message: 'Unable to describe task definition.', ...meta });
      const image = `${config.imageRepository}@sha256:${'0'.repeat(64)}`;
      return {
        taskDefinition: {
          family,
          revision: 1,
          taskDefinitionArn: taskDefinitionArn(family, 1),
          cpu: '256',
          memory: '512',
          executionRoleArn: config.executionRoleArn,
          taskRoleArn: roleArn(`${family}-task`),
          containerDefinitions: [
            { name: 'app', image, environment: [{ name: 'APP_IMAGE', value: image }], logConfiguration: { logDriver: 'awslogs', options: {} } },
          ],
        },
        tags: [{ key: TENANT_TAG_KEY, value: tenant.id }],
      };
    }
    if (command === 'RegisterTaskDefinitionCommand')
      return { taskDefinition: { family: input.family, revision: 2, taskDefinitionArn: taskDefinitionArn(input.family, 2) } };
    if (command === 'ListTaskDefinitionsCommand') return { taskDefinitionArns: [taskDefinitionArn(input.familyPrefix, input.status === 'ACTIVE' ? 2 : 1)] };
    if (command === 'DeleteTaskDefinitionsCommand') return { failures: [] };
    const deployment = { id: 'ecs-svc/1234567890123456789', status: 'PRIMARY', taskDefinition: taskDefinitionArn('other', 1), rolloutState: 'COMPLETED' };
    if (command === 'DescribeServicesCommand') {
      const name = (input.services as string[])[0]!;
      return fresh
        ? { services: [] }
        : { services: [{ serviceName: name, serviceArn: serviceArn(name), status: 'ACTIVE', desiredCount: 2, deployments: [deployment] }] };
    }
    if (command === 'CreateServiceCommand' || command === 'UpdateServiceCommand') {
      const name = input.serviceName ?? input.service;
      return { service: { serviceName: name, serviceArn: serviceArn(name), status: 'ACTIVE', deployments: [deployment] } };
    }
    return {};
  };
  const elbv2: Responder = (command, input) => {
    if (command === 'CreateTargetGroupCommand') {
      if (!fresh) throw new DuplicateTargetGroupNameException({ message: 'A target group with the same name exists', ...meta });
      return { TargetGroups: [{ TargetGroupArn: targetGroupArn(input.Name) }] };
    }
    if (command === 'DescribeTargetGroupsCommand') {
      const name = (input.Names as string[])[0]!;
      return {
        TargetGroups: [
          { TargetGroupArn: targetGroupArn(name), TargetGroupName: name, VpcId: config.vpcId, Port: config.containerPort, TargetType: 'ip', Protocol: 'HTTP' },
        ],
      };
    }
    if (command === 'DescribeTargetHealthCommand') return { TargetHealthDescriptions: [] };
    // The tenant's rule exists with another host (the domain changed): found again by its tag.
    if (command === 'DescribeRulesCommand') return { Rules: fresh ? [defaultRule] : [defaultRule, strayRule] };
    if (command === 'DescribeTagsCommand') {
      return { TagDescriptions: (input.ResourceArns as string[]).map((ResourceArn) => ({ ResourceArn, Tags: [{ Key: TENANT_TAG_KEY, Value: tenant.id }] })) };
    }
    if (command === 'CreateRuleCommand') return { Rules: [{ RuleArn: ruleArn('1a2b3c4d5e6f7a8b') }] };
    return {};
  };
  const sfn: Responder = (command, input) =>
    command === 'StartExecutionCommand' ? { executionArn: `${String(input.stateMachineArn).replace(':stateMachine:', ':execution:')}:${input.name}` } : {};
  // Existing: the tenant's secret was scheduled for deletion (an offboarding that kept data), holding an older value and tags.
  const secretArn = (id: string) => (id.startsWith('arn:') ? id : stack.arn('secretsmanager', `secret:${id}-AbCdEf`));
  const secretsmanager: Responder = (command, input) => {
    if (command === 'CreateSecretCommand') {
      if (!fresh)
        throw new InvalidRequestException({
          message: `You can't create this secret because a secret with this name is already scheduled for deletion.`,
          ...meta,
        });
      return { ARN: secretArn(input.Name), Name: input.Name };
    }
    if (command === 'DescribeSecretCommand')
      return { ARN: secretArn(input.SecretId), Name: input.SecretId, DeletedDate: fresh ? undefined : new Date(0), Tags: [] };
    if (command === 'GetSecretValueCommand') return { ARN: secretArn(input.SecretId), SecretString: 'an older value' };
    return { ARN: secretArn(String(input.SecretId)) };
  };
  // Existing: the tenant's app client was made with another callback URL (the domain changed), and its group exists.
  const clientName = `humangov-${config.stage}-${tenant.id}`;
  const cognito: Responder = (command, input) => {
    if (command === 'ListUserPoolClientsCommand') return { UserPoolClients: fresh ? [] : [{ ClientId: 'existing0client0id00000000', ClientName: clientName }] };
    if (command === 'DescribeUserPoolClientCommand')
      return { UserPoolClient: { ClientId: input.ClientId, ClientName: clientName, CallbackURLs: ['https://old.example.gov/oauth2/idpresponse'] } };
    if (command === 'CreateUserPoolClientCommand') return { UserPoolClient: { ClientId: 'new0client0id0000000000000', ClientName: input.ClientName } };
    if (command === 'CreateGroupCommand' && !fresh) throw new GroupExistsException({ message: 'A group with the name already exists', ...meta });
    return {};
  };
  return { iam, dynamodb, s3, logs, ecs, elbv2, sfn, secretsmanager, cognito };
}
