import { join } from 'node:path';
import {
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ListTagsOfResourceCommand,
  ResourceInUseException,
  ResourceNotFoundException,
  TagResourceCommand,
  type TableDescription,
} from '@aws-sdk/client-dynamodb';
import { NotReadyError, PermanentCloudError } from '../../cloud/errors.ts';
import type { TablePort, TableSpec, TableState } from '../../cloud/ports.ts';
import { tableArn } from '../../tenants/task-role-policy.ts';
import { JsonStore } from '../json-store.ts';
import { localPaths } from '../settings.ts';
import { toCloudError } from './cloud-errors.ts';

/** What AWS would keep about a table and dynalite does not (it accepts and forgets SSE and deletion protection, and has no PITR calls). */
export interface LocalTableSettings {
  deletionProtection: boolean;
  /** Server-side encryption with the AWS owned key, DynamoDB's default. */
  encrypted: boolean;
  pointInTimeRecovery: boolean;
}

type TablesDoc = Record<string, LocalTableSettings>;

export interface LocalTablePortOptions {
  home: string;
  /** The local DynamoDB endpoint (startLocalDynamo's). */
  endpoint: string;
  region?: string;
  accountId?: string;
  /** Injected in tests; by default one is made for `endpoint` with placeholder credentials (dynalite checks none). */
  client?: DynamoDBClient;
}

/**
 * TablePort on dynalite. Creation, status, key schema, items and tags are
 * dynalite's own; deletion protection, encryption and point-in-time recovery are
 * recorded in `<home>/state/tables.json`, so ensureTable reaches the same end
 * state as on AWS and deleteTable takes the same two steps (lift protection,
 * delete). Only this port honours the recorded protection: a DeleteTable sent
 * straight to the endpoint is not refused.
 */
export class LocalTablePort implements TablePort {
  readonly #client: DynamoDBClient;
  readonly #endpoint: string;
  readonly #region: string;
  readonly #accountId: string;
  readonly #store: JsonStore<TablesDoc>;

  constructor(options: LocalTablePortOptions) {
    this.#endpoint = options.endpoint;
    this.#region = options.region ?? 'us-east-1';
    this.#accountId = options.accountId ?? '000000000000';
    this.#client =
      options.client ??
      new DynamoDBClient({ endpoint: options.endpoint, region: this.#region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 2 });
    this.#store = new JsonStore(join(localPaths(options.home).state, 'tables.json'), () => ({}));
  }

  async ensureTable(spec: TableSpec): Promise<TableState> {
    const table = (await this.#describe(spec.name)) ?? (await this.#create(spec));
    const status = table.TableStatus;
    if (status === 'CREATING') throw new NotReadyError(`table ${spec.name} is being created; ask again shortly`);
    if (status === 'DELETING') throw new NotReadyError(`table ${spec.name} is being deleted; it can be created again once it is gone`);
    this.#checkKeySchema(spec, table);
    await this.#store.update((doc) => {
      doc[spec.name] = { deletionProtection: true, encrypted: true, pointInTimeRecovery: true };
    });
    await this.#ensureTags(spec);
    return { name: spec.name, arn: this.#arn(spec.name), status: status === 'UPDATING' ? 'UPDATING' : 'ACTIVE' };
  }

  async deleteTable(name: string): Promise<void> {
    // Step one on AWS is UpdateTable(DeletionProtectionEnabled=false); here it is the record.
    await this.#store.update((doc) => {
      const settings = doc[name];
      if (settings) settings.deletionProtection = false;
    });
    try {
      await this.#client.send(new DeleteTableCommand({ TableName: name }));
    } catch (error) {
      if (error instanceof ResourceInUseException)
        throw new NotReadyError(`table ${name} is still being created; delete it once it is ACTIVE`, { cause: error });
      if (!(error instanceof ResourceNotFoundException)) throw toCloudError(error, `deleting table ${name}`, this.#endpoint);
    }
    await this.#store.update((doc) => {
      delete doc[name];
    });
  }

  /** What is recorded for `name` beyond dynalite's own state; for inspection and tests. */
  async settingsOf(name: string): Promise<LocalTableSettings | undefined> {
    return (await this.#store.read())[name];
  }

  #arn(name: string): string {
    return tableArn(this.#region, this.#accountId, name);
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
    // Point-in-time recovery can only be turned on once the table is ACTIVE, as on AWS.
    await this.#store.update((doc) => {
      doc[spec.name] = { deletionProtection: true, encrypted: true, pointInTimeRecovery: false };
    });
    try {
      const { TableDescription } = await this.#client.send(
        new CreateTableCommand({
          TableName: spec.name,
          BillingMode: 'PAY_PER_REQUEST',
          ...spec.definition,
          // dynalite accepts and ignores these; sent anyway so the request is the one AWS gets.
          SSESpecification: { Enabled: true },
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
