import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { TenantWorkflowHarness } from '../support/tenant-workflows.ts';

const TEARDOWN_ACTIONS = [
  'record.acquireLock',
  'record.beginOffboarding',
  'compute.deleteService',
  'compute.checkServiceGone',
  'compute.checkServiceGone',
  'network.removeRouting',
  'access.removeTaskRole',
  'compute.removeTaskDefinitions',
  'access.removeTenantSecrets',
];

describe('tenant-offboard', () => {
  let h: TenantWorkflowHarness;

  /** An ACTIVE tenant, onboarded by the real workflow, whose user then asks for DELETED. */
  async function activeTenantToDelete(tenantId: string, purgeData?: boolean): Promise<void> {
    await h.tenants.create({ tenantId });
    expect((await h.run('tenant-onboard', { tenantId })).status).toBe('SUCCEEDED');
    await h.tenants.updateUserFields(tenantId, { desiredState: 'DELETED', purgeData });
  }

  beforeEach(async () => {
    h = await TenantWorkflowHarness.start();
  });
  afterEach(async () => {
    await h.close();
  });

  it('removes the service, routing, role, task definitions and secrets, keeps the data, and marks DELETED', async () => {
    await activeTenantToDelete('ca');

    const outcome = await h.run('tenant-offboard', { tenantId: 'ca' });

    expect(outcome.status).toBe('SUCCEEDED');
    expect(outcome.actions).toEqual([...TEARDOWN_ACTIONS, 'record.markDeleted', 'record.releaseLock']);
    const { cloud } = h;
    expect(cloud.compute.services.get('humangov-ca')?.status).toBe('INACTIVE');
    expect(cloud.secrets.items.size).toBe(0);
    expect(cloud.loadBalancer.listenerRules.size + cloud.loadBalancer.targetGroups.size + cloud.access.roles.size + cloud.compute.taskDefinitions.size).toBe(0);
    expect(cloud.tables.items.has('humangov-test-tenant-ca')).toBe(true);
    expect(cloud.buckets.items.has('humangov-test-ca-123456789012')).toBe(true);
    expect(cloud.logs.groups.has('/humangov/test/tenants/ca')).toBe(true);
    const record = await h.tenants.require('ca');
    expect(record.status).toBe('DELETED');
    expect(record.statusReason).toContain('data kept in table humangov-test-tenant-ca, bucket humangov-test-ca-123456789012');
    expect(record.resources).toEqual({
      tableName: 'humangov-test-tenant-ca',
      tableArn: 'arn:aws:dynamodb:us-east-1:123456789012:table/humangov-test-tenant-ca',
      bucketName: 'humangov-test-ca-123456789012',
      bucketArn: 'arn:aws:s3:::humangov-test-ca-123456789012',
      logGroup: '/humangov/test/tenants/ca',
    });
    expect(record).not.toHaveProperty('endpoint');
    expect(record).not.toHaveProperty('health');
    expect(record.history?.slice(-2).map((e) => e.to)).toEqual(['DEPROVISIONING', 'DELETED']);
    expect(record.lock).toBeUndefined();
  });

  it('with purgeData also deletes the table, the bucket and the logs', async () => {
    await activeTenantToDelete('tx', true);
    h.cloud.buckets.items.get('humangov-test-tx-123456789012')?.objects.add('employees/1/id.pdf');

    const outcome = await h.run('tenant-offboard', { tenantId: 'tx' });

    expect(outcome.status).toBe('SUCCEEDED');
    expect(outcome.actions).toEqual([...TEARDOWN_ACTIONS, 'data.purgeData', 'compute.removeLogGroup', 'record.markDeleted', 'record.releaseLock']);
    expect(h.cloud.tables.items.size + h.cloud.buckets.items.size + h.cloud.logs.groups.size).toBe(0);
    const record = await h.tenants.require('tx');
    expect(record).toMatchObject({ status: 'DELETED', resources: {} });
    expect(record.statusReason).toBe(
      'offboarded; deleted table humangov-test-tenant-tx, bucket humangov-test-tx-123456789012 and log group /humangov/test/tenants/tx (with every task log in it)',
    );
  });

  it("with a user pool, deletes the tenant's app client and keeps the state's group, unless purgeData, which deletes the group and says so", async () => {
    await h.close();
    const signIn = { loadBalancerArn: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/hg/0a1b', issuer: 'https://pool' };
    h = await TenantWorkflowHarness.start({ platform: { signIn }, staffPool: true });
    await activeTenantToDelete('ca');
    await activeTenantToDelete('tx', true);
    expect([...(h.cloud.staffPool?.clients.keys() ?? [])].sort()).toEqual(['ca', 'tx']);

    const kept = await h.run('tenant-offboard', { tenantId: 'ca' });
    const purged = await h.run('tenant-offboard', { tenantId: 'tx' });

    expect([kept.status, purged.status]).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    expect(h.cloud.staffPool?.clients.size).toBe(0);
    expect([...(h.cloud.staffPool?.groups ?? [])]).toEqual(['ca']);
    expect((await h.tenants.require('tx')).statusReason).toContain("bucket humangov-test-tx-123456789012, the user pool's group tx and log group");
  });

  it('when the record itself was deleted, takes purgeData from the input and writes no status', async () => {
    await activeTenantToDelete('ny');
    await h.table.db.send(new DeleteCommand({ TableName: h.table.tableName, Key: { tenantId: 'ny' } }));

    const outcome = await h.run('tenant-offboard', { tenantId: 'ny', recordDeleted: true, purgeData: true });

    expect(outcome.status).toBe('SUCCEEDED');
    expect(outcome.actions).toContain('data.purgeData');
    expect(outcome.actions).not.toContain('record.markDeleted');
    expect(h.cloud.tables.items.size + h.cloud.buckets.items.size + h.cloud.access.roles.size).toBe(0);
    expect(await h.tenants.get('ny')).toBeUndefined();
  });

  it('leaves FAILED with the reason when a step fails for good, and a re-run finishes the job', async () => {
    await activeTenantToDelete('nv');
    h.cloud.script.fail('access.deleteTaskRole', {
      kind: 'permanent',
      message: 'DeleteConflict: detach the managed policy AdminAccess a person attached to the role',
    });

    const failed = await h.run('tenant-offboard', { tenantId: 'nv' });

    expect(failed).toMatchObject({ status: 'FAILED', error: 'PermanentCloudError' });
    expect(failed.actions.slice(-3)).toEqual(['access.removeTaskRole!', 'record.markFailed', 'record.releaseLock']);
    expect(await h.tenants.require('nv')).toMatchObject({
      status: 'FAILED',
      statusReason: 'DeleteConflict: detach the managed policy AdminAccess a person attached to the role',
    });

    const retried = await h.run('tenant-offboard', { tenantId: 'nv' });

    expect(retried.status).toBe('SUCCEEDED');
    expect((await h.tenants.require('nv')).status).toBe('DELETED');
    expect(h.cloud.access.roles.size).toBe(0);
  });

  it('gives up waiting for a service that never drains, within its bound', async () => {
    h = await restartWith({ drainPolls: 1000 });
    await activeTenantToDelete('ak');

    const outcome = await h.run('tenant-offboard', { tenantId: 'ak' });

    expect(outcome).toMatchObject({ status: 'FAILED', error: 'ServiceNotGoneError' });
    expect(outcome.actions.filter((a) => a.startsWith('compute.checkServiceGone'))).toHaveLength(60);
    expect((await h.tenants.require('ak')).statusReason).toContain('was still draining after 60 checks');
  });

  it('does nothing when the user has asked for ACTIVE again since the execution was started', async () => {
    await activeTenantToDelete('ri');
    await h.tenants.updateUserFields('ri', { desiredState: 'ACTIVE' });

    const outcome = await h.run('tenant-offboard', { tenantId: 'ri' });

    expect(outcome.actions).toEqual(['record.acquireLock', 'record.beginOffboarding', 'record.releaseLock']);
    expect((await h.tenants.require('ri')).status).toBe('ACTIVE');
  });

  async function restartWith(options: Parameters<typeof TenantWorkflowHarness.start>[0]): Promise<TenantWorkflowHarness> {
    await h.close();
    return TenantWorkflowHarness.start(options);
  }
});
