/**
 * Workflow steps on the tenant's data: its own table and bucket (TablePort,
 * BucketPort).
 * Split by capability so this function's role grants only that; the actions
 * are the use-cases of src/workflows/tenant/data.ts.
 */
import { awsBuckets, awsStaffPool, awsTables } from '../../src/aws/cloud.ts';
import type { StepDeps } from '../../src/workflows/deps.ts';
import { dataSteps } from '../../src/workflows/tenant/data.ts';
import { awsStepDeps } from '../lib/aws-deps.ts';
import { lazyHandler, stepHandler } from '../lib/step-handler.ts';

export function makeHandler(deps: StepDeps) {
  return stepHandler('tenant-data', dataSteps(deps));
}

export const handler = lazyHandler(() => makeHandler(awsStepDeps({ tables: awsTables, buckets: awsBuckets, staffPool: awsStaffPool })));
