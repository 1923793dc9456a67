import { describe, expect, it } from '@jest/globals';
import { droppedControlPlaneFields, executionNameFor, reactionTo, type TenantItemChange } from './changes.ts';

const insert = (image: Record<string, unknown>, sequenceNumber = '000100'): TenantItemChange => ({
  eventName: 'INSERT',
  sequenceNumber,
  key: String(image.tenantId),
  newImage: image,
});

describe('reactionTo', () => {
  it('onboards a new record that has nothing but a tenant id', () => {
    expect(reactionTo(insert({ tenantId: 'ca' }))).toEqual({
      kind: 'start',
      workflow: 'tenant-onboard',
      executionName: 'ca-onboard-000100',
      input: { tenantId: 'ca' },
    });
  });

  it("ignores the control plane's own writes, so they never loop", () => {
    const change: TenantItemChange = {
      eventName: 'MODIFY',
      sequenceNumber: '000200',
      key: 'ca',
      oldImage: { tenantId: 'ca', status: 'PROVISIONING', version: 1 },
      newImage: { tenantId: 'ca', status: 'ACTIVE', version: 2, health: { healthy: 2 }, lock: { owner: 'x', expiresAt: 1 } },
    };
    expect(reactionTo(change)).toMatchObject({ kind: 'ignore' });
  });

  it('converges again when the user changes the desired count', () => {
    const change: TenantItemChange = {
      eventName: 'MODIFY',
      sequenceNumber: '000300',
      key: 'ca',
      oldImage: { tenantId: 'ca', status: 'ACTIVE' },
      newImage: { tenantId: 'ca', status: 'ACTIVE', desiredCount: 3 },
    };
    expect(reactionTo(change)).toMatchObject({ kind: 'start', workflow: 'tenant-onboard' });
  });

  it('offboards when the user sets desiredState to DELETED', () => {
    const change: TenantItemChange = {
      eventName: 'MODIFY',
      sequenceNumber: '000400',
      key: 'ca',
      oldImage: { tenantId: 'ca', status: 'ACTIVE' },
      newImage: { tenantId: 'ca', status: 'ACTIVE', desiredState: 'DELETED', purgeData: true },
    };
    expect(reactionTo(change)).toEqual({
      kind: 'start',
      workflow: 'tenant-offboard',
      executionName: 'ca-offboard-000400',
      input: { tenantId: 'ca' },
    });
  });

  it('offboards, keeping data unless asked, when the user deletes the record itself', () => {
    const removed = (purgeData?: boolean): TenantItemChange => ({
      eventName: 'REMOVE',
      sequenceNumber: '000500',
      key: 'ca',
      oldImage: { tenantId: 'ca', status: 'ACTIVE', purgeData },
    });
    expect(reactionTo(removed())).toMatchObject({ workflow: 'tenant-offboard', input: { tenantId: 'ca', recordDeleted: true, purgeData: false } });
    expect(reactionTo(removed(true))).toMatchObject({ input: { purgeData: true } });
  });

  it('reports an invalid record with the rule it breaks instead of starting anything', () => {
    expect(reactionTo(insert({ tenantId: 'New York' }))).toEqual({
      kind: 'invalid',
      key: 'New York',
      reason: 'tenantId: tenantId "New York" must start with a lowercase letter a-z',
    });
    expect(reactionTo(insert({ tenantId: 'ca', desiredCount: 'two' }))).toMatchObject({ kind: 'invalid', reason: expect.stringContaining('desiredCount') });
  });

  it('names the execution after the change, so a redelivered change gets the same name', () => {
    const first = reactionTo(insert({ tenantId: 'ca' }, '4910000000000123'));
    const again = reactionTo(insert({ tenantId: 'ca' }, '4910000000000123'));
    const next = reactionTo(insert({ tenantId: 'ca' }, '4910000000000124'));
    expect(first).toEqual(again);
    expect(first).not.toEqual(next);
  });
});

describe('executionNameFor', () => {
  it('stays within Step Functions rules for any key', () => {
    const name = executionNameFor('Weird key / with spaces and more', 'tenant-offboard', '1'.repeat(100));
    expect(name.length).toBeLessThanOrEqual(80);
    expect(name).toMatch(/^[A-Za-z0-9_-]+$/);
  });
});

describe('droppedControlPlaneFields', () => {
  const active = {
    tenantId: 'ca',
    desiredCount: 2,
    status: 'ACTIVE',
    endpoint: 'http://ca.localhost:8080',
    image: { repository: 'app', tag: 'v1.0.0', digest: 'sha256:1' },
    resources: { service: 'humangov-local-ca' },
    history: [{ at: '2026-12-01T00:00:00.000Z', to: 'ACTIVE' }],
    createdAt: '2026-12-01T00:00:00.000Z',
    updatedAt: '2026-12-01T00:00:00.000Z',
    version: 4,
  };
  const modify = (newImage: Record<string, unknown>, oldImage: Record<string, unknown> = active): TenantItemChange => ({
    eventName: 'MODIFY',
    sequenceNumber: '000300',
    key: 'ca',
    oldImage,
    newImage,
  });

  it('returns what a PutItem of the user fields over an existing tenant dropped, and nothing it kept', () => {
    expect(droppedControlPlaneFields(modify({ tenantId: 'ca', desiredCount: 3 }))).toEqual({
      status: 'ACTIVE',
      endpoint: 'http://ca.localhost:8080',
      image: { repository: 'app', tag: 'v1.0.0', digest: 'sha256:1' },
      resources: { service: 'humangov-local-ca' },
      history: [{ at: '2026-12-01T00:00:00.000Z', to: 'ACTIVE' }],
      createdAt: '2026-12-01T00:00:00.000Z',
      updatedAt: '2026-12-01T00:00:00.000Z',
      version: 4,
    });
  });

  it("is nothing for the control plane's own removals (a lease, a backoff, what a deleted tenant no longer has)", () => {
    const { endpoint, image, ...cleared } = active;
    expect(endpoint && image).toBeTruthy();
    expect(droppedControlPlaneFields(modify(cleared))).toBeUndefined();
    expect(droppedControlPlaneFields(modify(active, { ...active, lock: { owner: 'x', expiresAt: 1 } }))).toBeUndefined();
  });

  it('is nothing for a new record, a removal, or a record the control plane never wrote', () => {
    expect(droppedControlPlaneFields(insert({ tenantId: 'ca' }))).toBeUndefined();
    expect(droppedControlPlaneFields({ eventName: 'REMOVE', sequenceNumber: '1', key: 'ca', oldImage: active })).toBeUndefined();
    expect(droppedControlPlaneFields(modify({ tenantId: 'ca', desiredCount: 3 }, { tenantId: 'ca' }))).toBeUndefined();
    expect(droppedControlPlaneFields(modify({ tenantId: 'ca' }, { tenantId: 'ca', lock: { owner: 'x', expiresAt: 1 } }))).toBeUndefined();
  });
});
