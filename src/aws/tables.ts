/**
 * TablePort on DynamoDB: each tenant's own table, on demand, encrypted, protected from
 * deletion and recoverable to any second of the last 35 days.
 */
import {
  ContinuousBackupsUnavailableException,
  CreateTableCommand,
  DeleteTableCommand,
  DescribeContinuousBackupsCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceInUseException,
  ResourceNotFoundException,
  TableNotFoundException,
  TagResourceCommand,
  UpdateContinuousBackupsCommand,
  UpdateTableCommand,
} from '@aws-sdk/client-dynamodb';
import type { TableDescription } from '@aws-sdk/client-dynamodb';
import { NotReadyError, PermanentCloudError } from '../cloud/errors.ts';
import type { TablePort, TableProtection, TableSpec, TableState } from '../cloud/ports.ts';
import { translateAwsError } from './errors.ts';
import { tagList } from './tags.ts';
import { awsClient } from './clients.ts';

export interface DynamoDbTablesOptions {
  client?: DynamoDBClient;
  region?: string;
}

export class DynamoDbTables implements TablePort {
  readonly #client: DynamoDBClient;

  constructor(options: DynamoDbTablesOptions = {}) {
    this.#client = options.client ?? awsClient(DynamoDBClient, { region: options.region });
  }

  async ensureTable(spec: TableSpec): Promise<TableState> {
    const table = (await this.#create(spec)) ?? (await this.#describe(spec.name));
    if (!table) throw new NotReadyError(`table "${spec.name}" was deleted while being ensured; it is created again on the next attempt`);
    const state = toState(spec.name, table);
    if (state.status === 'CREATING' || state.status === 'UPDATING' || state.status === 'DELETING') {
      throw new NotReadyError(`table "${spec.name}" is ${state.status}; ask again shortly`);
    }
    if (state.status !== 'ACTIVE') {
      throw new PermanentCloudError(`table "${spec.name}" is ${state.status}; it needs a person: see the table in the DynamoDB console`);
    }
    requireSameKey(spec, table);
    await this.#ensurePointInTimeRecovery(spec.name);
    if (table.DeletionProtectionEnabled !== true) {
      await this.#update('dynamodb:UpdateTable', spec.name, () =>
        this.#client.send(new UpdateTableCommand({ TableName: spec.name, DeletionProtectionEnabled: true })),
      );
    }
    if (Object.keys(spec.tags).length > 0) {
      await this.#update('dynamodb:TagResource', spec.name, () =>
        this.#client.send(new TagResourceCommand({ ResourceArn: state.arn, Tags: tagList(spec.tags) })),
      );
    }
    return state;
  }

  async deleteTable(name: string): Promise<void> {
    const table = await this.#describe(name);
    if (!table || table.TableStatus === 'DELETING') return;
    if (table.TableStatus === 'CREATING' || table.TableStatus === 'UPDATING') {
      throw new NotReadyError(`table "${name}" is ${table.TableStatus}; it can be deleted once ACTIVE`);
    }
    try {
      if (table.DeletionProtectionEnabled) {
        await this.#client.send(new UpdateTableCommand({ TableName: name, DeletionProtectionEnabled: false }));
      }
      await this.#client.send(new DeleteTableCommand({ TableName: name }));
    } catch (error) {
      if (error instanceof ResourceNotFoundException) return;
      // A concurrent update (or our own protection change still applying) holds the table.
      if (error instanceof ResourceInUseException) throw new NotReadyError(`table "${name}" is busy; deleting it again shortly`, { cause: error });
      throw translateAwsError(error, { action: 'dynamodb:DeleteTable', resource: `table "${name}"` });
    }
  }

  /**
   * DescribeTable reports deletion protection (API_TableDescription.html), DescribeContinuousBackups
   * point-in-time recovery (API_DescribeContinuousBackups.html, TableNotFoundException for a missing table).
   */
  async describeTable(name: string): Promise<TableProtection | undefined> {
    const table = await this.#describe(name);
    if (!table) return undefined;
    try {
      const backups = await this.#client.send(new DescribeContinuousBackupsCommand({ TableName: name }));
      return {
        name,
        status: toState(name, table).status,
        deletionProtection: table.DeletionProtectionEnabled === true,
        pointInTimeRecovery: backups.ContinuousBackupsDescription?.PointInTimeRecoveryDescription?.PointInTimeRecoveryStatus === 'ENABLED',
      };
    } catch (error) {
      if (error instanceof TableNotFoundException) return undefined;
      throw translateAwsError(error, { action: 'dynamodb:DescribeContinuousBackups', resource: `table "${name}"` });
    }
  }

  /** The new table's description, or undefined when it already exists. */
  async #create(spec: TableSpec): Promise<TableDescription | undefined> {
    try {
      const created = await this.#client.send(
        new CreateTableCommand({
          TableName: spec.name,
          // Copied field by field: the spec's definition may carry more than a table definition.
          AttributeDefinitions: spec.definition.AttributeDefinitions,
          KeySchema: spec.definition.KeySchema,
          GlobalSecondaryIndexes: spec.definition.GlobalSecondaryIndexes,
          // A state's workforce is small and bursty; on demand costs nothing when idle.
          BillingMode: 'PAY_PER_REQUEST',
          // The AWS managed key (aws/dynamodb): key use shows in CloudTrail, nothing to rotate.
          SSESpecification: { Enabled: true, SSEType: 'KMS' },
          DeletionProtectionEnabled: true,
          Tags: tagList(spec.tags),
        }),
      );
      return created.TableDescription;
    } catch (error) {
      if (error instanceof ResourceInUseException) return undefined;
      throw translateAwsError(error, { action: 'dynamodb:CreateTable', resource: `table "${spec.name}"` });
    }
  }

  async #describe(name: string): Promise<TableDescription | undefined> {
    try {
      return (await this.#client.send(new DescribeTableCommand({ TableName: name }))).Table;
    } catch (error) {
      if (error instanceof ResourceNotFoundException) return undefined;
      throw translateAwsError(error, { action: 'dynamodb:DescribeTable', resource: `table "${name}"` });
    }
  }

  async #ensurePointInTimeRecovery(name: string): Promise<void> {
    try {
      const backups = await this.#client.send(new DescribeContinuousBackupsCommand({ TableName: name }));
      if (backups.ContinuousBackupsDescription?.PointInTimeRecoveryDescription?.PointInTimeRecoveryStatus === 'ENABLED') return;
      await this.#client.send(new UpdateContinuousBackupsCommand({ TableName: name, PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } }));
    } catch (error) {
      // DynamoDB turns continuous backups on a little after a new table becomes ACTIVE.
      if (error instanceof ContinuousBackupsUnavailableException) {
        throw new NotReadyError(`point-in-time recovery of table "${name}" cannot be enabled yet; asking again shortly`, { cause: error });
      }
      throw translateAwsError(error, { action: 'dynamodb:UpdateContinuousBackups', resource: `table "${name}"` });
    }
  }

  /** A change to an ACTIVE table; DynamoDB refuses it while another change is applying. */
  async #update(action: string, name: string, send: () => Promise<unknown>): Promise<void> {
    try {
      await send();
    } catch (error) {
      if (error instanceof ResourceInUseException)
        throw new NotReadyError(`table "${name}" is busy with another update; asking again shortly`, { cause: error });
      throw translateAwsError(error, { action, resource: `table "${name}"` });
    }
  }
}

/**
 * A key cannot change in place (UpdateTable changes indexes, never the table's key): an existing
 * table keyed otherwise needs a person. DynamoDB reports KeySchema in every table description
 * (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TableDescription.html).
 */
function requireSameKey(spec: TableSpec, table: TableDescription): void {
  if (!table.KeySchema) return;
  const wanted = JSON.stringify(spec.definition.KeySchema.map((k) => [k.AttributeName, k.KeyType]));
  const actual = JSON.stringify(table.KeySchema.map((k) => [k.AttributeName, k.KeyType]));
  if (wanted !== actual) {
    throw new PermanentCloudError(
      `table "${spec.name}" exists with key ${actual}, not ${wanted}; a key cannot change in place: move the data and delete the table, or use another name`,
    );
  }
}

function toState(name: string, table: TableDescription): TableState {
  return { name, arn: table.TableArn ?? '', status: (table.TableStatus ?? 'CREATING') as TableState['status'] };
}
