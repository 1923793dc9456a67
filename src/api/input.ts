/**
 * What a request may carry, checked before anything is read or written. Each
 * check throws with a message that says what was expected, so a person can
 * fix the request from the answer alone.
 */
import * as z from 'zod/mini';
import '../kernel/zod-english.ts';
import { InvalidTenantError } from '../tenants/errors.ts';
import { controlPlaneFields, describeIssues, parseUserFields, userFieldNames, userFieldSchema, type TenantUserFields } from '../tenants/schema.ts';
import { tenantIdProblem } from '../tenants/tenant-id.ts';
import { DeploymentNotFoundError } from '../deployments/errors.ts';
import { decodeCursor } from '../kernel/cursor.ts';
import { ApiError } from './errors.ts';
import type { HttpApiEvent } from './http.ts';

export const MAX_PAGE_SIZE = 100;

export const TENANT_EXAMPLE = '{"tenantId": "ca", "displayName": "California", "desiredCount": 2}';

const limit = z.pipe(
  z.pipe(z.string().check(z.regex(/^\d+$/, `limit must be a whole number from 1 to ${MAX_PAGE_SIZE}`)), z.transform(Number)),
  z.number().check(z.gte(1, `limit must be at least 1`), z.lte(MAX_PAGE_SIZE, `limit must be at most ${MAX_PAGE_SIZE}`)),
);

export const pageQuerySchema = z.object({ limit: z.optional(limit), cursor: z.optional(z.string()) });
export const deleteQuerySchema = z.object({
  purge: z.optional(
    z.pipe(
      z.enum(['true', 'false'], { message: 'purge must be true or false' }),
      z.transform((value) => value === 'true'),
    ),
  ),
});

/** Validates the query string against `schema`; unknown parameters are refused (a typo such as `limt` would otherwise be ignored). */
export function parseQuery<S extends z.ZodMiniObject>(schema: S, query: Record<string, string | undefined>, route: string): z.infer<S> {
  const known = Object.keys(schema.shape);
  const unknown = Object.keys(query).filter((name) => !known.includes(name));
  if (unknown.length > 0) {
    const takes = known.length > 0 ? `takes ${known.join(', ')}` : 'takes no query parameters';
    throw new ApiError(400, 'BAD_REQUEST', `unknown query parameter ${unknown.map((n) => `"${n}"`).join(', ')}; ${route} ${takes}`);
  }
  // `?cursor=` is what a client sends when it has no cursor yet: the same as leaving it out.
  const present = Object.fromEntries(Object.entries(query).filter(([, value]) => value !== undefined && value !== ''));
  const result = schema.safeParse(present);
  if (!result.success) throw new ApiError(400, 'BAD_REQUEST', describeIssues(result.error));
  return result.data;
}

/**
 * Cursors are the repositories' own (src/kernel/cursor.ts).
 * Checked here so that a mangled one is the caller's 400, not a 500 from deep
 * inside a Scan.
 */
export function checkCursor(cursor: string | undefined, keyName: string): string | undefined {
  if (cursor === undefined || decodeCursor(cursor, keyName)) return cursor;
  throw new ApiError(400, 'INVALID_CURSOR', 'cursor is not one this API returned; pass the nextCursor of the previous page, or start again without it');
}

export function tenantIdParam(id: string | undefined): string {
  const problem = tenantIdProblem(id);
  if (problem) throw new InvalidTenantError(problem);
  return id as string;
}

/** Deployment ids are Step Functions execution names; anything else cannot exist. */
export function deploymentIdParam(id: string | undefined): string {
  if (id === undefined || !/^[A-Za-z0-9_-]{1,80}$/.test(id)) throw new DeploymentNotFoundError(String(id));
  return id;
}

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

/** The body of a JSON request, parsed. The size was checked before routing (see middleware.ts). */
export function readJsonBody(event: HttpApiEvent, route: string, example: string): unknown {
  const type = event.headers['content-type'];
  if (!type || !JSON_TYPE.test(type)) {
    throw new ApiError(
      415,
      'UNSUPPORTED_MEDIA_TYPE',
      `${route} takes a JSON body with content-type: application/json; got ${type ? `"${type}"` : 'no content-type'}`,
    );
  }
  const text = event.isBase64Encoded ? Buffer.from(event.body ?? '', 'base64').toString('utf8') : (event.body ?? '');
  if (text.trim() === '') throw new ApiError(400, 'BAD_JSON', `${route} needs a JSON body; the body is empty. Expected a JSON object such as ${example}`);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ApiError(400, 'BAD_JSON', `the body is not valid JSON (${(error as Error).message}); expected a JSON object such as ${example}`, {
      cause: error,
    });
  }
}

/** What a request body may set: `retryRequestedAt` is written by POST /tenants/{id}/retry only. */
function requestFields(): string[] {
  return userFieldNames().filter((name) => name !== 'retryRequestedAt');
}
/** What a request body may not set: the control plane's fields, and `retryRequestedAt`. */
function refusedFields(): string[] {
  return [...controlPlaneFields(), 'retryRequestedAt'];
}

/**
 * The fields of a new tenant. Unknown fields are refused rather than dropped:
 * a misspelt `desiredcount` silently ignored would onboard the wrong tenant.
 * Every problem is named at once.
 */
export function parseNewTenant(body: unknown): TenantUserFields {
  const settable = requestFields();
  const refused = refusedFields();
  const names = typeof body === 'object' && body !== null && !Array.isArray(body) ? Object.keys(body) : [];
  const problems: string[] = [];
  const owned = names.filter((name) => refused.includes(name));
  const unknown = names.filter((name) => !settable.includes(name) && !refused.includes(name));
  if (owned.length > 0) problems.push(`${quoteAll(owned)} ${owned.length > 1 ? 'are' : 'is'} written by the control plane, not in a request`);
  if (unknown.length > 0) problems.push(`unknown field ${quoteAll(unknown)}`);
  const misnamed = problems.length > 0;
  try {
    const fields = parseUserFields(body);
    if (!misnamed) return fields;
  } catch (error) {
    if (!(error instanceof InvalidTenantError)) throw error;
    problems.push(error.message);
  }
  throw new InvalidTenantError(`${problems.join('; ')}${misnamed ? `. A tenant takes ${settable.join(', ')}, e.g. ${TENANT_EXAMPLE}` : ''}`);
}

/** PATCH /tenants/{id}: some user fields, each a new value or null (back to its default). */
export type TenantPatch = Partial<Record<Exclude<keyof TenantUserFields, 'tenantId'>, unknown>>;

export const PATCH_EXAMPLE = '{"desiredCount": 3}';

/**
 * The fields a PATCH changes, each checked on its own (the whole record is checked once
 * merged, by the repository). Unknown and control-plane fields are refused, as on POST.
 */
export function parseTenantPatch(body: unknown): TenantPatch {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new InvalidTenantError(`a tenant change must be a JSON object such as ${PATCH_EXAMPLE}`);
  }
  const settable = requestFields();
  const refused = refusedFields();
  const patchable = settable.filter((name) => name !== 'tenantId' && !(name in ROUTE_OF));
  const problems: string[] = [];
  const names = Object.keys(body);
  if (names.includes('tenantId')) problems.push('"tenantId" is the path\'s: a tenant cannot be renamed');
  for (const name of names.filter((field) => field in ROUTE_OF)) problems.push(`"${name}" is not changed by PATCH: ${ROUTE_OF[name]}`);
  const owned = names.filter((name) => refused.includes(name));
  if (owned.length > 0) problems.push(`${quoteAll(owned)} ${owned.length > 1 ? 'are' : 'is'} written by the control plane, not in a request`);
  const unknown = names.filter((name) => !settable.includes(name) && !refused.includes(name));
  if (unknown.length > 0) problems.push(`unknown field ${quoteAll(unknown)}`);
  const patch: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(body)) {
    if (!patchable.includes(name)) continue;
    if (value === null) {
      patch[name] = null;
      continue;
    }
    const checked = z.object({ [name]: userFieldSchema(name)! }).safeParse({ [name]: value });
    if (checked.success) patch[name] = value;
    else problems.push(describeIssues(checked.error));
  }
  if (problems.length === 0 && Object.keys(patch).length === 0) problems.push('nothing to change');
  if (problems.length > 0) {
    throw new InvalidTenantError(`${problems.join('; ')}. PATCH takes ${patchable.join(', ')} (null for the default), e.g. ${PATCH_EXAMPLE}`);
  }
  return patch as TenantPatch;
}

function quoteAll(names: string[]): string {
  return names.map((name) => `"${name}"`).join(', ');
}

/** Where a field PATCH does not change is changed instead. */
const ROUTE_OF: Record<string, string> = {
  desiredState: 'offboard with DELETE /tenants/{id}, bring a DELETED tenant back with POST /tenants/{id}/restore',
  purgeData: 'purge with DELETE /tenants/{id}?purge=true',
};
