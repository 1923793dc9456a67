import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { eventually } from '../support/eventually.ts';
import { BY_FIRST_NAME_INDEX, BY_LAST_NAME_INDEX, EMPLOYEES_TABLE } from '../../app/src/employees-table.ts';
import type { FakeOperation } from '../support/fake-script.ts';
import { RELEASE_V1, TenantWorkflowHarness } from '../support/tenant-workflows.ts';

/** Made at the same time (ProvisionIndependently's branches), in whatever order they finish. */
const INDEPENDENT_ACTIONS = ['data.ensureTable', 'data.ensureBucket', 'access.ensureTenantSecrets', 'compute.ensureLogGroup', 'network.ensureRouting'];
/** Then, each needing the one before: the role (table, bucket), the task definition (role, logs, secrets), the service (everything). */
const DEPENDENT_ACTIONS = ['access.ensureTaskRole', 'compute.registerTaskDefinition', 'compute.ensureService', 'record.recordProgress'];

/** Provisioning, in order except within the independent group: the lock and the record first, the dependent chain after the whole group. */
function expectProvisioning(actions: string[]): string[] {
  expect(actions.slice(0, 2)).toEqual(['record.acquireLock', 'record.beginOnboarding']);
  const independentEnd = 2 + INDEPENDENT_ACTIONS.length;
  expect(actions.slice(2, independentEnd).sort()).toEqual([...INDEPENDENT_ACTIONS].sort());
  expect(actions.slice(independentEnd, independentEnd + DEPENDENT_ACTIONS.length)).toEqual(DEPENDENT_ACTIONS);
  return actions.slice(independentEnd + DEPENDENT_ACTIONS.length);
}

const COMPENSATION_ACTIONS = [
  'compute.deleteService',
  'compute.checkServiceGone',
  'compute.checkServiceGone',
  'network.removeRouting',
  'access.removeTaskRole',
  'compute.removeTaskDefinitions',
  'access.removeTenantSecrets',
  'record.markFailed',
  'record.releaseLock',
];

describe('tenant-onboard', () => {
  let h: TenantWorkflowHarness;
  beforeEach(async () => {
    h = await TenantWorkflowHarness.start();
  });
  afterEach(async () => {
    await h.close();
  });

  it('makes the tenant ACTIVE with its endpoint, image, health and every resource recorded', async () => {
    await h.tenants.create({ tenantId: 'ca' });

    const outcome = await h.run('tenant-onboard', { tenantId: 'ca' });

    expect(outcome.status).toBe('SUCCEEDED');
    expect(expectProvisioning(outcome.actions)).toEqual([
      'compute.checkRollout',
      'compute.checkRollout',
      'network.verify',
      'record.markActive',
      'record.releaseLock',
    ]);
    const record = await h.tenants.require('ca');
    expect(record).toMatchObject({ status: 'ACTIVE', endpoint: 'https://ca.humangov.test', image: RELEASE_V1, health: { healthy: 2, total: 2 } });
    expect(record.health?.zones).toHaveLength(2);
    expect(Object.keys(record.resources ?? {}).sort()).toEqual([
      'bucketArn',
      'bucketName',
      'listenerRuleArn',
      'logGroup',
      'serviceArn',
      'tableArn',
      'tableName',
      'targetGroupArn',
      'taskDefinitionArn',
      'taskRoleArn',
    ]);
    expect(record.history?.map((e) => [e.from, e.to])).toEqual([
      [undefined, 'PROVISIONING'],
      ['PROVISIONING', 'ACTIVE'],
    ]);
    expect(new Set(record.history?.map((e) => e.executionId)).size).toBe(1);
    expect(record.lock).toBeUndefined();
  });

  it('builds the table from the app definition, a role reaching only its data, and a task pinned by digest', async () => {
    await h.tenants.create({ tenantId: 'new-york', desiredCount: 3 });

    expect((await h.run('tenant-onboard', { tenantId: 'new-york' })).status).toBe('SUCCEEDED');

    const { cloud } = h;
    const table = cloud.tables.items.get('humangov-test-tenant-new-york');
    expect(table).toMatchObject({ definition: { KeySchema: EMPLOYEES_TABLE.KeySchema }, pointInTimeRecovery: true, deletionProtection: true });
    expect(table?.tags).toMatchObject({ 'humangov:tenant': 'new-york', 'humangov:stage': 'test' });
    expect(cloud.buckets.items.get('humangov-test-new-york-123456789012')).toMatchObject({ publicAccessBlocked: true, tlsOnly: true, versioning: true });
    const statements = cloud.access.roles.get('humangov-test-new-york-task')?.policy.Statement ?? [];
    const bucketArn = 'arn:aws:s3:::humangov-test-new-york-123456789012';
    // Exactly the tenant's table, its two indexes, its bucket and that bucket's objects: nothing another tenant could match.
    expect(statements.flatMap((st) => st.Resource).sort()).toEqual(
      [table?.arn, `${table?.arn}/index/${BY_FIRST_NAME_INDEX}`, `${table?.arn}/index/${BY_LAST_NAME_INDEX}`, bucketArn, `${bucketArn}/*`].sort(),
    );

    const [taskDefinition] = cloud.compute.taskDefinitions.get('humangov-test-new-york') ?? [];
    const image = `${cloud.platform.imageRepository}@${RELEASE_V1.digest}`;
    expect(taskDefinition).toMatchObject({ image, cpu: 256, memory: 512, logGroup: '/humangov/test/tenants/new-york' });
    expect(taskDefinition?.environment).toMatchObject({
      US_STATE: 'New York',
      AWS_REGION: 'us-east-1',
      AWS_DYNAMODB_TABLE: 'humangov-test-tenant-new-york',
      AWS_BUCKET: 'humangov-test-new-york-123456789012',
      TENANT_ID: 'new-york',
      APP_IMAGE: image,
      PORT: '3000',
    });
    // The CSRF key reaches the task as a secret named by ARN; its value is in no task definition.
    const secret = cloud.secrets.items.get('humangov/test/tenants/new-york/csrf');
    expect(secret?.value).toMatch(/^[0-9a-f]{64}$/);
    expect(taskDefinition?.secrets).toEqual({ CSRF_SECRET: secret?.arn });
    expect(JSON.stringify(taskDefinition)).not.toContain(secret?.value);
    expect(cloud.compute.services.get('humangov-new-york')).toMatchObject({ desiredCount: 3 });
    expect((await h.tenants.require('new-york')).health).toMatchObject({ healthy: 3, total: 3 });
  });

  it('retries transient errors, IAM propagation and a lost response, and still creates everything once', async () => {
    await h.tenants.create({ tenantId: 'tx' });
    h.cloud.script.fail('tables.ensureTable', { kind: 'transient', times: 2 });
    h.cloud.script.fail('compute.ensureService', { kind: 'not-ready', times: 2, message: 'ECS was unable to assume the role' });
    h.cloud.script.fail('loadBalancer.ensureTargetGroup', { kind: 'transient', after: true });

    const outcome = await h.run('tenant-onboard', { tenantId: 'tx' });

    expect(outcome.status).toBe('SUCCEEDED');
    expect(outcome.actions.filter((action) => action.startsWith('data.ensureTable'))).toEqual(['data.ensureTable!', 'data.ensureTable!', 'data.ensureTable']);
    // The role waits for the table: it needs the table's ARN.
    expect(outcome.actions.indexOf('access.ensureTaskRole')).toBeGreaterThan(outcome.actions.lastIndexOf('data.ensureTable'));
    expect(h.cloud.script.count('compute.ensureService')).toBe(3);
    expect(h.cloud.script.created).toMatchObject({ table: 1, targetGroup: 1, service: 1, deployment: 1, taskRole: 1 });
    expect((await h.tenants.require('tx')).status).toBe('ACTIVE');
  });

  it('waits through targets that take a while to turn healthy', async () => {
    await h.tenants.create({ tenantId: 'wa' });
    h.cloud.loadBalancer.unhealthyFor('hg-test-wa', 3);

    const outcome = await h.run('tenant-onboard', { tenantId: 'wa' });

    expect(outcome.status).toBe('SUCCEEDED');
    expect(outcome.actions.filter((a) => a === 'network.verify')).toHaveLength(4);
  });

  it('on a permanent failure removes what it made except data, and leaves FAILED with the reason', async () => {
    await h.tenants.create({ tenantId: 'or' });
    h.cloud.script.fail('loadBalancer.describeTargetHealth', {
      kind: 'permanent',
      message: 'AccessDenied: the control plane may not call elasticloadbalancing:DescribeTargetHealth',
    });

    const outcome = await h.run('tenant-onboard', { tenantId: 'or' });

    expect(outcome).toMatchObject({ status: 'FAILED', error: 'PermanentCloudError' });
    expect(outcome.actions.slice(-(COMPENSATION_ACTIONS.length + 1))).toEqual(['network.verify!', ...COMPENSATION_ACTIONS]);
    const { cloud } = h;
    expect(cloud.compute.services.get('humangov-or')?.status).toBe('INACTIVE');
    expect(cloud.loadBalancer.listenerRules.size).toBe(0);
    expect(cloud.loadBalancer.targetGroups.size).toBe(0);
    expect(cloud.access.roles.size).toBe(0);
    expect(cloud.compute.taskDefinitions.size).toBe(0);
    expect(cloud.secrets.items.size).toBe(0);
    expect(cloud.tables.items.has('humangov-test-tenant-or')).toBe(true);
    expect(cloud.buckets.items.has('humangov-test-or-123456789012')).toBe(true);
    expect(cloud.logs.groups.has('/humangov/test/tenants/or')).toBe(true);
    const record = await h.tenants.require('or');
    expect(record).toMatchObject({ status: 'FAILED', statusReason: 'AccessDenied: the control plane may not call elasticloadbalancing:DescribeTargetHealth' });
    expect(record.lock).toBeUndefined();
  });

  // Each branch of ProvisionIndependently failing for good, the others succeeding: every branch finishes before
  // compensation starts, so nothing is made behind its back; what remains is the data the others made.
  it.each<{ branch: string; op: FakeOperation; action: string }>([
    { branch: 'table', op: 'tables.ensureTable', action: 'data.ensureTable' },
    { branch: 'bucket', op: 'buckets.ensureBucket', action: 'data.ensureBucket' },
    { branch: 'secrets', op: 'secrets.ensureSecret', action: 'access.ensureTenantSecrets' },
    { branch: 'log group', op: 'logs.ensureLogGroup', action: 'compute.ensureLogGroup' },
    { branch: 'routing', op: 'loadBalancer.ensureTargetGroup', action: 'network.ensureRouting' },
  ])('when the $branch branch fails for good, keeps only the data the others made and leaves FAILED with its reason', async ({ branch, op, action }) => {
    await h.tenants.create({ tenantId: 'ks' });
    const reason = `AccessDenied: the ${branch} may not be made`;
    h.cloud.script.fail(op, { kind: 'permanent', message: reason });

    const outcome = await h.run('tenant-onboard', { tenantId: 'ks' });

    expect(outcome).toMatchObject({ status: 'FAILED', error: 'PermanentCloudError', cause: reason });
    // Every branch ran to its end (the failed one once: a permanent error is not retried), and nothing after the group did.
    expect(outcome.actions.filter((a) => INDEPENDENT_ACTIONS.includes(a.replace(/!$/, ''))).sort()).toEqual(
      INDEPENDENT_ACTIONS.map((a) => (a === action ? `${a}!` : a)).sort(),
    );
    expect(outcome.actions).not.toContain('access.ensureTaskRole');
    // Compensation in full, after every branch; no service was made, so it is gone at the first look.
    const compensation = COMPENSATION_ACTIONS.filter((a, i) => a !== 'compute.checkServiceGone' || COMPENSATION_ACTIONS.indexOf(a) === i);
    expect(outcome.actions.slice(2 + INDEPENDENT_ACTIONS.length)).toEqual(compensation);
    const { cloud } = h;
    // Data is kept (table, bucket, logs): exactly what the other branches made.
    expect(cloud.tables.items.has('humangov-test-tenant-ks')).toBe(branch !== 'table');
    expect(cloud.buckets.items.has('humangov-test-ks-123456789012')).toBe(branch !== 'bucket');
    expect(cloud.logs.groups.has('/humangov/test/tenants/ks')).toBe(branch !== 'log group');
    // Everything else is gone.
    expect(cloud.secrets.items.size).toBe(0);
    expect(cloud.loadBalancer.targetGroups.size).toBe(0);
    expect(cloud.loadBalancer.listenerRules.size).toBe(0);
    expect(cloud.access.roles.size).toBe(0);
    expect(cloud.compute.taskDefinitions.size).toBe(0);
    expect(cloud.compute.services.size).toBe(0);
    const record = await h.tenants.require('ks');
    expect(record).toMatchObject({ status: 'FAILED', statusReason: reason });
    expect(record.lock).toBeUndefined();
  });

  it('keeps the original reason when a cleanup step fails too', async () => {
    await h.tenants.create({ tenantId: 'nv' });
    h.cloud.script.fail('compute.ensureService', { kind: 'permanent', message: 'quota of services per cluster reached' });
    h.cloud.script.fail('access.deleteTaskRole', { kind: 'permanent', message: 'DeleteConflict: the role is in use' });

    const outcome = await h.run('tenant-onboard', { tenantId: 'nv' });

    expect(outcome).toMatchObject({ status: 'FAILED', error: 'PermanentCloudError', cause: 'quota of services per cluster reached' });
    expect((await h.tenants.require('nv')).statusReason).toBe(
      'quota of services per cluster reached (cleanup incomplete, taskRole: DeleteConflict: the role is in use)',
    );
    expect(h.cloud.loadBalancer.targetGroups.size).toBe(0);
  });

  it('fails with what to do when nothing has been released yet', async () => {
    h.release = undefined;
    await h.tenants.create({ tenantId: 'tn' });

    const outcome = await h.run('tenant-onboard', { tenantId: 'tn' });

    expect(outcome).toMatchObject({ status: 'FAILED', error: 'NoReleaseError' });
    const record = await h.tenants.require('tn');
    expect(record.status).toBe('FAILED');
    expect(record.statusReason).toContain('no release yet: push an image tagged v*');
    // Routing is made alongside the data (it needs no release); compensation removes it with the role.
    expect(h.cloud.script.created).toMatchObject({ taskDefinition: 0, service: 0 });
    expect(h.cloud.loadBalancer.targetGroups.size).toBe(0);
    expect(h.cloud.loadBalancer.listenerRules.size).toBe(0);
    expect(h.cloud.access.roles.size).toBe(0);
  });

  it('treats a circuit-breaker rollback as a failure, not as a stable service', async () => {
    await h.tenants.create({ tenantId: 'az' });
    h.cloud.compute.rollBackNextDeployment({ reason: 'tasks failed container health checks' });

    const outcome = await h.run('tenant-onboard', { tenantId: 'az' });

    expect(outcome).toMatchObject({ status: 'FAILED', error: 'RolloutFailedError' });
    expect(outcome.actions).toContain('compute.checkRollout!');
    expect(outcome.actions).not.toContain('network.verify');
    const record = await h.tenants.require('az');
    expect(record.status).toBe('FAILED');
    expect(record.statusReason).toContain('circuit breaker: tasks failed container health checks');
    expect(h.cloud.compute.services.get('humangov-az')?.status).toBe('INACTIVE');
  });

  it('finishes a half-built tenant without creating anything twice, and a second run changes nothing', async () => {
    await h.tenants.create({ tenantId: 'wy' });
    // The first execution dies (stopped, timed out) right after creating the service; its lease then expires.
    const first = await h.start('tenant-onboard', { tenantId: 'wy' });
    h.before = (action) => {
      if (action === 'record.recordProgress') first.abort();
    };
    expect((await first.outcome).status).toBe('FAILED');
    h.before = undefined;
    expect((await h.tenants.require('wy')).status).toBe('PROVISIONING');
    h.clockOffsetMs = 46 * 60 * 1000;

    const second = await h.run('tenant-onboard', { tenantId: 'wy' });
    const third = await h.run('tenant-onboard', { tenantId: 'wy' });

    expect([second.status, third.status]).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    expect(h.cloud.script.created).toEqual({
      table: 1,
      bucket: 1,
      taskRole: 1,
      logGroup: 1,
      taskDefinition: 1,
      service: 1,
      deployment: 1,
      targetGroup: 1,
      listenerRule: 1,
      secret: 1,
      // This platform signs nobody in (no user pool): see src/workflows/tenant/network.test.ts.
      userPoolClient: 0,
      staffGroup: 0,
    });
    expect((await h.tenants.require('wy')).status).toBe('ACTIVE');
  });

  it('keeps the service of a tenant that was serving when an update of it fails (DEGRADED)', async () => {
    await h.tenants.create({ tenantId: 'ut' });
    expect((await h.run('tenant-onboard', { tenantId: 'ut' })).status).toBe('SUCCEEDED');
    await h.tenants.updateUserFields('ut', { desiredCount: 4 });
    h.cloud.compute.rollBackNextDeployment();

    const outcome = await h.run('tenant-onboard', { tenantId: 'ut' });

    expect(outcome).toMatchObject({ status: 'FAILED', error: 'RolloutFailedError' });
    expect(outcome.actions).not.toContain('compute.deleteService');
    expect(h.cloud.compute.services.get('humangov-ut')?.status).toBe('ACTIVE');
    const record = await h.tenants.require('ut');
    expect(record.status).toBe('DEGRADED');
    expect(record.statusReason).toContain('the service that was running before was left in place');
  });

  it('marks a record it cannot accept FAILED with the validation message, and makes nothing', async () => {
    await h.table.db.send(new PutCommand({ TableName: h.table.tableName, Item: { tenantId: 'ma', desiredCount: 50 } }));
    await h.table.db.send(new PutCommand({ TableName: h.table.tableName, Item: { tenantId: 'Bad_Id' } }));

    const invalidSpec = await h.run('tenant-onboard', { tenantId: 'ma' });
    const invalidId = await h.run('tenant-onboard', { tenantId: 'Bad_Id' });

    expect(invalidSpec).toMatchObject({ status: 'FAILED', error: 'InvalidTenantError' });
    expect(invalidId).toMatchObject({ status: 'FAILED', error: 'InvalidTenantError' });
    expect(invalidId.actions).toEqual(['record.acquireLock!', 'record.markFailed', 'record.releaseLock']);
    const raw = async (tenantId: string) => (await h.table.db.send(new GetCommand({ TableName: h.table.tableName, Key: { tenantId } }))).Item;
    expect(await raw('ma')).toMatchObject({ status: 'FAILED', statusReason: 'desiredCount: desiredCount must be at most 10' });
    expect(await raw('Bad_Id')).toMatchObject({
      status: 'FAILED',
      statusReason: expect.stringContaining('tenantId "Bad_Id" must start with a lowercase letter'),
    });
    expect(h.cloud.script.calls).toHaveLength(0);
  });

  it('does nothing when the user has asked for DELETED since the execution was started', async () => {
    await h.tenants.create({ tenantId: 'ri', desiredState: 'DELETED' });

    const outcome = await h.run('tenant-onboard', { tenantId: 'ri' });

    expect(outcome.status).toBe('SUCCEEDED');
    expect(outcome.actions).toEqual(['record.acquireLock', 'record.beginOnboarding', 'record.releaseLock']);
    expect(h.cloud.script.calls).toHaveLength(0);
  });

  it('waits for the lease while another execution works on the tenant, then runs', async () => {
    await h.tenants.create({ tenantId: 'co' });
    let openGate!: () => void;
    const gate = new Promise<void>((resolve) => (openGate = resolve));
    h.before = async (action, input) => {
      if (action === 'compute.ensureService' && input.executionId === 'first') await gate;
    };
    const first = await h.start('tenant-onboard', { tenantId: 'co' }, { name: 'first' });
    await eventually(() => expect(h.trace.some((t) => t.execution === 'first' && t.action === 'ensureService')).toBe(true));
    // Lease retries every 200 ms here, 16 times at most: plenty of room for the first to finish.
    const second = await h.start('tenant-onboard', { tenantId: 'co' }, { name: 'second', timeScale: 0.01 });
    await eventually(() => expect(h.trace.filter((t) => t.execution === 'second' && t.error === 'TenantLockedError').length).toBeGreaterThanOrEqual(2));
    openGate();

    const [a, b] = await Promise.all([first.outcome, second.outcome]);

    expect([a.status, b.status]).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    const order = h.trace.map((t) => `${t.execution}:${t.action}`);
    expect(order.indexOf('second:beginOnboarding')).toBeGreaterThan(order.lastIndexOf('first:releaseLock'));
    expect(h.cloud.script.created.service).toBe(1);
    expect((await h.tenants.require('co')).status).toBe('ACTIVE');
  });
});
