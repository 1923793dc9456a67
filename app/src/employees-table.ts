/**
 * The one definition of an employees table: key schema and indexes. The app queries it, the
 * tests create their tables from it and the control plane's provisioning imports this very
 * file to create each tenant's table. So it imports nothing but types.
 *
 * Access patterns, none of which scans the table:
 * - get / put / update / delete one employee: base table, partition key `id`.
 * - list in name order, one page at a time: Query `byLastName` (partition = the constant
 *   ENTITY_EMPLOYEE, sort = the folded "last<SEP>first": see searchableName).
 * - prefix search on last name, folding case, accents and punctuation: the same index with begins_with(sort, q).
 * - the same on first name: Query `byFirstName` (sort = "first<SEP>last").
 * One constant GSI partition per tenant table is deliberate: a state's workforce is far below
 * what one partition serves, and it is what makes a sorted, paged list possible.
 */
import type { AttributeDefinition, CreateTableCommandInput, GlobalSecondaryIndex, KeySchemaElement } from '@aws-sdk/client-dynamodb';

export const EMPLOYEE_KEY = 'id';
export const ENTITY_ATTRIBUTE = 'entity';
export const ENTITY_EMPLOYEE = 'employee';
export const LAST_FIRST_ATTRIBUTE = 'lastFirstLower';
export const FIRST_LAST_ATTRIBUTE = 'firstLastLower';
/**
 * Joins the names inside a sort key. It sorts below every printable character, so "Van"
 * lists before "Van Buren", and names may never contain it (validation rejects control chars).
 */
export const NAME_KEY_SEPARATOR = '\u0001';

export const BY_LAST_NAME_INDEX = 'byLastName';
export const BY_FIRST_NAME_INDEX = 'byFirstName';

const attributeDefinitions: AttributeDefinition[] = [
  { AttributeName: EMPLOYEE_KEY, AttributeType: 'S' },
  { AttributeName: ENTITY_ATTRIBUTE, AttributeType: 'S' },
  { AttributeName: LAST_FIRST_ATTRIBUTE, AttributeType: 'S' },
  { AttributeName: FIRST_LAST_ATTRIBUTE, AttributeType: 'S' },
];

const keySchema: KeySchemaElement[] = [{ AttributeName: EMPLOYEE_KEY, KeyType: 'HASH' }];

// Projection ALL: an item is a few hundred bytes and every page shows every field, so
// projecting everything saves a GetItem per row for a negligible storage cost.
const globalSecondaryIndexes: GlobalSecondaryIndex[] = [
  {
    IndexName: BY_LAST_NAME_INDEX,
    KeySchema: [
      { AttributeName: ENTITY_ATTRIBUTE, KeyType: 'HASH' },
      { AttributeName: LAST_FIRST_ATTRIBUTE, KeyType: 'RANGE' },
    ],
    Projection: { ProjectionType: 'ALL' },
  },
  {
    IndexName: BY_FIRST_NAME_INDEX,
    KeySchema: [
      { AttributeName: ENTITY_ATTRIBUTE, KeyType: 'HASH' },
      { AttributeName: FIRST_LAST_ATTRIBUTE, KeyType: 'RANGE' },
    ],
    Projection: { ProjectionType: 'ALL' },
  },
];

/** Everything of a CreateTable input but the table's name (and tags, which belong to the caller). */
export const EMPLOYEES_TABLE = {
  AttributeDefinitions: attributeDefinitions,
  KeySchema: keySchema,
  GlobalSecondaryIndexes: globalSecondaryIndexes,
  BillingMode: 'PAY_PER_REQUEST',
} as const satisfies Omit<CreateTableCommandInput, 'TableName'>;

export function employeesTableInput(tableName: string): CreateTableCommandInput {
  return { TableName: tableName, ...EMPLOYEES_TABLE };
}
