/**
 * Helpers for driving a running local control plane the way a person would:
 * requests through the load balancer by host name, records written straight to
 * the DynamoDB endpoint, images built from directories.
 */
import { request } from 'node:http';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LOCAL_STAFF_PASSWORD } from '../../src/local/identity/staff.ts';

export const APP_DIR = fileURLToPath(new URL('../../app/', import.meta.url));

export interface HttpResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A request to the load balancer as a browser at http://<tenant>.localhost would send it (fetch cannot set Host). */
export function viaLoadBalancer(
  lbUrl: string,
  tenantId: string,
  path: string,
  init: { method?: string; headers?: Record<string, string>; body?: Buffer } = {},
): Promise<HttpResult> {
  const { port } = new URL(lbUrl);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, method: init.method ?? 'GET', headers: { host: `${tenantId}.localhost:${port}`, ...init.headers }, timeout: 10_000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`GET ${path} on ${tenantId} timed out`)));
    req.on('error', reject);
    req.end(init.body);
  });
}

/** A multipart body as a browser would send it, serialised so it can go through node:http. */
export async function multipart(form: FormData): Promise<{ body: Buffer; contentType: string }> {
  const encoded = new Request('http://localhost/', { method: 'POST', body: form });
  return { body: Buffer.from(await encoded.arrayBuffer()), contentType: encoded.headers.get('content-type') ?? '' };
}

export function pdf(label: string): Blob {
  return new Blob([Buffer.from(`%PDF-1.4\n% ${label}\n%%EOF\n`)], { type: 'application/pdf' });
}

export function dynamoClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'e2e', secretAccessKey: 'e2e' } });
}

/**
 * An image context made from the built app: package.json and dist/ only (no
 * build step), with `change` applied to the server bundle so its digest differs.
 */
export async function appVariant(label: string, change: (server: string) => string): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), `humangov-image-${label}-`));
  const pkg = JSON.parse(await readFile(join(APP_DIR, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  delete pkg.scripts.build;
  await writeFile(join(dir, 'package.json'), JSON.stringify(pkg, null, 2));
  await cp(join(APP_DIR, 'dist'), join(dir, 'dist'), { recursive: true });
  const server = join(dir, 'dist', 'server.js');
  await writeFile(server, change(await readFile(server, 'utf8')));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** Polls `check` until it returns a value, failing with what it last saw after `timeoutMs`. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 60_000, everyMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `; last error: ${String(last)}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** Requests both tenants' /health in a loop until stopped; counts what did not answer 200. */
export function steadyLoad(lbUrl: string, tenants: readonly string[], everyMs = 50) {
  let running = true;
  const failures: string[] = [];
  let requests = 0;
  const loop = (async () => {
    while (running) {
      await Promise.all(
        tenants.map(async (tenant) => {
          requests++;
          try {
            const res = await viaLoadBalancer(lbUrl, tenant, '/health');
            if (res.status !== 200) failures.push(`${tenant}: ${res.status} ${res.body.slice(0, 120)}`);
          } catch (error) {
            failures.push(`${tenant}: ${String(error)}`);
          }
        }),
      );
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return { requests, failures };
    },
  };
}

/**
 * Signs `username` in at the load balancer for `tenantId` as a browser would: the redirect to the
 * local identity provider, its login form, the code back to `/oauth2/idpresponse`. Returns the
 * Cookie header that carries the load balancer's session for that tenant's host.
 */
export async function signInThroughLoadBalancer(lbUrl: string, tenantId: string, username: string, password = LOCAL_STAFF_PASSWORD): Promise<string> {
  const lbCookies = new Map<string, string>();
  const idpCookies = new Map<string, string>();
  const keep = (jar: Map<string, string>, setCookie: string | string[] | undefined) => {
    for (const line of [setCookie ?? []].flat()) {
      const [pair = ''] = line.split(';');
      const separator = pair.indexOf('=');
      jar.set(pair.slice(0, separator).trim(), pair.slice(separator + 1).trim());
    }
  };
  const header = (jar: Map<string, string>) => [...jar].map(([name, value]) => `${name}=${value}`).join('; ');

  const start = await viaLoadBalancer(lbUrl, tenantId, '/');
  keep(lbCookies, start.headers['set-cookie']);
  let location = new URL(String(start.headers.location));
  const idpOrigin = location.origin;
  for (let hops = 0; location.origin === idpOrigin; hops++) {
    if (hops > 10) throw new Error(`signing ${username} in went round in circles at ${location.href}`);
    const login = /^\/interaction\/[^/]+$/.test(location.pathname);
    const response = await fetch(login ? `${location.href}/login` : location, {
      method: login ? 'POST' : 'GET',
      redirect: 'manual',
      headers: { cookie: header(idpCookies) },
      ...(login ? { body: new URLSearchParams({ username, password }) } : {}),
    });
    keep(idpCookies, response.headers.getSetCookie());
    const next = response.headers.get('location');
    if (!next) throw new Error(`signing ${username} in stopped at ${location.href} with ${response.status}: ${await response.text()}`);
    location = new URL(next, location);
  }
  const callback = await viaLoadBalancer(lbUrl, tenantId, `${location.pathname}${location.search}`, { headers: { cookie: header(lbCookies) } });
  keep(lbCookies, callback.headers['set-cookie']);
  if (callback.status !== 302 || !lbCookies.get('AWSELBAuthSessionCookie-0'))
    throw new Error(`the load balancer did not sign ${username} in: ${callback.status} ${callback.body}`);
  return header(lbCookies);
}
