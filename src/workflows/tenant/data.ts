/**
 * Steps on the tenant's data (its own DynamoDB table and S3 bucket, nothing else).
 *
 * Onboarding: ensureTable → ensureBucket. Offboarding with purgeData: purgeData.
 * Data is never removed by a failed onboarding's compensation, and a store the tenant had is
 * never replaced by an empty one unasked.
 */
import { EMPLOYEES_TABLE } from '../../../app/src/employees-table.ts';
import { PermanentCloudError } from '../../cloud/errors.ts';
import type { TableDefinition } from '../../cloud/ports.ts';
import { dataStoreGoneReason } from '../../tenants/data-loss.ts';
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

  /**
   * A table or bucket the record names (the tenant had it, and no retry forgot it) that is gone
   * holds lost data: onboarding does not make an empty one in its place and call the tenant
   * ACTIVE. Only a re-onboarding pays for the look (a first one names nothing yet).
   */
  async function refuseEmptyReplacement(tenantId: string, gone: { table: string } | { bucket: string }): Promise<void> {
    const resources = (await deps.tenants.get(tenantId))?.resources;
    if ('table' in gone) {
      if (resources?.tableName !== gone.table) return;
      const table = await cloud.tables.describeTable(gone.table);
      if (table && table.status !== 'DELETING') return;
    } else {
      if (resources?.bucketName !== gone.bucket) return;
      if (await cloud.buckets.describeBucket(gone.bucket)) return;
    }
    throw new PermanentCloudError(dataStoreGoneReason(tenantId, gone));
  }

  return {
    /** The tenant's table: on demand, PITR, deletion protection, encryption and tags (the port's contract). NotReadyError while CREATING. */
    async ensureTable(raw: unknown) {
      const { tenantId } = parseStepInput(stepInputSchema, raw);
      const names = tenantNames(cloud.platform, tenantId);
      await refuseEmptyReplacement(tenantId, { table: names.table });
      const table = await cloud.tables.ensureTable({ name: names.table, definition: TENANT_TABLE_DEFINITION, tags: tenantTags(cloud.platform, tenantId) });
      return { tableName: table.name, tableArn: table.arn, indexNames: [...TENANT_TABLE_INDEXES] };
    },

    /** The tenant's bucket: public access blocked, encrypted, versioned, TLS only, ownership enforced, tagged. */
    async ensureBucket(raw: unknown) {
      const { tenantId } = parseStepInput(stepInputSchema, raw);
      const names = tenantNames(cloud.platform, tenantId);
      await refuseEmptyReplacement(tenantId, { bucket: names.bucket });
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
