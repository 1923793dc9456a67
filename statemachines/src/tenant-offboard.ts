/** tenant-offboard: converge a tenant to DELETED. Renders statemachines/tenant-offboard.asl.json. */
import { POLLING } from '../../src/workflows/polling.ts';
import { catching, failWithCaughtError, ifBoolean, wait, type Machine } from './asl.ts';
import { acquireTenantLock, FN, leaseLostOr, RECORD_RETRY, releaseLock, RESOURCE_RETRY, tenantTask } from './tenant.ts';

const toFailed = [catching('MarkOffboardingFailed')];

/** A teardown step: its failure marks the tenant FAILED (running offboarding again finishes the job). */
function teardown(comment: string, fn: string, action: string, next: string, resultPath: string | null = null, params?: Record<string, unknown>) {
  return tenantTask({ comment, fn, action, with: params, resultPath, retry: RESOURCE_RETRY, catch: toFailed, next });
}

export const tenantOffboard: Machine = {
  Comment:
    'tenant-offboard: converge a tenant to DELETED. Input: {"tenantId": "ca", "recordDeleted"?: true, "purgeData"?: true}. Data is kept unless purgeData.',
  StartAt: 'AcquireTenantLock',
  TimeoutSeconds: 7200,
  States: {
    AcquireTenantLock: acquireTenantLock({
      comment: "Takes the tenant's lease; waits (about an hour at most) while another execution holds it. A deleted record has no lease to take.",
      with: { 'request.$': '$$.Execution.Input' },
      onError: 'MarkOffboardingFailed',
      next: 'BeginOffboarding',
    }),
    BeginOffboarding: tenantTask({
      comment: 'Reads purgeData fresh from the record (or from the input when the record itself was deleted) and moves it to DEPROVISIONING.',
      fn: FN.record,
      action: 'beginOffboarding',
      with: { 'request.$': '$$.Execution.Input' },
      resultPath: '$.tenant',
      retry: RECORD_RETRY,
      catch: leaseLostOr('MarkOffboardingFailed'),
      next: 'ShouldOffboard',
    }),
    ShouldOffboard: ifBoolean(
      '$.tenant.proceed',
      false,
      'ReleaseLockUnchanged',
      'DeleteTenantService',
      'The user may have asked for ACTIVE again since this execution started.',
    ),
    ReleaseLockUnchanged: releaseLock('NothingToDo', 'Nothing to do: give the lease back.'),
    NothingToDo: { Type: 'Succeed' },
    DeleteTenantService: teardown('Scale to 0 and delete.', FN.compute, 'deleteService', 'CheckServiceGone', '$.drain'),
    CheckServiceGone: teardown(
      `Bounded wait (${(POLLING.serviceDrain.intervalSeconds * POLLING.serviceDrain.attempts) / 60} min) until ECS reports the service gone.`,
      FN.compute,
      'checkServiceGone',
      'ServiceGone',
      '$.drain',
      { 'polls.$': '$.drain.polls', maxPolls: POLLING.serviceDrain.attempts },
    ),
    ServiceGone: ifBoolean('$.drain.gone', true, 'RemoveTenantRouting', 'WaitForServiceDrain'),
    WaitForServiceDrain: wait(POLLING.serviceDrain.intervalSeconds, 'CheckServiceGone'),
    RemoveTenantRouting: teardown('Listener rule, then target group.', FN.network, 'removeRouting', 'RemoveTaskRole'),
    RemoveTaskRole: teardown('The task role and its policy.', FN.access, 'removeTaskRole', 'RemoveTaskDefinitions'),
    RemoveTaskDefinitions: teardown("Every revision of the tenant's family.", FN.compute, 'removeTaskDefinitions', 'RemoveTenantSecrets'),
    RemoveTenantSecrets: teardown(
      "The tenant's secrets, deleted at once (no recovery window: they can be derived again, and the name is free for a later onboarding).",
      FN.access,
      'removeTenantSecrets',
      'ShouldPurgeData',
    ),
    ShouldPurgeData: ifBoolean('$.tenant.purgeData', true, 'PurgeTenantData', 'ShouldRecordDeletion', 'Data is kept unless the user set purgeData.'),
    PurgeTenantData: teardown('Empty and delete the bucket, delete the table (the port lifts deletion protection).', FN.data, 'purgeData', 'PurgeTenantLogs'),
    PurgeTenantLogs: teardown("The tenant's log group.", FN.compute, 'removeLogGroup', 'ShouldRecordDeletion'),
    ShouldRecordDeletion: ifBoolean('$.tenant.recordDeleted', true, 'Offboarded', 'MarkTenantDeleted', 'A deleted record has no status to write.'),
    MarkTenantDeleted: tenantTask({
      comment: 'DELETED, naming the data kept (if any).',
      fn: FN.record,
      action: 'markDeleted',
      with: { 'purgeData.$': '$.tenant.purgeData' },
      resultPath: null,
      retry: RECORD_RETRY,
      catch: leaseLostOr('MarkOffboardingFailed'),
      next: 'ReleaseLockAfterOffboarding',
    }),
    ReleaseLockAfterOffboarding: releaseLock('Offboarded', 'Done: give the lease back.'),
    Offboarded: { Type: 'Succeed' },
    MarkOffboardingFailed: tenantTask({
      comment: "FAILED with the error's message; running offboarding again finishes the job.",
      fn: FN.record,
      action: 'markFailed',
      with: { 'error.$': '$.error' },
      resultPath: '$.failure',
      retry: RECORD_RETRY,
      catch: [catching('ReleaseLockAfterFailure', '$.markError')],
      next: 'ReleaseLockAfterFailure',
    }),
    ReleaseLockAfterFailure: releaseLock('OffboardingFailed', 'Give the lease back whatever happened.'),
    OffboardingFailed: failWithCaughtError(),
    NotStarted: failWithCaughtError('The lease stayed with another execution past the bound, or the record is gone: nothing was changed.'),
    LeaseLost: failWithCaughtError('Another execution took the tenant over (our lease expired): stop without touching it.'),
  },
};
