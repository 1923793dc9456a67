/**
 * The status API's errors and the one place any error becomes an HTTP answer:
 * `{"error": {"code", "message"}}`, codes stable UPPER_SNAKE strings a client
 * may match on. Domain errors keep their own classes (the CLI and workflows
 * throw them too); only this file knows their HTTP status.
 */
import { InvalidTenantError, TenantExistsError, TenantNotFoundError } from '../tenants/errors.ts';
import { HumanGovError } from '../kernel/errors.ts';
import { DeploymentNotFoundError } from '../deployments/errors.ts';
import { json, type HttpApiResult } from './http.ts';

export type ApiErrorCode =
  | 'BAD_JSON'
  | 'BAD_REQUEST'
  | 'INVALID_TENANT'
  | 'INVALID_CURSOR'
  | 'NOT_FOUND'
  | 'METHOD_NOT_ALLOWED'
  | 'TENANT_EXISTS'
  | 'CONFLICT'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'FORBIDDEN_HOST'
  | 'FORBIDDEN_ORIGIN'
  | 'INTERNAL_ERROR';

/**
 * An error about the request, raised by the API layer itself. It carries its
 * status and whether its message may be shown (4xx: it is about the caller's
 * request; 5xx: it may hold internals).
 */
export class ApiError extends HumanGovError {
  override name = 'ApiError';
  readonly statusCode: number;
  readonly code: ApiErrorCode;
  readonly expose: boolean;
  readonly headers: Record<string, string>;

  constructor(statusCode: number, code: ApiErrorCode, message: string, options?: ErrorOptions & { headers?: Record<string, string> }) {
    super(message, options);
    this.statusCode = statusCode;
    this.code = code;
    this.expose = statusCode < 500;
    this.headers = options?.headers ?? {};
  }
}

export interface MappedError {
  response: HttpApiResult;
  /** True when the error was not the caller's doing: log it (once), with the request id. */
  internal: boolean;
}

function answer(statusCode: number, code: ApiErrorCode, message: string, headers: Record<string, string> = {}, details: object = {}): MappedError {
  return { response: json(statusCode, { error: { code, message, ...details } }, headers), internal: statusCode >= 500 };
}

/** Maps any thrown value to the response the client gets. Nothing unknown is shown: a 5xx says only how to report it. */
export function errorResponse(error: unknown, requestId: string): MappedError {
  if (error instanceof ApiError && error.expose) return answer(error.statusCode, error.code, error.message, error.headers);
  if (error instanceof InvalidTenantError) {
    // A stored record that breaks a rule: each field, the value given and the rule, for the person who fixes it.
    return answer(400, 'INVALID_TENANT', error.message, {}, error.invalidFields.length > 0 ? { invalidFields: error.invalidFields } : {});
  }
  if (error instanceof TenantNotFoundError) {
    return answer(404, 'NOT_FOUND', `tenant "${error.tenantId}" does not exist; list tenants with GET /tenants`);
  }
  if (error instanceof TenantExistsError) {
    return answer(409, 'TENANT_EXISTS', `tenant "${error.tenantId}" already exists; see it with GET /tenants/${error.tenantId}`);
  }
  if (error instanceof DeploymentNotFoundError) return answer(404, 'NOT_FOUND', error.message);
  return answer(500, 'INTERNAL_ERROR', `the request failed on our side; it is logged under request id ${requestId}`);
}
