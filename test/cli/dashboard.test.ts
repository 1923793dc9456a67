/**
 * `humangov dashboard`: locally the local dashboard's address; for a deployed stage a loopback
 * proxy that signs each request as the operator. The proxy is tested against a stand-in for
 * API Gateway's IAM authorisation: a local server that checks each request's SigV4 signature
 * the way AWS documents it (canonical request, string to sign, signing key from date, region
 * and service), written out here independently of the signer the CLI uses
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html).
 */
import { createHash, createHmac } from 'node:crypto';
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { startDashboardProxy, type DashboardProxy } from '../../src/cli/dashboard-proxy.ts';
import { signedHeaders } from '../../src/cli/sigv4.ts';
import { run } from '../../src/cli/program.ts';
import type { CliIo } from '../../src/cli/context.ts';
import { eventually } from '../support/eventually.ts';

const OPERATOR = { accessKeyId: 'AKIDOPERATOR', secretAccessKey: 'operator-secret-key' };
const REGION = 'us-gov-west-1';

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data).digest();
const encode = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`);

interface Received {
  method: string;
  path: string;
  body: string;
  headers: IncomingMessage['headers'];
  verdict: string;
}

/** `ok`, or why API Gateway would refuse the request (its IAM authoriser checks exactly this). */
function verify(req: IncomingMessage, body: Buffer, secrets: Record<string, string>): string {
  const match = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(
    String(req.headers.authorization ?? ''),
  );
  if (!match) return `no SigV4 Authorization header: ${req.headers.authorization}`;
  const [, keyId, day, region, service, signedNames, signature] = match as unknown as string[];
  const amzDate = String(req.headers['x-amz-date'] ?? '');
  if (!amzDate.startsWith(day!)) return `x-amz-date ${amzDate} is not of the credential's day ${day}`;
  if (service !== 'execute-api') return `signed for ${service}, not execute-api`;
  const names = signedNames!.split(';');
  if (!names.includes('host') || !names.includes('x-amz-date')) return `host and x-amz-date must be signed, not only ${signedNames}`;
  const url = new URL(req.url ?? '/', 'http://x');
  const query = [...url.searchParams]
    .map(([k, v]) => `${encode(k)}=${encode(v)}`)
    .sort()
    .join('&');
  const canonical = [
    req.method,
    url.pathname.split('/').map(encode).join('/'),
    query,
    names.map((n) => `${n}:${String(req.headers[n] ?? '').trim()}\n`).join(''),
    signedNames,
    sha256(body),
  ].join('\n');
  const scope = `${day}/${region}/${service}/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonical)].join('\n');
  const secret = secrets[keyId!];
  if (!secret) return `unknown access key ${keyId}`;
  const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, day!), region!), service!), 'aws4_request');
  return createHmac('sha256', key).update(toSign).digest('hex') === signature ? 'ok' : 'signature does not match';
}

let api: Server;
let apiUrl: URL;
const received: Received[] = [];

beforeAll(async () => {
  // The stand-in API: refuses what IAM would refuse (403, as API Gateway answers), else answers JSON.
  api = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const verdict = verify(req, body, { [OPERATOR.accessKeyId]: OPERATOR.secretAccessKey });
      received.push({ method: req.method ?? '', path: req.url ?? '', body: body.toString(), headers: req.headers, verdict });
      if (verdict !== 'ok') return res.writeHead(403, { 'content-type': 'application/json' }).end(JSON.stringify({ message: verdict }));
      res.writeHead(200, { 'content-type': 'application/json', 'x-request-path': req.url ?? '' }).end(JSON.stringify({ items: [], seen: body.toString() }));
    });
  });
  await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
  apiUrl = new URL(`http://127.0.0.1:${(api.address() as AddressInfo).port}/prod`);
});
afterAll(async () => {
  await new Promise<void>((resolve) => api.close(() => resolve()));
});

describe('the dashboard proxy', () => {
  let proxy: DashboardProxy;
  const start = async (credentials = OPERATOR) => {
    proxy = await startDashboardProxy({
      upstream: apiUrl,
      port: 0,
      sign: (request) => signedHeaders(request, { credentials, region: REGION, service: 'execute-api', now: new Date() }),
    });
  };
  afterEach(async () => {
    await proxy?.close();
    received.length = 0;
  });

  /** A request to the proxy as a browser would send it; `host` and headers can be set outright. */
  function browser(path: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}) {
    const { port } = new URL(proxy.url);
    return new Promise<{ status: number; headers: IncomingMessage['headers']; body: string }>((resolve, reject) => {
      const req = httpRequest(
        { host: '127.0.0.1', port, path, method: options.method ?? 'GET', headers: { host: `127.0.0.1:${port}`, ...options.headers } },
        (res) => {
          let body = '';
          res.on('data', (chunk: Buffer) => (body += chunk.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        },
      );
      req.on('error', reject);
      req.end(options.body);
    });
  }

  it("forwards a page's read to the API under the stage's path, signed as the operator, and returns the answer", async () => {
    await start();

    const res = await browser('/tenants?limit=5&cursor=a%2Fb', { headers: { accept: 'application/json', cookie: 'local=1' } });

    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json');
    expect(JSON.parse(res.body)).toEqual({ items: [], seen: '' });
    expect(received).toEqual([expect.objectContaining({ method: 'GET', path: '/prod/tenants?limit=5&cursor=a%2Fb', verdict: 'ok' })]);
    expect(received[0]!.headers.authorization).toMatch(new RegExp(`^AWS4-HMAC-SHA256 Credential=AKIDOPERATOR/\\d{8}/${REGION}/execute-api/aws4_request, `));
    // What stays on this machine: the browser's cookies.
    expect(received[0]!.headers.cookie).toBeUndefined();
  });

  it("forwards a write from the dashboard's own page with its body signed", async () => {
    await start();

    const res = await browser('/tenants/ca/retry', {
      method: 'POST',
      headers: { origin: proxy.url, 'content-type': 'application/json' },
      body: '{"reason":"operator"}',
    });

    expect(res.status).toBe(200);
    expect(received).toEqual([expect.objectContaining({ method: 'POST', path: '/prod/tenants/ca/retry', body: '{"reason":"operator"}', verdict: 'ok' })]);
  });

  it('is refused by the API when it signs with other credentials: the stand-in checks the signature', async () => {
    await start({ accessKeyId: OPERATOR.accessKeyId, secretAccessKey: 'not-the-operator-secret' });

    const res = await browser('/tenants');

    expect(res.status).toBe(403);
    expect(res.body).toContain('signature does not match');
  });

  it('refuses, without calling the API, a write from another site and a request addressed to another host name', async () => {
    await start();
    const { port } = new URL(proxy.url);

    const foreign = await browser('/tenants/ca/retry', { method: 'POST', headers: { origin: 'https://evil.example' } });
    const noOrigin = await browser('/tenants/ca', { method: 'DELETE' });
    const crossSite = await browser('/tenants/ca', { method: 'PATCH', headers: { origin: proxy.url, 'sec-fetch-site': 'cross-site' } });
    const rebound = await browser('/tenants', { headers: { host: `evil.example:${port}` } });

    expect([foreign.status, noOrigin.status, crossSite.status, rebound.status]).toEqual([403, 403, 403, 403]);
    expect(foreign.body).toContain(`POST is accepted from the dashboard's own page (${proxy.url}) only`);
    expect(rebound.body).toContain(`not to "evil.example:${port}"`);
    expect(received).toEqual([]);
  });
});

describe('humangov dashboard', () => {
  function io(signal?: AbortSignal) {
    const out = { stdout: '', stderr: '', opened: [] as string[] };
    const cli: CliIo = {
      stdout: { write: (text) => void (out.stdout += text), isTTY: false, columns: 120 },
      stderr: { write: (text) => void (out.stderr += text), isTTY: false },
      env: { HUMANGOV_CONFIG: '/nonexistent/humangov-config.json' },
      now: () => new Date(),
      openUrl: (url) => void out.opened.push(url),
      ...(signal ? { signal } : {}),
    };
    return { cli, out };
  }

  it('for a deployed stage starts the signing proxy on loopback, says so, opens it, and stops when asked', async () => {
    const stop = new AbortController();
    const { cli, out } = io(stop.signal);

    const running = run(['--api', 'https://abc123.execute-api.us-gov-west-1.amazonaws.com', 'dashboard', '--port', '0'], cli);
    const url = await eventually(() => {
      const found = /(http:\/\/127\.0\.0\.1:\d+\/)/.exec(out.stdout)?.[1];
      expect(found).toBeDefined();
      return found!;
    });
    // The proxy answers (here: refuses a write from no page, which needs no credentials).
    const refused = await fetch(`${url}tenants/ca`, { method: 'DELETE' });
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain("DELETE is accepted from the dashboard's own page");
    stop.abort();

    expect(await running).toBe(0);
    expect(out.stdout).toContain('The dashboard of https://abc123.execute-api.us-gov-west-1.amazonaws.com (us-gov-west-1): http://127.0.0.1:');
    expect(out.opened).toEqual([url]);
    await expect(fetch(url)).rejects.toThrow();
  });

  it('for the local control plane prints and opens its own dashboard', async () => {
    const local = createServer((req, res) => {
      res.writeHead(req.url === '/health' ? 200 : 404, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'ok', stage: 'local', time: '' }));
    });
    await new Promise<void>((resolve) => local.listen(0, '127.0.0.1', resolve));
    try {
      const base = `http://127.0.0.1:${(local.address() as AddressInfo).port}`;
      const { cli, out } = io();

      expect(await run(['--api', base, 'dashboard'], cli)).toBe(0);
      expect(out.stdout).toBe(`The dashboard of the local control plane: ${base}/\n`);
      expect(out.opened).toEqual([`${base}/`]);
    } finally {
      await new Promise<void>((resolve) => local.close(() => resolve()));
    }
  });

  it('says when the local control plane is not running, and with --no-open opens nothing', async () => {
    const { cli, out } = io();

    const code = await run(['--api', 'http://127.0.0.1:9', 'dashboard', '--no-open'], cli);

    expect(code).toBe(1);
    expect(out.stderr).toContain('start it with `npm start`');
    expect(out.opened).toEqual([]);
  });
});
