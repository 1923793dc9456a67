import { join } from 'node:path';
import { JsonStore } from '../json-store.ts';
import { localPaths } from '../settings.ts';

/** What DynamoDB keeps about a table and dynalite accepts and forgets (or has no API for). */
export interface TableSettings {
  deletionProtection: boolean;
  /** SSESpecification.SSEType when encryption with a KMS key was asked for; absent means the AWS owned key. */
  sseType?: 'KMS';
  pointInTimeRecovery: boolean;
}

/** A JSON answer of the endpoint's own, in DynamoDB's wire format. */
export interface Answer {
  status: number;
  json: unknown;
}

type Body = Record<string, unknown>;
type Description = Record<string, unknown> & { TableName?: string; TableStatus?: string; TableArn?: string };

/** The operations whose requests or answers this layer looks at. */
export const SETTINGS_OPERATIONS = new Set([
  'CreateTable',
  'DescribeTable',
  'UpdateTable',
  'DeleteTable',
  'DescribeContinuousBackups',
  'UpdateContinuousBackups',
]);

/** The fields of UpdateTable other than the name: when only DeletionProtectionEnabled is among them, dynalite is not asked. */
const UPDATE_FIELDS = [
  'AttributeDefinitions',
  'BillingMode',
  'ProvisionedThroughput',
  'GlobalSecondaryIndexUpdates',
  'StreamSpecification',
  'SSESpecification',
  'ReplicaUpdates',
  'TableClass',
  'OnDemandThroughput',
  'WarmThroughput',
  'MultiRegionConsistency',
];

function error(status: number, type: string, message: string): Answer {
  return { status, json: { __type: `com.amazonaws.dynamodb.v20120810#${type}`, message } };
}

/**
 * The table settings the local DynamoDB endpoint honours on dynalite's behalf, for
 * every client alike (the SDK, the AWS CLI, the local table port): deletion
 * protection, encryption as asked, and point-in-time recovery. Kept in
 * `<home>/state/dynamodb-tables.json`.
 *
 * - Deletion protection: DeleteTable of a protected table is refused; UpdateTable
 *   turns it on and off; DescribeTable reports it.
 *   https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/WorkingWithTables.Basics.html#WorkingWithTables.Basics.DeletionProtection
 * - SSE: SSESpecification {Enabled: true} means a KMS key (SSEType KMS, the AWS managed
 *   aws/dynamodb); DescribeTable reports SSEDescription. Nothing is encrypted locally.
 *   https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_SSESpecification.html
 * - Point-in-time recovery: DescribeContinuousBackups and UpdateContinuousBackups,
 *   the latter only once the table is ACTIVE (ContinuousBackupsUnavailableException before).
 *   No backup is taken and nothing can be restored.
 *   https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateContinuousBackups.html
 */
export class TableSettingsLayer {
  readonly #store: JsonStore<Record<string, TableSettings>>;

  constructor(home: string) {
    this.#store = new JsonStore(join(localPaths(home).state, 'dynamodb-tables.json'), () => ({}));
  }

  /**
   * Answers a request without dynalite, or returns what to send it instead: the
   * request itself, or UpdateTable without the field dynalite refuses.
   * `describe` is dynalite's DescribeTable of a table (undefined when there is none).
   */
  async before(operation: string, body: Body, describe: (table: string) => Promise<Description | undefined>): Promise<{ answer: Answer } | { forward: Body }> {
    const name = String(body.TableName ?? '');
    if (operation === 'DeleteTable') {
      if ((await this.#settings(name))?.deletionProtection && (await describe(name))) {
        return {
          answer: error(
            400,
            'ValidationException',
            `Resource cannot be deleted as it is currently protected against deletion. Disable deletion protection first.`,
          ),
        };
      }
      return { forward: body };
    }
    if (operation === 'UpdateTable' && typeof body.DeletionProtectionEnabled === 'boolean') {
      const table = await describe(name);
      if (!table) return { answer: error(400, 'ResourceNotFoundException', `Requested resource not found: Table: ${name} not found`) };
      if (table.TableStatus !== 'ACTIVE')
        return {
          answer: error(
            400,
            'ResourceInUseException',
            `Attempt to change a resource which is still in use: Table is being ${String(table.TableStatus).toLowerCase()}: ${name}`,
          ),
        };
      const enabled = body.DeletionProtectionEnabled;
      await this.#store.update((doc) => {
        doc[name] = { ...(doc[name] ?? { deletionProtection: false, pointInTimeRecovery: false }), deletionProtection: enabled };
      });
      const rest = Object.fromEntries(Object.entries(body).filter(([key]) => key !== 'DeletionProtectionEnabled'));
      if (UPDATE_FIELDS.some((field) => rest[field] !== undefined)) return { forward: rest };
      return { answer: { status: 200, json: { TableDescription: await this.#amend(table) } } };
    }
    if (operation === 'DescribeContinuousBackups' || operation === 'UpdateContinuousBackups') {
      const table = await describe(name);
      if (!table) return { answer: error(400, 'TableNotFoundException', `Table not found: ${name}`) };
      if (operation === 'UpdateContinuousBackups') {
        if (table.TableStatus !== 'ACTIVE')
          return { answer: error(400, 'ContinuousBackupsUnavailableException', `Backups are being enabled for the table: ${name}. Please retry later`) };
        const spec = body.PointInTimeRecoverySpecification as { PointInTimeRecoveryEnabled?: unknown } | undefined;
        if (typeof spec?.PointInTimeRecoveryEnabled !== 'boolean') {
          return { answer: error(400, 'ValidationException', 'PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled must be given') };
        }
        const enabled = spec.PointInTimeRecoveryEnabled;
        await this.#store.update((doc) => {
          doc[name] = { ...(doc[name] ?? { deletionProtection: false, pointInTimeRecovery: false }), pointInTimeRecovery: enabled };
        });
      }
      const enabled = (await this.#settings(name))?.pointInTimeRecovery === true;
      return {
        answer: {
          status: 200,
          json: {
            ContinuousBackupsDescription: {
              ContinuousBackupsStatus: 'ENABLED',
              PointInTimeRecoveryDescription: { PointInTimeRecoveryStatus: enabled ? 'ENABLED' : 'DISABLED' },
            },
          },
        },
      };
    }
    return { forward: body };
  }

  /** Records what a successful request changed, and adds the settings to the table description dynalite answered. */
  async after(operation: string, body: Body, json: Body): Promise<Body> {
    const name = String(body.TableName ?? '');
    if (operation === 'CreateTable') {
      const sse = body.SSESpecification as { Enabled?: boolean } | undefined;
      await this.#store.update((doc) => {
        doc[name] = {
          deletionProtection: body.DeletionProtectionEnabled === true,
          ...(sse?.Enabled ? { sseType: 'KMS' as const } : {}),
          pointInTimeRecovery: false,
        };
      });
      return { ...json, TableDescription: await this.#amend(json.TableDescription as Description) };
    }
    if (operation === 'DeleteTable') {
      await this.#store.update((doc) => {
        delete doc[name];
      });
      return json;
    }
    if (operation === 'DescribeTable') return { ...json, Table: await this.#amend(json.Table as Description) };
    if (operation === 'UpdateTable') return { ...json, TableDescription: await this.#amend(json.TableDescription as Description) };
    return json;
  }

  async #settings(name: string): Promise<TableSettings | undefined> {
    return (await this.#store.read())[name];
  }

  async #amend(table: Description | undefined): Promise<Description | undefined> {
    if (!table?.TableName) return table;
    const settings = await this.#settings(table.TableName);
    const region = String(table.TableArn ?? '').split(':')[3] ?? 'us-east-1';
    const account = String(table.TableArn ?? '').split(':')[4] ?? '000000000000';
    const partition = String(table.TableArn ?? '').split(':')[1] || 'aws';
    return {
      ...table,
      DeletionProtectionEnabled: settings?.deletionProtection === true,
      ...(settings?.sseType
        ? { SSEDescription: { Status: 'ENABLED', SSEType: 'KMS', KMSMasterKeyArn: `arn:${partition}:kms:${region}:${account}:key/aws-dynamodb-local` } }
        : {}),
    };
  }
}
