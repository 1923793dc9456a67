/** Observed state of a tenant, written by the control plane only. */
export const TENANT_STATUSES = ['PROVISIONING', 'ACTIVE', 'DEPLOYING', 'DEGRADED', 'DEPROVISIONING', 'DELETED', 'FAILED'] as const;
export type TenantStatus = (typeof TENANT_STATUSES)[number];

/** What a user asks for. */
export const DESIRED_STATES = ['ACTIVE', 'DELETED'] as const;
export type DesiredState = (typeof DESIRED_STATES)[number];

/**
 * Allowed moves of `status`. A record nobody has touched yet has no status
 * (undefined), from which onboarding or offboarding may start. Any status may
 * fall to FAILED; FAILED and DELETED are left only by a new converge attempt.
 */
const TRANSITIONS: Readonly<Record<TenantStatus | 'NEW', readonly TenantStatus[]>> = {
  NEW: ['PROVISIONING', 'DEPROVISIONING', 'FAILED'],
  PROVISIONING: ['PROVISIONING', 'ACTIVE', 'DEGRADED', 'DEPROVISIONING', 'FAILED'],
  ACTIVE: ['PROVISIONING', 'DEPLOYING', 'DEGRADED', 'DEPROVISIONING', 'FAILED'],
  DEPLOYING: ['PROVISIONING', 'ACTIVE', 'DEGRADED', 'DEPLOYING', 'DEPROVISIONING', 'FAILED'],
  DEGRADED: ['PROVISIONING', 'ACTIVE', 'DEPLOYING', 'DEPROVISIONING', 'FAILED'],
  DEPROVISIONING: ['DEPROVISIONING', 'DELETED', 'FAILED'],
  DELETED: ['PROVISIONING', 'DEPROVISIONING'],
  FAILED: ['PROVISIONING', 'DEPROVISIONING', 'FAILED'],
};

export function canTransition(from: TenantStatus | undefined, to: TenantStatus): boolean {
  return TRANSITIONS[from ?? 'NEW'].includes(to);
}

/** Statuses in which a workflow is (or should be) working on the tenant. */
export function isTransitional(status: TenantStatus | undefined): boolean {
  return status === 'PROVISIONING' || status === 'DEPLOYING' || status === 'DEPROVISIONING';
}
