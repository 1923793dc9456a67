/**
 * ARNs of the region's partition. An ARN names its partition (`aws` in the commercial regions,
 * `aws-us-gov` in AWS GovCloud (US), `aws-cn` in China, `aws-iso`...), and IAM matches
 * resources by the whole ARN: a grant written for the commercial partition matches nothing
 * in GovCloud. So no ARN here is written with a partition; each is built for its region.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html
 */
import { partition } from '@aws-sdk/core/client';

/**
 * The partition of `region`, from the partitions data the AWS SDK ships and resolves its own
 * endpoints with (explicit regions first, then each partition's region pattern: `us-gov-*` is
 * aws-us-gov, `cn-*` aws-cn, `us-iso-*` aws-iso, `us-isob-*` aws-iso-b, ...; anything else aws).
 */
export function partitionOf(region: string): string {
  return partition(region).name;
}

/** `arn:<partition of region>:<service>:<region>:<account>:<resource>`; region and account empty where the service has none (S3, IAM). */
export function arnOf(parts: { region: string; service: string; resource: string; accountId?: string; regional?: boolean }): string {
  const region = parts.regional === false ? '' : parts.region;
  return `arn:${partitionOf(parts.region)}:${parts.service}:${region}:${parts.accountId ?? ''}:${parts.resource}`;
}
