import { request } from 'node:http';
import type { Agent, IncomingMessage, ServerResponse } from 'node:http';

/** Headers that describe one connection, not the message: never forwarded (RFC 9110 §7.6.1). */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

export interface Upstream {
  host: string;
  port: number;
  agent: Agent;
}

export interface ForwardOptions {
  /** The listener's port, sent as X-Forwarded-Port. */
  listenerPort: number;
  /** Like the ALB's idle timeout: an upstream silent for this long ends the request with 504. */
  idleTimeoutMs: number;
}

/** Lower-cased host name of a Host header, without its port: `ca.localhost:8080` -> `ca.localhost`. */
export function hostnameOf(hostHeader: string | undefined): string {
  const host = (hostHeader ?? '').trim().toLowerCase();
  if (host.startsWith('[')) return host.slice(0, host.indexOf(']') + 1);
  const colon = host.lastIndexOf(':');
  return colon === -1 ? host : host.slice(0, colon);
}

/**
 * Answers with the load balancer's own error, as HTML for browsers and as the
 * API's `{"error": {code, message}}` for everything else.
 */
/** A JSON error, or HTML for a browser (`htmlPage` when given, else the message in a minimal page). */
export function respondWithError(req: IncomingMessage, res: ServerResponse, status: number, code: string, message: string, htmlPage?: string): void {
  // The request body is not wanted; reading it lets a keep-alive connection carry the next request.
  req.resume();
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const html = (req.headers.accept ?? '').includes('text/html');
  const body = html
    ? (htmlPage ?? `<!doctype html><html lang="en"><head><title>${status}</title></head><body><h1>${status}</h1><p>${escapeHtml(message)}</p></body></html>\n`)
    : `${JSON.stringify({ error: { code, message } })}\n`;
  res.writeHead(status, {
    'content-type': html ? 'text/html; charset=utf-8' : 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Raw header pairs minus the hop-by-hop ones and any named in `Connection`. */
function endToEnd(rawHeaders: string[], drop: ReadonlySet<string> = new Set()): string[] {
  const connectionTokens = new Set<string>();
  for (let i = 0; i < rawHeaders.length; i += 2) {
    if (rawHeaders[i]?.toLowerCase() === 'connection') {
      for (const token of (rawHeaders[i + 1] ?? '').split(',')) connectionTokens.add(token.trim().toLowerCase());
    }
  }
  const kept: string[] = [];
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i] ?? '';
    const lower = name.toLowerCase();
    if (HOP_BY_HOP.has(lower) || connectionTokens.has(lower) || drop.has(lower)) continue;
    kept.push(name, rawHeaders[i + 1] ?? '');
  }
  return kept;
}

/** Replaced by the load balancer's own; `expect` is answered by this server already. */
const REPLACED_ON_REQUEST = new Set(['x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-port', 'x-forwarded-host', 'expect']);

function hasBody(req: IncomingMessage): boolean {
  return req.headers['transfer-encoding'] !== undefined || (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0');
}

/**
 * Streams `req` to the upstream and its response back, both bodies unbuffered.
 * Calls `done` exactly once, when the exchange is over for whatever reason, so
 * the caller's in-flight count stays exact (draining depends on it).
 */
export function forward(req: IncomingMessage, res: ServerResponse, upstream: Upstream, options: ForwardOptions, done: () => void): void {
  let finished = false;
  const finish = () => {
    if (finished) return;
    finished = true;
    done();
  };
  res.on('close', finish);

  const clientIp = req.socket.remoteAddress ?? '';
  const priorFor = req.headers['x-forwarded-for'];
  const headers = endToEnd(req.rawHeaders, REPLACED_ON_REQUEST);
  headers.push(
    'X-Forwarded-For',
    priorFor ? `${String(priorFor)}, ${clientIp}` : clientIp,
    'X-Forwarded-Proto',
    'http',
    'X-Forwarded-Port',
    String(options.listenerPort),
    'X-Forwarded-Host',
    req.headers.host ?? '',
  );
  if (hasBody(req) && req.headers['content-length'] === undefined) headers.push('Transfer-Encoding', 'chunked');

  const send = (retry: boolean) => {
    const upstreamReq = request({ host: upstream.host, port: upstream.port, method: req.method, path: req.url, headers, agent: upstream.agent });
    upstreamReq.setTimeout(options.idleTimeoutMs, () => upstreamReq.destroy(Object.assign(new Error('upstream idle timeout'), { code: 'ETIMEDOUT' })));
    upstreamReq.on('response', (upstreamRes) => {
      res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.statusMessage, endToEnd(upstreamRes.rawHeaders));
      upstreamRes.pipe(res);
      upstreamRes.on('error', () => res.destroy());
    });
    upstreamReq.on('error', (error: NodeJS.ErrnoException) => {
      // A kept-alive socket the target closed just as it was reused: safe to send again only when no body was streamed.
      if (retry && upstreamReq.reusedSocket && error.code === 'ECONNRESET') {
        send(false);
        return;
      }
      if (error.code === 'ETIMEDOUT') respondWithError(req, res, 504, 'GatewayTimeout', 'the target did not answer in time');
      else respondWithError(req, res, 502, 'BadGateway', `the target could not be reached (${error.code ?? error.message})`);
    });
    res.on('close', () => {
      // The client went away: stop the work upstream as well.
      if (!res.writableFinished) upstreamReq.destroy();
    });
    if (hasBody(req)) req.pipe(upstreamReq);
    else upstreamReq.end();
  };
  send(!hasBody(req));
}
