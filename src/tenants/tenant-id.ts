/**
 * Tenant ids and stages: the two inputs every AWS resource name is derived from.
 * The rules are tight on purpose so that every derived name is valid without
 * hashing or truncation (see names.ts), which keeps names readable in the console.
 */
export const TENANT_ID_MIN = 2;
export const TENANT_ID_MAX = 20;
export const TENANT_ID_PATTERN = /^[a-z][a-z0-9-]*[a-z0-9]$/;

/** Stages appear in every name; eight characters keep target groups within 32. */
export const STAGE_PATTERN = /^[a-z][a-z0-9]{0,7}$/;

/** Returns the first rule the id breaks, phrased so a person knows what to change, or undefined when valid. */
export function tenantIdProblem(id: unknown): string | undefined {
  if (typeof id !== 'string') return 'tenantId must be a string such as "ca" or "new-york"';
  if (id.length < TENANT_ID_MIN || id.length > TENANT_ID_MAX) {
    return `tenantId "${id}" must be ${TENANT_ID_MIN} to ${TENANT_ID_MAX} characters long (it has ${id.length})`;
  }
  if (!/^[a-z]/.test(id)) return `tenantId "${id}" must start with a lowercase letter a-z`;
  if (!/^[a-z0-9-]*$/.test(id)) return `tenantId "${id}" may contain only lowercase letters, digits and hyphens`;
  if (id.endsWith('-')) return `tenantId "${id}" must end with a letter or digit`;
  if (id.includes('--')) return `tenantId "${id}" must not contain two hyphens in a row ("--")`;
  return undefined;
}

export function isTenantId(id: unknown): id is string {
  return tenantIdProblem(id) === undefined;
}

export function stageProblem(stage: unknown): string | undefined {
  if (typeof stage !== 'string' || !STAGE_PATTERN.test(stage)) {
    return `stage "${String(stage)}" must be 1 to 8 lowercase letters or digits, starting with a letter (for example "dev" or "prod")`;
  }
  return undefined;
}
