/**
 * One tenant's release within a deployment, as it travels through the
 * state machine: each tenant step takes it and returns the next one, and the
 * Choice states route on `phase`. Keeping the whole state in the execution
 * (not in a table) makes every step a pure function of its input plus the
 * cloud, so a retried step repeats safely.
 *
 * Phases, in order: QUEUED -> (LOCK_HELD ->)* ROLLING_OUT ->
 * VERIFYING -> VERIFIED -> SUCCEEDED; on failure ROLLOUT_FAILED ->
 * ROLLING_BACK -> VERIFYING_ROLLBACK -> ROLLBACK_VERIFIED -> ROLLED_BACK, or
 * ROLLBACK_FAILED -> FAILED. SKIPPED and NOOP end a release that never
 * touched the service.
 */
import * as z from 'zod/mini';
import '../kernel/zod-english.ts';
import { healthSchema, imageRefSchema, resourcesSchema } from '../tenants/schema.ts';
import { TenantReleaseError } from './errors.ts';
import { stripUndefined } from '../kernel/object.ts';
import type { TenantOutcome, TenantResult } from './schema.ts';

export const RELEASE_PHASES = [
  'QUEUED',
  'LOCK_HELD',
  'ROLLING_OUT',
  'VERIFYING',
  'VERIFIED',
  'ROLLOUT_FAILED',
  'ROLLING_BACK',
  'VERIFYING_ROLLBACK',
  'ROLLBACK_VERIFIED',
  'ROLLBACK_FAILED',
  'SKIPPED',
  'NOOP',
  'SUCCEEDED',
  'ROLLED_BACK',
  'FAILED',
] as const;
export type ReleasePhase = (typeof RELEASE_PHASES)[number];

/** Phases that end a release, and the outcome each is recorded as. */
export const TERMINAL_PHASES = {
  SKIPPED: 'SKIPPED',
  NOOP: 'NOOP',
  SUCCEEDED: 'SUCCEEDED',
  ROLLED_BACK: 'ROLLED_BACK',
  FAILED: 'FAILED',
} as const satisfies Partial<Record<ReleasePhase, TenantOutcome>>;

/**
 * The lease a release holds on its tenant: longer than the longest release
 * (rollout, verification, rollback and its verification at their bounds, plus
 * retries), so a live execution never loses it, while one that died frees the
 * tenant within the hour.
 */
export const RELEASE_LEASE_MS = 60 * 60 * 1000;

/** Built on first use (z.lazy keeps it), not at every cold start of a function that never reads a release. */
export const releaseSchema = z.lazy(() =>
  z.object({
    deploymentId: z.string(),
    tenantId: z.string(),
    /** The execution's name: the owner of the tenant's lease. */
    executionId: z.string(),
    image: imageRefSchema,
    phase: z.enum(RELEASE_PHASES),
    lockAttempts: z.number().check(z.int(), z.gte(0)),
    /** describeService polls of the ECS deployment being followed. */
    polls: z.number().check(z.int(), z.gte(0)),
    /** Verification attempts in the current phase. */
    checks: z.number().check(z.int(), z.gte(0)),
    serviceName: z.optional(z.string()),
    /** The tenant's resources as the release found them (the lease keeps anyone else from changing them). */
    resources: z.optional(resourcesSchema),
    /**
     * The tenant record's version once the release marked it DEPLOYING. The lease
     * keeps other workflows from writing it, so the step that ends the release
     * writes against this version without reading the record first.
     */
    tenantVersion: z.optional(z.number().check(z.int())),
    targetGroupArn: z.optional(z.string()),
    desiredCount: z.optional(z.number().check(z.int())),
    previousTaskDefinitionArn: z.optional(z.string()),
    newTaskDefinitionArn: z.optional(z.string()),
    /** The digest the tenant ran before: what a rollback must serve again. */
    previousDigest: z.optional(z.string()),
    /** The ECS deployment being followed (ours, then the rollback's). */
    serviceDeploymentId: z.optional(z.string()),
    health: z.optional(healthSchema),
    /** Why the new image failed on this tenant. */
    error: z.optional(z.string()),
    /** Why the rollback failed too (the tenant is then DEGRADED). */
    rollbackError: z.optional(z.string()),
    /** Why nothing was done (SKIPPED, NOOP). */
    reason: z.optional(z.string()),
    startedAt: z.optional(z.string()),
    endedAt: z.optional(z.string()),
  }),
);
export type Release = z.infer<typeof releaseSchema>;

export function isTerminal(phase: ReleasePhase): phase is keyof typeof TERMINAL_PHASES {
  return Object.hasOwn(TERMINAL_PHASES, phase);
}

/** The tenant result a release is recorded as. A release that ended in no terminal phase failed. */
export function resultOf(release: Release, now: Date, failure?: string): TenantResult {
  const outcome: TenantOutcome = failure || !isTerminal(release.phase) ? 'FAILED' : TERMINAL_PHASES[release.phase];
  const error =
    failure ??
    (isTerminal(release.phase) ? [release.error, release.rollbackError].filter(Boolean).join('; ') : `the release stopped in phase ${release.phase}`);
  return stripUndefined({
    tenantId: release.tenantId,
    outcome,
    previousTaskDefinitionArn: release.previousTaskDefinitionArn,
    newTaskDefinitionArn: release.newTaskDefinitionArn,
    error: outcome === 'FAILED' || outcome === 'ROLLED_BACK' ? error || undefined : undefined,
    reason: outcome === 'SKIPPED' || outcome === 'NOOP' ? release.reason : undefined,
    startedAt: release.startedAt,
    endedAt: release.endedAt ?? now.toISOString(),
  });
}

/** A field the release must carry in its phase; its absence is a state-machine bug, not a tenant's problem. */
export function need<K extends keyof Release>(release: Release, key: K): NonNullable<Release[K]> {
  const value = release[key];
  if (value === undefined || value === null) {
    throw new TenantReleaseError(release.tenantId, `the step got no ${key} in phase ${release.phase}; the state machine passed an incomplete release`);
  }
  return value as NonNullable<Release[K]>;
}
