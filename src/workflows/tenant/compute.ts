/**
 * Steps on ECS Fargate and CloudWatch Logs.
 *
 * Onboarding: ensureLogGroup → registerTaskDefinition (pinned to the current
 * release, its secrets named by the ARNs ensureTenantSecrets returned) → ensureService → checkRollout (looped by the state machine, with a
 * bound). Offboarding and compensation: deleteService → checkServiceGone
 * (looped, bounded) → removeTaskDefinitions; removeLogGroup only when purging.
 *
 * Loops live in the state machine (Wait + describe), never in a sleeping
 * Lambda; each check carries the poll count forward and gives up at `maxPolls`.
 */
import * as z from 'zod/mini';
import '../../kernel/zod-english.ts';
import { assessRollout } from '../../tenants/rollout.ts';
import type { TenantRecord } from '../../tenants/schema.ts';
import type { StepDeps } from '../deps.ts';
import { parseStepInput } from '../kit/input.ts';
import { stepInputSchema, tenantNames, tenantTags } from './context.ts';
import { NoReleaseError, RolloutFailedError, RolloutTimedOutError, ServiceNotGoneError } from './errors.ts';
import { LOG_RETENTION_DAYS, pinnedImage, TASK_CPU, TASK_MEMORY, taskEnvironment, taskSecrets } from './task-environment.ts';

/** Each step's input schema is built on the step's first call (z.lazy keeps it): a Lambda runs one or two of them, and building all at import slows every cold start. */
const taskDefinitionInput = z.lazy(() =>
  z.extend(stepInputSchema, { displayName: z.string(), taskRoleArn: z.string(), logGroup: z.string(), csrfSecretArn: z.string() }),
);
const serviceInput = z.lazy(() =>
  z.extend(stepInputSchema, {
    taskDefinitionArn: z.string(),
    desiredCount: z.number().check(z.int(), z.gte(1)),
    targetGroupArn: z.string(),
  }),
);
const pollFields = () => ({ polls: z.number().check(z.int(), z.gte(0)), maxPolls: z.number().check(z.int(), z.gte(1)) });
const rolloutInput = z.lazy(() => z.extend(stepInputSchema, { serviceArn: z.string(), deploymentId: z.string(), ...pollFields() }));
const goneInput = z.lazy(() => z.extend(stepInputSchema, pollFields()));

export function computeSteps(deps: StepDeps) {
  const { cloud, releases } = deps;
  return {
    async ensureLogGroup(raw: unknown) {
      const { tenantId } = parseStepInput(stepInputSchema, raw);
      const names = tenantNames(cloud.platform, tenantId);
      await cloud.logs.ensureLogGroup({ name: names.logGroup, retentionDays: LOG_RETENTION_DAYS, tags: tenantTags(cloud.platform, tenantId) });
      return { logGroup: names.logGroup };
    },

    /**
     * A revision running the current release by digest with the app's
     * environment and secrets, or the release a rollout still in progress already
     * brought this tenant to (a change of its user fields written meanwhile must
     * not put it back on the previous one while the rollout reports it done).
     * Registering the same spec again returns the same revision,
     * so a re-run creates nothing new. No release yet is a failure a person fixes by pushing one.
     */
    async registerTaskDefinition(raw: unknown) {
      const { tenantId, displayName, taskRoleArn, logGroup, csrfSecretArn } = parseStepInput(taskDefinitionInput, raw);
      const [current, rolling] = await Promise.all([releases.currentRelease(), releases.rollingOut()]);
      let record: TenantRecord | undefined;
      const tenant = async () => (record ??= await deps.tenants.require(tenantId));
      const reached = rolling !== undefined && rolling.digest !== current?.digest && (await tenant()).image?.digest === rolling.digest;
      const release = reached ? rolling : current;
      if (!release) throw new NoReleaseError(cloud.platform.imageRepository);
      const names = tenantNames(cloud.platform, tenantId);
      const image = pinnedImage(cloud.platform, release);
      // Only a platform that signs staff in needs the record's IdP.
      const identityProvider = cloud.platform.signIn ? (await tenant()).identityProvider : undefined;
      const ref = await cloud.compute.registerTaskDefinition({
        family: names.taskFamily,
        image,
        cpu: TASK_CPU,
        memory: TASK_MEMORY,
        environment: taskEnvironment({ platform: cloud.platform, tenantId, displayName, names, image, identityProvider }),
        secrets: taskSecrets({ csrfSecretArn }),
        taskRoleArn,
        logGroup,
        tags: tenantTags(cloud.platform, tenantId),
      });
      return { taskDefinitionArn: ref.arn, revision: ref.revision, image: release };
    },

    /** Creates the service (or brings it to this task definition and count); returns the deployment to follow, at poll 0. */
    async ensureService(raw: unknown) {
      const { tenantId, taskDefinitionArn, desiredCount, targetGroupArn } = parseStepInput(serviceInput, raw);
      const names = tenantNames(cloud.platform, tenantId);
      const change = await cloud.compute.ensureService({
        name: names.service,
        taskDefinitionArn,
        desiredCount,
        targetGroupArn,
        tags: tenantTags(cloud.platform, tenantId),
      });
      return { serviceArn: change.serviceArn, deploymentId: change.deploymentId, changed: change.changed, state: 'IN_PROGRESS', polls: 0 };
    },

    /**
     * One look at the deployment. COMPLETED goes on; a circuit-breaker rollback
     * (or any other failure assessRollout finds) and running out of polls are failures.
     */
    async checkRollout(raw: unknown) {
      const { tenantId, serviceArn, deploymentId, polls, maxPolls } = parseStepInput(rolloutInput, raw);
      const names = tenantNames(cloud.platform, tenantId);
      const verdict = assessRollout(await cloud.compute.describeService(names.service), deploymentId);
      const next = { serviceArn, deploymentId, polls: polls + 1 };
      if (verdict.state === 'FAILED') throw new RolloutFailedError(`service ${names.service} did not start: ${verdict.reason}`);
      if (verdict.state === 'COMPLETED') return { ...next, state: 'COMPLETED' };
      if (next.polls >= maxPolls) {
        throw new RolloutTimedOutError(
          `service ${names.service} was still deploying after ${next.polls} checks (${verdict.detail}); see its events in the ECS console and the log group ${names.logGroup}`,
        );
      }
      return { ...next, state: 'IN_PROGRESS', detail: verdict.detail };
    },

    /** Scales the service to zero and deletes it; the state machine then waits until it is gone. */
    async deleteService(raw: unknown) {
      const { tenantId } = parseStepInput(stepInputSchema, raw);
      const names = tenantNames(cloud.platform, tenantId);
      await cloud.compute.deleteService(names.service);
      return { gone: false, polls: 0 };
    },

    /** Gone once ECS no longer knows the service or reports it INACTIVE; still DRAINING after maxPolls is a failure. */
    async checkServiceGone(raw: unknown) {
      const { tenantId, polls, maxPolls } = parseStepInput(goneInput, raw);
      const names = tenantNames(cloud.platform, tenantId);
      const service = await cloud.compute.describeService(names.service);
      const gone = !service || service.status === 'INACTIVE';
      if (!gone && polls + 1 >= maxPolls) {
        throw new ServiceNotGoneError(
          `service ${names.service} was still ${service.status.toLowerCase()} after ${polls + 1} checks; its tasks may be stuck stopping (see the ECS console)`,
        );
      }
      return { gone, polls: polls + 1 };
    },

    async removeTaskDefinitions(raw: unknown) {
      const { tenantId } = parseStepInput(stepInputSchema, raw);
      const names = tenantNames(cloud.platform, tenantId);
      return { deregistered: await cloud.compute.deregisterTaskDefinitions(names.taskFamily) };
    },

    async removeLogGroup(raw: unknown) {
      const { tenantId } = parseStepInput(stepInputSchema, raw);
      const names = tenantNames(cloud.platform, tenantId);
      await cloud.logs.deleteLogGroup(names.logGroup);
      return { removed: names.logGroup };
    },
  };
}
