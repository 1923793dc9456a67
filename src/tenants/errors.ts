/** The tenant domain's errors; each says what to do next. */
import { HumanGovError } from '../kernel/errors.ts';

/** One field of a stored record that breaks a rule: what a person needs to fix it. */
export interface InvalidField {
  field: string;
  /** The value as stored, or null when the field is missing. */
  given: unknown;
  /** The rule, without the field's name: "must be at most 10". */
  rule: string;
}

/** The tenant record (or id) is not acceptable; fixing the record is the only way forward. */
export class InvalidTenantError extends HumanGovError {
  override name = 'InvalidTenantError';
  /** Set when a stored record was read: each field that breaks a rule, with the value given. */
  readonly invalidFields: readonly InvalidField[];
  constructor(message: string, options?: ErrorOptions & { invalidFields?: readonly InvalidField[] }) {
    super(message, options);
    this.invalidFields = options?.invalidFields ?? [];
  }
}

/** Someone else wrote the record since we read it: read again and retry. */
export class ConcurrentUpdateError extends HumanGovError {
  override name = 'ConcurrentUpdateError';
  override readonly retryable = true;
}

export class TenantNotFoundError extends HumanGovError {
  override name = 'TenantNotFoundError';
  readonly tenantId: string;
  constructor(tenantId: string, options?: ErrorOptions) {
    super(`tenant "${tenantId}" does not exist; list tenants with "humangov tenant list"`, options);
    this.tenantId = tenantId;
  }
}

export class TenantExistsError extends HumanGovError {
  override name = 'TenantExistsError';
  readonly tenantId: string;
  constructor(tenantId: string, options?: ErrorOptions) {
    super(`tenant "${tenantId}" already exists; see it with "humangov tenant show ${tenantId}"`, options);
    this.tenantId = tenantId;
  }
}

/** Another workflow holds the tenant's lease; the caller waits and tries again. */
export class TenantLockedError extends HumanGovError {
  override name = 'TenantLockedError';
  override readonly retryable = true;
  readonly tenantId: string;
  readonly holder: string;
  constructor(tenantId: string, holder: string, options?: ErrorOptions) {
    super(`tenant "${tenantId}" is locked by ${holder}; retrying when the lease is released or expires`, options);
    this.tenantId = tenantId;
    this.holder = holder;
  }
}
