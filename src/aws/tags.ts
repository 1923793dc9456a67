import type { Tags } from '../cloud/ports.ts';

/** Tags as DynamoDB, S3, IAM and ELBv2 take them. */
export function tagList(tags: Tags): { Key: string; Value: string }[] {
  return Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
}

/** Tags as ECS takes them (lower-case keys). */
export function ecsTagList(tags: Tags): { key: string; value: string }[] {
  return Object.entries(tags).map(([key, value]) => ({ key, value }));
}
