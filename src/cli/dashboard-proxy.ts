/**
 * `humangov dashboard --api <url>`: the deployed status API needs SigV4 on every request (IAM
 * authorisation), which a browser cannot add. As `kubectl proxy` does for the Kubernetes API,
 * the CLI listens on loopback and forwards each request to the API, signed with the operator's
 * own AWS credentials (service execute-api); no new sign-in exists, and IAM decides as it does
 * for the CLI.
 *
 * Anything on this machine that can reach the port acts as the operator, so the proxy answers
 * only what the dashboard itself sends: requests addressed to its own host name (a page of
 * another site whose name resolves to 127.0.0.1 is refused: DNS rebinding), and writes only from
 * its own origin (a page of another site cannot post to it: CSRF).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RequestToSign } from './sigv4.ts';

export interface DashboardProxyOptions {
  /** The status API's base URL; a path (a stage) is kept as a prefix. */
  upstream: URL;
  /** Signs one request to the API (ApiClient.signFor). */
  sign: (request: RequestToSign) => Promise<Record<string, string>>;
  /** 0 takes any free port. */
  port: number;
  fetch?: typeof fetch;
}

export interface DashboardProxy {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  close(): Promise<void>;
}

/** Bodies the API takes are small JSON documents. */
const MAX_BODY_BYTES = 1024 * 1024;
/** Request headers the dashboard's calls need; cookies and the like stay on this machine. */
const FORWARDED = ['accept', 'content-type', 'if-none-match', 'if-modified-since'];
/** Not the proxy's to pass on: hop-by-hop, or describing the encoded body fetch has already decoded. */
const NOT_RETURNED = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-encoding', 'content-length', 'set-cookie']);
const READS = new Set(['GET', 'HEAD']);

export async function startDashboardProxy(options: DashboardProxyOptions): Promise<DashboardProxy> {
  const send = options.fetch ?? fetch;
  let origins: Set<string> = new Set();
  const server = createServer((req, res) => {
    serve(req, res).catch((error: unknown) => answer(res, 502, `humangov dashboard could not forward this request: ${(error as Error).message}`));
  });

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const host = req.headers.host ?? '';
    if (!origins.has(`http://${host}`))
      return answer(res, 403, `refused: the dashboard proxy answers requests to ${[...origins].join(' or ')} only, not to "${host}"`);
    const origin = req.headers.origin;
    const crossSite = req.headers['sec-fetch-site'] === 'cross-site';
    if (!READS.has(method) && (crossSite || origin === undefined || !origins.has(origin))) {
      return answer(res, 403, `refused: ${method} is accepted from the dashboard's own page (${[...origins][0]}) only`);
    }
    const body = await readBody(req);
    if (body === undefined) return answer(res, 413, `refused: bodies are at most ${MAX_BODY_BYTES} bytes`);

    const incoming = new URL(req.url ?? '/', 'http://proxy');
    const url = new URL(options.upstream);
    url.pathname = `${url.pathname.replace(/\/+$/, '')}${incoming.pathname}`;
    url.search = incoming.search;
    const headers: Record<string, string> = {};
    for (const name of FORWARDED) {
      const value = req.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    const text = body.length === 0 ? undefined : body.toString('utf8');
    const signed = await options.sign({ method, url, headers, ...(text === undefined ? {} : { body: text }) });
    const upstream = await send(url, { method, headers: signed, body: text, redirect: 'manual' });
    const returned: Record<string, string> = {};
    upstream.headers.forEach((value, name) => {
      if (!NOT_RETURNED.has(name)) returned[name] = value;
    });
    res.writeHead(upstream.status, returned);
    res.end(Buffer.from(await upstream.arrayBuffer()));
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  origins = new Set([`http://127.0.0.1:${port}`, `http://localhost:${port}`]);
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function answer(res: ServerResponse, status: number, message: string): void {
  if (res.headersSent) return void res.destroy();
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(`${message}\n`);
}

async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
