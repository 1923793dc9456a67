/**
 * DynamoDB's control plane as its API reference documents it, behind a mocked client, so the
 * contract runs the AWS adapter's real calls:
 * - CreateTable answers a table CREATING, and ResourceInUseException when the name is taken
 *   (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_CreateTable.html);
 * - DescribeTable answers ResourceNotFoundException for a missing table; a table goes CREATING
 *   to ACTIVE, and DELETING to gone, some time later (here: after `transitionCalls` calls);
 * - DeleteTable answers ResourceInUseException unless the table is ACTIVE, ValidationException
 *   while deletion protection is on, ResourceNotFoundException when there is no table
 *   (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_DeleteTable.html,
 *   https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/WorkingWithTables.Basics.html#WorkingWithTables.Basics.DeletionProtection);
 * - UpdateTable answers ResourceInUseException unless ACTIVE (API_UpdateTable.html);
 * - point-in-time recovery can be enabled only once the table is ACTIVE
 *   (ContinuousBackupsUnavailableException before; API_UpdateContinuousBackups.html);
 * - throttling is ThrottlingException (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.Errors.html).
 */
import {
  ContinuousBackupsUnavailableException,
  CreateTableCommand,
  DeleteTableCommand,
  DescribeContinuousBackupsCommand,
  DescribeTableCommand,
  DynamoDBClient,
  DynamoDBServiceException,
  ListTagsOfResourceCommand,
  ResourceInUseException,
  ResourceNotFoundException,
  TableNotFoundException,
  TagResourceCommand,
  ThrottlingException,
  UpdateContinuousBackupsCommand,
  UpdateTableCommand,
  type KeySchemaElement,
  type TableDescription,
} from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';

interface ModelTable {
  name: string;
  arn: string;
  status: 'CREATING' | 'ACTIVE' | 'DELETING';
  keySchema: KeySchemaElement[];
  protectedFromDeletion: boolean;
  pointInTimeRecovery: boolean;
  tags: Map<string, string>;
  callsLeft: number;
}

const $metadata = {};

export class DynamoDbModel {
  readonly client = new DynamoDBClient({ region: 'us-east-1' });
  readonly tables = new Map<string, ModelTable>();
  readonly #transitionCalls: number;

  constructor(options: { transitionCalls?: number; throttling?: boolean } = {}) {
    this.#transitionCalls = options.transitionCalls ?? 2;
    const mock = mockClient(this.client);
    if (options.throttling) {
      mock.onAnyCommand().rejects(new ThrottlingException({ message: 'Rate of requests exceeds the allowed throughput.', $metadata }));
      return;
    }
    mock.on(CreateTableCommand).callsFake((input) => {
      const name = input.TableName as string;
      if (this.#find(name)) throw new ResourceInUseException({ message: `Table already exists: ${name}`, $metadata });
      const table: ModelTable = {
        name,
        arn: `arn:aws:dynamodb:us-east-1:123456789012:table/${name}`,
        status: 'CREATING',
        keySchema: input.KeySchema ?? [],
        protectedFromDeletion: input.DeletionProtectionEnabled === true,
        pointInTimeRecovery: false,
        tags: new Map((input.Tags ?? []).map((t: { Key: string; Value: string }) => [t.Key, t.Value])),
        callsLeft: this.#transitionCalls,
      };
      this.tables.set(name, table);
      return { TableDescription: describe(table) };
    });
    mock.on(DescribeTableCommand).callsFake((input) => ({ Table: describe(this.#require(input.TableName)) }));
    mock.on(DescribeContinuousBackupsCommand).callsFake((input) => {
      const table = this.#find(input.TableName);
      if (!table) throw new TableNotFoundException({ message: `Table not found: ${input.TableName}`, $metadata });
      return {
        ContinuousBackupsDescription: {
          ContinuousBackupsStatus: table.status === 'ACTIVE' ? 'ENABLED' : 'DISABLED',
          PointInTimeRecoveryDescription: { PointInTimeRecoveryStatus: table.pointInTimeRecovery ? 'ENABLED' : 'DISABLED' },
        },
      };
    });
    mock.on(UpdateContinuousBackupsCommand).callsFake((input) => {
      const table = this.#find(input.TableName);
      if (!table) throw new TableNotFoundException({ message: `Table not found: ${input.TableName}`, $metadata });
      if (table.status !== 'ACTIVE') throw new ContinuousBackupsUnavailableException({ message: 'Backups are being enabled for the table', $metadata });
      table.pointInTimeRecovery = input.PointInTimeRecoverySpecification?.PointInTimeRecoveryEnabled === true;
      return {};
    });
    mock.on(UpdateTableCommand).callsFake((input) => {
      const table = this.#require(input.TableName);
      if (table.status !== 'ACTIVE') throw new ResourceInUseException({ message: `Table is being ${table.status.toLowerCase()}`, $metadata });
      if (input.DeletionProtectionEnabled !== undefined) table.protectedFromDeletion = input.DeletionProtectionEnabled;
      return { TableDescription: describe(table) };
    });
    mock.on(TagResourceCommand).callsFake((input) => {
      const table = this.#byArn(input.ResourceArn);
      for (const t of input.Tags ?? []) table.tags.set(t.Key as string, t.Value as string);
      return {};
    });
    mock.on(ListTagsOfResourceCommand).callsFake((input) => ({
      Tags: [...this.#byArn(input.ResourceArn).tags].map(([Key, Value]) => ({ Key, Value })),
    }));
    mock.on(DeleteTableCommand).callsFake((input) => {
      const table = this.#require(input.TableName);
      if (table.status !== 'ACTIVE')
        throw new ResourceInUseException({ message: `Attempt to change a resource which is still in use: ${table.name}`, $metadata });
      if (table.protectedFromDeletion) {
        throw new DynamoDBServiceException({
          name: 'ValidationException',
          $fault: 'client',
          message: 'Resource cannot be deleted as it is currently protected against deletion. Disable deletion protection first.',
          $metadata,
        });
      }
      table.status = 'DELETING';
      table.callsLeft = this.#transitionCalls;
      return { TableDescription: describe(table) };
    });
  }

  /** The table by name after time passed (one call's worth), or undefined once it is gone. */
  #find(name: string | undefined): ModelTable | undefined {
    const table = this.tables.get(name ?? '');
    if (!table) return undefined;
    if (table.status !== 'ACTIVE' && --table.callsLeft < 0) {
      if (table.status === 'DELETING') {
        this.tables.delete(table.name);
        return undefined;
      }
      table.status = 'ACTIVE';
    }
    return table;
  }

  #require(name: string | undefined): ModelTable {
    const table = this.#find(name);
    if (!table) throw new ResourceNotFoundException({ message: `Requested resource not found: Table: ${name} not found`, $metadata });
    return table;
  }

  #byArn(arn: string | undefined): ModelTable {
    return this.#require([...this.tables.values()].find((t) => t.arn === arn)?.name);
  }

  /** The table's tags, or undefined when it is gone. */
  tagsOf(name: string): Record<string, string> | undefined {
    const table = this.#find(name);
    return table && Object.fromEntries(table.tags);
  }
}

function describe(table: ModelTable): TableDescription {
  return {
    TableName: table.name,
    TableArn: table.arn,
    TableStatus: table.status,
    KeySchema: table.keySchema,
    DeletionProtectionEnabled: table.protectedFromDeletion,
    BillingModeSummary: { BillingMode: 'PAY_PER_REQUEST' },
  };
}
