import { stageProblem, tenantIdProblem } from './tenant-id.ts';
import { InvalidTenantError } from './errors.ts';

/** Every name and identifier the control plane derives for one tenant in one stage. */
export interface TenantResourceNames {
  /** The tenant's own DynamoDB table (employee records). */
  table: string;
  /** The tenant's own S3 bucket; globally unique because it carries the account id. */
  bucket: string;
  /** IAM role the tenant's tasks assume; it reaches only `table` and `bucket`. */
  taskRole: string;
  /** ECS task definition family. */
  taskFamily: string;
  /** ECS service name; unique within the stage's own cluster (`humangov-<stage>`). */
  service: string;
  /** ALB target group name (at most 32 characters). */
  targetGroup: string;
  /** CloudWatch log group for the tenant's tasks. */
  logGroup: string;
  /** Tag put on the listener rule (and every other resource) so it can be found again. */
  tag: { key: string; value: string };
}

export const TENANT_TAG_KEY = 'humangov:tenant';
export const STAGE_TAG_KEY = 'humangov:stage';

/**
 * Derives the names for (stage, tenantId). Stage has no hyphen and the id has no
 * "--", so each name splits back into its parts unambiguously: two different
 * tenants never share a name (proved by the property tests).
 */
export function tenantResourceNames(stage: string, tenantId: string, accountId: string): TenantResourceNames {
  const problem = stageProblem(stage) ?? tenantIdProblem(tenantId);
  if (problem) throw new InvalidTenantError(problem);
  if (!/^\d{12}$/.test(accountId)) throw new InvalidTenantError(`accountId "${accountId}" must be 12 digits`);
  return {
    table: `humangov-${stage}-tenant-${tenantId}`,
    bucket: `humangov-${stage}-${tenantId}-${accountId}`,
    taskRole: `humangov-${stage}-${tenantId}-task`,
    taskFamily: `humangov-${stage}-${tenantId}`,
    service: `humangov-${tenantId}`,
    targetGroup: `hg-${stage}-${tenantId}`,
    logGroup: tenantLogGroupName(stage, tenantId),
    tag: { key: TENANT_TAG_KEY, value: tenantId },
  };
}

/** The CloudWatch Logs group of a tenant's tasks (the CLI reads it without the account id the other names need). */
export function tenantLogGroupName(stage: string, tenantId: string): string {
  return `/humangov/${stage}/tenants/${tenantId}`;
}

/** Tables of the control plane itself. */
export function controlPlaneTables(stage: string): { tenants: string; deployments: string } {
  return { tenants: `humangov-${stage}-tenants`, deployments: `humangov-${stage}-deployments` };
}
