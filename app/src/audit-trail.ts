/**
 * Who changed what, when: one audit item per employee in the tenant's own table, its entries
 * appended in one conditional UpdateItem each (so concurrent writers never lose each other's
 * entries). The item's key is `audit#<employeeId>` and it has no `entity` attribute, so it is in
 * no index: listing and searching employees never see it, and an employee id never names it.
 *
 * An entry is written after the change it records (DynamoDB Local stand-ins have no
 * transactions), so a crash between the two leaves a change without its entry; that is logged.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { EMPLOYEE_KEY } from './employees-table.ts';

/** Who did it, as the load balancer signed them in. */
export interface Actor {
  readonly subject: string;
  readonly name: string;
}

/** When nobody signs in (SIGN_IN=off), entries say so rather than naming no one. */
export const NOBODY_SIGNED_IN: Actor = { subject: '', name: 'nobody signed in (SIGN_IN=off)' };

export type AuditAction = 'created' | 'changed' | 'deleted' | 'downloaded the scanned ID';

export interface AuditEntry {
  readonly at: string;
  readonly actor: Actor;
  readonly action: AuditAction;
  /** Field -> [before, after] for what changed; absent for a download. */
  readonly changes?: Readonly<Record<string, readonly [unknown, unknown]>>;
}

/** Entries kept per employee: about 300 bytes each keeps the item well under DynamoDB's 400 KB. */
export const MAX_AUDIT_ENTRIES = 1000;

export const AUDIT_KEY_PREFIX = 'audit#';

export class AuditTrail {
  readonly #client: DynamoDBDocumentClient;
  readonly #tableName: string;

  constructor(client: DynamoDBDocumentClient, tableName: string) {
    this.#client = client;
    this.#tableName = tableName;
  }

  /** Appends; false when the employee's trail is full (MAX_AUDIT_ENTRIES). */
  async record(employeeId: string, entry: AuditEntry): Promise<boolean> {
    try {
      await this.#client.send(
        new UpdateCommand({
          TableName: this.#tableName,
          Key: { [EMPLOYEE_KEY]: `${AUDIT_KEY_PREFIX}${employeeId}` },
          UpdateExpression: 'SET #entries = list_append(if_not_exists(#entries, :none), :entry), #employee = :employee',
          ConditionExpression: 'attribute_not_exists(#entries) OR size(#entries) < :max',
          ExpressionAttributeNames: { '#entries': 'entries', '#employee': 'employeeId' },
          ExpressionAttributeValues: { ':none': [], ':entry': [entry], ':employee': employeeId, ':max': MAX_AUDIT_ENTRIES },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  /** Newest first. */
  async entriesFor(employeeId: string): Promise<AuditEntry[]> {
    const { Item } = await this.#client.send(
      new GetCommand({ TableName: this.#tableName, Key: { [EMPLOYEE_KEY]: `${AUDIT_KEY_PREFIX}${employeeId}` }, ConsistentRead: true }),
    );
    return [...((Item?.entries as AuditEntry[] | undefined) ?? [])].reverse();
  }
}
