import type { TableDefinition } from '../cloud/ports.ts';

/**
 * Key schema of `humangov-<stage>-deployments` (serverless.yml declares the
 * same): the deployment id only. Pointer items share the key space (see
 * repository.ts), so no index is needed.
 */
export const DEPLOYMENTS_TABLE_DEFINITION: TableDefinition = {
  AttributeDefinitions: [{ AttributeName: 'deploymentId', AttributeType: 'S' }],
  KeySchema: [{ AttributeName: 'deploymentId', KeyType: 'HASH' }],
};
