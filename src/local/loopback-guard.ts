/**
 * What stands in, on one machine, for the IAM authorisation that guards the status API in AWS.
 * Listening on loopback is not enough: a web page the operator visits can point a name it owns
 * at 127.0.0.1 (DNS rebinding) and its requests then reach this port with that name in `Host`,
 * or it can post a form or script a request to http://127.0.0.1:<port> with its own `Origin`.
 * So the server answers only requests addressed to a loopback name, and takes a state-changing
 * request from a browser only when the browser says it came from this very origin (scheme, host
 * and port). A program (the CLI, curl) sends no `Origin` and is let through, as API Gateway would
 * after checking its signature.
 */
import { ApiError } from '../api/errors.ts';

const LOOPBACK_NAMES = new Set(['127.0.0.1', 'localhost', '[::1]']);
/** RFC 9110 section 9.2.1: these do not change state, so a foreign page gains nothing by sending them. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface LoopbackRequest {
  readonly method: string;
  readonly host: string | undefined;
  readonly origin: string | undefined;
}

/** The refusal to send, or undefined when the request may be served. */
export function loopbackRefusal(request: LoopbackRequest, port: number): ApiError | undefined {
  const where = `http://127.0.0.1:${port} or http://localhost:${port}`;
  const host = hostOf(request.host);
  if (!host || !LOOPBACK_NAMES.has(host.name) || (host.port !== undefined && host.port !== port)) {
    return new ApiError(
      403,
      'FORBIDDEN_HOST',
      `the local status API answers only requests addressed to ${where}, not "${request.host ?? ''}": open the dashboard at one of those addresses`,
    );
  }
  if (SAFE_METHODS.has(request.method.toUpperCase()) || request.origin === undefined) return undefined;
  if (!isOwnOrigin(request.origin, port)) {
    return new ApiError(
      403,
      'FORBIDDEN_ORIGIN',
      `a ${request.method.toUpperCase()} from a page at "${request.origin}" is refused: only pages served by ${where} may change tenants; use the dashboard there or the humangov CLI`,
    );
  }
  return undefined;
}

function hostOf(header: string | undefined): { name: string; port: number | undefined } | undefined {
  if (!header) return undefined;
  const match = /^(\[[0-9a-f:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/i.exec(header.trim());
  if (!match?.[1]) return undefined;
  return { name: match[1].toLowerCase(), port: match[2] === undefined ? undefined : Number(match[2]) };
}

/** `Origin: null` (a sandboxed frame, a file: page) is foreign too. */
function isOwnOrigin(origin: string, port: number): boolean {
  if (!URL.canParse(origin)) return false;
  const url = new URL(origin);
  return url.protocol === 'http:' && LOOPBACK_NAMES.has(url.hostname) && url.port === String(port) && url.origin === origin.toLowerCase();
}
