import type { FastifyRequest } from 'fastify';
import { ForeignOriginError } from '../errors.ts';

/**
 * The JSON API has no CSRF token, so a browser must not be able to call it from another
 * site: a request with an Origin other than this host is refused. Programs send no Origin.
 */
export async function refuseForeignOrigin(request: FastifyRequest): Promise<void> {
  const origin = request.headers.origin;
  if (origin === undefined) return;
  if (!isSameHost(origin, request.headers.host)) throw new ForeignOriginError(origin);
}

function isSameHost(origin: string, host: string | undefined): boolean {
  if (!host || !URL.canParse(origin)) return false;
  return new URL(origin).host.toLowerCase() === host.toLowerCase();
}
