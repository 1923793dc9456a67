import { randomBytes } from 'node:crypto';
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
  /** Headers the load balancer adds (the signed-in person's x-amzn-oidc-*). */
  addHeaders?: Readonly<Record<string, string>>;
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

/** Raw header pairs minus the hop-by-hop ones, any named in `Connection`, those in `drop`, and those `valid` refuses. */
function endToEnd(rawHeaders: string[], drop: ReadonlySet<string> = new Set(), valid: (name: string) => boolean = () => true): string[] {
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
    if (HOP_BY_HOP.has(lower) || connectionTokens.has(lower) || drop.has(lower) || !valid(name)) continue;
    kept.push(name, rawHeaders[i + 1] ?? '');
  }
  return kept;
}

/**
 * Replaced by the load balancer's own; `expect` is answered by this server already.
 * An ALB sets X-Forwarded-For, -Proto and -Port, not X-Forwarded-Host: a client's passes through untouched.
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/x-forwarded-headers.html
 */
/**
 * The x-amzn-oidc-* headers are the load balancer's to set after it signed someone in: one sent
 * by a client never reaches a target.
 */
const REPLACED_ON_REQUEST = new Set([
  'host',
  'x-forwarded-for',
  'x-forwarded-proto',
  'x-forwarded-port',
  'x-amzn-trace-id',
  'expect',
  'x-amzn-oidc-data',
  'x-amzn-oidc-accesstoken',
  'x-amzn-oidc-identity',
]);

/**
 * serverless.yml turns on routing.http.drop_invalid_header_fields.enabled: the ALB then removes
 * request headers whose names are not only letters, digits and hyphens.
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/application-load-balancers.html#load-balancer-attributes
 */
const VALID_HEADER_NAME = /^[A-Za-z0-9-]+$/;
const validHeaderName = (name: string) => VALID_HEADER_NAME.test(name);

/**
 * The Host header the target gets with host header preservation off (the default):
 * on a listener port other than 80 or 443 the port is appended unless the client
 * gave one; on 80 and 443 any port is removed.
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/application-load-balancers.html#host-header-preservation
 */
export function hostForTarget(host: string, listenerPort: number): string {
  const trimmed = host.trim();
  const end = trimmed.startsWith('[') ? trimmed.indexOf(']') + 1 : 0;
  const colon = trimmed.indexOf(':', end);
  const name = colon === -1 ? trimmed : trimmed.slice(0, colon);
  if (listenerPort === 80 || listenerPort === 443) return name;
  return colon === -1 ? `${name}:${listenerPort}` : trimmed;
}

const traceId = (now: number) =>
  `1-${Math.floor(now / 1000)
    .toString(16)
    .padStart(8, '0')}-${randomBytes(12).toString('hex')}`;

/**
 * X-Amzn-Trace-Id as the ALB forwards it: a new `Root` when the request has none;
 * otherwise a `Self` field inserted (or updated) in front, other fields kept.
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-request-tracing.html
 */
export function traceHeader(incoming: string | undefined, now = Date.now()): string {
  const fields = (incoming ?? '')
    .split(';')
    .map((field) => field.trim())
    .filter((field) => field !== '');
  if (!fields.some((field) => field.startsWith('Root='))) return [`Root=${traceId(now)}`, ...fields].join(';');
  return [`Self=${traceId(now)}`, ...fields.filter((field) => !field.startsWith('Self='))].join(';');
}

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
  // routing.http.xff_header_processing.mode is append, the default: the client's address goes after any it sent.
  const priorFor = req.headers['x-forwarded-for'];
  const headers = endToEnd(req.rawHeaders, REPLACED_ON_REQUEST, validHeaderName);
  headers.push(
    'Host',
    hostForTarget(req.headers.host ?? '', options.listenerPort),
    'X-Forwarded-For',
    priorFor ? `${String(priorFor)}, ${clientIp}` : clientIp,
    'X-Forwarded-Proto',
    'http',
    'X-Forwarded-Port',
    String(options.listenerPort),
    'X-Amzn-Trace-Id',
    traceHeader(typeof req.headers['x-amzn-trace-id'] === 'string' ? req.headers['x-amzn-trace-id'] : undefined),
  );
  for (const [name, value] of Object.entries(options.addHeaders ?? {})) headers.push(name, value);
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
