/**
 * The status API's routes: check the request (input.ts), call a repository,
 * show the result (views.ts). Errors are thrown, never answered here: the one
 * error mapper (errors.ts) turns them into responses.
 */
import * as z from 'zod/mini';
import '../kernel/zod-english.ts';
import { InvalidTenantError, TenantNotFoundError } from '../tenants/errors.ts';
import type { TenantRepository } from '../tenants/repository.ts';
import type { DeploymentRepository } from '../deployments/repository.ts';
import { DeploymentNotFoundError } from '../deployments/errors.ts';
import { json } from './http.ts';
import {
  MAX_PAGE_SIZE,
  TENANT_EXAMPLE,
  checkCursor,
  deleteQuerySchema,
  deploymentIdParam,
  pageQuerySchema,
  PATCH_EXAMPLE,
  parseNewTenant,
  parseQuery,
  parseTenantPatch,
  readJsonBody,
  tenantIdParam,
} from './input.ts';
import type { Route } from './router.ts';
import { dashboardRoutes } from './dashboard.ts';
import { operatorRoutes } from './operator-routes.ts';
import { deploymentDetail, deploymentSummary, tenantDetail, tenantSummary } from './views.ts';

export interface ApiDeps {
  tenants: Pick<TenantRepository, 'get' | 'list' | 'create' | 'updateUserFields' | 'patchUserFields' | 'forgetDataStores'>;
  deployments: Pick<DeploymentRepository, 'get' | 'list'>;
  now: () => Date;
  /** Shown by GET /health, so a caller can tell which deployment of the control plane answered. */
  stage: string;
  /** Set by the local provider only: its state directory, where `humangov push` must put a release for this control plane. */
  localHome?: string;
  /** Set by the local provider only: the control plane's metrics, served at GET /metrics (in AWS they are CloudWatch metrics). */
  readMetrics?: () => unknown;
}

const noQuery = z.object({});

export function apiRoutes(deps: ApiDeps): Route[] {
  const routes: Route[] = [
    // The fleet dashboard: GET / and its script and styles (src/api/dashboard.ts).
    ...dashboardRoutes(),
    {
      method: 'GET',
      path: '/health',
      handler: async ({ query }) => {
        parseQuery(noQuery, query, 'GET /health');
        const local = deps.localHome === undefined ? {} : { home: deps.localHome };
        return json(200, { status: 'ok', stage: deps.stage, time: deps.now().toISOString(), ...local });
      },
    },
    {
      method: 'GET',
      path: '/tenants',
      handler: async ({ query }) => {
        const { limit, cursor } = parseQuery(pageQuerySchema, query, 'GET /tenants');
        const page = await deps.tenants.list({ limit: limit ?? MAX_PAGE_SIZE, cursor: checkCursor(cursor, 'tenantId') });
        return json(200, { items: page.items.map(tenantSummary), nextCursor: page.nextCursor ?? null });
      },
    },
    {
      method: 'POST',
      path: '/tenants',
      handler: async ({ event, query }) => {
        parseQuery(noQuery, query, 'POST /tenants');
        const fields = parseNewTenant(readJsonBody(event, 'POST /tenants', TENANT_EXAMPLE));
        // The same conditional insert a user's PutItem would be: the table's stream starts onboarding.
        const record = await deps.tenants.create(fields);
        return json(201, tenantDetail(record), { location: `/tenants/${record.tenantId}` });
      },
    },
    {
      method: 'GET',
      path: '/tenants/{id}',
      handler: async ({ params, query }) => {
        const tenantId = tenantIdParam(params.id);
        parseQuery(noQuery, query, 'GET /tenants/{id}');
        const record = await deps.tenants.get(tenantId);
        if (!record) throw new TenantNotFoundError(tenantId);
        return json(200, tenantDetail(record));
      },
    },
    {
      method: 'PATCH',
      path: '/tenants/{id}',
      handler: async ({ event, params, query }) => {
        const tenantId = tenantIdParam(params.id);
        parseQuery(noQuery, query, 'PATCH /tenants/{id}');
        const patch = parseTenantPatch(readJsonBody(event, 'PATCH /tenants/{id}', PATCH_EXAMPLE));
        // A change of user fields, as an UpdateItem of the table would be: the stream converges the tenant to it.
        return json(200, tenantDetail(await deps.tenants.patchUserFields(tenantId, patch)));
      },
    },
    {
      method: 'DELETE',
      path: '/tenants/{id}',
      handler: async ({ params, query }) => {
        const tenantId = tenantIdParam(params.id);
        const { purge } = parseQuery(deleteQuerySchema, query, 'DELETE /tenants/{id}');
        // A record whose user fields break a rule can still be removed: removal reads only its id, desiredState and purgeData.
        const current = await deps.tenants.get(tenantId).catch((error: unknown) => {
          if (error instanceof InvalidTenantError) return { tenantId, invalid: true } as const;
          throw error;
        });
        if (!current) throw new TenantNotFoundError(tenantId);
        // Asking again is answered like the first time, without a write: the stream sees no change, so offboarding is not restarted.
        const unchanged = !('invalid' in current) && current.desiredState === 'DELETED' && (purge === undefined || (current.purgeData ?? false) === purge);
        const record = unchanged
          ? current
          : await deps.tenants.updateUserFields(tenantId, { desiredState: 'DELETED', ...(purge === undefined ? {} : { purgeData: purge }) });
        return json(202, tenantDetail(record));
      },
    },
    // POST /tenants/{id}/retry and /restore (src/api/operator-routes.ts).
    ...operatorRoutes(deps),
    {
      method: 'GET',
      path: '/deployments',
      handler: async ({ query }) => {
        const { limit, cursor } = parseQuery(pageQuerySchema, query, 'GET /deployments');
        const page = await deps.deployments.list({ limit: limit ?? MAX_PAGE_SIZE, cursor: checkCursor(cursor, 'deploymentId') });
        return json(200, { items: page.items.map(deploymentSummary), nextCursor: page.nextCursor ?? null });
      },
    },
    {
      method: 'GET',
      path: '/deployments/{id}',
      handler: async ({ params, query }) => {
        const deploymentId = deploymentIdParam(params.id);
        parseQuery(noQuery, query, 'GET /deployments/{id}');
        const deployment = await deps.deployments.get(deploymentId);
        if (!deployment) throw new DeploymentNotFoundError(deploymentId);
        return json(200, deploymentDetail(deployment));
      },
    },
  ];
  const { readMetrics } = deps;
  if (readMetrics) {
    routes.push({
      method: 'GET',
      path: '/metrics',
      handler: async ({ query }) => {
        parseQuery(noQuery, query, 'GET /metrics');
        return json(200, readMetrics());
      },
    });
  }
  return routes;
}
