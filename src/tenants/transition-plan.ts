/**
 * Transition planning, with no I/O: given the stored record, may the tenant move to `to`,
 * and if so, what does the one conditional write change? The repository (repository.ts)
 * reads, writes against the record's version and re-plans when another writer got there first.
 */
import { stripUndefined } from '../kernel/object.ts';
import { canTransition, type TenantStatus } from './status.ts';
import { HISTORY_LIMIT, type HistoryEntry, type TenantRecord } from './schema.ts';

/** Control-plane fields a workflow may set, besides status. */
export type TenantObservation = Partial<Pick<TenantRecord, 'endpoint' | 'image' | 'health' | 'resources'>>;

/** What a transition says about itself: why, by which execution, with which observations. */
export interface TransitionRequest {
  reason?: string;
  executionId?: string;
  observed?: TenantObservation;
  /** Keeps the history one entry short of its bound, so that the next transition can append without reading (the history it leaves is the same). */
  leaveHistoryRoom?: boolean;
  /** Gives this owner's lease back in the same write, if it still holds it. */
  releaseLockOf?: string;
}

export type TransitionPlan =
  /** Write `changes` against the record's version (and give the lease back, when `releaseLockOf` is set). */
  | { kind: 'write'; changes: TenantObservation & { status: TenantStatus; statusReason: string | null; history: HistoryEntry[] }; releaseLockOf?: string }
  /** This execution already made this very move (a retried step whose first write succeeded): nothing to write. */
  | { kind: 'already-made' }
  /** The status model does not allow the move. */
  | { kind: 'refused'; message: string };

/**
 * The plan for moving `current` to `to` at `now`. Re-entering the same status with the same
 * reason (a retried step) does not grow the history; the history keeps its last HISTORY_LIMIT
 * entries (one fewer with `leaveHistoryRoom`).
 */
export function planTransition(current: TenantRecord, to: TenantStatus, request: TransitionRequest, now: Date): TransitionPlan {
  if (!canTransition(current.status, to)) {
    if (madeBy(current, to, request)) return { kind: 'already-made' };
    return { kind: 'refused', message: `tenant "${current.tenantId}" cannot move from ${current.status ?? 'new'} to ${to}` };
  }
  const entry: HistoryEntry = { at: now.toISOString(), from: current.status, to, reason: request.reason, executionId: request.executionId };
  const last = current.history?.at(-1);
  const repeated = last && last.to === to && last.reason === request.reason;
  const kept = request.leaveHistoryRoom ? HISTORY_LIMIT - 1 : HISTORY_LIMIT;
  const history = (repeated ? (current.history ?? []) : [...(current.history ?? []), stripUndefined(entry)]).slice(-kept);
  const releaseLockOf = request.releaseLockOf !== undefined && current.lock?.owner === request.releaseLockOf ? request.releaseLockOf : undefined;
  return {
    kind: 'write',
    changes: { ...request.observed, status: to, statusReason: request.reason ?? null, history },
    ...(releaseLockOf ? { releaseLockOf } : {}),
  };
}

/** True when `current` is already the move to `to` that this execution (with this reason) made. */
export function madeBy(current: TenantRecord, to: TenantStatus, request: TransitionRequest): boolean {
  const last = current.history?.at(-1);
  return (
    request.executionId !== undefined && current.status === to && last?.to === to && last.reason === request.reason && last.executionId === request.executionId
  );
}
