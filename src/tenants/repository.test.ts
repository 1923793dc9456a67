import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { startTenantsTable, type TestTenantsTable } from '../../test/support/tenants-table.ts';
import { ConcurrentUpdateError, InvalidTenantError, TenantExistsError, TenantLockedError, TenantNotFoundError } from './errors.ts';
import { HISTORY_LIMIT } from './schema.ts';
import type { TenantRepository } from './repository.ts';

describe('TenantRepository (dynalite, real wire protocol)', () => {
  let table: TestTenantsTable;
  let clock = new Date('2026-11-26T10:00:00Z');
  let repo: TenantRepository;

  beforeAll(async () => {
    table = await startTenantsTable();
    repo = table.repository(() => clock);
  });
  afterAll(() => table.close());
  afterEach(() => {
    jest.restoreAllMocks();
  });
  beforeEach(async () => {
    clock = new Date('2026-11-26T10:00:00Z');
    for (const tenantId of ['ca', 'ny', 'tx', 'wa', 'CA']) {
      await table.db.send(new DeleteCommand({ TableName: table.tableName, Key: { tenantId } }));
    }
  });

  it('creates a tenant and refuses to create it twice', async () => {
    await repo.create({ tenantId: 'ca' });
    expect(await repo.get('ca')).toMatchObject({ tenantId: 'ca', createdAt: '2026-11-26T10:00:00.000Z' });
    await expect(repo.create({ tenantId: 'ca', displayName: 'Other' })).rejects.toThrow(TenantExistsError);
    expect((await repo.get('ca'))?.displayName).toBeUndefined();
  });

  it('says how to find tenants when one is missing', async () => {
    await expect(repo.require('zz')).rejects.toThrow(TenantNotFoundError);
    await expect(repo.require('zz')).rejects.toThrow('humangov tenant list');
  });

  it('moves a tenant through its statuses and keeps the reasons in its history', async () => {
    await repo.create({ tenantId: 'ca' });
    await repo.transition('ca', 'PROVISIONING', { executionId: 'exec-1' });
    clock = new Date('2026-11-26T10:05:00Z');
    const active = await repo.transition('ca', 'ACTIVE', {
      reason: 'verified through the load balancer',
      observed: { endpoint: 'http://ca.localhost:8080', health: { healthy: 2, total: 2, zones: ['us-east-1a', 'us-east-1b'] } },
    });
    expect(active).toMatchObject({ status: 'ACTIVE', statusReason: 'verified through the load balancer', endpoint: 'http://ca.localhost:8080', version: 2 });
    expect(active.history?.map((h) => [h.from, h.to])).toEqual([
      [undefined, 'PROVISIONING'],
      ['PROVISIONING', 'ACTIVE'],
    ]);
    expect(active.updatedAt).toBe('2026-11-26T10:05:00.000Z');
  });

  it('refuses a move the status model forbids', async () => {
    await repo.create({ tenantId: 'ca' });
    await expect(repo.transition('ca', 'DELETED')).rejects.toThrow(/cannot move from new to DELETED/);
  });

  it('does not grow the history when a retried step re-enters the same status', async () => {
    await repo.create({ tenantId: 'ca' });
    await repo.transition('ca', 'PROVISIONING');
    const again = await repo.transition('ca', 'PROVISIONING');
    expect(again.history).toHaveLength(1);
  });

  it('keeps only the newest history entries', async () => {
    await repo.create({ tenantId: 'ca' });
    await repo.transition('ca', 'PROVISIONING');
    for (let i = 0; i < HISTORY_LIMIT + 5; i++) {
      await repo.transition('ca', i % 2 ? 'DEPLOYING' : 'ACTIVE', { reason: `step ${i}` });
    }
    const record = await repo.require('ca');
    expect(record.history).toHaveLength(HISTORY_LIMIT);
    expect(record.history?.at(-1)?.reason).toBe(`step ${HISTORY_LIMIT + 4}`);
  });

  it('rejects a write based on a stale version (optimistic locking)', async () => {
    await repo.create({ tenantId: 'ca' });
    const first = await repo.writeObserved('ca', undefined, { status: 'PROVISIONING' });
    expect(first.version).toBe(1);
    await expect(repo.writeObserved('ca', undefined, { status: 'FAILED' })).rejects.toThrow(ConcurrentUpdateError);
    await repo.writeObserved('ca', 1, { status: 'ACTIVE' });
    expect((await repo.require('ca')).status).toBe('ACTIVE');
  });

  it("never overwrites the user's fields when writing its own", async () => {
    await repo.create({ tenantId: 'ca' });
    const read = await repo.require('ca');
    await repo.updateUserFields('ca', { desiredCount: 4 });
    await repo.writeObserved('ca', read.version, { status: 'PROVISIONING' });
    expect(await repo.require('ca')).toMatchObject({ desiredCount: 4, status: 'PROVISIONING' });
  });

  it('sets desiredState for an offboarding request and says when the tenant is missing', async () => {
    await repo.create({ tenantId: 'ca' });
    expect(await repo.updateUserFields('ca', { desiredState: 'DELETED', purgeData: true })).toMatchObject({ desiredState: 'DELETED', purgeData: true });
    await expect(repo.updateUserFields('zz', { desiredState: 'DELETED' })).rejects.toThrow(TenantNotFoundError);
  });

  it('lists tenants a page at a time with a cursor', async () => {
    for (const tenantId of ['ca', 'ny', 'tx', 'wa']) await repo.create({ tenantId });
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await repo.list({ limit: 3, cursor });
      expect(page.items.length).toBeLessThanOrEqual(3);
      seen.push(...page.items.map((t) => t.tenantId));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen.sort()).toEqual(['ca', 'ny', 'tx', 'wa']);
    expect((await repo.all()).map((t) => t.tenantId)).toEqual(['ca', 'ny', 'tx', 'wa']);
  });

  it('lists a record with an invalid id as FAILED instead of failing the whole listing', async () => {
    await repo.create({ tenantId: 'ca' });
    await table.db.send(new PutCommand({ TableName: table.tableName, Item: { tenantId: 'CA', desiredCount: 'two' } }));
    const listed = await repo.all();
    expect(listed.map((t) => [t.tenantId, t.status])).toEqual(
      expect.arrayContaining([
        ['CA', 'FAILED'],
        ['ca', undefined],
      ]),
    );
    expect(listed.find((t) => t.tenantId === 'CA')?.statusReason).toMatch(/^invalid record: tenantId: .*; desiredCount: desiredCount must be a whole number/);
  });

  it('rejects a cursor it did not issue', async () => {
    await expect(repo.list({ cursor: 'not-a-cursor' })).rejects.toThrow(InvalidTenantError);
  });

  it('gives the lease to one workflow at a time, renews it for its owner, and frees it on release', async () => {
    await repo.create({ tenantId: 'ca' });
    await repo.acquireLock('ca', 'exec-1', 60_000);
    await repo.acquireLock('ca', 'exec-1', 60_000);
    await expect(repo.acquireLock('ca', 'exec-2', 60_000)).rejects.toThrow(TenantLockedError);
    await expect(repo.acquireLock('ca', 'exec-2', 60_000)).rejects.toThrow(/locked by exec-1/);
    await repo.releaseLock('ca', 'exec-2');
    await expect(repo.acquireLock('ca', 'exec-2', 60_000)).rejects.toThrow(TenantLockedError);
    await repo.releaseLock('ca', 'exec-1');
    await repo.acquireLock('ca', 'exec-2', 60_000);
  });

  it('lets the next workflow take a lease its holder let expire', async () => {
    await repo.create({ tenantId: 'ca' });
    await repo.acquireLock('ca', 'exec-1', 1_000);
    clock = new Date(clock.getTime() + 2_000);
    await repo.acquireLock('ca', 'exec-2', 1_000);
    expect((await repo.require('ca')).lock?.owner).toBe('exec-2');
  });

  it('answers a lease with the record it holds', async () => {
    await repo.create({ tenantId: 'ca', desiredCount: 3 });
    await repo.transition('ca', 'PROVISIONING');
    const held = await repo.acquireLock('ca', 'exec-1', 60_000);
    expect(held).toMatchObject({
      tenantId: 'ca',
      desiredCount: 3,
      status: 'PROVISIONING',
      version: 1,
      lock: { owner: 'exec-1', expiresAt: clock.getTime() + 60_000 },
    });
  });

  it('moves the record just read with one write, and reads it again only if it changed since', async () => {
    await repo.create({ tenantId: 'ca' });
    await repo.transition('ca', 'PROVISIONING');
    const read = await repo.acquireLock('ca', 'exec-1', 60_000);
    const get = jest.spyOn(repo, 'get');
    await repo.updateUserFields('ca', { desiredCount: 4 });

    const active = await repo.transition('ca', 'ACTIVE', { reason: 'verified', current: read });
    expect(get).not.toHaveBeenCalled();
    expect(active).toMatchObject({ status: 'ACTIVE', desiredCount: 4, version: 2 });

    const health = { healthy: 2, total: 2, zones: ['us-east-1a', 'us-east-1b'] };
    await repo.writeObserved('ca', active.version, { health });
    const deploying = await repo.transition('ca', 'DEPLOYING', { reason: 'deploying', current: active });
    expect(get).toHaveBeenCalledTimes(1);
    expect(deploying).toMatchObject({ status: 'DEPLOYING', health, version: 4 });
    expect(deploying.history?.at(-1)).toMatchObject({ from: 'ACTIVE', to: 'DEPLOYING', reason: 'deploying' });
  });

  it("judges a move on the stored record when the caller's copy would refuse it", async () => {
    await repo.create({ tenantId: 'ca' });
    await repo.transition('ca', 'PROVISIONING');
    const active = await repo.transition('ca', 'ACTIVE');
    await repo.transition('ca', 'DEGRADED', { reason: 'one target unhealthy' });
    expect(await repo.transition('ca', 'ACTIVE', { reason: 'recovered', current: active })).toMatchObject({ status: 'ACTIVE', statusReason: 'recovered' });
  });

  it('gives the lease back in the same write, unless another owner holds it by now', async () => {
    await repo.create({ tenantId: 'ca' });
    await repo.transition('ca', 'PROVISIONING');
    const held = await repo.acquireLock('ca', 'exec-1', 60_000);
    expect((await repo.transition('ca', 'ACTIVE', { current: held, releaseLockOf: 'exec-1' })).lock).toBeUndefined();

    const expiring = await repo.acquireLock('ca', 'exec-1', 1_000);
    clock = new Date(clock.getTime() + 2_000);
    await repo.acquireLock('ca', 'exec-2', 60_000);
    const moved = await repo.transition('ca', 'DEPLOYING', { current: expiring, releaseLockOf: 'exec-1' });
    expect(moved).toMatchObject({ status: 'DEPLOYING', lock: { owner: 'exec-2' } });
  });

  it('appends the move after its own without reading, leaving the same bounded history as read-and-write', async () => {
    for (const tenantId of ['ca', 'ny']) {
      await repo.create({ tenantId });
      for (let i = 0; i < HISTORY_LIMIT; i++) await repo.transition(tenantId, i % 2 ? 'ACTIVE' : 'PROVISIONING', { reason: `step ${i}` });
    }
    await repo.transition('ny', 'DEPLOYING', { reason: 'deploying', executionId: 'exec-1' });
    const expected = await repo.transition('ny', 'ACTIVE', { reason: 'running', executionId: 'exec-1' });

    await repo.acquireLock('ca', 'exec-1', 60_000);
    const deploying = await repo.transition('ca', 'DEPLOYING', { reason: 'deploying', executionId: 'exec-1', leaveHistoryRoom: true });
    expect(deploying.history).toHaveLength(HISTORY_LIMIT - 1);
    const get = jest.spyOn(repo, 'get');
    const active = await repo.transition('ca', 'ACTIVE', {
      reason: 'running',
      executionId: 'exec-1',
      after: { version: deploying.version ?? 0, status: 'DEPLOYING' },
      releaseLockOf: 'exec-1',
    });
    expect(get).not.toHaveBeenCalled();
    expect(active).toMatchObject({ status: 'ACTIVE', statusReason: 'running', version: expected.version });
    expect(active.lock).toBeUndefined();
    expect(active.history).toEqual(expected.history);
  });

  it('reads the record when it is no longer as stamped, or its history has no room', async () => {
    await repo.create({ tenantId: 'ca' });
    const provisioning = await repo.transition('ca', 'PROVISIONING', { leaveHistoryRoom: true });
    await repo.transition('ca', 'DEGRADED', { reason: 'another writer' });
    const stale = await repo.transition('ca', 'ACTIVE', { reason: 'recovered', after: { version: provisioning.version ?? 0, status: 'PROVISIONING' } });
    expect(stale.history?.map((h) => [h.from, h.to])).toEqual([
      [undefined, 'PROVISIONING'],
      ['PROVISIONING', 'DEGRADED'],
      ['DEGRADED', 'ACTIVE'],
    ]);

    for (let i = 0; i < HISTORY_LIMIT; i++) await repo.transition('ca', i % 2 ? 'ACTIVE' : 'DEPLOYING', { reason: `step ${i}` });
    const full = await repo.require('ca');
    const next = await repo.transition('ca', 'DEPLOYING', { reason: 'next', after: { version: full.version ?? 0, status: 'ACTIVE' } });
    expect(next.history).toHaveLength(HISTORY_LIMIT);
    expect(next.history?.at(-1)).toMatchObject({ from: 'ACTIVE', to: 'DEPLOYING', reason: 'next' });
  });

  it('answers a retried move with the record this execution already moved, and refuses it to anyone else', async () => {
    await repo.create({ tenantId: 'ca' });
    await repo.transition('ca', 'PROVISIONING', { executionId: 'exec-1' });
    const held = await repo.acquireLock('ca', 'exec-1', 60_000);
    const first = await repo.transition('ca', 'ACTIVE', { reason: 'onboarded', executionId: 'exec-1', current: held, releaseLockOf: 'exec-1' });
    const retried = await repo.transition('ca', 'ACTIVE', {
      reason: 'onboarded',
      executionId: 'exec-1',
      after: { version: held.version ?? 0, status: 'PROVISIONING' },
      releaseLockOf: 'exec-1',
    });
    expect(retried).toEqual(first);
    await expect(repo.transition('ca', 'ACTIVE', { reason: 'onboarded', executionId: 'exec-2' })).rejects.toThrow(/cannot move from ACTIVE to ACTIVE/);
  });

  it('marks a record with an invalid id FAILED without parsing it', async () => {
    await table.db.send(new PutCommand({ TableName: table.tableName, Item: { tenantId: 'CA' } }));
    await repo.markInvalid('CA', 'tenantId "CA" must start with a lowercase letter a-z');
    const { Item } = await table.db.send(new GetCommand({ TableName: table.tableName, Key: { tenantId: 'CA' } }));
    expect(Item).toMatchObject({ status: 'FAILED', statusReason: 'tenantId "CA" must start with a lowercase letter a-z' });
    await expect(repo.markInvalid('gone', 'whatever')).resolves.toBeUndefined();
  });

  it('restores the control-plane fields a replacement dropped, keeping any written since, and never revives a deleted record', async () => {
    await table.db.send(new PutCommand({ TableName: table.tableName, Item: { tenantId: 'ca', desiredCount: 3, status: 'DEPLOYING' } }));

    await repo.restoreControlPlaneFields('ca', { status: 'ACTIVE', endpoint: 'http://ca.localhost:8080', createdAt: '2026-11-01T00:00:00.000Z' });
    await repo.restoreControlPlaneFields('gone', { status: 'ACTIVE', createdAt: '2026-11-01T00:00:00.000Z' });

    expect(await repo.get('ca')).toMatchObject({
      desiredCount: 3,
      status: 'DEPLOYING',
      endpoint: 'http://ca.localhost:8080',
      createdAt: '2026-11-01T00:00:00.000Z',
    });
    expect(await repo.get('gone')).toBeUndefined();
  });
});
