/**
 * Every error the app raises on purpose. Each carries the HTTP status and a stable code, so
 * that the one error handler (routes/error-handler.ts) maps them without knowing each class.
 * `expose` says whether the message may be shown to a user; 5xx messages never are.
 */
export class AppError extends Error {
  readonly statusCode: number;
  readonly code: string;
  readonly expose: boolean;

  constructor(message: string, options: { statusCode: number; code: string; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.name = 'AppError';
    this.statusCode = options.statusCode;
    this.code = options.code;
    this.expose = options.statusCode < 500;
  }
}

export type FieldErrors = Readonly<Record<string, string>>;

export class ValidationError extends AppError {
  readonly fields: FieldErrors;

  constructor(fields: FieldErrors, options: { cause?: unknown } = {}) {
    const summary = Object.entries(fields)
      .map(([field, problem]) => `${field}: ${problem}`)
      .join('; ');
    super(summary || 'The request is invalid', { statusCode: 400, code: 'validation_failed', ...options });
    this.name = 'ValidationError';
    this.fields = fields;
  }
}

export class InvalidCursorError extends AppError {
  constructor(options: { cause?: unknown } = {}) {
    super('cursor is not one this API returned; start again without it', { statusCode: 400, code: 'invalid_cursor', ...options });
    this.name = 'InvalidCursorError';
  }
}

export class EmployeeNotFoundError extends AppError {
  readonly employeeId: string;

  constructor(employeeId: string, options: { cause?: unknown } = {}) {
    super(`No employee with id ${employeeId}`, { statusCode: 404, code: 'not_found', ...options });
    this.name = 'EmployeeNotFoundError';
    this.employeeId = employeeId;
  }
}

export class EmployeeUpdateConflictError extends AppError {
  constructor(employeeId: string, options: { cause?: unknown } = {}) {
    super(`Employee ${employeeId} kept changing while being updated; try again`, { statusCode: 409, code: 'conflict', ...options });
    this.name = 'EmployeeUpdateConflictError';
  }
}

export class DocumentMissingError extends AppError {
  constructor(employeeId: string, options: { cause?: unknown } = {}) {
    super(`Employee ${employeeId} has no scanned ID on file`, { statusCode: 404, code: 'document_not_found', ...options });
    this.name = 'DocumentMissingError';
  }
}

export class NotPdfError extends AppError {
  constructor(options: { cause?: unknown } = {}) {
    super('document must be a PDF file (it must start with %PDF-)', { statusCode: 415, code: 'unsupported_media_type', ...options });
    this.name = 'NotPdfError';
  }
}

export class UploadTooLargeError extends AppError {
  readonly maxBytes: number;

  constructor(maxBytes: number, options: { cause?: unknown } = {}) {
    super(`document must be at most ${formatBytes(maxBytes)}`, { statusCode: 413, code: 'payload_too_large', ...options });
    this.name = 'UploadTooLargeError';
    this.maxBytes = maxBytes;
  }
}

export class CsrfError extends AppError {
  constructor(reason: string, options: { cause?: unknown } = {}) {
    super(`The form expired or did not come from this site (${reason}); reload the page and try again`, {
      statusCode: 403,
      code: 'csrf_rejected',
      ...options,
    });
    this.name = 'CsrfError';
  }
}

export class ForeignOriginError extends AppError {
  constructor(origin: string, options: { cause?: unknown } = {}) {
    super(`Requests from origin ${origin} are not allowed`, { statusCode: 403, code: 'forbidden_origin', ...options });
    this.name = 'ForeignOriginError';
  }
}

export class ConfigError extends AppError {
  /** One line per problem, each naming the variable. */
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(`Invalid configuration: ${problems.join('; ')}`, { statusCode: 500, code: 'invalid_config' });
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KB`;
  return `${bytes} bytes`;
}

export class AssetsMissingError extends AppError {
  readonly directory: string;

  constructor(directory: string, options: { cause?: unknown } = {}) {
    super(`The pages' assets are missing from ${directory}; build the app first (npm run build -w app)`, {
      statusCode: 500,
      code: 'assets_missing',
      ...options,
    });
    this.name = 'AssetsMissingError';
    this.directory = directory;
  }
}
