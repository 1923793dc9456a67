import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { makeApiHandler } from '../../functions/api.ts';
import type { HttpApiResult } from '../../src/api/http.ts';
import { apiEvent, lambdaContext, startApiTables, type ApiTables } from '../api/support.ts';

describe('status API: the dashboard routes (real middy chain)', () => {
  let tables: ApiTables;
  let handler: ReturnType<typeof makeApiHandler>;

  beforeAll(async () => {
    tables = await startApiTables();
    handler = makeApiHandler({ tenants: tables.tenantsTable.repository(), deployments: tables.deployments, stage: 'test' });
  });
  afterAll(() => tables.close());

  const get = (target: string): Promise<HttpApiResult> => {
    const event = apiEvent('GET', target);
    return handler(event, lambdaContext(event.requestContext.requestId));
  };

  /** The `?v=` the page asks its assets with. */
  async function assetVersion(): Promise<string> {
    const page = await get('/');
    const version = /dashboard\/app\.js\?v=([a-f0-9]+)"/.exec(page.body)?.[1];
    if (!version) throw new Error('the page names no versioned script');
    return version;
  }

  it('serves the page at GET / as HTML under a CSP that allows no inline script or style and only this origin', async () => {
    const page = await get('/');
    expect(page.statusCode).toBe(200);
    expect(page.headers).toMatchObject({
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-cache',
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'x-frame-options': 'DENY',
    });
    const csp = page.headers['content-security-policy'] ?? '';
    expect(csp.split('; ')).toEqual(
      expect.arrayContaining(["default-src 'none'", "script-src 'self'", "style-src 'self'", "connect-src 'self'", "frame-ancestors 'none'"]),
    );
    expect(csp).not.toContain('unsafe-inline');
    // Inline code would be refused by that CSP: the page has none, and loads its assets by relative URL.
    expect(page.body).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>|<style|\son\w+=|style="/);
    expect(page.body).toMatch(/<script type="module" src="dashboard\/app\.js\?v=[a-f0-9]{16}"><\/script>/);
    expect(page.body).toMatch(/<link rel="stylesheet" href="dashboard\/app\.css\?v=[a-f0-9]{16}">/);
  });

  it('lays the page out with landmarks, a labelled filter and a live region', async () => {
    const { body } = await get('/');
    expect(body).toContain('<html lang="en">');
    expect(body).toContain('<a class="usa-skipnav" href="#main">Skip to main content</a>');
    expect(body).toContain('<header class="usa-header usa-header--basic">');
    expect(body).toContain('<nav aria-label="Dashboard" class="usa-nav" id="dashboard-nav">');
    expect(body).toContain('<main id="main" tabindex="-1">');
    expect(body).toContain('<label class="usa-label" for="status-filter">Show</label>');
    expect(body).toContain('<footer class="usa-identifier">');
    expect(body).toMatch(/<div id="announcer"[^>]*role="status"[^>]*aria-live="polite"/);
  });

  it('serves the script and styles with their types, kept for good when asked for by the current version', async () => {
    const version = await assetVersion();
    const script = await get(`/dashboard/app.js?v=${version}`);
    expect(script.statusCode).toBe(200);
    expect(script.headers).toMatchObject({
      'content-type': 'text/javascript; charset=utf-8',
      'cache-control': 'private, max-age=31536000, immutable',
      'x-content-type-options': 'nosniff',
    });
    const css = await get(`/dashboard/app.css?v=${version}`);
    expect(css.headers).toMatchObject({ 'content-type': 'text/css; charset=utf-8', 'cache-control': 'private, max-age=31536000, immutable' });
    expect(css.body).toContain('.badge');
  });

  it('revalidates assets asked for without the current version, so an old link never pins an old script', async () => {
    expect((await get('/dashboard/app.js')).headers['cache-control']).toBe('no-cache');
    expect((await get('/dashboard/app.css?v=0000000000000000')).headers['cache-control']).toBe('no-cache');
  });

  it('takes ?tenant= on the page, refusing a malformed tenant id and unknown parameters with 400', async () => {
    expect((await get('/?tenant=new-york')).statusCode).toBe(200);
    const bad = await get('/?tenant=Not_A_Tenant');
    expect(bad.statusCode).toBe(400);
    expect(JSON.parse(bad.body).error.code).toBe('INVALID_TENANT');
    const unknown = await get('/?tennant=ca');
    expect(unknown.statusCode).toBe(400);
    expect(JSON.parse(unknown.body).error.message).toBe('unknown query parameter "tennant"; GET / takes tenant');
  });

  it('answers a stored record that breaks a rule with each invalid field, the value given and the rule, for the tenant page', async () => {
    // As a user's PutItem would leave it, once the stream handler marked it FAILED.
    await tables.tenantsTable.db.send(
      new PutCommand({ TableName: tables.tenantsTable.tableName, Item: { tenantId: 'nv', desiredCount: 11, status: 'FAILED' } }),
    );

    const answer = await get('/tenants/nv');

    expect(answer.statusCode).toBe(400);
    expect(JSON.parse(answer.body).error).toEqual({
      code: 'INVALID_TENANT',
      message: 'desiredCount: desiredCount must be at most 10',
      invalidFields: [{ field: 'desiredCount', given: 11, rule: 'must be at most 10' }],
    });
  });

  it("leaves the dashboard out of the JSON API's route list in a 404", async () => {
    const missing = await get('/nowhere');
    expect(missing.statusCode).toBe(404);
    expect(JSON.parse(missing.body).error.message).toBe(
      'there is no /nowhere here; the API has GET /health, GET /tenants, POST /tenants, GET /tenants/{id}, PATCH /tenants/{id}, DELETE /tenants/{id}, POST /tenants/{id}/retry, POST /tenants/{id}/restore, GET /deployments, GET /deployments/{id}',
    );
  });
});
