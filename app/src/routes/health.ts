import type { FastifyInstance } from 'fastify';
import type { Readiness } from '../readiness.ts';

export interface HealthRouteOptions {
  readonly tenantId: string;
  readonly appImage: string;
  readonly checkReadiness: () => Promise<Readiness>;
}

export function registerHealthRoutes(app: FastifyInstance, options: HealthRouteOptions): void {
  // Liveness only: it must not fail because a dependency is down, or the orchestrator would
  // restart healthy replicas. The control plane reads `image` to confirm what is serving.
  app.get('/health', async (_request, reply) => {
    reply.header('cache-control', 'no-store');
    return { status: 'ok', tenant: options.tenantId, image: options.appImage };
  });

  app.get('/ready', async (_request, reply) => {
    const { ready, checks } = await options.checkReadiness();
    reply.header('cache-control', 'no-store');
    if (ready) return { status: 'ready', checks };
    const failed = Object.entries(checks)
      .filter(([, check]) => !check.ok)
      .map(([name]) => name);
    return reply.code(503).send({ status: 'unavailable', failed, checks });
  });
}
