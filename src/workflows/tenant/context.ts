/**
 * What every workflow step shares: the input every Task state sends, the
 * tenant's derived names and tags (the input check and failure reading are in ../kit/).
 */
import * as z from 'zod/mini';
import '../../kernel/zod-english.ts';
import type { Platform, Tags } from '../../cloud/ports.ts';
import { STAGE_TAG_KEY, tenantResourceNames, TENANT_TAG_KEY, type TenantResourceNames } from '../../tenants/names.ts';

/** Every Task state passes these (see the ASL files: `tenantId.$`, `executionId.$: $$.Execution.Name`). */
export const stepInputSchema = z.object({
  action: z.string(),
  tenantId: z.string(),
  executionId: z.string().check(z.minLength(1)),
});

export function tenantNames(platform: Platform, tenantId: string): TenantResourceNames {
  return tenantResourceNames(platform.stage, tenantId, platform.accountId);
}

/** Tags put on everything made for a tenant, so a person (or a sweep) can find it by tenant and stage. */
export function tenantTags(platform: Platform, tenantId: string): Tags {
  return { [TENANT_TAG_KEY]: tenantId, [STAGE_TAG_KEY]: platform.stage, 'humangov:managed-by': 'control-plane' };
}
