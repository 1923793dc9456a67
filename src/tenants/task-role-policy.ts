import { arnOf } from '../cloud/arn.ts';
import type { PolicyDocument } from '../cloud/ports.ts';

/** What the HumanGov app does with its table: item reads and writes, index queries, and DescribeTable for /ready. */
export const APP_TABLE_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:Query',
  'dynamodb:ConditionCheckItem',
  'dynamodb:DescribeTable',
] as const;

/** What it does with its bucket's objects: upload (multipart too), presigned download, delete. */
export const APP_OBJECT_ACTIONS = ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload'] as const;

/** HeadBucket (the /ready check) is authorised by s3:ListBucket on the bucket itself. */
export const APP_BUCKET_ACTIONS = ['s3:ListBucket'] as const;

export function tableArn(region: string, accountId: string, table: string): string {
  return arnOf({ service: 'dynamodb', region, accountId, resource: `table/${table}` });
}

/** Bucket ARNs carry no region or account, but the partition of the bucket's region. */
export function bucketArn(region: string, bucket: string): string {
  return arnOf({ service: 's3', region, regional: false, resource: bucket });
}

/**
 * The only permissions a tenant's tasks get: its own table and the named
 * indexes of it, its own bucket's objects. Every resource is spelled out, so no
 * wildcard can reach another tenant whose name shares a prefix.
 */
export function taskRolePolicy(target: { tableArn: string; indexNames: readonly string[]; bucketArn: string }): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'TenantTable',
        Effect: 'Allow',
        Action: [...APP_TABLE_ACTIONS],
        Resource: [target.tableArn, ...target.indexNames.map((index) => `${target.tableArn}/index/${index}`)],
      },
      { Sid: 'TenantObjects', Effect: 'Allow', Action: [...APP_OBJECT_ACTIONS], Resource: `${target.bucketArn}/*` },
      { Sid: 'TenantBucket', Effect: 'Allow', Action: [...APP_BUCKET_ACTIONS], Resource: target.bucketArn },
    ],
  };
}

/**
 * The trust policy of every task role: only ECS tasks of this account and region may assume it
 * (the conditions stop another account's ECS from being tricked into using it: confused deputy).
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-iam-roles.html
 */
export function ecsTasksTrustPolicy(region: string, accountId: string): object {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Service: 'ecs-tasks.amazonaws.com' },
        Action: 'sts:AssumeRole',
        Condition: {
          StringEquals: { 'aws:SourceAccount': accountId },
          ArnLike: { 'aws:SourceArn': arnOf({ service: 'ecs', region, accountId, resource: '*' }) },
        },
      },
    ],
  };
}
