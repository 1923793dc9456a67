/** tenant-onboard: converge a tenant to ACTIVE. Renders statemachines/tenant-onboard.asl.json. */
import { POLLING } from '../../src/workflows/polling.ts';
import { catching, failWithCaughtError, ifBoolean, wait, type Machine } from './asl.ts';
import { acquireTenantLock, FN, leaseLostOr, RECORD_RETRY, releaseLock, RESOURCE_RETRY, tenantTask } from './tenant.ts';

/** Where ProvisionIndependently puts its branches' results, one key each. */
const MADE = '$.made';

/** Every resource onboarding makes, as the record keeps it (written twice: progress, then ACTIVE). */
const RESOURCES = {
  'tableName.$': `${MADE}.table.tableName`,
  'tableArn.$': `${MADE}.table.tableArn`,
  'bucketName.$': `${MADE}.bucket.bucketName`,
  'bucketArn.$': `${MADE}.bucket.bucketArn`,
  'taskRoleArn.$': '$.taskRole.taskRoleArn',
  'logGroup.$': `${MADE}.logs.logGroup`,
  'taskDefinitionArn.$': '$.taskDefinition.taskDefinitionArn',
  'targetGroupArn.$': `${MADE}.routing.targetGroupArn`,
  'listenerRuleArn.$': `${MADE}.routing.listenerRuleArn`,
  'serviceArn.$': '$.rollout.serviceArn',
};

const toCompensation = [catching('BeginCompensation')];

/**
 * The steps that need nothing made by another, each a branch of
 * ProvisionIndependently (keyed by where its result goes). The task role
 * needs the table and the bucket; the task definition the role, the log
 * group and the secrets; the service everything: those follow in order.
 */
const INDEPENDENT: Record<string, { state: string; comment: string; fn: string; action: string }> = {
  table: {
    state: 'EnsureTenantTable',
    comment: "The tenant's own table, from the app's table definition. NotReadyError while it is CREATING.",
    fn: FN.data,
    action: 'ensureTable',
  },
  bucket: { state: 'EnsureTenantBucket', comment: "The tenant's own bucket.", fn: FN.data, action: 'ensureBucket' },
  secrets: {
    state: 'EnsureTenantSecrets',
    comment:
      "The tenant's own secrets (its CSRF key, derived from the stack secret) in Secrets Manager; the task definition names them by ARN and ECS injects them, so no value is in the task definition.",
    fn: FN.access,
    action: 'ensureTenantSecrets',
  },
  logs: { state: 'EnsureLogGroup', comment: 'Where the tasks log (awslogs).', fn: FN.compute, action: 'ensureLogGroup' },
  routing: {
    state: 'EnsureTargetGroupAndRule',
    comment: 'Target group and the host-header rule of <tenant>.<domain>.',
    fn: FN.network,
    action: 'ensureRouting',
  },
};

/** One branch: the step's result is the branch's output; an error it could not retry becomes `{error}` instead of failing the Parallel. */
function branch(step: (typeof INDEPENDENT)[string]) {
  return {
    StartAt: step.state,
    States: {
      [step.state]: tenantTask({
        comment: step.comment,
        fn: step.fn,
        action: step.action,
        retry: RESOURCE_RETRY,
        catch: [catching(`${step.state}Caught`)],
      }),
      [`${step.state}Caught`]: { Type: 'Pass', Parameters: { 'error.$': '$.error' }, End: true },
    },
  };
}

/** A provisioning step: its failure starts compensation. */
function provision(comment: string, fn: string, action: string, resultPath: string, next: string, params?: Record<string, unknown>) {
  return tenantTask({ comment, fn, action, with: params, resultPath, retry: RESOURCE_RETRY, catch: toCompensation, next });
}

/** A compensation step: its failure is noted under $.failure.cleanupErrors.<key> and compensation goes on at `onError`. */
function compensate(spec: {
  comment: string;
  fn: string;
  action: string;
  key: string;
  onError: string;
  next?: string;
  resultPath?: string;
  with?: Record<string, unknown>;
}) {
  return tenantTask({
    comment: spec.comment,
    fn: spec.fn,
    action: spec.action,
    with: spec.with,
    resultPath: spec.resultPath ?? null,
    retry: RESOURCE_RETRY,
    catch: [catching(spec.onError, `$.failure.cleanupErrors.${spec.key}`)],
    next: spec.next ?? spec.onError,
  });
}

export const tenantOnboard: Machine = {
  Comment:
    'tenant-onboard: converge a tenant to ACTIVE. Input: {"tenantId": "ca"}. Every step is idempotent: re-running finishes a half-built tenant and creates nothing twice.',
  StartAt: 'AcquireTenantLock',
  TimeoutSeconds: 10800,
  States: {
    AcquireTenantLock: acquireTenantLock({
      comment:
        "Takes the tenant's lease (owner: this execution). Held by another execution: wait for it, up to about an hour (no jitter, so the bound is what it says).",
      onError: 'NoCleanupNeeded',
      next: 'BeginOnboarding',
    }),
    BeginOnboarding: tenantTask({
      comment: 'Reads the record fresh (an invalid one fails here with its validation message) and moves it to PROVISIONING.',
      fn: FN.record,
      action: 'beginOnboarding',
      resultPath: '$.tenant',
      retry: RECORD_RETRY,
      catch: leaseLostOr('NoCleanupNeeded'),
      next: 'ShouldOnboard',
    }),
    ShouldOnboard: ifBoolean(
      '$.tenant.proceed',
      false,
      'ReleaseLockUnchanged',
      'ProvisionIndependently',
      'The user may have asked for DELETED since this execution started: then offboarding (queued on the lease) does the work.',
    ),
    ReleaseLockUnchanged: releaseLock('NothingToDo', 'Nothing to do: give the lease back.'),
    NothingToDo: { Type: 'Succeed' },
    ProvisionIndependently: {
      Type: 'Parallel',
      Comment:
        "What needs nothing else made first, all at once. A branch's error is its result, so every branch has finished (nothing is still being made) before compensation starts.",
      Branches: Object.values(INDEPENDENT).map(branch),
      ResultSelector: Object.fromEntries(Object.keys(INDEPENDENT).map((key, index) => [`${key}.$`, `$[${index}]`])),
      ResultPath: MADE,
      Catch: toCompensation,
      Next: 'AllProvisioned',
    },
    AllProvisioned: {
      Type: 'Choice',
      Comment: "The first branch that failed, in the order above, gives the tenant's reason.",
      Choices: Object.entries(INDEPENDENT).map(([key, step]) => ({ Variable: `${MADE}.${key}.error`, IsPresent: true, Next: `${step.state}Failed` })),
      Default: 'EnsureTaskRole',
    },
    ...Object.fromEntries(
      Object.entries(INDEPENDENT).map(([key, step]) => [
        `${step.state}Failed`,
        { Type: 'Pass', InputPath: `${MADE}.${key}.error`, ResultPath: '$.error', Next: 'BeginCompensation' },
      ]),
    ),
    EnsureTaskRole: provision(
      "A role reaching only this table, its indexes and this bucket's objects.",
      FN.access,
      'ensureTaskRole',
      '$.taskRole',
      'RegisterTaskDefinition',
      {
        'tableArn.$': `${MADE}.table.tableArn`,
        'indexNames.$': `${MADE}.table.indexNames`,
        'bucketArn.$': `${MADE}.bucket.bucketArn`,
      },
    ),
    RegisterTaskDefinition: provision(
      'Pinned to the digest of the current release; no release yet is a permanent failure.',
      FN.compute,
      'registerTaskDefinition',
      '$.taskDefinition',
      'EnsureService',
      {
        'displayName.$': '$.tenant.displayName',
        'taskRoleArn.$': '$.taskRole.taskRoleArn',
        'logGroup.$': `${MADE}.logs.logGroup`,
        'csrfSecretArn.$': `${MADE}.secrets.csrfSecretArn`,
      },
    ),
    EnsureService: provision(
      'Fargate service behind the target group. A role IAM has not propagated yet surfaces as NotReadyError: retried.',
      FN.compute,
      'ensureService',
      '$.rollout',
      'RecordProvisionedResources',
      {
        'taskDefinitionArn.$': '$.taskDefinition.taskDefinitionArn',
        'desiredCount.$': '$.tenant.desiredCount',
        'targetGroupArn.$': `${MADE}.routing.targetGroupArn`,
      },
    ),
    RecordProvisionedResources: tenantTask({
      comment: 'Writes what exists so far and renews the lease before the long waits.',
      fn: FN.record,
      action: 'recordProgress',
      with: { resources: RESOURCES, detail: "waiting for the service's tasks to start and pass health checks" },
      resultPath: null,
      retry: RECORD_RETRY,
      catch: leaseLostOr('BeginCompensation'),
      next: 'CheckRollout',
    }),
    CheckRollout: provision(
      `One look at our deployment: COMPLETED goes on; a circuit-breaker rollback, or still running after maxPolls (${minutes(POLLING.onboardRollout)}), fails.`,
      FN.compute,
      'checkRollout',
      '$.rollout',
      'RolloutCompleted',
      {
        'serviceArn.$': '$.rollout.serviceArn',
        'deploymentId.$': '$.rollout.deploymentId',
        'polls.$': '$.rollout.polls',
        maxPolls: POLLING.onboardRollout.attempts,
      },
    ),
    RolloutCompleted: {
      Type: 'Choice',
      Choices: [{ Variable: '$.rollout.state', StringEquals: 'COMPLETED', Next: 'StartVerification' }],
      Default: 'WaitForRollout',
    },
    WaitForRollout: wait(POLLING.onboardRollout.intervalSeconds, 'CheckRollout'),
    StartVerification: { Type: 'Pass', Result: { ok: false, attempts: 0 }, ResultPath: '$.verification', Next: 'VerifyTenant' },
    VerifyTenant: provision(
      `ALB verification: targets healthy, enough, two zones, /health answering the digest. Not yet: wait and look again, up to maxAttempts (${minutes(POLLING.onboardVerify)}).`,
      FN.network,
      'verify',
      '$.verification',
      'TenantVerified',
      {
        'targetGroupArn.$': `${MADE}.routing.targetGroupArn`,
        'desiredCount.$': '$.tenant.desiredCount',
        'expectedDigest.$': '$.taskDefinition.image.digest',
        'attempts.$': '$.verification.attempts',
        maxAttempts: POLLING.onboardVerify.attempts,
      },
    ),
    TenantVerified: ifBoolean('$.verification.ok', true, 'MarkTenantActive', 'WaitForHealthyTargets'),
    WaitForHealthyTargets: wait(POLLING.onboardVerify.intervalSeconds, 'VerifyTenant'),
    MarkTenantActive: tenantTask({
      comment: 'ACTIVE with endpoint, image, health and every resource made.',
      fn: FN.record,
      action: 'markActive',
      with: { 'endpoint.$': `${MADE}.routing.endpoint`, 'image.$': '$.taskDefinition.image', 'health.$': '$.verification.health', resources: RESOURCES },
      resultPath: null,
      retry: RECORD_RETRY,
      catch: leaseLostOr('BeginCompensation'),
      next: 'ReleaseLockAfterOnboarding',
    }),
    ReleaseLockAfterOnboarding: releaseLock('Onboarded', 'Done: give the lease back (should this fail, the lease expires by itself).'),
    Onboarded: { Type: 'Succeed' },
    NoCleanupNeeded: {
      Type: 'Pass',
      Comment: 'Failed before anything was made.',
      Result: { wasServing: false, cleanupErrors: {} },
      ResultPath: '$.failure',
      Next: 'MarkTenantFailed',
    },
    BeginCompensation: {
      Type: 'Pass',
      Comment: 'The caught error stays at $.error; cleanup failures go to $.failure.cleanupErrors and never replace it.',
      Parameters: { 'wasServing.$': '$.tenant.wasServing', cleanupErrors: {} },
      ResultPath: '$.failure',
      Next: 'KeepServiceOrCompensate',
    },
    KeepServiceOrCompensate: ifBoolean(
      '$.failure.wasServing',
      true,
      'MarkTenantFailed',
      'RemoveFailedService',
      'A tenant that was serving before this run keeps its service: this run did not make it.',
    ),
    RemoveFailedService: compensate({
      comment: 'Compensation: scale to 0 and delete the service (data is kept).',
      fn: FN.compute,
      action: 'deleteService',
      key: 'service',
      onError: 'RemoveFailedRouting',
      next: 'CheckFailedServiceGone',
      resultPath: '$.drain',
    }),
    CheckFailedServiceGone: compensate({
      comment: `Bounded wait (${minutes(POLLING.serviceDrain)}) for the service to be gone before its target group goes.`,
      fn: FN.compute,
      action: 'checkServiceGone',
      key: 'service',
      onError: 'RemoveFailedRouting',
      next: 'FailedServiceGone',
      resultPath: '$.drain',
      with: { 'polls.$': '$.drain.polls', maxPolls: POLLING.serviceDrain.attempts },
    }),
    FailedServiceGone: ifBoolean('$.drain.gone', true, 'RemoveFailedRouting', 'WaitForFailedServiceDrain'),
    WaitForFailedServiceDrain: wait(POLLING.serviceDrain.intervalSeconds, 'CheckFailedServiceGone'),
    RemoveFailedRouting: compensate({
      comment: 'Compensation: listener rule, then target group.',
      fn: FN.network,
      action: 'removeRouting',
      key: 'routing',
      onError: 'RemoveFailedTaskRole',
    }),
    RemoveFailedTaskRole: compensate({
      comment: 'Compensation: the task role.',
      fn: FN.access,
      action: 'removeTaskRole',
      key: 'taskRole',
      onError: 'RemoveFailedTaskDefinitions',
    }),
    RemoveFailedTaskDefinitions: compensate({
      comment: 'Compensation: every revision of the family. Table, bucket and logs stay.',
      fn: FN.compute,
      action: 'removeTaskDefinitions',
      key: 'taskDefinitions',
      onError: 'RemoveFailedTenantSecrets',
    }),
    RemoveFailedTenantSecrets: compensate({
      comment: "Compensation: the tenant's secrets (they can be derived again). Table, bucket and logs stay.",
      fn: FN.access,
      action: 'removeTenantSecrets',
      key: 'secrets',
      onError: 'MarkTenantFailed',
    }),
    MarkTenantFailed: tenantTask({
      comment: "FAILED (DEGRADED if it was serving) with the error's message, for a person to act on.",
      fn: FN.record,
      action: 'markFailed',
      with: { 'error.$': '$.error', 'failure.$': '$.failure' },
      resultPath: '$.failure.outcome',
      retry: RECORD_RETRY,
      catch: [catching('ReleaseLockAfterFailure', '$.failure.markError')],
      next: 'ReleaseLockAfterFailure',
    }),
    ReleaseLockAfterFailure: releaseLock('OnboardingFailed', 'Give the lease back whatever happened.'),
    OnboardingFailed: failWithCaughtError("The original error; the tenant's statusReason says it in words."),
    NotStarted: failWithCaughtError('The lease stayed with another execution past the bound, or the record is gone: nothing was changed.'),
    LeaseLost: failWithCaughtError('Another execution took the tenant over (our lease expired): stop without touching it.'),
  },
};

function minutes(bound: { intervalSeconds: number; attempts: number }): string {
  return `${(bound.intervalSeconds * bound.attempts) / 60} min`;
}
