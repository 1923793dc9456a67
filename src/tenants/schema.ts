import * as z from 'zod/mini';
import '../kernel/zod-english.ts';
import { tenantIdProblem } from './tenant-id.ts';
import { DESIRED_STATES, TENANT_STATUSES } from './status.ts';
import { defaultDisplayName } from './us-states.ts';
import { InvalidTenantError, type InvalidField } from './errors.ts';

export const DEFAULT_DESIRED_COUNT = 2;
export const MAX_DESIRED_COUNT = 10;
export const HISTORY_LIMIT = 20;

const tenantId = z.string().check(
  z.superRefine((value, ctx) => {
    const problem = tenantIdProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  }),
);

/**
 * The state's own OIDC identity provider, for sign-in at the load balancer (an ALB
 * `authenticate-oidc` action). The record names the client secret's Secrets Manager ARN and
 * never holds the secret: the record is readable by every operator and shown by the API.
 * Endpoints are the issuer's own, so the issuer must be an https URL (OpenID Connect
 * Discovery 1.0 section 4: `<issuer>/.well-known/openid-configuration`).
 *
 * This and the other parts of a record that not every read holds (health, history, resources,
 * lock, reconcile) are built on first use (z.lazy keeps them), not at every cold start.
 */
export const identityProviderSchema = z.lazy(() =>
  z.strictObject(
    {
      issuer: z.string({ message: "identityProvider.issuer must be the https URL of the state's OIDC issuer" }).check(
        z.refine((value) => URL.canParse(value) && new URL(value).protocol === 'https:' && !new URL(value).search && !new URL(value).hash, {
          message: 'identityProvider.issuer must be an https URL without query or fragment, e.g. https://login.microsoftonline.com/<tenant>/v2.0',
        }),
      ),
      clientId: z
        .string({ message: "identityProvider.clientId must be the client id the IdP issued for this state's app" })
        .check(
          z.trim(),
          z.minLength(1, 'identityProvider.clientId must not be empty'),
          z.maxLength(256, 'identityProvider.clientId must be at most 256 characters'),
        ),
      clientSecretArn: z
        .string({ message: 'identityProvider.clientSecretArn must be the ARN of a Secrets Manager secret holding the client secret' })
        .check(
          z.regex(
            /^arn:aws[a-z-]*:secretsmanager:[a-z]{2}(-[a-z]+)+-\d+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+$/,
            'identityProvider.clientSecretArn must be a Secrets Manager secret ARN (arn:<partition>:secretsmanager:<region>:<account>:secret:<name>); store the client secret there, never in the record',
          ),
        ),
    },
    { message: 'identityProvider must be an object {issuer, clientId, clientSecretArn}; the client secret itself goes in Secrets Manager' },
  ),
);
export type IdentityProvider = z.infer<typeof identityProviderSchema>;

/** Fields a user writes (in the table, through the API or the CLI). Nothing else is needed to onboard. */
const userFieldsObject = once(() =>
  z.object({
    tenantId,
    displayName: z.optional(
      z.string().check(z.trim(), z.minLength(1, 'displayName must not be empty'), z.maxLength(80, 'displayName must be at most 80 characters')),
    ),
    desiredState: z.optional(z.enum(DESIRED_STATES, { message: `desiredState must be one of ${DESIRED_STATES.join(', ')}` })),
    desiredCount: z.optional(
      z
        .number({ message: 'desiredCount must be a whole number' })
        .check(
          z.int('desiredCount must be a whole number'),
          z.gte(1, 'desiredCount must be at least 1'),
          z.lte(MAX_DESIRED_COUNT, `desiredCount must be at most ${MAX_DESIRED_COUNT}`),
        ),
    ),
    purgeData: z.optional(z.boolean({ message: 'purgeData must be true or false' })),
    /** Marks the tenant that receives every release first. */
    canary: z.optional(z.boolean({ message: 'canary must be true or false' })),
    /**
     * When an operator last asked to run the tenant's workflow again (`POST
     * /tenants/{id}/retry`). A converge field, so the write reaches the stream
     * handler like any other change of desired state.
     */
    retryRequestedAt: z.optional(z.string()),
    /** The state's own sign-in; without it staff sign in with the stack's user pool, in the state's group. */
    identityProvider: z.optional(identityProviderSchema),
  }),
);
export const userFieldsSchema = z.lazy(userFieldsObject);
export type TenantUserFields = z.infer<typeof userFieldsSchema>;

/** The user-written fields whose change makes the control plane converge the tenant again. */
export const CONVERGE_FIELDS = ['tenantId', 'displayName', 'desiredState', 'desiredCount', 'purgeData', 'retryRequestedAt'] as const;

export const imageRefSchema = z.object({
  repository: z.string(),
  tag: z.string(),
  digest: z.string().check(z.regex(/^sha256:[a-f0-9]{64}$/, 'digest must look like sha256:<64 hex digits>')),
});
export type ImageRef = z.infer<typeof imageRefSchema>;

export const healthSchema = z.lazy(() =>
  z.object({
    healthy: z.number().check(z.int(), z.gte(0)),
    total: z.number().check(z.int(), z.gte(0)),
    zones: z.array(z.string()),
    checkedAt: z.optional(z.string()),
  }),
);
export type TenantHealth = z.infer<typeof healthSchema>;

export const historyEntrySchema = z.lazy(() =>
  z.object({
    at: z.string(),
    from: z.optional(z.enum(TENANT_STATUSES)),
    to: z.enum(TENANT_STATUSES),
    reason: z.optional(z.string()),
    executionId: z.optional(z.string()),
  }),
);
export type HistoryEntry = z.infer<typeof historyEntrySchema>;

/** What the control plane made for the tenant, so that offboarding and people can find it. */
export const resourcesSchema = z.lazy(() =>
  z.partial(
    z.object({
      tableName: z.string(),
      tableArn: z.string(),
      bucketName: z.string(),
      bucketArn: z.string(),
      taskRoleArn: z.string(),
      taskDefinitionArn: z.string(),
      targetGroupArn: z.string(),
      listenerRuleArn: z.string(),
      serviceArn: z.string(),
      logGroup: z.string(),
    }),
  ),
);
export type TenantResources = z.infer<typeof resourcesSchema>;

/** The whole record as stored in the tenants table. */
const tenantRecordObject = once(() =>
  z.extend(userFieldsObject(), {
    status: z.optional(z.enum(TENANT_STATUSES)),
    statusReason: z.optional(z.string()),
    endpoint: z.optional(z.string()),
    image: z.optional(imageRefSchema),
    health: z.optional(healthSchema),
    resources: z.optional(resourcesSchema),
    createdAt: z.optional(z.string()),
    updatedAt: z.optional(z.string()),
    history: z.optional(z.array(historyEntrySchema)),
    version: z.optional(z.number().check(z.int())),
    lock: z.optional(z.lazy(() => z.object({ owner: z.string(), expiresAt: z.number() }))),
    /** The reconciler's backoff: how often it tried to close `gap`, and when it may try again (ms since the epoch); since when it saw targets unhealthy. */
    reconcile: z.optional(
      z.lazy(() =>
        z.object({ attempts: z.number().check(z.int(), z.gte(0)), nextAttemptAt: z.number(), gap: z.string(), unhealthySince: z.optional(z.number()) }),
      ),
    ),
  }),
);
export const tenantRecordSchema = z.lazy(tenantRecordObject);
export type TenantRecord = z.infer<typeof tenantRecordSchema>;

/** The names of the fields a user writes. */
export function userFieldNames(): string[] {
  return Object.keys(userFieldsObject().shape);
}

/** The schema of one user-written field, or undefined for a name that is not one. */
export function userFieldSchema(name: string): z.ZodMiniType | undefined {
  const shape: Record<string, z.ZodMiniType> = userFieldsObject().shape;
  return Object.hasOwn(shape, name) ? shape[name] : undefined;
}

/** The fields only the control plane writes: every field of a record that a user does not. */
export const controlPlaneFields = once(() => Object.keys(tenantRecordObject().shape).filter((field) => !Object.hasOwn(userFieldsObject().shape, field)));

/** A value built on its first use and kept. */
function once<T>(build: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= build());
}

/** A user's fields with every default filled in: what the workflows act on. */
export interface TenantSpec {
  tenantId: string;
  displayName: string;
  desiredState: 'ACTIVE' | 'DELETED';
  desiredCount: number;
  purgeData: boolean;
  canary: boolean;
}

/** One line per problem, "field: what is wrong", so a person can fix the record in one go. */
export function describeIssues(error: z.core.$ZodError): string {
  return error.issues.map((issue) => (issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message)).join('; ');
}

/** What removing a tenant reads of its record: every other user field may be wrong without blocking the removal. */
const REMOVAL_FIELDS: readonly string[] = ['tenantId', 'desiredState', 'purgeData'];

/**
 * A record asked to be removed (desiredState DELETED, valid) whose only faults are in
 * fields removal does not use (a desiredCount of 99, say): the record without them, so
 * an invalid record can always be removed. Undefined when the record is not such a one.
 */
function withoutFaultsRemovalIgnores(item: unknown, error: z.core.$ZodError): Record<string, unknown> | undefined {
  if (typeof item !== 'object' || item === null || (item as { desiredState?: unknown }).desiredState !== 'DELETED') return undefined;
  const faulty = new Set(error.issues.map((issue) => String(issue.path[0] ?? '')));
  if ([...faulty].some((field) => field === '' || REMOVAL_FIELDS.includes(field) || userFieldSchema(field) === undefined)) return undefined;
  return Object.fromEntries(Object.entries(item).filter(([field]) => !faulty.has(field)));
}

/** Validates user-written fields; throws InvalidTenantError naming each problem. */
export function parseUserFields(input: unknown): TenantUserFields {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new InvalidTenantError('a tenant must be a JSON object such as {"tenantId": "ca"}');
  }
  const result = userFieldsSchema.safeParse(input);
  if (result.success) return result.data;
  const removable = withoutFaultsRemovalIgnores(input, result.error);
  if (removable) return userFieldsSchema.parse(removable);
  throw new InvalidTenantError(describeIssues(result.error));
}

export function tenantSpec(fields: TenantUserFields): TenantSpec {
  return {
    tenantId: fields.tenantId,
    displayName: fields.displayName ?? defaultDisplayName(fields.tenantId),
    desiredState: fields.desiredState ?? 'ACTIVE',
    desiredCount: fields.desiredCount ?? DEFAULT_DESIRED_COUNT,
    purgeData: fields.purgeData ?? false,
    canary: fields.canary ?? false,
  };
}

/** Reads a stored record leniently: unknown attributes are dropped, bad ones reported with the values given. */
export function parseTenantRecord(item: unknown): TenantRecord {
  const result = tenantRecordSchema.safeParse(item);
  if (result.success) return result.data;
  const removable = withoutFaultsRemovalIgnores(item, result.error);
  if (removable) return tenantRecordSchema.parse(removable);
  throw new InvalidTenantError(describeIssues(result.error), { invalidFields: invalidFields(result.error, item) });
}

function invalidFields(error: z.core.$ZodError, input: unknown): InvalidField[] {
  return error.issues.map((issue) => {
    const field = issue.path.join('.');
    let given: unknown = input;
    for (const key of issue.path) given = typeof given === 'object' && given !== null ? (given as Record<PropertyKey, unknown>)[key] : undefined;
    const rule = field && issue.message.startsWith(`${field} `) ? issue.message.slice(field.length + 1) : issue.message;
    return { field, given: given ?? null, rule };
  });
}

/**
 * Reads a stored record for a listing. A record a user wrote with an invalid id
 * or field must not hide every other tenant: it is shown as FAILED with what is
 * wrong with it, so the fleet view stays whole and says what to fix.
 */
export function parseListedTenant(item: Record<string, unknown>): TenantRecord {
  const result = tenantRecordSchema.safeParse(item);
  if (result.success) return result.data;
  return {
    tenantId: String(item.tenantId),
    status: 'FAILED',
    statusReason: typeof item.statusReason === 'string' ? item.statusReason : `invalid record: ${describeIssues(result.error)}`,
    updatedAt: typeof item.updatedAt === 'string' ? item.updatedAt : undefined,
  };
}
