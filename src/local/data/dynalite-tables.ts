import {
  ContinuousBackupsUnavailableException,
  CreateTableCommand,
  DeleteTableCommand,
  DescribeContinuousBackupsCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ListTagsOfResourceCommand,
  ResourceInUseException,
  ResourceNotFoundException,
  TableNotFoundException,
  TagResourceCommand,
  UpdateContinuousBackupsCommand,
  UpdateTableCommand,
  type TableDescription,
} from '@aws-sdk/client-dynamodb';
import { NotReadyError, PermanentCloudError } from '../../cloud/errors.ts';
import type { TablePort, TableProtection, TableSpec, TableState } from '../../cloud/ports.ts';
import { tableArn } from '../../tenants/task-role-policy.ts';
import { toCloudError } from './cloud-errors.ts';

/** A table's settings as the local endpoint reports them (for inspection and tests). */
export interface LocalTableSettings {
  deletionProtection: boolean;
  /** Server-side encryption with a KMS key (the AWS managed aws/dynamodb), as the AWS provider asks for. */
  encrypted: boolean;
  pointInTimeRecovery: boolean;
}

export interface DynaliteTablesOptions {
  /** Kept for the callers' sake: the settings now live behind the endpoint. */
  home?: string;
  /** The local DynamoDB endpoint (startLocalDynamo's). */
  endpoint: string;
  region?: string;
  accountId?: string;
  /** Injected in tests; by default one is made for `endpoint` with placeholder credentials (dynalite checks none). */
  client?: DynamoDBClient;
}

/**
 * TablePort on the local DynamoDB endpoint, making the calls the AWS provider
 * makes: CreateTable with KMS encryption and deletion protection, point-in-time
 * recovery once ACTIVE, deletion protection lifted before DeleteTable. The
 * endpoint honours those settings (table-settings.ts), so a DeleteTable of a
 * protected table is refused here as on AWS, whoever sends it.
 */
export class DynaliteTables implements TablePort {
  readonly #client: DynamoDBClient;
  readonly #endpoint: string;
  readonly #region: string;
  readonly #accountId: string;

  constructor(options: DynaliteTablesOptions) {
    this.#endpoint = options.endpoint;
    this.#region = options.region ?? 'us-east-1';
    this.#accountId = options.accountId ?? '000000000000';
    this.#client =
      options.client ??
      new DynamoDBClient({ endpoint: options.endpoint, region: this.#region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 2 });
  }

  async ensureTable(spec: TableSpec): Promise<TableState> {
    const table = (await this.#describe(spec.name)) ?? (await this.#create(spec));
    const status = table.TableStatus;
    if (status === 'CREATING') throw new NotReadyError(`table ${spec.name} is being created; ask again shortly`);
    if (status === 'DELETING') throw new NotReadyError(`table ${spec.name} is being deleted; it can be created again once it is gone`);
    this.#checkKeySchema(spec, table);
    await this.#ensurePointInTimeRecovery(spec.name);
    if (table.DeletionProtectionEnabled !== true) {
      await this.#update(`protecting table ${spec.name} from deletion`, () =>
        this.#client.send(new UpdateTableCommand({ TableName: spec.name, DeletionProtectionEnabled: true })),
      );
    }
    await this.#ensureTags(spec);
    return { name: spec.name, arn: this.#arn(spec.name), status: status === 'UPDATING' ? 'UPDATING' : 'ACTIVE' };
  }

  async deleteTable(name: string): Promise<void> {
    const table = await this.#describe(name);
    if (!table || table.TableStatus === 'DELETING') return;
    if (table.TableStatus === 'CREATING' || table.TableStatus === 'UPDATING') {
      throw new NotReadyError(`table ${name} is ${table.TableStatus}; it can be deleted once it is ACTIVE`);
    }
    try {
      if (table.DeletionProtectionEnabled) await this.#client.send(new UpdateTableCommand({ TableName: name, DeletionProtectionEnabled: false }));
      await this.#client.send(new DeleteTableCommand({ TableName: name }));
    } catch (error) {
      if (error instanceof ResourceNotFoundException) return;
      if (error instanceof ResourceInUseException) throw new NotReadyError(`table ${name} is busy; deleting it again shortly`, { cause: error });
      throw toCloudError(error, `deleting table ${name}`, this.#endpoint);
    }
  }

  /** As the AWS provider reads them: DescribeTable and DescribeContinuousBackups, which the endpoint answers from the settings it keeps. */
  async describeTable(name: string): Promise<TableProtection | undefined> {
    const described = await this.#describeWithSettings(name);
    if (!described) return undefined;
    const { table, settings } = described;
    return { name, status: (table.TableStatus ?? 'ACTIVE') as TableState['status'], ...pick(settings) };
  }

  /** The table's settings as the endpoint reports them, or undefined when there is no such table. */
  async settingsOf(name: string): Promise<LocalTableSettings | undefined> {
    return (await this.#describeWithSettings(name))?.settings;
  }

  async #describeWithSettings(name: string): Promise<{ table: TableDescription; settings: LocalTableSettings } | undefined> {
    const table = await this.#describe(name);
    if (!table) return undefined;
    let backups;
    try {
      backups = await this.#client.send(new DescribeContinuousBackupsCommand({ TableName: name }));
    } catch (error) {
      // Gone between the two calls (it was being deleted).
      if (error instanceof TableNotFoundException) return undefined;
      throw toCloudError(error, `describing the backups of table ${name}`, this.#endpoint);
    }
    return {
      table,
      settings: {
        deletionProtection: table.DeletionProtectionEnabled === true,
        encrypted: table.SSEDescription?.SSEType === 'KMS',
        pointInTimeRecovery: backups.ContinuousBackupsDescription?.PointInTimeRecoveryDescription?.PointInTimeRecoveryStatus === 'ENABLED',
      },
    };
  }

  #arn(name: string): string {
    return tableArn(this.#region, this.#accountId, name);
  }

  /** A change to an ACTIVE table, which DynamoDB refuses while another change applies. */
  async #update(doing: string, send: () => Promise<unknown>): Promise<void> {
    try {
      await send();
    } catch (error) {
      if (error instanceof ResourceInUseException) throw new NotReadyError(`${doing}: the table is busy; asking again shortly`, { cause: error });
      throw toCloudError(error, doing, this.#endpoint);
    }
  }

  async #describe(name: string): Promise<TableDescription | undefined> {
    try {
      return (await this.#client.send(new DescribeTableCommand({ TableName: name }))).Table;
    } catch (error) {
      if (error instanceof ResourceNotFoundException) return undefined;
      throw toCloudError(error, `describing table ${name}`, this.#endpoint);
    }
  }

  async #create(spec: TableSpec): Promise<TableDescription> {
    try {
      const { TableDescription } = await this.#client.send(
        new CreateTableCommand({
          TableName: spec.name,
          BillingMode: 'PAY_PER_REQUEST',
          ...spec.definition,
          SSESpecification: { Enabled: true, SSEType: 'KMS' },
          DeletionProtectionEnabled: true,
        }),
      );
      if (TableDescription) return TableDescription;
    } catch (error) {
      // A concurrent ensureTable won the race: use its table.
      if (!(error instanceof ResourceInUseException)) throw toCloudError(error, `creating table ${spec.name}`, this.#endpoint);
    }
    const table = await this.#describe(spec.name);
    if (!table) throw new NotReadyError(`table ${spec.name} was created but is not visible yet`);
    return table;
  }

  async #ensurePointInTimeRecovery(name: string): Promise<void> {
    try {
      const backups = await this.#client.send(new DescribeContinuousBackupsCommand({ TableName: name }));
      if (backups.ContinuousBackupsDescription?.PointInTimeRecoveryDescription?.PointInTimeRecoveryStatus === 'ENABLED') return;
      await this.#client.send(new UpdateContinuousBackupsCommand({ TableName: name, PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } }));
    } catch (error) {
      if (error instanceof ContinuousBackupsUnavailableException) {
        throw new NotReadyError(`point-in-time recovery of table ${name} cannot be enabled yet; asking again shortly`, { cause: error });
      }
      throw toCloudError(error, `enabling point-in-time recovery of table ${name}`, this.#endpoint);
    }
  }

  #checkKeySchema(spec: TableSpec, table: TableDescription): void {
    const wanted = JSON.stringify(spec.definition.KeySchema.map((k) => [k.AttributeName, k.KeyType]));
    const actual = JSON.stringify((table.KeySchema ?? []).map((k) => [k.AttributeName, k.KeyType]));
    if (wanted !== actual) {
      throw new PermanentCloudError(
        `table ${spec.name} exists with key ${actual}, not ${wanted}; a key cannot change in place: move the data and delete the table, or use another name`,
      );
    }
  }

  async #ensureTags(spec: TableSpec): Promise<void> {
    const arn = this.#arn(spec.name);
    try {
      const { Tags = [] } = await this.#client.send(new ListTagsOfResourceCommand({ ResourceArn: arn }));
      const current = new Map(Tags.map((t) => [t.Key, t.Value]));
      const missing = Object.entries(spec.tags).filter(([key, value]) => current.get(key) !== value);
      if (missing.length > 0) await this.#client.send(new TagResourceCommand({ ResourceArn: arn, Tags: missing.map(([Key, Value]) => ({ Key, Value })) }));
    } catch (error) {
      throw toCloudError(error, `tagging table ${spec.name}`, this.#endpoint);
    }
  }
}

function pick({ deletionProtection, pointInTimeRecovery }: LocalTableSettings): Pick<TableProtection, 'deletionProtection' | 'pointInTimeRecovery'> {
  return { deletionProtection, pointInTimeRecovery };
}
