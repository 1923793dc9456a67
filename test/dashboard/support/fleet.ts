/**
 * A status API with a fleet in it, for the dashboard's browser test: the real
 * handler (functions/api.ts) served over HTTP by the local server, on both
 * control-plane tables in dynalite, seeded through the repositories' own
 * methods as the workflows write them.
 */
import '../../support/quiet-logs.ts';
import { PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { makeApiHandler } from '../../../functions/api.ts';
import { startApiServer } from '../../../src/local/api-server.ts';
import { deploymentIdFor } from '../../../src/deployments/event.ts';
import type { DeploymentRepository } from '../../../src/deployments/repository.ts';
import type { TenantRepository } from '../../../src/tenants/repository.ts';
import type { TenantRecord } from '../../../src/tenants/schema.ts';
import { startApiTables } from '../../api/support.ts';

export const FAILED_REASON = 'the ECS service humangov-test-ny did not become stable: tasks exited with code 1 (see log group /humangov/test/ny)';
export const DEGRADED_REASON = '1 of 2 targets not healthy (10.0.1.7 in us-east-1b is unhealthy: Health checks failed)';
export const ROLLBACK_ERROR = 'GET /health through the load balancer answered 503';
/** What the stream handler writes when a user's record breaks a rule (the id stays, the record cannot be parsed). */
export const INVALID_REASON = 'desiredCount: desiredCount must be at most 10';
/** A display name that would run if the page ever parsed data as HTML. */
export const HOSTILE_NAME = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=1</script>';

export interface DashboardFleet {
  url: string;
  tenants: TenantRepository;
  deployments: DeploymentRepository;
  deploymentIds: { older: string; newer: string };
  close(): Promise<void>;
}

const image = (tag: string, hex: string) => ({
  repository: '123456789012.dkr.ecr.us-east-1.amazonaws.com/humangov-app',
  tag,
  digest: `sha256:${hex.repeat(64)}`,
});
/** One instant for the whole seed, so durations between seeded times are exact whatever the machine's speed. */
const seededAt = Date.now();
const ago = (minutes: number) => new Date(seededAt - minutes * 60_000).toISOString();

function observed(tenantId: string, health: { healthy: number; total: number; zones: string[] }) {
  return {
    endpoint: `http://${tenantId}.localhost:8080`,
    image: image('v1.1.0', 'b'),
    health: { ...health, checkedAt: new Date().toISOString() },
    resources: {
      tableName: `humangov-test-${tenantId}`,
      bucketName: `humangov-test-${tenantId}-123456789012`,
      serviceArn: `arn:aws:ecs:us-east-1:123456789012:service/humangov-test/humangov-test-${tenantId}`,
      taskDefinitionArn: `arn:aws:ecs:us-east-1:123456789012:task-definition/humangov-test-${tenantId}:3`,
    },
  };
}

/** As executionNameFor makes them: the tenant, the workflow and the stream record's sequence number. */
const executionId = (tenantId: string) => `${tenantId}-onboard-491560000000000123456789012`;

async function onboard(tenants: TenantRepository, fields: Parameters<TenantRepository['create']>[0]): Promise<TenantRecord> {
  const { tenantId } = fields;
  await tenants.create(fields);
  await tenants.transition(tenantId, 'PROVISIONING', { reason: 'onboarding started', executionId: executionId(tenantId) });
  return tenants.transition(tenantId, 'ACTIVE', {
    reason: 'verified: 2 of 2 targets healthy in 2 zones',
    executionId: executionId(tenantId),
    observed: observed(tenantId, { healthy: 2, total: 2, zones: ['us-east-1a', 'us-east-1b'] }),
  });
}

async function seedTenants(tenants: TenantRepository, db: DynamoDBDocumentClient, tableName: string): Promise<void> {
  await onboard(tenants, { tenantId: 'ca' });
  await onboard(tenants, { tenantId: 'tx', canary: true });
  await onboard(tenants, { tenantId: 'oh', displayName: HOSTILE_NAME });
  await onboard(tenants, { tenantId: 'wa' });
  await tenants.transition('wa', 'DEGRADED', { reason: DEGRADED_REASON, observed: observed('wa', { healthy: 1, total: 2, zones: ['us-east-1a'] }) });
  await tenants.create({ tenantId: 'ny' });
  await tenants.transition('ny', 'PROVISIONING', { reason: 'onboarding started', executionId: executionId('ny') });
  await tenants.transition('ny', 'FAILED', { reason: FAILED_REASON, executionId: executionId('ny') });
  // Written by a user, not picked up yet: no status.
  await tenants.create({ tenantId: 'fl' });
  // Written by a user with a count over the limit (a PutItem checks nothing), and marked by the stream handler.
  await db.send(new PutCommand({ TableName: tableName, Item: { tenantId: 'nv', desiredCount: 11 } }));
  await tenants.markInvalid('nv', INVALID_REASON);
}

/** Two rollouts as the image-deploy workflow writes them: one that succeeded, a newer one that rolled a tenant back and stopped. */
async function seedDeployments(deployments: DeploymentRepository): Promise<DashboardFleet['deploymentIds']> {
  const start = async (eventId: string, time: string, tag: string, hex: string, waves: string[][]) => {
    const deploymentId = deploymentIdFor({ id: eventId, time });
    await deployments.create({
      deploymentId,
      image: image(tag, hex),
      status: 'IN_PROGRESS',
      eventId,
      eventTime: time,
      executionId: `deploy-${eventId}`,
      maxConcurrency: 50,
      failureThreshold: 0,
      startedAt: time,
    });
    await deployments.claimLatest({ deploymentId, eventTime: time });
    await deployments.savePlan(deploymentId, { canaryTenantId: 'tx', waves });
    return deploymentId;
  };
  const succeeded = (tenantId: string, at: string) => ({ tenantId, outcome: 'SUCCEEDED' as const, startedAt: at, endedAt: at });

  const older = await start('evt-1', ago(180), 'v1.0.0', 'a', [['tx'], ['ca', 'wa']]);
  for (const tenantId of ['tx', 'ca', 'wa']) await deployments.recordResult(older, succeeded(tenantId, ago(175)));
  const done = await deployments.finish(older, { status: 'SUCCEEDED', reason: '3 of 3 tenants updated', endedAt: ago(170) });
  await deployments.publishRelease(done);

  const newer = await start('evt-2', ago(30), 'v1.1.0', 'b', [['tx'], ['ca', 'oh', 'wa']]);
  await deployments.recordResult(newer, succeeded('tx', ago(28)));
  await deployments.recordResult(newer, succeeded('ca', ago(25)));
  await deployments.recordResult(newer, { tenantId: 'wa', outcome: 'ROLLED_BACK', error: ROLLBACK_ERROR, startedAt: ago(25), endedAt: ago(22) });
  const reason = 'failures passed the threshold (1 > 0)';
  await deployments.recordStop(newer, { kind: 'FAILURES', reason, at: ago(22) });
  await deployments.recordResult(newer, { tenantId: 'oh', outcome: 'SKIPPED', reason: `not deployed: ${reason}` });
  await deployments.finish(newer, { status: 'FAILED', reason, endedAt: ago(21) });
  return { older, newer };
}

export async function startDashboardFleet(): Promise<DashboardFleet> {
  const tables = await startApiTables();
  const tenants = tables.tenantsTable.repository();
  const { deployments } = tables;
  await seedTenants(tenants, tables.tenantsTable.db, tables.tenantsTable.tableName);
  const deploymentIds = await seedDeployments(deployments);
  const server = await startApiServer({ handler: makeApiHandler({ tenants, deployments, stage: 'test' }), host: '127.0.0.1', port: 0, log: () => {} });
  return {
    url: server.url,
    tenants,
    deployments,
    deploymentIds,
    close: async () => {
      await server.close();
      await tables.close();
    },
  };
}
