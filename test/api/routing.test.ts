import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { makeApiHandler } from '../../functions/api.ts';
import type { ErrorLog } from '../../src/api/middleware.ts';
import type { TenantRepository } from '../../src/tenants/repository.ts';
import { apiEvent, invoke, lambdaContext, startApiTables, type ApiTables } from './support.ts';

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' };
const ROUTES =
  'GET /health, GET /tenants, POST /tenants, GET /tenants/{id}, PATCH /tenants/{id}, DELETE /tenants/{id}, POST /tenants/{id}/retry, POST /tenants/{id}/restore, GET /deployments, GET /deployments/{id}';

describe('status API: routing and errors (real middy chain)', () => {
  let tables: ApiTables;
  let handler: ReturnType<typeof makeApiHandler>;

  beforeAll(async () => {
    tables = await startApiTables();
    handler = makeApiHandler({ tenants: tables.tenantsTable.repository(), deployments: tables.deployments, stage: 'test' });
  });
  afterAll(() => tables.close());

  it('answers an unknown path with 404 NOT_FOUND listing the routes there are', async () => {
    expect(await invoke(handler, apiEvent('GET', '/tenant'))).toEqual({
      status: 404,
      headers: JSON_HEADERS,
      body: { error: { code: 'NOT_FOUND', message: `there is no /tenant here; the API has ${ROUTES}` } },
    });
  });

  it('serves the fleet dashboard at the root, as HTML', async () => {
    const result = await handler(apiEvent('GET', '/'), lambdaContext('req-dashboard'));
    expect(result.statusCode).toBe(200);
    expect(result.headers?.['content-type']).toMatch(/^text\/html/);
    expect(result.body).toContain('<main');
  });

  it('answers a wrong method on a known path with 405 and an Allow header', async () => {
    expect(await invoke(handler, apiEvent('PUT', '/tenants'))).toEqual({
      status: 405,
      headers: { ...JSON_HEADERS, allow: 'GET, POST' },
      body: { error: { code: 'METHOD_NOT_ALLOWED', message: 'PUT is not allowed on /tenants; it allows GET, POST' } },
    });
    expect(await invoke(handler, apiEvent('PUT', '/tenants/ca'))).toMatchObject({ status: 405, headers: { allow: 'GET, PATCH, DELETE' } });
    expect(await invoke(handler, apiEvent('DELETE', '/deployments'))).toMatchObject({ status: 405, headers: { allow: 'GET' } });
  });

  it('routes a path with a trailing slash like the path without it, and fills pathParameters', async () => {
    expect((await invoke(handler, apiEvent('GET', '/health/'))).status).toBe(200);
    const event = apiEvent('GET', '/tenants/zz');
    expect((await invoke(handler, event)).status).toBe(404);
    expect(event.pathParameters).toEqual({ id: 'zz' });
  });

  it('answers a query parameter a route does not take with 400', async () => {
    expect((await invoke(handler, apiEvent('GET', '/health?verbose=1'))).body.error).toEqual({
      code: 'BAD_REQUEST',
      message: 'unknown query parameter "verbose"; GET /health takes no query parameters',
    });
  });

  it('answers an oversized body with 413 on any route, before routing', async () => {
    const event = apiEvent('POST', '/nowhere', { body: 'x'.repeat(16 * 1024 + 1), headers: { 'content-type': 'text/plain' } });
    expect((await invoke(handler, event)).body.error.code).toBe('PAYLOAD_TOO_LARGE');
    const exactly = apiEvent('POST', '/tenants', { body: 'x'.repeat(16 * 1024), headers: { 'content-type': 'application/json' } });
    expect((await invoke(handler, exactly)).body.error.code).toBe('BAD_JSON');
  });

  it('answers an unexpected failure with a generic 500 naming the request id, and logs it once with that id', async () => {
    const logged: Parameters<ErrorLog['error']>[] = [];
    const broken = {
      get: async () => {
        throw new Error('connect ECONNREFUSED 10.0.3.7:443 (table humangov-prod-tenants)');
      },
    } as unknown as TenantRepository;
    const failing = makeApiHandler({ tenants: broken, deployments: tables.deployments, log: { error: (...args) => void logged.push(args) } });
    const event = apiEvent('GET', '/tenants/ca');
    const answer = await invoke(failing, event);
    expect(answer).toEqual({
      status: 500,
      headers: JSON_HEADERS,
      body: { error: { code: 'INTERNAL_ERROR', message: `the request failed on our side; it is logged under request id ${event.requestContext.requestId}` } },
    });
    expect(JSON.stringify(answer.body)).not.toMatch(/ECONNREFUSED|10\.0\.3\.7|humangov-prod/);
    expect(logged).toHaveLength(1);
    expect(logged[0]?.[1]).toMatchObject({ requestId: event.requestContext.requestId, method: 'GET', path: '/tenants/ca' });
    expect((logged[0]?.[1].error as Error).message).toContain('ECONNREFUSED');
  });

  it('answers an event that is not an HTTP API event with a 500 instead of throwing', async () => {
    const answer = await handler({} as never, lambdaContext());
    expect(answer.statusCode).toBe(500);
    expect(JSON.parse(answer.body)).toEqual({ error: { code: 'INTERNAL_ERROR', message: expect.stringContaining('request id unknown') } });
  });
});
