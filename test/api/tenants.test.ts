import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { DeleteCommand, GetCommand, PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { makeApiHandler } from '../../functions/api.ts';
import type { TenantRepository } from '../../src/tenants/repository.ts';
import { apiEvent, invoke, startApiTables, type ApiTables } from './support.ts';

const DIGEST = `sha256:${'ab'.repeat(32)}`;

describe('status API: tenants (real middy chain, dynalite)', () => {
  let tables: ApiTables;
  let tenants: TenantRepository;
  let clock = new Date('2026-11-26T10:00:00Z');
  let handler: ReturnType<typeof makeApiHandler>;

  beforeAll(async () => {
    tables = await startApiTables();
    tenants = tables.tenantsTable.repository(() => clock);
    handler = makeApiHandler({ tenants, deployments: tables.deployments, now: () => clock, stage: 'test' });
  });
  afterAll(() => tables.close());
  beforeEach(async () => {
    clock = new Date('2026-11-26T10:00:00Z');
    const { tableName, db } = tables.tenantsTable;
    const { Items = [] } = await db.send(new ScanCommand({ TableName: tableName }));
    for (const item of Items) await db.send(new DeleteCommand({ TableName: tableName, Key: { tenantId: item.tenantId } }));
  });

  const call = (method: string, target: string, options?: Parameters<typeof apiEvent>[2]) => invoke(handler, apiEvent(method, target, options));

  it('answers GET /health with the stage and the time, as uncacheable JSON', async () => {
    const answer = await call('GET', '/health');
    expect(answer).toEqual({
      status: 200,
      headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' },
      body: { status: 'ok', stage: 'test', time: '2026-11-26T10:00:00.000Z' },
    });
  });

  it('creates a tenant with POST and shows it with the defaults the control plane acts on', async () => {
    const created = await call('POST', '/tenants', { body: { tenantId: 'ca' } });
    expect(created.status).toBe(201);
    expect(created.headers.location).toBe('/tenants/ca');
    const expected = {
      tenantId: 'ca',
      displayName: 'California',
      desiredState: 'ACTIVE',
      desiredCount: 2,
      canary: false,
      purgeData: false,
      status: null,
      statusReason: null,
      endpoint: null,
      image: null,
      health: null,
      resources: expect.objectContaining({ tableName: null, serviceArn: null }),
      createdAt: '2026-11-26T10:00:00.000Z',
      updatedAt: null,
      history: [],
    };
    expect(created.body).toEqual(expected);
    expect((await call('GET', '/tenants/ca')).body).toEqual(expected);
    // Exactly what a user's PutItem would have written: the user's fields and createdAt, nothing else.
    expect(await tables.tenantsTable.db.send(new ScanCommand({ TableName: tables.tenantsTable.tableName }))).toMatchObject({
      Items: [{ tenantId: 'ca', createdAt: '2026-11-26T10:00:00.000Z' }],
    });
  });

  it('stores every user-written field given to POST, from a base64 body as API Gateway may deliver it', async () => {
    const body = { tenantId: 'new-york', displayName: 'Empire State', desiredCount: 3, purgeData: true, canary: true };
    const created = await call('POST', '/tenants', {
      body: JSON.stringify(body),
      base64: true,
      headers: { 'content-type': 'application/json; charset=utf-8' },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ ...body, desiredState: 'ACTIVE' });
  });

  it('refuses to create a tenant twice with 409 TENANT_EXISTS, leaving the first untouched', async () => {
    await call('POST', '/tenants', { body: { tenantId: 'ca' } });
    const again = await call('POST', '/tenants', { body: { tenantId: 'ca', displayName: 'Other' } });
    expect(again).toMatchObject({
      status: 409,
      body: { error: { code: 'TENANT_EXISTS', message: 'tenant "ca" already exists; see it with GET /tenants/ca' } },
    });
    expect((await tenants.get('ca'))?.displayName).toBeUndefined();
  });

  it('answers an invalid tenant id with 400 INVALID_TENANT naming the rule it breaks', async () => {
    expect(await call('POST', '/tenants', { body: { tenantId: 'new_york' } })).toMatchObject({
      status: 400,
      body: { error: { code: 'INVALID_TENANT', message: 'tenantId: tenantId "new_york" may contain only lowercase letters, digits and hyphens' } },
    });
    expect(await call('GET', '/tenants/CA')).toMatchObject({
      status: 400,
      body: { error: { code: 'INVALID_TENANT', message: 'tenantId "CA" must start with a lowercase letter a-z' } },
    });
    expect((await call('DELETE', '/tenants/a--b')).body.error.message).toBe('tenantId "a--b" must not contain two hyphens in a row ("--")');
  });

  it('rejects unknown and control-plane fields in POST, naming each with the other problems', async () => {
    const answer = await call('POST', '/tenants', { body: { tenantId: 'ca', status: 'ACTIVE', version: 3, desiredcount: 4, desiredState: 'GONE' } });
    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toBe('INVALID_TENANT');
    const message: string = answer.body.error.message;
    expect(message).toContain('"status", "version" are written by the control plane');
    expect(message).toContain('unknown field "desiredcount"');
    expect(message).toContain('desiredState: desiredState must be one of ACTIVE, DELETED');
    expect(message).toContain('A tenant takes tenantId, displayName, desiredState, desiredCount, purgeData, canary');
    expect(await tenants.get('ca')).toBeUndefined();
  });

  it('answers a body that is not JSON with 400 BAD_JSON showing what is expected', async () => {
    const answer = await call('POST', '/tenants', { body: '{"tenantId": "ca"', headers: { 'content-type': 'application/json' } });
    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toBe('BAD_JSON');
    expect(answer.body.error.message).toMatch(/^the body is not valid JSON \(.+\); expected a JSON object such as \{"tenantId": "ca"/);
    const empty = await call('POST', '/tenants', { headers: { 'content-type': 'application/json' } });
    expect(empty.body.error).toEqual({ code: 'BAD_JSON', message: expect.stringContaining('the body is empty') });
    const array = await call('POST', '/tenants', { body: '[]', headers: { 'content-type': 'application/json' } });
    expect(array.body.error).toEqual({ code: 'INVALID_TENANT', message: expect.stringContaining('a tenant must be a JSON object such as {"tenantId": "ca"}') });
  });

  it('answers POST without a JSON content type with 415', async () => {
    const answer = await call('POST', '/tenants', { body: 'tenantId=ca', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(answer).toMatchObject({
      status: 415,
      body: {
        error: {
          code: 'UNSUPPORTED_MEDIA_TYPE',
          message: 'POST /tenants takes a JSON body with content-type: application/json; got "application/x-www-form-urlencoded"',
        },
      },
    });
    expect((await call('POST', '/tenants', { body: '{"tenantId":"ca"}' })).status).toBe(415);
    // Mixed-case header names (a direct invocation) are normalised first.
    expect((await call('POST', '/tenants', { body: '{"tenantId":"ca"}', headers: { 'Content-Type': 'application/json' } })).status).toBe(201);
  });

  it('answers a body over 16 KB with 413 before parsing it, counting base64 bodies by the bytes they stand for', async () => {
    const big = { tenantId: 'ca', displayName: 'x'.repeat(16 * 1024) };
    const answer = await call('POST', '/tenants', { body: big });
    expect(answer.status).toBe(413);
    expect(answer.body.error).toEqual({ code: 'PAYLOAD_TOO_LARGE', message: expect.stringContaining('at most 16384 bytes') });
    // 16,000 bytes are 21,336 base64 characters: under the limit, so judged by their content instead.
    const justUnder = JSON.stringify({ tenantId: 'ca', displayName: 'x'.repeat(16_000 - 35) });
    expect((await call('POST', '/tenants', { body: justUnder, base64: true, headers: { 'content-type': 'application/json' } })).body.error.code).toBe(
      'INVALID_TENANT',
    );
    expect(await tenants.get('ca')).toBeUndefined();
  });

  it('shows what the control plane wrote, the last 20 transitions, and no storage internals', async () => {
    await tenants.create({ tenantId: 'tx', canary: true });
    await tenants.acquireLock('tx', 'exec-9', 60_000);
    for (let i = 0; i < 12; i++) {
      await tenants.transition('tx', 'PROVISIONING', { reason: `attempt ${i}`, executionId: `exec-${i}` });
      await tenants.transition('tx', 'FAILED', { reason: `no capacity ${i}` });
    }
    clock = new Date('2026-11-26T11:00:00Z');
    await tenants.transition('tx', 'PROVISIONING');
    await tenants.transition('tx', 'ACTIVE', {
      reason: 'verified',
      observed: {
        endpoint: 'http://tx.localhost:8080',
        image: { repository: 'humangov-app', tag: 'v1.2.0', digest: DIGEST },
        health: { healthy: 2, total: 2, zones: ['us-east-1a', 'us-east-1b'], checkedAt: '2026-11-26T10:59:58.000Z' },
        resources: { tableName: 'humangov-test-tenant-tx', serviceArn: 'arn:aws:ecs:us-east-1:123456789012:service/humangov-test/humangov-tx' },
      },
    });
    const { status, body } = await call('GET', '/tenants/tx');
    expect(status).toBe(200);
    expect(body).toMatchObject({
      tenantId: 'tx',
      displayName: 'Texas',
      canary: true,
      status: 'ACTIVE',
      statusReason: 'verified',
      endpoint: 'http://tx.localhost:8080',
      image: { repository: 'humangov-app', tag: 'v1.2.0', digest: DIGEST },
      health: { healthy: 2, total: 2, zones: ['us-east-1a', 'us-east-1b'], checkedAt: '2026-11-26T10:59:58.000Z' },
      resources: { tableName: 'humangov-test-tenant-tx', bucketName: null },
      updatedAt: '2026-11-26T11:00:00.000Z',
    });
    expect(body.history).toHaveLength(20);
    expect(body.history.at(-1)).toEqual({ at: '2026-11-26T11:00:00.000Z', from: 'PROVISIONING', to: 'ACTIVE', reason: 'verified', executionId: null });
    expect(body.history[0]).toMatchObject({ to: 'PROVISIONING', reason: 'attempt 3' });
    expect(body).not.toHaveProperty('lock');
    expect(body).not.toHaveProperty('version');
  });

  it('answers a tenant that does not exist with 404 saying how to list tenants', async () => {
    expect(await call('GET', '/tenants/zz')).toMatchObject({
      status: 404,
      body: { error: { code: 'NOT_FOUND', message: 'tenant "zz" does not exist; list tenants with GET /tenants' } },
    });
  });

  it('deletes with 202 by setting desiredState, and answers 202 again when asked again', async () => {
    await tenants.create({ tenantId: 'wa' });
    const first = await call('DELETE', '/tenants/wa');
    expect(first).toMatchObject({ status: 202, body: { tenantId: 'wa', desiredState: 'DELETED', purgeData: false } });
    const stored = await tenants.get('wa');
    const again = await call('DELETE', '/tenants/wa');
    expect(again).toMatchObject({ status: 202, body: { tenantId: 'wa', desiredState: 'DELETED', purgeData: false } });
    // Nothing was written the second time, so the stream does not start offboarding twice.
    expect(await tenants.get('wa')).toEqual(stored);
  });

  it('sets purgeData with ?purge=true, also on a tenant already being deleted', async () => {
    await tenants.create({ tenantId: 'wa' });
    await call('DELETE', '/tenants/wa');
    const purged = await call('DELETE', '/tenants/wa?purge=true');
    expect(purged).toMatchObject({ status: 202, body: { desiredState: 'DELETED', purgeData: true } });
    expect(await tenants.get('wa')).toMatchObject({ desiredState: 'DELETED', purgeData: true });
    expect((await call('DELETE', '/tenants/wa?purge=true')).status).toBe(202);
    expect(await call('DELETE', '/tenants/wa?purge=yes')).toMatchObject({
      status: 400,
      body: { error: { code: 'BAD_REQUEST', message: 'purge: purge must be true or false' } },
    });
  });

  /** A record as a user's PutItem can leave it: a desiredCount over the limit, marked FAILED by the stream. */
  const putInvalid = (tenantId: string) =>
    tables.tenantsTable.db.send(
      new PutCommand({
        TableName: tables.tenantsTable.tableName,
        Item: { tenantId, desiredCount: 99, status: 'FAILED', statusReason: 'desiredCount: desiredCount must be at most 10' },
      }),
    );

  it('corrects an invalid record with PATCH, changing only the fields given (null for the default)', async () => {
    await putInvalid('fl');

    const corrected = await call('PATCH', '/tenants/fl', { body: { desiredCount: 3, displayName: 'Sunshine State' } });
    const reset = await call('PATCH', '/tenants/fl', { body: { displayName: null } });

    expect(corrected).toMatchObject({ status: 200, body: { tenantId: 'fl', desiredCount: 3, displayName: 'Sunshine State', desiredState: 'ACTIVE' } });
    expect(reset).toMatchObject({ status: 200, body: { desiredCount: 3, displayName: 'Florida' } });
    expect(await tenants.get('fl')).toMatchObject({ tenantId: 'fl', desiredCount: 3, status: 'FAILED' });
  });

  it('refuses a PATCH that leaves the record invalid or names fields it cannot change, writing nothing', async () => {
    await putInvalid('fl');

    const stillInvalid = await call('PATCH', '/tenants/fl', { body: { displayName: 'Florida' } });
    const badFields = await call('PATCH', '/tenants/fl', { body: { desiredCount: 11, status: 'ACTIVE', tenantId: 'ga', colour: 'red' } });
    const missing = await call('PATCH', '/tenants/zz', { body: { desiredCount: 3 } });

    expect(stillInvalid).toMatchObject({ status: 400, body: { error: { code: 'INVALID_TENANT', message: 'desiredCount: desiredCount must be at most 10' } } });
    expect(badFields.status).toBe(400);
    expect(badFields.body.error.message).toBe(
      '"tenantId" is the path\'s: a tenant cannot be renamed; "status" is written by the control plane, not in a request; unknown field "colour"; ' +
        'desiredCount: desiredCount must be at most 10. PATCH takes displayName, desiredCount, canary, identityProvider (null for the default), e.g. {"desiredCount": 3}',
    );
    expect(missing).toMatchObject({ status: 404, body: { error: { code: 'NOT_FOUND' } } });
    const { Item } = await tables.tenantsTable.db.send(new GetCommand({ TableName: tables.tenantsTable.tableName, Key: { tenantId: 'fl' } }));
    expect(Item).toMatchObject({ desiredCount: 99 });
    expect(Item?.displayName).toBeUndefined();
  });

  it('removes an invalid record with DELETE: removal reads only its id, desiredState and purgeData', async () => {
    await putInvalid('fl');

    const removed = await call('DELETE', '/tenants/fl?purge=true');

    expect(removed).toMatchObject({ status: 202, body: { tenantId: 'fl', desiredState: 'DELETED', purgeData: true, status: 'FAILED' } });
    expect(await call('GET', '/tenants/fl')).toMatchObject({ status: 200, body: { desiredState: 'DELETED', desiredCount: 2 } });
  });

  it('answers DELETE of a tenant that never existed with 404, creating nothing', async () => {
    expect(await call('DELETE', '/tenants/zz')).toMatchObject({ status: 404, body: { error: { code: 'NOT_FOUND' } } });
    expect(await tenants.get('zz')).toBeUndefined();
  });

  it('pages through GET /tenants with limit and cursor, every tenant exactly once', async () => {
    const ids = ['al', 'ca', 'new-york', 'ny', 'tx'];
    for (const tenantId of ids) await tenants.create({ tenantId });
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const answer = await call('GET', `/tenants?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(answer.status).toBe(200);
      expect(answer.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...answer.body.items.map((item: { tenantId: string }) => item.tenantId));
      cursor = answer.body.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBeGreaterThanOrEqual(3);
    expect(seen.sort()).toEqual(ids);
    const all = await call('GET', '/tenants');
    expect(all.body.nextCursor).toBeNull();
    expect(all.body.items.find((item: { tenantId: string }) => item.tenantId === 'new-york')).toEqual({
      tenantId: 'new-york',
      displayName: 'New York',
      desiredState: 'ACTIVE',
      desiredCount: 2,
      canary: false,
      status: null,
      statusReason: null,
      endpoint: null,
      image: null,
      health: null,
      updatedAt: null,
    });
  });

  it('answers a bad cursor, limit or query parameter with 400 saying what is accepted', async () => {
    expect((await call('GET', '/tenants?cursor=not-a-cursor')).body.error).toEqual({
      code: 'INVALID_CURSOR',
      message: 'cursor is not one this API returned; pass the nextCursor of the previous page, or start again without it',
    });
    const foreign = Buffer.from(JSON.stringify({ deploymentId: 'x' })).toString('base64url');
    expect((await call('GET', `/tenants?cursor=${foreign}`)).body.error.code).toBe('INVALID_CURSOR');
    expect((await call('GET', '/tenants?limit=0')).body.error).toEqual({ code: 'BAD_REQUEST', message: 'limit: limit must be at least 1' });
    expect((await call('GET', '/tenants?limit=ten')).body.error.message).toBe('limit: limit must be a whole number from 1 to 100');
    expect((await call('GET', '/tenants?limt=5')).body.error).toEqual({
      code: 'BAD_REQUEST',
      message: 'unknown query parameter "limt"; GET /tenants takes limit, cursor',
    });
    // An empty cursor is a first page, as a client without one yet sends it.
    expect((await call('GET', '/tenants?cursor=')).status).toBe(200);
  });
});
