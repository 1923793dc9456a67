import { NOBODY_SIGNED_IN } from './audit-trail.ts';
import type { Actor, AuditAction, AuditEntry, AuditTrail } from './audit-trail.ts';
import type { DocumentStorage } from './document-storage.ts';
import { parseEmployeeChanges, parseEmployeeFields } from './employee.ts';
import type { Employee, EmployeeDocument, EmployeeFields, EmployeeInput } from './employee.ts';
import type { EmployeeRepository, Page } from './employee-repository.ts';
import { DocumentMissingError, EmployeeNotFoundError, ValidationError } from './errors.ts';

export interface ServiceLogger {
  error(details: object, message: string): void;
}

/** How an update treats absent fields: PUT replaces all four, PATCH (and the edit form) only what is given. */
export type UpdateMode = 'replace' | 'merge';

/**
 * The employee use cases, shared by the HTML pages and the JSON API. A document is uploaded
 * before its record is written, so whenever the record cannot be written the upload is
 * removed again, and a replaced or deleted record's old document is removed after the write.
 */
export class EmployeeService {
  readonly #repository: EmployeeRepository;
  readonly #storage: DocumentStorage;
  readonly #now: () => Date;
  readonly #audit: AuditTrail | undefined;

  constructor(repository: EmployeeRepository, storage: DocumentStorage, now: () => Date = () => new Date(), audit?: AuditTrail) {
    this.#repository = repository;
    this.#storage = storage;
    this.#now = now;
    this.#audit = audit;
  }

  /** The employee's audit trail, newest first; refuses an id that names no employee. */
  async history(id: string): Promise<AuditEntry[]> {
    await this.get(id);
    return this.#audit ? this.#audit.entriesFor(id) : [];
  }

  newDocumentKey(employeeId: string): string {
    return this.#storage.newKey(employeeId);
  }

  async get(id: string): Promise<Employee> {
    const employee = await this.#repository.get(id);
    if (!employee) throw new EmployeeNotFoundError(id);
    return employee;
  }

  list(limit: number, cursor?: string): Promise<Page<Employee>> {
    return this.#repository.list(limit, cursor);
  }

  /** See EmployeeRepository.reindexNames. */
  reindexNames(signal?: AbortSignal): Promise<{ checked: number; updated: number }> {
    return this.#repository.reindexNames(signal);
  }

  search(text: string, limit: number, cursor?: string): Promise<Page<Employee>> {
    return this.#repository.search(text, limit, cursor);
  }

  async create(id: string, input: EmployeeInput, document: EmployeeDocument | undefined, log: ServiceLogger, actor?: Actor): Promise<Employee> {
    const created = await this.#removingOnFailure(document, log, async () => {
      const fields = parseNewEmployee(input, document);
      const timestamp = this.#now().toISOString();
      const employee: Employee = { id, ...fields, document, createdAt: timestamp, updatedAt: timestamp, version: 1 };
      await this.#repository.create(employee);
      return employee;
    });
    await this.#record(id, 'created', actor, log, differences(undefined, created));
    return created;
  }

  async update(
    id: string,
    input: EmployeeInput,
    mode: UpdateMode,
    document: EmployeeDocument | undefined,
    log: ServiceLogger,
    actor?: Actor,
  ): Promise<Employee> {
    const { before, after } = await this.#removingOnFailure(document, log, async () => {
      const changes: Partial<EmployeeFields> = mode === 'replace' ? parseEmployeeFields(input) : parseEmployeeChanges(input);
      if (Object.keys(changes).length === 0 && !document) {
        throw new ValidationError({ body: 'give at least one of firstName, lastName, role, salary or a new document' });
      }
      return this.#repository.update(id, (current) => ({
        ...current,
        ...changes,
        document: document ?? current.document,
        updatedAt: this.#now().toISOString(),
      }));
    });
    if (document && before.document) await this.#removeDocument(before.document.key, log);
    await this.#record(id, 'changed', actor, log, differences(before, after));
    return after;
  }

  async remove(id: string, log: ServiceLogger, actor?: Actor): Promise<Employee> {
    const removed = await this.#repository.delete(id);
    if (removed.document) await this.#removeDocument(removed.document.key, log);
    await this.#record(id, 'deleted', actor, log, differences(removed, undefined));
    return removed;
  }

  async documentUrl(id: string, log?: ServiceLogger, actor?: Actor): Promise<string> {
    const employee = await this.get(id);
    if (!employee.document) throw new DocumentMissingError(id);
    const url = await this.#storage.downloadUrl(employee.document.key, employee.document.fileName);
    if (log) await this.#record(id, 'downloaded the scanned ID', actor, log, undefined);
    return url;
  }

  /** The change is made; an entry that cannot be written is logged as an error, never undoes it. */
  async #record(id: string, action: AuditAction, actor: Actor | undefined, log: ServiceLogger, changes: AuditEntry['changes']): Promise<void> {
    if (!this.#audit) return;
    const entry: AuditEntry = { at: this.#now().toISOString(), actor: actor ?? NOBODY_SIGNED_IN, action, ...(changes ? { changes } : {}) };
    try {
      if (!(await this.#audit.record(id, entry))) log.error({ employeeId: id, entry }, 'the audit trail of this employee is full; this change is not in it');
    } catch (error) {
      log.error({ err: error, employeeId: id, entry }, 'could not write the audit entry of a change that was made');
    }
  }

  async #removingOnFailure<T>(document: EmployeeDocument | undefined, log: ServiceLogger, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (document) await this.#removeDocument(document.key, log);
      throw error;
    }
  }

  /** The record's write already happened, so a failure here leaves only an orphan object: log it, do not fail. */
  async #removeDocument(key: string, log: ServiceLogger): Promise<void> {
    try {
      await this.#storage.remove(key);
    } catch (error) {
      log.error({ err: error, documentKey: key }, 'could not delete a document object; it is orphaned in the bucket');
    }
  }
}

const AUDITED_FIELDS = ['firstName', 'lastName', 'role', 'salary'] as const;

/** What differs between two versions of a record, field by field (the document by file name). */
function differences(before: Employee | undefined, after: Employee | undefined): Record<string, readonly [unknown, unknown]> {
  const changes: Record<string, readonly [unknown, unknown]> = {};
  for (const field of AUDITED_FIELDS) {
    if (before?.[field] !== after?.[field]) changes[field] = [before?.[field] ?? null, after?.[field] ?? null];
  }
  const [from, to] = [before?.document, after?.document];
  if (from?.key !== to?.key) changes.document = [from?.fileName ?? null, to?.fileName ?? null];
  return changes;
}

/** A new employee needs a scanned ID; report a missing one together with any field problems. */
function parseNewEmployee(input: EmployeeInput, document: EmployeeDocument | undefined): EmployeeFields {
  let fields: EmployeeFields | undefined;
  let problems: Record<string, string> = {};
  try {
    fields = parseEmployeeFields(input);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    problems = { ...error.fields };
  }
  if (!document) problems.document = 'Attach the scanned ID as a PDF file';
  if (!fields || Object.keys(problems).length > 0) throw new ValidationError(problems);
  return fields;
}
