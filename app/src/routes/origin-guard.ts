import type { FastifyRequest } from 'fastify';
import { ForeignOriginError } from '../errors.ts';

/**
 * The JSON API has no CSRF token, so a browser must not be able to call it from another
 * site: a request whose Origin is not this app's own origin (scheme, host and port, RFC 6454)
 * is refused. `http://` for an app served over HTTPS is another origin: a page on the plain
 * port (or a man in the middle there) must not drive the secure one. Programs send no Origin.
 */
export async function refuseForeignOrigin(request: FastifyRequest): Promise<void> {
  const origin = request.headers.origin;
  if (origin === undefined) return;
  if (!isOwnOrigin(origin, request)) throw new ForeignOriginError(origin);
}

function isOwnOrigin(origin: string, request: FastifyRequest): boolean {
  const host = request.headers.host;
  // The protocol is the client's, from X-Forwarded-Proto behind the load balancer (trustProxy).
  const own = `${request.protocol}://${host ?? ''}`;
  if (!host || !URL.canParse(origin) || !URL.canParse(own)) return false;
  // URL.origin drops a default port (https://a:443 is https://a) and lowercases the host.
  return new URL(origin).origin === new URL(own).origin;
}
