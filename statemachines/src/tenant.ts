/** What the two tenant machines share: their functions, their parameters, their lease handling. */
import { catching, RETRY, task, type Catcher, type Retrier, type State } from './asl.ts';

/** The Lambda functions, as CloudFormation placeholders (DefinitionSubstitutions). */
export const FN = {
  record: '${TenantRecordFunctionArn}',
  data: '${TenantDataFunctionArn}',
  access: '${TenantAccessFunctionArn}',
  compute: '${TenantComputeFunctionArn}',
  network: '${TenantNetworkFunctionArn}',
} as const;

/** A step on a cloud resource: retried while not ready and on transient errors. */
export const RESOURCE_RETRY: readonly Retrier[] = [RETRY.notReady, RETRY.transient];
/** A step on the tenant's record: retried on transient errors only. */
export const RECORD_RETRY: readonly Retrier[] = [RETRY.transient];

export interface TenantTaskSpec {
  comment?: string;
  fn: string;
  action: string;
  /** Parameters besides action, tenantId and executionId. */
  with?: Record<string, unknown>;
  /** Omitted: the result replaces the input. */
  resultPath?: string | null;
  retry: readonly Retrier[];
  catch: readonly Catcher[];
  /** None: the last state of a Parallel branch. */
  next?: string;
}

/** A Task calling one action of a tenant function with the tenant and this execution (the lease owner). */
export function tenantTask(spec: TenantTaskSpec): State {
  return task({
    comment: spec.comment,
    resource: spec.fn,
    parameters: { action: spec.action, 'tenantId.$': '$.tenantId', 'executionId.$': '$$.Execution.Name', ...spec.with },
    resultPath: spec.resultPath,
    retry: spec.retry,
    catch: spec.catch,
    next: spec.next,
  });
}

/** Gives the lease back; a failure is noted at $.releaseError and does not stop `next` (the lease expires by itself). */
export function releaseLock(next: string, comment: string): State {
  return tenantTask({
    comment,
    fn: FN.record,
    action: 'releaseLock',
    resultPath: null,
    retry: RECORD_RETRY,
    catch: [catching(next, '$.releaseError')],
    next,
  });
}

/** A record write that must still hold the lease: losing it stops the execution at LeaseLost. */
export function leaseLostOr(next: string): Catcher[] {
  return [catching('LeaseLost', '$.error', ['LeaseLostError']), catching(next)];
}

/** Takes the lease, waiting while another execution holds it (RETRY.tenantLocked). */
export function acquireTenantLock(spec: { comment: string; with?: Record<string, unknown>; onError: string; next: string }): State {
  return tenantTask({
    comment: spec.comment,
    fn: FN.record,
    action: 'acquireLock',
    with: spec.with,
    resultPath: '$.lock',
    retry: [RETRY.tenantLocked, RETRY.transient],
    catch: [catching('NotStarted', '$.error', ['TenantLockedError', 'TenantNotFoundError']), catching(spec.onError)],
    next: spec.next,
  });
}
