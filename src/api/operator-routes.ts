/**
 * The operator's actions on one tenant, beyond add, change and remove: run its
 * workflow again, bring a removed tenant back. Each is a write
 * of user fields, so the tenants table's stream starts the workflow exactly as
 * it does for a user's own write; nothing here starts an execution itself.
 */
import { TenantNotFoundError } from '../tenants/errors.ts';
import type { TenantRepository } from '../tenants/repository.ts';
import type { TenantRecord } from '../tenants/schema.ts';
import { ApiError } from './errors.ts';
import { json, type HttpApiEvent } from './http.ts';
import { parseQuery, readJsonBody, tenantIdParam } from './input.ts';
import type { ApiRequest, Route } from './router.ts';
import { tenantDetail } from './views.ts';
import * as z from 'zod/mini';
import '../kernel/zod-english.ts';

export interface OperatorDeps {
  tenants: Pick<TenantRepository, 'get' | 'updateUserFields' | 'forgetDataStores'>;
  now: () => Date;
}

const noQuery = z.object({});

/** Statuses a retry is for: the last attempt ended, and not as wanted. */
const RETRYABLE = ['FAILED', 'DEGRADED'] as const;

export function operatorRoutes(deps: OperatorDeps): Route[] {
  return [
    {
      method: 'POST',
      path: '/tenants/{id}/retry',
      handler: async (request) => {
        const { tenantId, current } = await actionTarget(deps, 'POST /tenants/{id}/retry', request);
        if (!RETRYABLE.includes(current.status as (typeof RETRYABLE)[number])) {
          throw new ApiError(
            409,
            'CONFLICT',
            `tenant "${tenantId}" is ${current.status ?? 'not picked up yet'}; a retry is for a tenant that is ${RETRYABLE.join(' or ')}`,
          );
        }
        // A retry starts again with what is there: a table or bucket that is gone is made again, empty.
        await deps.tenants.forgetDataStores(tenantId);
        const record = await deps.tenants.updateUserFields(tenantId, { retryRequestedAt: deps.now().toISOString() });
        return json(202, tenantDetail(record));
      },
    },
    {
      method: 'POST',
      path: '/tenants/{id}/restore',
      handler: async (request) => {
        const { tenantId, current } = await actionTarget(deps, 'POST /tenants/{id}/restore', request);
        if (current.desiredState !== 'DELETED') {
          throw new ApiError(409, 'CONFLICT', `tenant "${tenantId}" is not removed (status ${current.status ?? 'new'}); there is nothing to restore`);
        }
        if (current.purgeData === true) {
          throw new ApiError(
            409,
            'CONFLICT',
            `tenant "${tenantId}" was removed with its data purged; restore brings back kept data only. Delete its record and add it again to start empty`,
          );
        }
        if (current.status !== 'DELETED' && current.status !== 'FAILED') {
          throw new ApiError(409, 'CONFLICT', `tenant "${tenantId}" is still ${current.status ?? 'being removed'}; restore it once it is DELETED`);
        }
        // Onboarding adopts the table and bucket that offboarding kept (ensure* treat "already exists" as theirs).
        const record = await deps.tenants.updateUserFields(tenantId, { desiredState: 'ACTIVE' });
        return json(202, tenantDetail(record));
      },
    },
  ];
}

/**
 * The actions take no fields, but still a JSON body (`{}` with content-type: application/json):
 * a page of another site can post an empty or form body to the local API cross-origin without
 * asking, but not JSON, which needs a CORS preflight the API never grants
 * (https://developer.mozilla.org/en-US/docs/Web/HTTP/Guides/CORS#simple_requests).
 */
function emptyBody(event: HttpApiEvent, route: string): void {
  const body = readJsonBody(event, route, '{}');
  if (typeof body !== 'object' || body === null || Array.isArray(body) || Object.keys(body).length > 0) {
    throw new ApiError(400, 'BAD_REQUEST', `${route} takes the body {}; got ${JSON.stringify(body)}`);
  }
}

/** What every action starts with: the tenant the path names, as it is now, once the request is checked (no query, the body {}). */
async function actionTarget(deps: OperatorDeps, route: string, { params, query, event }: ApiRequest): Promise<{ tenantId: string; current: TenantRecord }> {
  const tenantId = tenantIdParam(params.id);
  parseQuery(noQuery, query, route);
  emptyBody(event, route);
  const current = await deps.tenants.get(tenantId);
  if (!current) throw new TenantNotFoundError(tenantId);
  return { tenantId, current };
}
