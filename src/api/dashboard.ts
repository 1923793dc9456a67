/**
 * The fleet dashboard's routes: the page at GET /, and its script and styles
 * under /dashboard/. They sit in the status API's own router (listed: false,
 * so the JSON API's route lists leave them out) and reach the handler in AWS
 * through the same HTTP API, the page's own data coming from the JSON routes.
 *
 * The page is locked down by a CSP that allows only this origin's script,
 * styles and JSON; the client builds its DOM from data as text, never markup.
 */
import { createHash } from 'node:crypto';
import * as z from 'zod/mini';
import '../kernel/zod-english.ts';
import type { HttpApiResult } from './http.ts';
import { parseQuery, tenantIdParam } from './input.ts';
import type { Route } from './router.ts';
import { dashboardPage } from './dashboard/page.ts';

export const DASHBOARD_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  'img-src data:',
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** An asset asked for with the current version may be kept for good; its URL changes with its content. */
const IMMUTABLE = 'private, max-age=31536000, immutable';
/** The page, and assets asked for without the version, are checked on every load so a new deploy shows at once. */
const REVALIDATE = 'no-cache';

const pageQuery = z.object({ tenant: z.optional(z.string()) });
const assetQuery = z.object({ v: z.optional(z.string()) });

function text(contentType: string, body: string, cacheControl: string, extra: Record<string, string> = {}): HttpApiResult {
  return {
    statusCode: 200,
    headers: { 'content-type': `${contentType}; charset=utf-8`, 'cache-control': cacheControl, 'x-content-type-options': 'nosniff', ...extra },
    body,
  };
}

interface Assets {
  script: string;
  css: string;
  /** Names this script and stylesheet in their URLs (`?v=`), so a browser may keep them for good. */
  version: string;
  page: string;
}

/** The script, the stylesheet and the page naming their version, made on the first request for one of them. */
async function loadAssets(): Promise<Assets> {
  const { clientScript, DASHBOARD_CSS } = await import('./dashboard/assets.ts');
  const script = clientScript();
  const version = createHash('sha256').update(script).update(DASHBOARD_CSS).digest('hex').slice(0, 16);
  return { script, css: DASHBOARD_CSS, version, page: dashboardPage(version) };
}

export function dashboardRoutes(): Route[] {
  // Once per process (a Lambda cold start), not per request.
  let loading: Promise<Assets> | undefined;
  const assets = (): Promise<Assets> =>
    (loading ??= loadAssets().catch((error: unknown) => {
      loading = undefined;
      throw error;
    }));
  const asset =
    (contentType: string, body: (assets: Assets) => string, route: string): Route['handler'] =>
    async ({ query }) => {
      const { v } = parseQuery(assetQuery, query, route);
      const loaded = await assets();
      return text(contentType, body(loaded), v === loaded.version ? IMMUTABLE : REVALIDATE);
    };

  return [
    {
      method: 'GET',
      path: '/',
      listed: false,
      handler: async ({ query }) => {
        // `?tenant=ca` opens that tenant's page (the client reads it); a malformed id is refused here, as GET /tenants/{id} would.
        const { tenant } = parseQuery(pageQuery, query, 'GET /');
        if (tenant !== undefined) tenantIdParam(tenant);
        return text('text/html', (await assets()).page, REVALIDATE, {
          'content-security-policy': DASHBOARD_CSP,
          'referrer-policy': 'no-referrer',
          'x-frame-options': 'DENY',
        });
      },
    },
    { method: 'GET', path: '/dashboard/app.js', listed: false, handler: asset('text/javascript', (loaded) => loaded.script, 'GET /dashboard/app.js') },
    { method: 'GET', path: '/dashboard/app.css', listed: false, handler: asset('text/css', (loaded) => loaded.css, 'GET /dashboard/app.css') },
  ];
}
