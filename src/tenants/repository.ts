import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  GetCommand,
  PutCommand,
  ScanCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
  type UpdateCommandInput,
  type UpdateCommandOutput,
} from '@aws-sdk/lib-dynamodb';
import { controlPlaneTable } from '../aws/errors.ts';
import { decodeCursor, encodeCursor } from '../kernel/cursor.ts';
import { stripUndefined } from '../kernel/object.ts';
import { ConcurrentUpdateError, InvalidTenantError, TenantExistsError, TenantLockedError, TenantNotFoundError } from './errors.ts';
import { canTransition, type TenantStatus } from './status.ts';
import { planTransition, type TenantObservation, type TransitionRequest } from './transition-plan.ts';
import {
  HISTORY_LIMIT,
  parseListedTenant,
  parseTenantRecord,
  parseUserFields,
  userFieldSchema,
  type HistoryEntry,
  type TenantRecord,
  type TenantUserFields,
} from './schema.ts';

export type { TenantObservation } from './transition-plan.ts';

/** The version and status a caller's own transition left the record in. */
export interface TenantStamp {
  version: number;
  status: TenantStatus;
}

export interface TransitionOptions extends TransitionRequest {
  /** The record as the caller just read it (acquireLock returns it): written against its version, read again only if that write finds it changed. */
  current?: TenantRecord;
  /**
   * Instead of `current`, when the caller has not read the record since its
   * own last transition (made with `leaveHistoryRoom`): the move is one write
   * that appends to the history. The record is read only if it is no longer as
   * stamped, or its history has no room.
   */
  after?: TenantStamp;
}

/** What a write may expect of the record beyond its version. */
interface WriteGuard {
  /** The record is in `append.from` and its history has room for one more entry: this one, which the write appends. */
  append?: HistoryEntry & { from: TenantStatus };
  /** The owner holds the lease, which the write removes. */
  releaseLockOf?: string;
}

export interface Page<T> {
  items: T[];
  nextCursor?: string;
}

const CONVERGE_ATTEMPTS = 5;

function startKey(cursor: string | undefined): Record<string, unknown> | undefined {
  if (!cursor) return undefined;
  const key = decodeCursor(cursor, 'tenantId');
  if (!key) throw new InvalidTenantError('cursor is not one this API returned; start again without it');
  return key;
}

/**
 * The tenants table. Every control-plane write is conditional on the `version`
 * it read (optimistic locking) and touches only control-plane fields, so a
 * user's concurrent write of their own fields is never lost.
 */
export class TenantRepository {
  readonly #db: Pick<DynamoDBDocumentClient, 'send'>;
  readonly #table: string;
  readonly #now: () => Date;

  constructor(db: DynamoDBDocumentClient, tableName: string, now: () => Date = () => new Date()) {
    this.#db = controlPlaneTable(db, tableName);
    this.#table = tableName;
    this.#now = now;
  }

  async get(tenantId: string): Promise<TenantRecord | undefined> {
    const { Item } = await this.#db.send(new GetCommand({ TableName: this.#table, Key: { tenantId }, ConsistentRead: true }));
    return Item ? parseTenantRecord(Item) : undefined;
  }

  /**
   * One UpdateItem on the tenant's item, under the update's own condition: its output, or
   * undefined when the condition did not hold (ConditionalCheckFailed). Each caller says what
   * that means for it (no such tenant, a lease no longer held, nothing to do).
   */
  async #updateIf(tenantId: string, update: Omit<UpdateCommandInput, 'TableName' | 'Key'>): Promise<UpdateCommandOutput | undefined> {
    try {
      return await this.#db.send(new UpdateCommand({ TableName: this.#table, Key: { tenantId }, ...update }));
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  }

  async require(tenantId: string): Promise<TenantRecord> {
    const record = await this.get(tenantId);
    if (!record) throw new TenantNotFoundError(tenantId);
    return record;
  }

  /** Inserts a new tenant exactly as a user's PutItem would, refusing to overwrite one. */
  async create(fields: TenantUserFields): Promise<TenantRecord> {
    const item = { ...fields, createdAt: this.#now().toISOString() };
    try {
      await this.#db.send(new PutCommand({ TableName: this.#table, Item: item, ConditionExpression: 'attribute_not_exists(tenantId)' }));
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw new TenantExistsError(fields.tenantId, { cause: error });
      throw error;
    }
    return parseTenantRecord(item);
  }

  async list(options: { limit?: number; cursor?: string } = {}): Promise<Page<TenantRecord>> {
    // The tenants table holds one item per state: a Scan page is the natural read.
    const { Items = [], LastEvaluatedKey } = await this.#db.send(
      new ScanCommand({
        TableName: this.#table,
        Limit: options.limit ?? 100,
        ExclusiveStartKey: startKey(options.cursor),
        ConsistentRead: true,
      }),
    );
    const items = Items.map((item) => parseListedTenant(item)).sort((a, b) => a.tenantId.localeCompare(b.tenantId));
    return { items, nextCursor: encodeCursor(LastEvaluatedKey) };
  }

  /** Every tenant, following pages. */
  async all(): Promise<TenantRecord[]> {
    const out: TenantRecord[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.list({ cursor });
      out.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    return out.sort((a, b) => a.tenantId.localeCompare(b.tenantId));
  }

  /** Changes user-written fields (what `DELETE /tenants/{id}` does); the stream then starts the workflow. */
  async updateUserFields(tenantId: string, fields: Partial<Omit<TenantUserFields, 'tenantId'>>): Promise<TenantRecord> {
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    const sets = Object.entries(fields)
      .filter(([, value]) => value !== undefined)
      .map(([key, value]) => {
        names[`#${key}`] = key;
        values[`:${key}`] = value;
        return `#${key} = :${key}`;
      });
    if (sets.length === 0) return this.require(tenantId);
    const updated = await this.#updateIf(tenantId, {
      UpdateExpression: `SET ${sets.join(', ')}`,
      ConditionExpression: 'attribute_exists(tenantId)',
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
      ReturnValues: 'ALL_NEW',
    });
    if (!updated) throw new TenantNotFoundError(tenantId);
    return parseTenantRecord(updated.Attributes);
  }

  /**
   * Writes control-plane fields if the record still has `expectedVersion`.
   * Throws ConcurrentUpdateError when it does not.
   */
  async writeObserved(
    tenantId: string,
    expectedVersion: number | undefined,
    changes: TenantObservation & { status?: TenantStatus; statusReason?: string | null; history?: HistoryEntry[] },
  ): Promise<TenantRecord> {
    return this.#write(tenantId, expectedVersion, changes);
  }

  /**
   * Moves the tenant to `to` with a reason, appending to its bounded history,
   * in one write when the caller says what it knows of the record (`current`,
   * `after`), else a read and a write. Re-reads and retries when another writer
   * got there first; refuses moves the status model does not allow (judged on
   * the stored record, never on a caller's copy), except the very move this
   * execution already made (a retried step whose first write succeeded, its
   * answer lost), which it returns as it is.
   */
  async transition(tenantId: string, to: TenantStatus, options: TransitionOptions = {}): Promise<TenantRecord> {
    const { after } = options;
    if (after && after.status !== to && canTransition(after.status, to)) {
      const appended = await this.#appendTransition(tenantId, to, after, options);
      if (appended) return appended;
    }
    let current = options.current;
    for (let attempt = 1; ; attempt++) {
      const read = current === undefined;
      current ??= await this.require(tenantId);
      const plan = planTransition(current, to, options, this.#now());
      if (plan.kind !== 'write') {
        // The caller's copy is only written against: a refusal is judged on the stored record.
        if (!read) {
          current = undefined;
          continue;
        }
        if (plan.kind === 'already-made') return this.#alreadyMoved(current, options.releaseLockOf);
        throw new InvalidTenantError(plan.message);
      }
      try {
        return await this.#write(tenantId, current.version, plan.changes, plan.releaseLockOf ? { releaseLockOf: plan.releaseLockOf } : {});
      } catch (error) {
        if (error instanceof ConcurrentUpdateError && attempt < CONVERGE_ATTEMPTS) {
          current = undefined;
          continue;
        }
        throw error;
      }
    }
  }

  /**
   * Marks a record FAILED without parsing it: used when the record itself is
   * invalid (its id, say), so the person who wrote it sees why in the table.
   */
  async markInvalid(key: string, reason: string): Promise<void> {
    const at = this.#now().toISOString();
    // A record deleted since: nothing left to mark.
    await this.#updateIf(key, {
      UpdateExpression: 'SET #status = :failed, #reason = :reason, #updatedAt = :at, #history = list_append(if_not_exists(#history, :empty), :entry)',
      ConditionExpression: 'attribute_exists(tenantId)',
      ExpressionAttributeNames: { '#status': 'status', '#reason': 'statusReason', '#updatedAt': 'updatedAt', '#history': 'history' },
      ExpressionAttributeValues: { ':failed': 'FAILED', ':reason': reason, ':at': at, ':empty': [], ':entry': [{ at, to: 'FAILED', reason }] },
    });
  }

  /**
   * Changes some user fields of an existing tenant (null puts a field back to its default)
   * and returns the record. The record the change leaves must be valid, even when the one
   * stored is not (a desiredCount of 99 is corrected this way): otherwise nothing is written
   * and InvalidTenantError names every fault left.
   */
  async patchUserFields(tenantId: string, patch: Partial<Record<Exclude<keyof TenantUserFields, 'tenantId'>, unknown>>): Promise<TenantRecord> {
    const { Item } = await this.#db.send(new GetCommand({ TableName: this.#table, Key: { tenantId }, ConsistentRead: true }));
    if (!Item) throw new TenantNotFoundError(tenantId);
    const merged: Record<string, unknown> = { ...Item };
    for (const [field, value] of Object.entries(patch)) {
      if (value === null) delete merged[field];
      else if (value !== undefined) merged[field] = value;
    }
    const userFields = Object.fromEntries(Object.entries(merged).filter(([field]) => userFieldSchema(field) !== undefined));
    parseUserFields(userFields);
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    const sets: string[] = [];
    const removes: string[] = [];
    for (const [field, value] of Object.entries(patch)) {
      if (value === undefined) continue;
      names[`#${field}`] = field;
      if (value === null) removes.push(`#${field}`);
      else {
        values[`:${field}`] = value;
        sets.push(`#${field} = :${field}`);
      }
    }
    if (sets.length === 0 && removes.length === 0) return parseTenantRecord(Item);
    const updated = await this.#updateIf(tenantId, {
      UpdateExpression: [sets.length ? `SET ${sets.join(', ')}` : '', removes.length ? `REMOVE ${removes.join(', ')}` : ''].filter(Boolean).join(' '),
      ConditionExpression: 'attribute_exists(tenantId)',
      ExpressionAttributeNames: names,
      ...(sets.length ? { ExpressionAttributeValues: values } : {}),
      ReturnValues: 'ALL_NEW',
    });
    if (!updated) throw new TenantNotFoundError(tenantId);
    return parseTenantRecord(updated.Attributes);
  }

  /**
   * Writes back control-plane fields a PutItem of the whole item dropped. Each field is
   * set only if it is still absent (if_not_exists), so a write the control plane made since
   * wins, and a redelivered change writes nothing new; a record deleted since stays deleted.
   */
  async restoreControlPlaneFields(tenantId: string, fields: Record<string, unknown>): Promise<void> {
    const entries = Object.entries(fields).filter(([, value]) => value !== undefined);
    if (entries.length === 0) return;
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    const sets = entries.map(([field, value], i) => {
      names[`#f${i}`] = field;
      values[`:v${i}`] = value;
      return `#f${i} = if_not_exists(#f${i}, :v${i})`;
    });
    await this.#updateIf(tenantId, {
      UpdateExpression: `SET ${sets.join(', ')}`,
      ConditionExpression: 'attribute_exists(tenantId)',
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    });
  }

  /** Removes observed fields that describe nothing any more (a DELETED tenant has no endpoint, health or image). */
  async clearObserved(tenantId: string, fields: readonly ('endpoint' | 'image' | 'health')[]): Promise<TenantRecord> {
    const current = await this.require(tenantId);
    // writeObserved REMOVEs every field given as null.
    const nulls = Object.fromEntries(fields.map((field) => [field, null])) as unknown as TenantObservation;
    return this.writeObserved(tenantId, current.version, nulls);
  }

  /**
   * Takes the tenant's lease for `owner` for `ttlMs` and returns the record it
   * holds, so the holder needs no read of its own. Taking it again as the same
   * owner renews it; another live owner makes it throw TenantLockedError. A
   * record that does not validate throws InvalidTenantError with the lease
   * taken: the caller's failure path gives it back.
   */
  async acquireLock(tenantId: string, owner: string, ttlMs: number): Promise<TenantRecord> {
    const now = this.#now().getTime();
    const updated = await this.#updateIf(tenantId, {
      UpdateExpression: 'SET #lock = :lock',
      ConditionExpression: 'attribute_exists(tenantId) AND (attribute_not_exists(#lock) OR #lock.#owner = :owner OR #lock.#expiresAt < :now)',
      ExpressionAttributeNames: { '#lock': 'lock', '#owner': 'owner', '#expiresAt': 'expiresAt' },
      ExpressionAttributeValues: { ':lock': { owner, expiresAt: now + ttlMs }, ':owner': owner, ':now': now },
      ReturnValues: 'ALL_NEW',
    });
    if (updated) return parseTenantRecord(updated.Attributes);
    const current = await this.get(tenantId);
    if (!current) throw new TenantNotFoundError(tenantId);
    throw new TenantLockedError(tenantId, current.lock?.owner ?? 'another workflow');
  }

  /** Gives the lease back; a no-op when this owner no longer holds it. */
  async releaseLock(tenantId: string, owner: string): Promise<void> {
    await this.#updateIf(tenantId, {
      UpdateExpression: 'REMOVE #lock',
      ConditionExpression: '#lock.#owner = :owner',
      ExpressionAttributeNames: { '#lock': 'lock', '#owner': 'owner' },
      ExpressionAttributeValues: { ':owner': owner },
    });
  }

  /**
   * Frees a lease no live workflow holds (expired, or longer than any workflow
   * takes), saying so in statusReason; a no-op when `owner` no longer holds it.
   */
  async forceReleaseLock(tenantId: string, owner: string, reason: string): Promise<void> {
    await this.#updateIf(tenantId, {
      UpdateExpression: 'REMOVE #lock SET #reason = :reason',
      ConditionExpression: '#lock.#owner = :owner',
      ExpressionAttributeNames: { '#lock': 'lock', '#owner': 'owner', '#reason': 'statusReason' },
      ExpressionAttributeValues: { ':owner': owner, ':reason': reason },
    });
  }

  /**
   * Writes the reconciler's backoff (null removes it), and optionally a
   * statusReason, if the backoff is still `expected`: of two passes at once,
   * one writes and the other gets false. Not versioned: no workflow reads it.
   */
  async noteReconcile(tenantId: string, expected: TenantRecord['reconcile'], next: TenantRecord['reconcile'] | null, statusReason?: string): Promise<boolean> {
    const names: Record<string, string> = { '#reconcile': 'reconcile' };
    const values: Record<string, unknown> = {};
    const sets: string[] = [];
    if (next) {
      sets.push('#reconcile = :next');
      values[':next'] = next;
    }
    if (statusReason !== undefined) {
      names['#reason'] = 'statusReason';
      values[':reason'] = statusReason;
      sets.push('#reason = :reason');
    }
    const conditions = ['attribute_exists(tenantId)'];
    if (expected) {
      Object.assign(names, { '#attempts': 'attempts', '#nextAttemptAt': 'nextAttemptAt' });
      Object.assign(values, { ':attempts': expected.attempts, ':nextAttemptAt': expected.nextAttemptAt });
      conditions.push('#reconcile.#attempts = :attempts AND #reconcile.#nextAttemptAt = :nextAttemptAt');
    } else {
      conditions.push('attribute_not_exists(#reconcile)');
    }
    const expression = [sets.length ? `SET ${sets.join(', ')}` : '', next ? '' : 'REMOVE #reconcile'].filter(Boolean).join(' ');
    return (
      (await this.#updateIf(tenantId, {
        UpdateExpression: expression,
        ConditionExpression: conditions.join(' AND '),
        ExpressionAttributeNames: names,
        ...(Object.keys(values).length ? { ExpressionAttributeValues: values } : {}),
      })) !== undefined
    );
  }

  /**
   * Forgets which table and bucket the tenant had, so that onboarding may make them again empty
   * where they are gone (a retry asks for that; data-loss.ts). What exists is adopted as before.
   * Not versioned: the next onboarding records the names again.
   */
  async forgetDataStores(tenantId: string): Promise<void> {
    // A record without resources has nothing to forget: the condition not holding is that.
    await this.#updateIf(tenantId, {
      UpdateExpression: 'REMOVE #resources.#tableName, #resources.#tableArn, #resources.#bucketName, #resources.#bucketArn',
      ConditionExpression: 'attribute_exists(#resources)',
      ExpressionAttributeNames: {
        '#resources': 'resources',
        '#tableName': 'tableName',
        '#tableArn': 'tableArn',
        '#bucketName': 'bucketName',
        '#bucketArn': 'bucketArn',
      },
    });
  }

  /** ACTIVE that is not what runs: DEGRADED, with the difference as its reason. */
  async markDegraded(tenantId: string, reason: string): Promise<void> {
    await this.transition(tenantId, 'DEGRADED', { reason });
  }

  /** What needs a person (the reconciler's word): FAILED, with what to do as its reason. */
  async markFailed(tenantId: string, reason: string): Promise<void> {
    await this.transition(tenantId, 'FAILED', { reason });
  }

  /** `transition` as one write that appends to the history; undefined when the record is not as `after` says (or its history is full). */
  async #appendTransition(tenantId: string, to: TenantStatus, after: TenantStamp, options: TransitionOptions): Promise<TenantRecord | undefined> {
    const append = {
      ...stripUndefined<HistoryEntry>({ at: this.#now().toISOString(), to, reason: options.reason, executionId: options.executionId }),
      from: after.status,
    };
    try {
      return await this.#write(
        tenantId,
        after.version,
        { ...options.observed, status: to, statusReason: options.reason ?? null },
        { append, ...(options.releaseLockOf !== undefined ? { releaseLockOf: options.releaseLockOf } : {}) },
      );
    } catch (error) {
      if (error instanceof ConcurrentUpdateError) return undefined;
      throw error;
    }
  }

  /** The move was made by this execution already; the lease it may still hold is given back. */
  async #alreadyMoved(current: TenantRecord, releaseLockOf: string | undefined): Promise<TenantRecord> {
    if (releaseLockOf === undefined || current.lock?.owner !== releaseLockOf) return current;
    await this.releaseLock(current.tenantId, releaseLockOf);
    const { lock: _released, ...rest } = current;
    return rest;
  }

  /**
   * One UpdateItem of control-plane fields (null REMOVEs a field), conditional
   * on `expectedVersion` and on what `guard` asks; bumps the version. Throws
   * ConcurrentUpdateError when a condition does not hold.
   */
  async #write(tenantId: string, expectedVersion: number | undefined, changes: Record<string, unknown>, guard: WriteGuard = {}): Promise<TenantRecord> {
    const names: Record<string, string> = { '#version': 'version', '#updatedAt': 'updatedAt' };
    const values: Record<string, unknown> = { ':now': this.#now().toISOString(), ':next': (expectedVersion ?? 0) + 1 };
    const sets = ['#version = :next', '#updatedAt = :now'];
    const removes: string[] = [];
    for (const [key, value] of Object.entries(changes)) {
      if (value === undefined) continue;
      names[`#${key}`] = key;
      if (value === null) {
        removes.push(`#${key}`);
      } else {
        values[`:${key}`] = value;
        sets.push(`#${key} = :${key}`);
      }
    }
    const conditions = ['attribute_exists(tenantId)'];
    if (expectedVersion === undefined) {
      conditions.push('attribute_not_exists(#version)');
    } else {
      conditions.push('#version = :expected');
      values[':expected'] = expectedVersion;
    }
    if (guard.append) {
      Object.assign(names, { '#history': 'history', '#status': 'status' });
      Object.assign(values, { ':entry': [guard.append], ':empty': [], ':limit': HISTORY_LIMIT, ':from': guard.append.from });
      sets.push('#history = list_append(if_not_exists(#history, :empty), :entry)');
      conditions.push('#status = :from', '(attribute_not_exists(#history) OR size(#history) < :limit)');
    }
    if (guard.releaseLockOf !== undefined) {
      Object.assign(names, { '#lock': 'lock', '#owner': 'owner' });
      values[':owner'] = guard.releaseLockOf;
      removes.push('#lock');
      conditions.push('#lock.#owner = :owner');
    }
    const updated = await this.#updateIf(tenantId, {
      UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
      ConditionExpression: conditions.join(' AND '),
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
      ReturnValues: 'ALL_NEW',
    });
    if (!updated) throw new ConcurrentUpdateError(`tenant "${tenantId}" changed since version ${expectedVersion ?? 'none'} was read`);
    return parseTenantRecord(updated.Attributes);
  }
}
