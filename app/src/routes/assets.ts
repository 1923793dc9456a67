import type { FastifyInstance } from 'fastify';
import { STYLESHEET } from '../views/stylesheet.ts';

export function registerAssetRoutes(app: FastifyInstance): void {
  app.get('/assets/app.css', async (_request, reply) => {
    reply.header('content-type', 'text/css; charset=utf-8').header('cache-control', 'public, max-age=3600');
    return STYLESHEET;
  });
}
