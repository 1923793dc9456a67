/**
 * Steps on the tenant's own record (the tenants table, nothing else): the
 * per-tenant lease, the status moves, and what the workflow observed.
 *
 * Onboarding: acquireLock → beginOnboarding (PROVISIONING) → recordProgress →
 * markActive (ACTIVE) | markFailed (FAILED, or DEGRADED when it was serving) → releaseLock.
 * Offboarding: acquireLock → beginOffboarding (DEPROVISIONING) → markDeleted (DELETED) | markFailed → releaseLock.
 *
 * Every step reads the record fresh, so a stale stream event never applies an
 * old spec, and may run twice (Step Functions retries) without a second effect.
 */
import { DynamoDBServiceException } from '@aws-sdk/client-dynamodb';
import * as z from 'zod/mini';
import '../../kernel/zod-english.ts';
import { TransientCloudError } from '../../cloud/errors.ts';
import { InvalidTenantError, TenantLockedError } from '../../tenants/errors.ts';
import { bucketArn, tableArn } from '../../tenants/task-role-policy.ts';
import { healthSchema, imageRefSchema, resourcesSchema, tenantSpec, type TenantRecord, type TenantResources } from '../../tenants/schema.ts';
import type { TenantStatus } from '../../tenants/status.ts';
import { tenantIdProblem } from '../../tenants/tenant-id.ts';
import type { StepDeps } from '../deps.ts';
import { stepInputSchema, tenantNames } from './context.ts';
import { caughtErrorSchema, failureMessage } from '../kit/failure.ts';
import { parseStepInput } from '../kit/input.ts';
import { LeaseLostError } from './errors.ts';
import { tenantsByStatus, workflowEnded } from '../kit/signals.ts';
import type { MetricSample } from '../../kernel/metrics.ts';

/**
 * Long enough to outlast the longest stretch between two renewals (rollout
 * wait up to 20 min + verification up to 5 min + retries), short enough that a
 * tenant whose execution was stopped is free again within the hour.
 */
export const LOCK_TTL_MS = 45 * 60 * 1000;

const SERVING: readonly (TenantStatus | undefined)[] = ['ACTIVE', 'DEGRADED', 'DEPLOYING'];

/** The workflow's own input, passed as `$$.Execution.Input` so optional flags need no JSONPath of their own. */
const lockInput = z.lazy(() =>
  z.extend(stepInputSchema, { request: z.optional(z.looseObject({ recordDeleted: z.optional(z.boolean()), purgeData: z.optional(z.boolean()) })) }),
);
/** Each step's input schema is built on the step's first call (z.lazy keeps it): a Lambda runs one or two of them, and building all at import slows every cold start. */
const activeInput = z.lazy(() => z.extend(stepInputSchema, { endpoint: z.string(), image: imageRefSchema, health: healthSchema, resources: resourcesSchema }));
const progressInput = z.lazy(() => z.extend(stepInputSchema, { resources: resourcesSchema, detail: z.string() }));
const failedInput = z.lazy(() =>
  z.extend(stepInputSchema, {
    error: caughtErrorSchema,
    failure: z.optional(z.object({ wasServing: z.optional(z.boolean()), cleanupErrors: z.optional(z.record(z.string(), caughtErrorSchema)) })),
  }),
);
const deletedInput = z.lazy(() => z.extend(stepInputSchema, { purgeData: z.boolean() }));

export function recordSteps(deps: StepDeps) {
  const { tenants, cloud } = deps;

  /** A workflow made its last move: how it ended, and the fleet by status after it. */
  async function reportEnd(record: TenantRecord, executionId: string, outcome: TenantStatus): Promise<void> {
    const samples: MetricSample[] = [...workflowEnded(record, executionId, outcome, deps.now()), ...tenantsByStatus(await tenants.all())];
    for (const sample of samples) deps.metrics.record(sample);
  }

  /** Renews our lease; another live owner means ours expired and was taken: stop. */
  async function renewLease(tenantId: string, owner: string): Promise<void> {
    try {
      await tenants.acquireLock(tenantId, owner, LOCK_TTL_MS);
    } catch (error) {
      if (error instanceof TenantLockedError) {
        throw new LeaseLostError(`tenant "${tenantId}" is now held by ${error.holder}; execution ${owner} stopped without changing it further`, {
          cause: error,
        });
      }
      throw error;
    }
  }

  /** True when this execution already made the move (a retried step whose first attempt succeeded). */
  function alreadyMoved(record: TenantRecord, to: TenantStatus, executionId: string): boolean {
    return record.status === to && record.history?.at(-1)?.executionId === executionId;
  }

  const steps = {
    /** Takes the tenant's lease. Refuses an invalid id before touching the table; a deleted record has no lease to take. */
    async acquireLock(raw: unknown) {
      const { tenantId, executionId, request } = parseStepInput(lockInput, raw);
      const problem = tenantIdProblem(tenantId);
      if (problem) throw new InvalidTenantError(problem);
      if (request?.recordDeleted) return { held: false };
      await tenants.acquireLock(tenantId, executionId, LOCK_TTL_MS);
      return { held: true, owner: executionId, ttlSeconds: LOCK_TTL_MS / 1000 };
    },

    /** Reads the record fresh, validates it, and moves it to PROVISIONING unless the user now wants it DELETED. */
    async beginOnboarding(raw: unknown) {
      const { tenantId, executionId } = parseStepInput(stepInputSchema, raw);
      const record = await tenants.require(tenantId);
      const spec = tenantSpec(record);
      await renewLease(tenantId, executionId);
      if (spec.desiredState !== 'ACTIVE') return { proceed: false, reason: `desiredState is ${spec.desiredState}` };
      const wasServing = SERVING.includes(record.status);
      await tenants.transition(tenantId, 'PROVISIONING', { reason: 'onboarding', executionId });
      return { proceed: true, displayName: spec.displayName, desiredCount: spec.desiredCount, wasServing };
    },

    /** Writes what exists so far, so a person (or a later run) can see it while ECS starts tasks; renews the lease. */
    async recordProgress(raw: unknown) {
      const { tenantId, executionId, resources, detail } = parseStepInput(progressInput, raw);
      await renewLease(tenantId, executionId);
      const current = await tenants.require(tenantId);
      await tenants.writeObserved(tenantId, current.version, { resources: { ...current.resources, ...resources }, statusReason: `onboarding: ${detail}` });
      return { recorded: true };
    },

    /** ACTIVE, with endpoint, image, health and every resource made. */
    async markActive(raw: unknown) {
      const { tenantId, executionId, endpoint, image, health, resources } = parseStepInput(activeInput, raw);
      await renewLease(tenantId, executionId);
      if (alreadyMoved(await tenants.require(tenantId), 'ACTIVE', executionId)) return { status: 'ACTIVE' };
      const zones = health.zones.join(', ') || 'no zone';
      const reason = `onboarded: ${health.healthy}/${health.total} targets healthy in ${zones}, serving ${image.tag} (${image.digest})`;
      const active = await tenants.transition(tenantId, 'ACTIVE', { reason, executionId, observed: { endpoint, image, health, resources } });
      await reportEnd(active, executionId, 'ACTIVE');
      return { status: 'ACTIVE' };
    },

    /**
     * FAILED with the caught error's message (DEGRADED when the tenant was
     * serving before and its service was left in place). A record that does not
     * validate is marked FAILED with the validation message; a missing record,
     * or one another execution now holds, is left alone.
     */
    async markFailed(raw: unknown) {
      const { tenantId, executionId, error, failure } = parseStepInput(failedInput, raw);
      const message = failureMessage(error);
      const cleanup = Object.entries(failure?.cleanupErrors ?? {}).map(([step, e]) => `${step}: ${failureMessage(e)}`);
      const status: TenantStatus = failure?.wasServing ? 'DEGRADED' : 'FAILED';
      const reason = failure?.wasServing
        ? `${message}; the service that was running before was left in place`
        : cleanup.length > 0
          ? `${message} (cleanup incomplete, ${cleanup.join('; ')})`
          : message;
      const outcome = { status, error: error.Error, reason };
      if (tenantIdProblem(tenantId) !== undefined) {
        // Ids DynamoDB itself refuses (empty, not a string) have no record to write to.
        if (tenantId.length > 0 && Buffer.byteLength(tenantId) <= 2048) await tenants.markInvalid(tenantId, reason);
        return { ...outcome, status: 'FAILED' };
      }
      let record: TenantRecord | undefined;
      try {
        record = await tenants.get(tenantId);
      } catch (parseError) {
        if (!(parseError instanceof InvalidTenantError)) throw parseError;
        await tenants.markInvalid(tenantId, reason);
        return { ...outcome, status: 'FAILED' };
      }
      if (!record) return { ...outcome, recorded: false };
      const lock = record.lock;
      if (lock && lock.owner !== executionId && lock.expiresAt > deps.now().getTime()) return { ...outcome, recorded: false };
      if (!alreadyMoved(record, status, executionId)) await reportEnd(await tenants.transition(tenantId, status, { reason, executionId }), executionId, status);
      return { ...outcome, recorded: true };
    },

    /** Gives the lease back (a no-op when not held: the id was invalid, or the lease expired and moved on). */
    async releaseLock(raw: unknown) {
      const { tenantId, executionId } = parseStepInput(stepInputSchema, raw);
      if (tenantIdProblem(tenantId) !== undefined) return { released: false };
      await tenants.releaseLock(tenantId, executionId);
      return { released: true };
    },

    /**
     * Decides what offboarding removes: purgeData from the record (or, when the
     * user deleted the record itself, from the old image the stream passed in),
     * and moves it to DEPROVISIONING unless the user now wants it ACTIVE again.
     */
    async beginOffboarding(raw: unknown) {
      const { tenantId, executionId, request } = parseStepInput(lockInput, raw);
      if (request?.recordDeleted) return { proceed: true, recordDeleted: true, purgeData: request.purgeData ?? false };
      const spec = tenantSpec(await tenants.require(tenantId));
      await renewLease(tenantId, executionId);
      if (spec.desiredState !== 'DELETED') return { proceed: false, recordDeleted: false, purgeData: false, reason: `desiredState is ${spec.desiredState}` };
      await tenants.transition(tenantId, 'DEPROVISIONING', {
        reason: spec.purgeData ? 'offboarding; data will be purged' : 'offboarding; data will be kept',
        executionId,
      });
      return { proceed: true, recordDeleted: false, purgeData: spec.purgeData };
    },

    /** DELETED; the record keeps the names of the data left behind (if any), and loses endpoint, image and health. */
    async markDeleted(raw: unknown) {
      const { tenantId, executionId, purgeData } = parseStepInput(deletedInput, raw);
      await renewLease(tenantId, executionId);
      if (alreadyMoved(await tenants.require(tenantId), 'DELETED', executionId)) return { status: 'DELETED' };
      const names = tenantNames(cloud.platform, tenantId);
      const kept: TenantResources = purgeData
        ? {}
        : {
            tableName: names.table,
            tableArn: tableArn(cloud.platform.region, cloud.platform.accountId, names.table),
            bucketName: names.bucket,
            bucketArn: bucketArn(cloud.platform.region, names.bucket),
            logGroup: names.logGroup,
          };
      // The state's group of the user pool goes with the data: who its staff were.
      const group = cloud.staffPool ? `, the user pool's group ${tenantId}` : '';
      const reason = purgeData
        ? // Names each thing deleted, so the person who asked can check that nothing with personnel data is left.
          `offboarded; deleted table ${names.table}, bucket ${names.bucket}${group} and log group ${names.logGroup} (with every task log in it)`
        : `offboarded; data kept in table ${names.table}, bucket ${names.bucket}${group} and log group ${names.logGroup} (to delete it: humangov tenant remove ${tenantId} --purge, or DELETE /tenants/${tenantId}?purge=true)`;
      const deleted = await tenants.transition(tenantId, 'DELETED', { reason, executionId, observed: { resources: kept } });
      await tenants.clearObserved(tenantId, ['endpoint', 'image', 'health']);
      await reportEnd(deleted, executionId, 'DELETED');
      return { status: 'DELETED' };
    },
  };

  return withTransientTableErrors(steps);
}

/**
 * DynamoDB throttling and 5xx (after the SDK's own retries) become
 * TransientCloudError, which the state machines retry with backoff.
 */
function withTransientTableErrors<T extends Record<string, (raw: unknown) => Promise<unknown>>>(steps: T): T {
  const guarded: Record<string, (raw: unknown) => Promise<unknown>> = {};
  for (const [name, step] of Object.entries(steps)) {
    guarded[name] = async (raw) => {
      try {
        return await step(raw);
      } catch (error) {
        if (error instanceof DynamoDBServiceException && (error.$fault === 'server' || error.$retryable !== undefined)) {
          throw new TransientCloudError(`the tenants table is unavailable (${error.name}): ${error.message}`, { cause: error });
        }
        throw error;
      }
    };
  }
  return guarded as T;
}
