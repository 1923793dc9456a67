import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBDocumentClient, QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { asStartKey, decodeCursor, encodeCursor } from './cursor.ts';
import type { StartKey } from './cursor.ts';
import type { Employee, EmployeeFields } from './employee.ts';
import { MAX_TEXT_LENGTH, searchableName } from './employee.ts';
import {
  BY_FIRST_NAME_INDEX,
  BY_LAST_NAME_INDEX,
  EMPLOYEE_KEY,
  ENTITY_ATTRIBUTE,
  ENTITY_EMPLOYEE,
  FIRST_LAST_ATTRIBUTE,
  LAST_FIRST_ATTRIBUTE,
  NAME_KEY_SEPARATOR,
} from './employees-table.ts';
import { EmployeeNotFoundError, EmployeeUpdateConflictError, InvalidCursorError } from './errors.ts';

export interface Page<T> {
  readonly items: readonly T[];
  /** Opaque; undefined on the last page. */
  readonly nextCursor: string | undefined;
}

interface EmployeeItem extends EmployeeFields {
  id: string;
  entity: typeof ENTITY_EMPLOYEE;
  lastFirstLower: string;
  firstLastLower: string;
  documentKey?: string;
  documentFileName?: string;
  documentSizeBytes?: number;
  createdAt: string;
  updatedAt: string;
  version: number;
}

interface IndexQuery {
  readonly indexName: string;
  readonly sortAttribute: string;
  readonly prefix: string | undefined;
  /** Skips items whose last-name key starts with this (they were already listed by last name). */
  readonly excludeLastNamePrefix?: string;
}

type SearchPhase = 'last' | 'first';

const MAX_UPDATE_ATTEMPTS = 3;

/** Employee records in the tenant's table. Every read is a GetItem or a Query; nothing scans. */
export class EmployeeRepository {
  readonly #client: DynamoDBDocumentClient;
  readonly #tableName: string;

  constructor(client: DynamoDBDocumentClient, tableName: string) {
    this.#client = client;
    this.#tableName = tableName;
  }

  async create(employee: Employee): Promise<void> {
    await this.#client.send(
      new PutCommand({
        TableName: this.#tableName,
        Item: toItem(employee),
        ConditionExpression: 'attribute_not_exists(#id)',
        ExpressionAttributeNames: { '#id': EMPLOYEE_KEY },
      }),
    );
  }

  async get(id: string): Promise<Employee | undefined> {
    const { Item } = await this.#client.send(new GetCommand({ TableName: this.#tableName, Key: { [EMPLOYEE_KEY]: id }, ConsistentRead: true }));
    // The table holds other items too (an employee's audit trail): only an employee is one.
    return Item?.[ENTITY_ATTRIBUTE] === ENTITY_EMPLOYEE ? fromItem(Item as EmployeeItem) : undefined;
  }

  /**
   * Read-modify-write guarded by `version`, because a change of one name rewrites both
   * name keys and so needs the other name as it is now. Returns both versions so the caller
   * can delete a replaced document.
   */
  async update(id: string, change: (current: Employee) => Employee): Promise<{ before: Employee; after: Employee }> {
    for (let attempt = 1; ; attempt += 1) {
      const before = await this.get(id);
      if (!before) throw new EmployeeNotFoundError(id);
      const after = { ...change(before), version: before.version + 1 };
      try {
        await this.#client.send(
          new PutCommand({
            TableName: this.#tableName,
            Item: toItem(after),
            ConditionExpression: '#version = :seen',
            ExpressionAttributeNames: { '#version': 'version' },
            ExpressionAttributeValues: { ':seen': before.version },
          }),
        );
        return { before, after };
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
        if (attempt >= MAX_UPDATE_ATTEMPTS) throw new EmployeeUpdateConflictError(id, { cause: error });
      }
    }
  }

  /** Returns the deleted employee, so the caller can delete its document. */
  async delete(id: string): Promise<Employee> {
    try {
      const { Attributes } = await this.#client.send(
        new DeleteCommand({
          TableName: this.#tableName,
          Key: { [EMPLOYEE_KEY]: id },
          // Never another kind of item (an audit trail) under an id someone typed.
          ConditionExpression: '#entity = :employee',
          ExpressionAttributeNames: { '#entity': ENTITY_ATTRIBUTE },
          ExpressionAttributeValues: { ':employee': ENTITY_EMPLOYEE },
          ReturnValues: 'ALL_OLD',
        }),
      );
      if (!Attributes) throw new EmployeeNotFoundError(id);
      return fromItem(Attributes as EmployeeItem);
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw new EmployeeNotFoundError(id, { cause: error });
      throw error;
    }
  }

  /**
   * Brings every record's name keys to the current form of searchableName, for records written
   * before it changed (by an older version of the app, or by one still running during a rolling
   * deploy). Run by each replica at start, in the background; safe to run any number of times
   * and on several replicas at once: a record is rewritten only while it still has the keys and
   * version read, so an edit made meanwhile is never overwritten, and an up-to-date record is not
   * written at all. Reads the name index page by page; stops between pages when `signal` aborts.
   */
  async reindexNames(signal?: AbortSignal): Promise<{ checked: number; updated: number }> {
    let checked = 0;
    let updated = 0;
    let exclusiveStartKey: Record<string, unknown> | undefined;
    do {
      if (signal?.aborted) break;
      const { Items = [], LastEvaluatedKey } = await this.#client.send(
        new QueryCommand({
          ...queryInput(this.#tableName, { indexName: BY_LAST_NAME_INDEX, sortAttribute: LAST_FIRST_ATTRIBUTE, prefix: undefined }),
          Limit: 200,
          ExclusiveStartKey: exclusiveStartKey,
        }),
        { abortSignal: signal },
      );
      for (const item of Items as EmployeeItem[]) {
        checked += 1;
        const keys = nameKeys(item.firstName, item.lastName);
        if (item.lastFirstLower === keys.lastFirstLower && item.firstLastLower === keys.firstLastLower) continue;
        try {
          await this.#client.send(
            new UpdateCommand({
              TableName: this.#tableName,
              Key: { [EMPLOYEE_KEY]: item.id },
              UpdateExpression: 'SET #lastFirst = :lastFirst, #firstLast = :firstLast',
              ConditionExpression: '#version = :version AND #lastFirst = :seen',
              ExpressionAttributeNames: { '#lastFirst': LAST_FIRST_ATTRIBUTE, '#firstLast': FIRST_LAST_ATTRIBUTE, '#version': 'version' },
              ExpressionAttributeValues: {
                ':lastFirst': keys.lastFirstLower,
                ':firstLast': keys.firstLastLower,
                ':version': item.version,
                ':seen': item.lastFirstLower,
              },
            }),
            { abortSignal: signal },
          );
          updated += 1;
        } catch (error) {
          // Changed or deleted since it was read: whoever wrote it wrote current keys.
          if (!(error instanceof ConditionalCheckFailedException)) throw error;
        }
      }
      exclusiveStartKey = LastEvaluatedKey;
    } while (exclusiveStartKey);
    return { checked, updated };
  }

  /** One page in last-name order. */
  async list(limit: number, cursor?: string): Promise<Page<Employee>> {
    const query: IndexQuery = { indexName: BY_LAST_NAME_INDEX, sortAttribute: LAST_FIRST_ATTRIBUTE, prefix: undefined };
    const startKey = cursor === undefined ? undefined : asStartKey(decodeCursor(cursor), startKeyAttributes(query));
    const { items, more } = await this.#collect(query, limit, startKey);
    return {
      items: items.map(fromItem),
      nextCursor: more ? encodeCursor(more.startKey) : undefined,
    };
  }

  /**
   * One page of employees whose last or first name starts with `text`, case-insensitively.
   * Last-name matches come first, then first-name matches that were not already listed: the
   * filter, not a memory of past pages, deduplicates, so the cursor stays a plain key.
   */
  async search(text: string, limit: number, cursor?: string): Promise<Page<Employee>> {
    const prefix = searchableName(text);
    if (prefix === '') return this.list(limit, cursor);
    if (prefix.length > MAX_TEXT_LENGTH) return { items: [], nextCursor: undefined };
    const byLast: IndexQuery = { indexName: BY_LAST_NAME_INDEX, sortAttribute: LAST_FIRST_ATTRIBUTE, prefix };
    const byFirst: IndexQuery = { indexName: BY_FIRST_NAME_INDEX, sortAttribute: FIRST_LAST_ATTRIBUTE, prefix, excludeLastNamePrefix: prefix };
    const position = cursor === undefined ? { phase: 'last' as SearchPhase, startKey: undefined } : decodeSearchCursor(cursor, byLast, byFirst);

    const found: EmployeeItem[] = [];
    const phases: [SearchPhase, IndexQuery][] =
      position.phase === 'last'
        ? [
            ['last', byLast],
            ['first', byFirst],
          ]
        : [['first', byFirst]];
    let startKey = position.startKey;
    for (const [phase, query] of phases) {
      const { items, more } = await this.#collect(query, limit - found.length, startKey);
      found.push(...items);
      if (more) return { items: found.map(fromItem), nextCursor: encodeCursor({ phase, key: more.startKey ?? null }) };
      startKey = undefined;
    }
    return { items: found.map(fromItem), nextCursor: undefined };
  }

  /**
   * Reads up to `wanted` items of one index, plus one look-ahead so that a "next page" is
   * offered only when one exists. Loops because Limit counts items before the filter.
   */
  async #collect(query: IndexQuery, wanted: number, startKey: StartKey | undefined) {
    const items: EmployeeItem[] = [];
    let exclusiveStartKey: Record<string, unknown> | undefined = startKey;
    do {
      const { Items = [], LastEvaluatedKey } = await this.#client.send(
        new QueryCommand({ ...queryInput(this.#tableName, query), Limit: wanted + 1 - items.length, ExclusiveStartKey: exclusiveStartKey }),
      );
      items.push(...(Items as EmployeeItem[]));
      exclusiveStartKey = LastEvaluatedKey;
    } while (exclusiveStartKey && items.length <= wanted);

    if (items.length <= wanted) return { items, more: undefined };
    const lastShown = items[wanted - 1];
    // Nothing shown from this index yet (the page filled up before it): resume at its start.
    return { items: items.slice(0, wanted), more: { startKey: lastShown ? startKeyOf(lastShown, query) : startKey } };
  }
}

function queryInput(tableName: string, query: IndexQuery): QueryCommandInput {
  const names: Record<string, string> = { '#entity': ENTITY_ATTRIBUTE };
  const values: Record<string, unknown> = { ':entity': ENTITY_EMPLOYEE };
  let keyCondition = '#entity = :entity';
  if (query.prefix !== undefined) {
    names['#sort'] = query.sortAttribute;
    values[':prefix'] = query.prefix;
    keyCondition += ' AND begins_with(#sort, :prefix)';
  }
  let filter: string | undefined;
  if (query.excludeLastNamePrefix !== undefined) {
    names['#lastFirst'] = LAST_FIRST_ATTRIBUTE;
    values[':lastPrefix'] = query.excludeLastNamePrefix;
    filter = 'NOT begins_with(#lastFirst, :lastPrefix)';
  }
  return {
    TableName: tableName,
    IndexName: query.indexName,
    KeyConditionExpression: keyCondition,
    FilterExpression: filter,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}

function startKeyAttributes(query: IndexQuery): string[] {
  return [EMPLOYEE_KEY, ENTITY_ATTRIBUTE, query.sortAttribute];
}

function startKeyOf(item: EmployeeItem, query: IndexQuery): StartKey {
  const key: StartKey = {};
  for (const attribute of startKeyAttributes(query)) key[attribute] = String(item[attribute as keyof EmployeeItem]);
  return key;
}

function decodeSearchCursor(cursor: string, byLast: IndexQuery, byFirst: IndexQuery): { phase: SearchPhase; startKey: StartKey | undefined } {
  const value = decodeCursor(cursor);
  if (typeof value !== 'object' || value === null || !('phase' in value) || !('key' in value)) throw new InvalidCursorError();
  if (value.phase !== 'last' && value.phase !== 'first') throw new InvalidCursorError();
  const query = value.phase === 'last' ? byLast : byFirst;
  return { phase: value.phase, startKey: value.key === null ? undefined : asStartKey(value.key, startKeyAttributes(query)) };
}

function nameKeys(firstName: string, lastName: string): Pick<EmployeeItem, 'lastFirstLower' | 'firstLastLower'> {
  const first = searchableName(firstName);
  const last = searchableName(lastName);
  return { lastFirstLower: `${last}${NAME_KEY_SEPARATOR}${first}`, firstLastLower: `${first}${NAME_KEY_SEPARATOR}${last}` };
}

function toItem(employee: Employee): EmployeeItem {
  const item: EmployeeItem = {
    id: employee.id,
    entity: ENTITY_EMPLOYEE,
    firstName: employee.firstName,
    lastName: employee.lastName,
    role: employee.role,
    salary: employee.salary,
    ...nameKeys(employee.firstName, employee.lastName),
    createdAt: employee.createdAt,
    updatedAt: employee.updatedAt,
    version: employee.version,
  };
  if (employee.document) {
    item.documentKey = employee.document.key;
    item.documentFileName = employee.document.fileName;
    item.documentSizeBytes = employee.document.sizeBytes;
  }
  return item;
}

function fromItem(item: EmployeeItem): Employee {
  return {
    id: item.id,
    firstName: item.firstName,
    lastName: item.lastName,
    role: item.role,
    salary: Number(item.salary),
    document:
      item.documentKey === undefined
        ? undefined
        : { key: item.documentKey, fileName: item.documentFileName ?? 'document.pdf', sizeBytes: Number(item.documentSizeBytes ?? 0) },
    createdAt: item.createdAt,
    updatedAt: item.updatedAt,
    version: Number(item.version),
  };
}
