import type { FastifyInstance } from 'fastify';
import type { Assets } from '../assets.ts';

const FOR_GOOD = 'public, max-age=31536000, immutable';
/** Fonts and icons keep their package's names: kept a day, then checked again. */
const FOR_A_DAY = 'public, max-age=86400';

export function registerAssetRoutes(app: FastifyInstance, assets: Assets): void {
  app.get<{ Params: { '*': string } }>('/assets/*', async (request, reply) => {
    const file = assets.files.get(request.params['*']);
    if (!file) return reply.callNotFound();
    const accepted = String(request.headers['accept-encoding'] ?? '');
    reply.header('content-type', file.contentType).header('cache-control', file.immutable ? FOR_GOOD : FOR_A_DAY);
    if (file.gzip) reply.header('vary', 'accept-encoding');
    if (file.brotli && /\bbr\b/.test(accepted)) return reply.header('content-encoding', 'br').send(file.brotli);
    if (file.gzip && /\bgzip\b/.test(accepted)) return reply.header('content-encoding', 'gzip').send(file.gzip);
    return reply.send(file.body);
  });
}
