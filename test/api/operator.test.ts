import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { DeleteCommand, PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { makeApiHandler } from '../../functions/api.ts';
import type { TenantRepository } from '../../src/tenants/repository.ts';
import { reactionTo } from '../../src/tenants/changes.ts';
import { apiEvent, invoke, startApiTables, type ApiTables } from './support.ts';

describe('status API: operator actions (PATCH, retry, restore)', () => {
  let tables: ApiTables;
  let tenants: TenantRepository;
  const clock = new Date('2026-11-26T10:00:00Z');
  let handler: ReturnType<typeof makeApiHandler>;

  beforeAll(async () => {
    tables = await startApiTables();
    tenants = tables.tenantsTable.repository(() => clock);
    handler = makeApiHandler({ tenants, deployments: tables.deployments, now: () => clock, stage: 'test' });
  });
  afterAll(() => tables.close());
  beforeEach(async () => {
    const { tableName, db } = tables.tenantsTable;
    const { Items = [] } = await db.send(new ScanCommand({ TableName: tableName }));
    for (const item of Items) await db.send(new DeleteCommand({ TableName: tableName, Key: { tenantId: item.tenantId } }));
  });

  const call = (method: string, target: string, options?: Parameters<typeof apiEvent>[2]) => invoke(handler, apiEvent(method, target, options));
  const put = (item: Record<string, unknown>) => tables.tenantsTable.db.send(new PutCommand({ TableName: tables.tenantsTable.tableName, Item: item }));
  const raw = async (tenantId: string) => {
    const { Items = [] } = await tables.tenantsTable.db.send(new ScanCommand({ TableName: tables.tenantsTable.tableName }));
    return Items.find((item) => item.tenantId === tenantId);
  };

  describe('PATCH /tenants/{id}', () => {
    it('changes the user fields it is given and keeps the control plane fields', async () => {
      await put({ tenantId: 'ca', status: 'ACTIVE', endpoint: 'http://ca.localhost:8080', version: 3 });

      const answer = await call('PATCH', '/tenants/ca', { body: { desiredCount: 4, displayName: 'Golden State', canary: true } });

      expect(answer).toMatchObject({
        status: 200,
        body: { tenantId: 'ca', desiredCount: 4, displayName: 'Golden State', canary: true, status: 'ACTIVE', endpoint: 'http://ca.localhost:8080' },
      });
      expect(await raw('ca')).toMatchObject({ desiredCount: 4, version: 3, status: 'ACTIVE' });
    });

    it('refuses bad values and fields it does not change, naming each and the route that does, and writes nothing', async () => {
      await put({ tenantId: 'ca', desiredCount: 2 });

      const answer = await call('PATCH', '/tenants/ca', { body: { desiredCount: 11, desiredState: 'DELETED', status: 'ACTIVE', colour: 'red' } });

      expect(answer.status).toBe(400);
      expect(answer.body.error.code).toBe('INVALID_TENANT');
      const message: string = answer.body.error.message;
      expect(message).toContain('"desiredState" is not changed by PATCH: offboard with DELETE /tenants/{id}');
      expect(message).toContain('"status" is written by the control plane');
      expect(message).toContain('unknown field "colour"');
      expect(message).toContain('desiredCount must be at most 10');
      expect(message).toContain('PATCH takes displayName, desiredCount, canary');
      expect(await raw('ca')).toEqual({ tenantId: 'ca', desiredCount: 2 });
    });

    it('refuses an empty change', async () => {
      await put({ tenantId: 'ca' });

      const answer = await call('PATCH', '/tenants/ca', { body: {} });

      expect(answer).toMatchObject({ status: 400, body: { error: { message: expect.stringContaining('nothing to change') } } });
    });

    it('corrects a record that breaks a rule, which GET cannot even show', async () => {
      await put({ tenantId: 'ca', desiredCount: 99 });
      expect((await call('GET', '/tenants/ca')).status).toBe(400);

      const answer = await call('PATCH', '/tenants/ca', { body: { desiredCount: 3 } });

      expect(answer).toMatchObject({ status: 200, body: { desiredCount: 3 } });
      expect((await call('GET', '/tenants/ca')).status).toBe(200);
    });

    it('answers 404 for a tenant that does not exist, and creates nothing', async () => {
      const answer = await call('PATCH', '/tenants/tx', { body: { desiredCount: 3 } });

      expect(answer).toMatchObject({ status: 404, body: { error: { code: 'NOT_FOUND' } } });
      expect(await raw('tx')).toBeUndefined();
    });
  });

  describe('POST /tenants/{id}/retry', () => {
    it.each(['FAILED', 'DEGRADED'])('on a %s tenant writes a change the stream handler starts onboarding for', async (status) => {
      await put({ tenantId: 'ca', status, statusReason: 'targets unhealthy' });
      const before = await raw('ca');

      const answer = await call('POST', '/tenants/ca/retry', { body: {} });

      expect(answer).toMatchObject({ status: 202, body: { tenantId: 'ca', status } });
      const after = await raw('ca');
      expect(after?.retryRequestedAt).toBe('2026-11-26T10:00:00.000Z');
      const reaction = reactionTo({ eventName: 'MODIFY', sequenceNumber: '42', key: 'ca', oldImage: before, newImage: after });
      expect(reaction).toMatchObject({ kind: 'start', workflow: 'tenant-onboard' });
    });

    it('forgets the table and bucket the tenant had, so onboarding may make the ones that are gone again, and keeps the rest', async () => {
      const resources = { tableName: 't', tableArn: 'arn:t', bucketName: 'b', bucketArn: 'arn:b', serviceArn: 'arn:s' };
      await put({ tenantId: 'ca', status: 'FAILED', statusReason: 'its table t (its employee records) is gone', resources });
      await put({ tenantId: 'tx', status: 'FAILED', statusReason: 'never onboarded' });

      expect((await call('POST', '/tenants/ca/retry', { body: {} })).status).toBe(202);
      expect((await call('POST', '/tenants/tx/retry', { body: {} })).status).toBe(202);

      expect((await raw('ca'))?.resources).toEqual({ serviceArn: 'arn:s' });
      expect((await raw('tx'))?.resources).toBeUndefined();
    });

    it('refuses a tenant that is not FAILED or DEGRADED, saying so', async () => {
      await put({ tenantId: 'ca', status: 'ACTIVE' });

      const answer = await call('POST', '/tenants/ca/retry', { body: {} });

      expect(answer).toMatchObject({
        status: 409,
        body: { error: { code: 'CONFLICT', message: 'tenant "ca" is ACTIVE; a retry is for a tenant that is FAILED or DEGRADED' } },
      });
      expect((await raw('ca'))?.retryRequestedAt).toBeUndefined();
    });
  });

  describe('POST /tenants/{id}/retry and /restore from another site', () => {
    it('refuse a body that is not JSON {}, which a cross-site form could send without asking, and change nothing', async () => {
      await put({ tenantId: 'ca', status: 'FAILED' });
      await put({ tenantId: 'tx', status: 'DELETED', desiredState: 'DELETED' });

      const bare = await call('POST', '/tenants/ca/retry');
      const form = await call('POST', '/tenants/tx/restore', { body: 'a=1', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      const fields = await call('POST', '/tenants/ca/retry', { body: { desiredCount: 9 } });

      expect(bare).toMatchObject({ status: 415, body: { error: { code: 'UNSUPPORTED_MEDIA_TYPE' } } });
      expect(form).toMatchObject({ status: 415, body: { error: { code: 'UNSUPPORTED_MEDIA_TYPE' } } });
      expect(fields).toMatchObject({ status: 400, body: { error: { message: 'POST /tenants/{id}/retry takes the body {}; got {"desiredCount":9}' } } });
      expect((await raw('ca'))?.retryRequestedAt).toBeUndefined();
      expect((await raw('tx'))?.desiredState).toBe('DELETED');
    });
  });

  describe('POST /tenants/{id}/restore', () => {
    it('asks for a DELETED tenant whose data was kept to be ACTIVE again', async () => {
      await put({ tenantId: 'ca', desiredState: 'DELETED', status: 'DELETED', resources: { tableName: 'humangov-test-ca' } });
      const before = await raw('ca');

      const answer = await call('POST', '/tenants/ca/restore', { body: {} });

      expect(answer).toMatchObject({ status: 202, body: { tenantId: 'ca', desiredState: 'ACTIVE', status: 'DELETED' } });
      const reaction = reactionTo({ eventName: 'MODIFY', sequenceNumber: '43', key: 'ca', oldImage: before, newImage: await raw('ca') });
      expect(reaction).toMatchObject({ kind: 'start', workflow: 'tenant-onboard' });
    });

    it('refuses a tenant whose data was purged, one still being removed, and one not removed', async () => {
      await put({ tenantId: 'ca', desiredState: 'DELETED', purgeData: true, status: 'DELETED' });
      await put({ tenantId: 'ny', desiredState: 'DELETED', status: 'DEPROVISIONING' });
      await put({ tenantId: 'tx', status: 'ACTIVE' });

      const purged = await call('POST', '/tenants/ca/restore', { body: {} });
      const removing = await call('POST', '/tenants/ny/restore', { body: {} });
      const active = await call('POST', '/tenants/tx/restore', { body: {} });

      expect(purged).toMatchObject({ status: 409, body: { error: { message: expect.stringContaining('with its data purged') } } });
      expect(removing).toMatchObject({ status: 409, body: { error: { message: expect.stringContaining('restore it once it is DELETED') } } });
      expect(active).toMatchObject({ status: 409, body: { error: { message: expect.stringContaining('nothing to restore') } } });
      expect((await raw('ca'))?.desiredState).toBe('DELETED');
      expect((await raw('ny'))?.desiredState).toBe('DELETED');
    });
  });
});
