/** image-deploy: an ECR push rolled out to every ACTIVE tenant. Renders statemachines/image-deploy.asl.json. */
import { POLLING } from '../../src/workflows/polling.ts';
import { catching, onString, RETRY, task, wait, type Machine, type State } from './asl.ts';

const FN = {
  record: '${DeploymentRecordFunctionArn}',
  release: '${TenantReleaseFunctionArn}',
} as const;

/** A step on the deployment record, with this execution's name. */
function deploymentTask(spec: { comment: string; action: string; with?: Record<string, unknown>; resultPath: string; onError?: string; next: string }): State {
  return task({
    comment: spec.comment,
    resource: FN.record,
    parameters: { action: spec.action, ...spec.with, 'executionId.$': '$$.Execution.Name' },
    resultPath: spec.resultPath,
    retry: [RETRY.deploymentRecord],
    catch: spec.onError === undefined ? undefined : [catching(spec.onError, '$.failure')],
    next: spec.next,
  });
}

/** The parameters every step of one tenant's release is called with: the release so far, its tenant, its owner. */
function releaseParams(action: string, extra?: Record<string, unknown>) {
  return { action, 'release.$': '$.release', 'tenantId.$': '$.release.tenantId', 'executionId.$': '$.release.executionId', ...extra };
}

/** A step of one tenant's release: an unexpected error abandons the release (the child never fails). */
function releaseTask(comment: string | undefined, action: string, next: string, onError = catching('AbandonTenantRelease', '$.failure')): State {
  return task({
    comment,
    resource: FN.release,
    parameters: releaseParams(action),
    resultPath: '$.release',
    retry: [RETRY.tenantRelease],
    catch: [onError],
    next,
  });
}

/** The child's last step: its small result is the child's output. */
function recordOutcome(comment: string, action: string, extra?: Record<string, unknown>): State {
  return task({
    comment,
    resource: FN.record,
    parameters: releaseParams(action, extra),
    resultSelector: { 'tenantId.$': '$.tenantId', 'outcome.$': '$.outcome' },
    resultPath: '$.result',
    outputPath: '$.result',
    retry: [RETRY.deploymentRecord],
  });
}

const tenantRelease = {
  Comment:
    "One tenant's release, a child execution of its own (its own history of at most 25,000 events). Every path ends in RecordTenantResult (or RecordTenantFailure), whose small result is the child's output: a child never fails, so one tenant cannot stop the others, and a wave's results stay far under 256 KB.",
  ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
  StartAt: 'CheckTenantTurn',
  States: {
    CheckTenantTurn: task({
      comment: 'Is the rollout still going (not stopped by failures, not superseded)? If not, SKIPPED before anything is touched.',
      resource: FN.record,
      parameters: releaseParams('checkTurn'),
      resultPath: '$.release',
      retry: [RETRY.deploymentRecord],
      next: 'IsTenantTurn',
    }),
    IsTenantTurn: {
      ...onString('$.release.phase', { SKIPPED: 'RecordTenantResult' }, 'StartTenantRelease'),
      Comment: 'SKIPPED: the rollout stopped; leave the tenant on its image.',
    },
    StartTenantRelease: releaseTask(
      "Take the tenant's lease (LOCK_HELD while another workflow has it). SKIPPED if gone or not ACTIVE, NOOP if already on the digest; else register the new revision, mark DEPLOYING, update the service: ROLLING_OUT.",
      'start',
      'IsReleaseStarted',
    ),
    IsReleaseStarted: onString('$.release.phase', { ROLLING_OUT: 'WaitForRollout', LOCK_HELD: 'WaitForTenantLock' }, 'RecordTenantResult'),
    WaitForTenantLock: wait(
      POLLING.releaseLock.intervalSeconds,
      'CheckTenantTurn',
      'Another workflow holds the tenant; ask again (re-checking the rollout first) shortly.',
    ),
    WaitForRollout: wait(POLLING.releaseRollout.intervalSeconds, 'CheckRollout'),
    CheckRollout: releaseTask(
      'describeService: our ECS deployment COMPLETED, still IN_PROGRESS, or failed (circuit breaker, replaced, out of time).',
      'watchRollout',
      'IsRolloutDone',
    ),
    IsRolloutDone: onString('$.release.phase', { ROLLING_OUT: 'WaitForRollout', VERIFYING: 'VerifyTenant' }, 'RollBackTenant'),
    VerifyTenant: releaseTask('Through the load balancer: every target healthy over two zones, /health serving the new digest.', 'verify', 'IsTenantVerified'),
    IsTenantVerified: onString('$.release.phase', { VERIFIED: 'CompleteTenantRelease', VERIFYING: 'WaitBeforeVerifying' }, 'RollBackTenant'),
    WaitBeforeVerifying: wait(POLLING.releaseVerify.intervalSeconds, 'VerifyTenant'),
    CompleteTenantRelease: releaseTask('The tenant ACTIVE on the new image and task definition; lease released.', 'complete', 'RecordTenantResult'),
    RollBackTenant: releaseTask('Point the service back at the previous task definition.', 'rollBack', 'WaitForRollback'),
    WaitForRollback: wait(POLLING.releaseRollout.intervalSeconds, 'CheckRollback'),
    CheckRollback: releaseTask("describeService: the rollback's ECS deployment.", 'watchRollout', 'IsRollbackDone'),
    IsRollbackDone: onString('$.release.phase', { ROLLING_BACK: 'WaitForRollback', VERIFYING_ROLLBACK: 'VerifyRollback' }, 'DegradeTenant'),
    VerifyRollback: releaseTask('Through the load balancer: /health serving the previous digest again.', 'verify', 'IsRollbackVerified'),
    IsRollbackVerified: onString('$.release.phase', { ROLLBACK_VERIFIED: 'RestoreTenant', VERIFYING_ROLLBACK: 'WaitBeforeVerifyingRollback' }, 'DegradeTenant'),
    WaitBeforeVerifyingRollback: wait(POLLING.releaseVerify.intervalSeconds, 'VerifyRollback'),
    RestoreTenant: releaseTask('The tenant ACTIVE on its previous image, the failure as its reason: ROLLED_BACK.', 'restore', 'RecordTenantResult'),
    DegradeTenant: releaseTask('The rollback did not verify: the tenant DEGRADED with the reasons: FAILED.', 'degrade', 'RecordTenantResult'),
    AbandonTenantRelease: task({
      comment: 'An unexpected error: put the service back on the recorded task definition, release the lease: FAILED.',
      resource: FN.release,
      parameters: releaseParams('abandon', { 'failure.$': '$.failure' }),
      resultPath: '$.release',
      retry: [RETRY.tenantRelease],
      catch: [catching('RecordTenantFailure', '$.abandonFailure')],
      next: 'RecordTenantResult',
    }),
    RecordTenantResult: recordOutcome("The tenant's result in the deployment record.", 'recordResult'),
    RecordTenantFailure: recordOutcome(
      "The tenant's result when even abandoning failed: FAILED with the original error (its lease expires by itself).",
      'recordFailure',
      { 'failure.$': '$.failure' },
    ),
  },
};

export const imageDeploy: Machine = {
  Comment:
    'image-deploy: an ECR push of a release image rolled out to every ACTIVE tenant: the canary first (wave 0), then the rest (wave 1) at most maxConcurrency at a time, each tenant a child execution of a Distributed Map; each tenant verified through the load balancer and rolled back on failure; the rollout stops when failures pass failureThreshold or a newer push supersedes it. Input: {event, maxConcurrency, failureThreshold}.',
  StartAt: 'RecordDeployment',
  States: {
    RecordDeployment: deploymentTask({
      comment: 'Validate the event; create the deployment once (a redelivered event finds it); supersede an older rollout still running.',
      action: 'record',
      with: { 'input.$': '$' },
      resultPath: '$.deployment',
      next: 'ShouldRollOut',
    }),
    ShouldRollOut: {
      Type: 'Choice',
      Comment: 'A duplicate event, or a push older than one already deploying: nothing to do.',
      Choices: [{ Variable: '$.deployment.proceed', BooleanEquals: true, Next: 'PlanRollout' }],
      Default: 'DeploymentAlreadyHandled',
    },
    DeploymentAlreadyHandled: { Type: 'Succeed' },
    PlanRollout: deploymentTask({
      comment: 'The deployable tenants, the canary, the waves; every tenant PENDING.',
      action: 'plan',
      with: { 'deploymentId.$': '$.deployment.deploymentId' },
      resultPath: '$.plan',
      onError: 'FailDeployment',
      next: 'StartWaves',
    }),
    StartWaves: {
      Type: 'Pass',
      Comment: 'Wave 0 is the canary alone, wave 1 every other tenant; waves run one after the other.',
      Parameters: { index: 0, 'count.$': 'States.ArrayLength($.plan.waves)' },
      ResultPath: '$.waves',
      Next: 'HasNextWave',
    },
    HasNextWave: {
      Type: 'Choice',
      Choices: [{ Variable: '$.waves.index', NumericLessThanPath: '$.waves.count', Next: 'SelectWave' }],
      Default: 'FinishDeployment',
    },
    SelectWave: {
      Type: 'Pass',
      Parameters: { 'index.$': '$.waves.index', 'count.$': '$.waves.count', 'tenantIds.$': 'States.ArrayGetItem($.plan.waves, $.waves.index)' },
      ResultPath: '$.waves',
      Next: 'RollOutWave',
    },
    RollOutWave: {
      Type: 'Map',
      Comment:
        "The wave's tenants, at most maxConcurrency at a time (up to 10,000 in distributed mode, where an inline Map runs 40), each a child execution of this state machine. A child never fails (see its Comment), so none is tolerated: a child that does fail is a fault of the rollout itself.",
      ItemsPath: '$.waves.tenantIds',
      MaxConcurrencyPath: '$.deployment.maxConcurrency',
      ToleratedFailureCount: 0,
      ItemSelector: {
        release: {
          'deploymentId.$': '$.deployment.deploymentId',
          'executionId.$': '$$.Execution.Name',
          'image.$': '$.deployment.image',
          'tenantId.$': '$$.Map.Item.Value',
          phase: 'QUEUED',
          lockAttempts: 0,
          polls: 0,
          checks: 0,
        },
      },
      ItemProcessor: tenantRelease,
      ResultPath: null,
      Catch: [catching('FailDeployment', '$.failure')],
      Next: 'NextWave',
    },
    NextWave: {
      Type: 'Pass',
      Parameters: { 'index.$': 'States.MathAdd($.waves.index, 1)', 'count.$': '$.waves.count' },
      ResultPath: '$.waves',
      Next: 'HasNextWave',
    },
    FinishDeployment: deploymentTask({
      comment: 'Tenants not reached: SKIPPED. The deployment ends SUCCEEDED (and becomes the current release), FAILED or SUPERSEDED.',
      action: 'finish',
      with: { 'deploymentId.$': '$.deployment.deploymentId' },
      resultPath: '$.result',
      onError: 'FailDeployment',
      next: 'DidRolloutSucceed',
    }),
    DidRolloutSucceed: {
      Type: 'Choice',
      Choices: [{ Variable: '$.result.status', StringEquals: 'FAILED', Next: 'RolloutFailed' }],
      Default: 'RolloutDone',
    },
    RolloutDone: { Type: 'Succeed' },
    RolloutFailed: { Type: 'Fail', Error: 'RolloutFailed', CausePath: '$.result.reason' },
    FailDeployment: deploymentTask({
      comment: 'An unexpected error cut the rollout short: tenants not reached SKIPPED, the deployment FAILED.',
      action: 'fail',
      with: { 'deploymentId.$': '$.deployment.deploymentId', 'failure.$': '$.failure' },
      resultPath: '$.result',
      next: 'DeploymentFailed',
    }),
    DeploymentFailed: { Type: 'Fail', Error: 'DeploymentFailed', CausePath: '$.result.reason' },
  },
};
