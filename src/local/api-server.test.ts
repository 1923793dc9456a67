import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { makeApiHandler } from '../../functions/api.ts';
import { startApiTables, type ApiTables } from '../../test/api/support.ts';
import type { HttpApiEvent } from '../api/http.ts';
import { startApiServer, type ApiServer } from './api-server.ts';

describe('local status API server (real HTTP, the functions/api.ts handler)', () => {
  let tables: ApiTables;
  let server: ApiServer;
  const events: HttpApiEvent[] = [];

  beforeAll(async () => {
    tables = await startApiTables();
    const handler = makeApiHandler({ tenants: tables.tenantsTable.repository(), deployments: tables.deployments, stage: 'local' });
    server = await startApiServer({
      handler: async (event, context) => {
        events.push(structuredClone(event));
        return handler(event, context);
      },
      host: '127.0.0.1',
      port: 0,
    });
  });
  afterAll(async () => {
    await server?.close();
    await tables?.close();
  });

  it('serves the same handler on loopback: create, read and list a tenant', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const created = await fetch(`${server.url}/tenants`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"tenantId":"ca"}' });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe('/tenants/ca');
    expect(created.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(created.headers.get('cache-control')).toBe('no-store');

    const shown = await fetch(`${server.url}/tenants/ca`);
    expect(shown.status).toBe(200);
    expect(await shown.json()).toMatchObject({ tenantId: 'ca', displayName: 'California', desiredState: 'ACTIVE', desiredCount: 2 });

    const listed = await fetch(`${server.url}/tenants?limit=5&cursor=`);
    expect(await listed.json()).toMatchObject({ items: [{ tenantId: 'ca' }], nextCursor: null });
  });

  it('hands the handler an API Gateway v2 event', async () => {
    events.length = 0;
    await fetch(`${server.url}/tenants/ca?x=1&x=2`, { method: 'DELETE', headers: { 'X-Trace': 'abc', cookie: 'a=1; b=2' } });
    const [event] = events;
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: '$default',
      rawPath: '/tenants/ca',
      rawQueryString: 'x=1&x=2',
      queryStringParameters: { x: '1,2' },
      cookies: ['a=1', 'b=2'],
      headers: { 'x-trace': 'abc' },
      isBase64Encoded: false,
      requestContext: { http: { method: 'DELETE', path: '/tenants/ca', sourceIp: '127.0.0.1' }, stage: '$default' },
    });
    expect(event?.headers).not.toHaveProperty('cookie');
    expect(event?.requestContext.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(event?.requestContext.time).toMatch(/^\d\d\/[A-Z][a-z]{2}\/\d{4}:\d\d:\d\d:\d\d \+0000$/);
  });

  it('passes a non-text body base64-encoded, which the API refuses with 415', async () => {
    events.length = 0;
    const answer = await fetch(`${server.url}/tenants`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: new Uint8Array([1, 2, 3]),
    });
    expect(answer.status).toBe(415);
    expect(events[0]).toMatchObject({ body: 'AQID', isBase64Encoded: true });
  });

  it("answers the handler's errors as the handler writes them (405 with Allow)", async () => {
    const answer = await fetch(`${server.url}/tenants`, { method: 'PUT' });
    expect(answer.status).toBe(405);
    expect(answer.headers.get('allow')).toBe('GET, POST');
    expect(await answer.json()).toEqual({ error: { code: 'METHOD_NOT_ALLOWED', message: 'PUT is not allowed on /tenants; it allows GET, POST' } });
  });

  it('answers an oversized body with 413 without reading it, declared or streamed', async () => {
    events.length = 0;
    const declared = await fetch(`${server.url}/tenants`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: 'x'.repeat(64 * 1024) });
    expect(declared.status).toBe(413);
    expect(declared.headers.get('connection')).toBe('close');
    expect(await declared.json()).toEqual({ error: { code: 'PAYLOAD_TOO_LARGE', message: expect.stringContaining('at most 16384 bytes') } });

    // Chunked, with no length announced: the read stops at the first byte over the limit.
    const chunk = new TextEncoder().encode('x'.repeat(8 * 1024));
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ < 1024) controller.enqueue(chunk);
        else controller.close();
      },
    });
    const streamed = await fetch(`${server.url}/tenants`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect(streamed.status).toBe(413);
    expect(sent).toBeLessThan(1024);
    expect(events).toEqual([]);
  });

  it('refuses to listen anywhere but loopback', async () => {
    const handler = async () => ({ statusCode: 204 });
    await expect(startApiServer({ handler, host: '0.0.0.0', port: 0 })).rejects.toThrow('the status API listens on loopback only');
    await expect(startApiServer({ handler, host: '192.168.1.10', port: 0 })).rejects.toThrow('loopback only');
  });
});
