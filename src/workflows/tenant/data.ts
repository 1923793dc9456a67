/**
 * Steps on the tenant's data (its own DynamoDB table and S3 bucket, nothing else).
 *
 * Onboarding: ensureTable → ensureBucket. Offboarding with purgeData: purgeData.
 * Data is never removed by a failed onboarding's compensation.
 */
import { EMPLOYEES_TABLE } from '../../../app/src/employees-table.ts';
import type { TableDefinition } from '../../cloud/ports.ts';
import type { StepDeps } from '../deps.ts';
import { parseStepInput } from '../kit/input.ts';
import { stepInputSchema, tenantNames, tenantTags } from './context.ts';

/** The app's one table definition (key schema and indexes), as the TablePort takes it. */
export const TENANT_TABLE_DEFINITION: TableDefinition = {
  AttributeDefinitions: EMPLOYEES_TABLE.AttributeDefinitions,
  KeySchema: EMPLOYEES_TABLE.KeySchema,
  GlobalSecondaryIndexes: EMPLOYEES_TABLE.GlobalSecondaryIndexes,
};

/** Index names the task role must reach (a policy names each; no wildcard). */
export const TENANT_TABLE_INDEXES: readonly string[] = (TENANT_TABLE_DEFINITION.GlobalSecondaryIndexes ?? []).flatMap((index) =>
  index.IndexName ? [index.IndexName] : [],
);

export function dataSteps(deps: StepDeps) {
  const { cloud } = deps;
  return {
    /** The tenant's table: on demand, PITR, deletion protection, encryption and tags (the port's contract). NotReadyError while CREATING. */
    async ensureTable(raw: unknown) {
      const { tenantId } = parseStepInput(stepInputSchema, raw);
      const names = tenantNames(cloud.platform, tenantId);
      const table = await cloud.tables.ensureTable({ name: names.table, definition: TENANT_TABLE_DEFINITION, tags: tenantTags(cloud.platform, tenantId) });
      return { tableName: table.name, tableArn: table.arn, indexNames: [...TENANT_TABLE_INDEXES] };
    },

    /** The tenant's bucket: public access blocked, encrypted, versioned, TLS only, ownership enforced, tagged. */
    async ensureBucket(raw: unknown) {
      const { tenantId } = parseStepInput(stepInputSchema, raw);
      const names = tenantNames(cloud.platform, tenantId);
      const bucket = await cloud.buckets.ensureBucket({ name: names.bucket, tags: tenantTags(cloud.platform, tenantId) });
      return { bucketName: bucket.name, bucketArn: bucket.arn };
    },

    /**
     * Empties and deletes the bucket, then deletes the table (the port lifts deletion protection),
     * then the state's group of the user pool (who its staff were). Only when the user asked.
     */
    async purgeData(raw: unknown) {
      const { tenantId } = parseStepInput(stepInputSchema, raw);
      const names = tenantNames(cloud.platform, tenantId);
      await cloud.buckets.deleteBucket(names.bucket);
      await cloud.tables.deleteTable(names.table);
      await cloud.staffPool?.deleteTenantGroup(tenantId);
      return { purged: { bucketName: names.bucket, tableName: names.table, ...(cloud.staffPool ? { staffGroup: tenantId } : {}) } };
    },
  };
}
