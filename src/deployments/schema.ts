/**
 * A deployment: one ECR push rolled out over the fleet, as stored in the
 * deployments table (`humangov-<stage>-deployments`, key `deploymentId`).
 *
 * The item also holds every tenant's result, keyed by tenant id, so that the
 * status API reads a deployment's progress in one GetItem. A result is about
 * 300 bytes: the 400 KB item limit leaves room for well over a thousand
 * tenants, against the 56 states and territories HumanGov serves.
 */
import * as z from 'zod/mini';
import '../kernel/zod-english.ts';
import { imageRefSchema } from '../tenants/schema.ts';

export const DEPLOYMENT_STATUSES = ['IN_PROGRESS', 'SUCCEEDED', 'FAILED', 'SUPERSEDED'] as const;
export type DeploymentStatus = (typeof DEPLOYMENT_STATUSES)[number];

export const TENANT_OUTCOMES = ['PENDING', 'SUCCEEDED', 'ROLLED_BACK', 'FAILED', 'SKIPPED', 'NOOP'] as const;
export type TenantOutcome = (typeof TENANT_OUTCOMES)[number];

/** Outcomes that count against the failure threshold: the new image did not work on the tenant. */
export const FAILED_OUTCOMES: readonly TenantOutcome[] = ['ROLLED_BACK', 'FAILED'];

export const tenantResultSchema = z.lazy(() =>
  z.object({
    tenantId: z.string(),
    outcome: z.enum(TENANT_OUTCOMES),
    previousTaskDefinitionArn: z.optional(z.string()),
    newTaskDefinitionArn: z.optional(z.string()),
    /** Why it failed or was rolled back (FAILED, ROLLED_BACK). */
    error: z.optional(z.string()),
    /** Why nothing was done (SKIPPED, NOOP). */
    reason: z.optional(z.string()),
    startedAt: z.optional(z.string()),
    endedAt: z.optional(z.string()),
  }),
);
export type TenantResult = z.infer<typeof tenantResultSchema>;

export const deploymentCountsSchema = z.lazy(() =>
  z.object(Object.fromEntries(TENANT_OUTCOMES.map((o) => [o, z.number().check(z.int(), z.gte(0))])) as Record<TenantOutcome, z.ZodMiniNumber>),
);
export type DeploymentCounts = Record<TenantOutcome, number>;

/** Why a rollout stopped scheduling tenants before reaching them all. */
export const STOP_KINDS = ['FAILURES', 'SUPERSEDED'] as const;
export type StopKind = (typeof STOP_KINDS)[number];

/** Built on first use (z.lazy keeps it): the tenant workflows' functions bundle this module and never read a deployment. */
export const deploymentRecordSchema = z.lazy(() =>
  z.object({
    deploymentId: z.string(),
    image: imageRefSchema,
    status: z.enum(DEPLOYMENT_STATUSES),
    /** The ECR event this deployment comes from (its id and time): a redelivery finds this record. */
    eventId: z.string(),
    eventTime: z.string(),
    /** The execution that owns the rollout; another execution with the same event ends as a duplicate. */
    executionId: z.string(),
    maxConcurrency: z.number().check(z.int(), z.gte(1)),
    failureThreshold: z.number().check(z.int(), z.gte(0)),
    startedAt: z.string(),
    endedAt: z.optional(z.string()),
    /** The plan, set once: absent until the tenants are listed. */
    canaryTenantId: z.optional(z.string()),
    /** Wave 0 is the canary; wave 1 is every other tenant, run at most `maxConcurrency` at a time. */
    waves: z.optional(z.array(z.array(z.string()))),
    results: z.optional(z.record(z.string(), tenantResultSchema)),
    /** Set by a newer push while this one runs: no more tenants are scheduled. */
    supersededBy: z.optional(z.string()),
    stop: z.optional(z.object({ kind: z.enum(STOP_KINDS), reason: z.string(), at: z.string() })),
    reason: z.optional(z.string()),
    counts: z.optional(deploymentCountsSchema),
  }),
);
export type DeploymentRecord = z.infer<typeof deploymentRecordSchema>;

/** A deployment as read: `counts` always computed from the results, even while in progress. */
export type Deployment = DeploymentRecord & { counts: DeploymentCounts };

export function countOutcomes(results: Record<string, TenantResult> | undefined): DeploymentCounts {
  const counts = Object.fromEntries(TENANT_OUTCOMES.map((o) => [o, 0])) as DeploymentCounts;
  for (const result of Object.values(results ?? {})) counts[result.outcome] += 1;
  return counts;
}
