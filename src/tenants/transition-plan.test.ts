import { describe, expect, it } from '@jest/globals';
import { planTransition } from './transition-plan.ts';
import { HISTORY_LIMIT, type TenantRecord } from './schema.ts';

const NOW = new Date('2026-01-02T03:04:05.000Z');
const tenant = (fields: Partial<TenantRecord> = {}): TenantRecord => ({ tenantId: 'ca', version: 3, ...fields });

describe('planTransition', () => {
  it('moves a new tenant to PROVISIONING with one history entry, reason and observations', () => {
    const plan = planTransition(tenant(), 'PROVISIONING', { reason: 'onboarding', executionId: 'e1', observed: { endpoint: 'ca.example' } }, NOW);
    expect(plan).toEqual({
      kind: 'write',
      changes: {
        endpoint: 'ca.example',
        status: 'PROVISIONING',
        statusReason: 'onboarding',
        history: [{ at: NOW.toISOString(), to: 'PROVISIONING', reason: 'onboarding', executionId: 'e1' }],
      },
    });
  });

  it('refuses a move the status model does not allow, naming both statuses', () => {
    expect(planTransition(tenant({ status: 'DELETED' }), 'ACTIVE', {}, NOW)).toEqual({
      kind: 'refused',
      message: 'tenant "ca" cannot move from DELETED to ACTIVE',
    });
    expect(planTransition(tenant(), 'ACTIVE', {}, NOW)).toEqual({ kind: 'refused', message: 'tenant "ca" cannot move from new to ACTIVE' });
  });

  it('recognises the very move this execution already made (a retried step), instead of refusing it', () => {
    const moved = tenant({
      status: 'DELETED',
      history: [{ at: NOW.toISOString(), from: 'DEPROVISIONING', to: 'DELETED', reason: 'offboarded', executionId: 'e1' }],
    });
    expect(planTransition(moved, 'DELETED', { reason: 'offboarded', executionId: 'e1' }, NOW)).toEqual({ kind: 'already-made' });
    expect(planTransition(moved, 'DELETED', { reason: 'offboarded', executionId: 'e2' }, NOW).kind).toBe('refused');
  });

  it('does not grow the history when the same status is re-entered for the same reason', () => {
    const history = [{ at: '2026-01-01T00:00:00.000Z', to: 'PROVISIONING' as const, reason: 'onboarding' }];
    const plan = planTransition(tenant({ status: 'PROVISIONING', history }), 'PROVISIONING', { reason: 'onboarding' }, NOW);
    expect(plan.kind === 'write' && plan.changes.history).toEqual(history);
  });

  it('keeps the last HISTORY_LIMIT entries, one fewer when asked to leave room for the next', () => {
    const history = Array.from({ length: HISTORY_LIMIT }, (_, i) => ({
      at: `2026-01-01T00:00:${String(i).padStart(2, '0')}.000Z`,
      to: 'ACTIVE' as const,
      reason: `r${i}`,
    }));
    const full = planTransition(tenant({ status: 'ACTIVE', history }), 'DEPLOYING', { reason: 'release' }, NOW);
    const roomy = planTransition(tenant({ status: 'ACTIVE', history }), 'DEPLOYING', { reason: 'release', leaveHistoryRoom: true }, NOW);
    expect(full.kind === 'write' && full.changes.history.map((h) => h.reason)).toEqual([...history.slice(1).map((h) => h.reason), 'release']);
    expect(roomy.kind === 'write' && roomy.changes.history).toHaveLength(HISTORY_LIMIT - 1);
  });

  it('gives the lease back in the same write only when this owner holds it; a statusReason is cleared when no reason is given', () => {
    const locked = tenant({ status: 'PROVISIONING', lock: { owner: 'e1', expiresAt: 1 } });
    expect(planTransition(locked, 'ACTIVE', { releaseLockOf: 'e1' }, NOW)).toMatchObject({
      kind: 'write',
      releaseLockOf: 'e1',
      changes: { statusReason: null },
    });
    expect(planTransition(locked, 'ACTIVE', { releaseLockOf: 'e2' }, NOW)).not.toHaveProperty('releaseLockOf');
  });
});
