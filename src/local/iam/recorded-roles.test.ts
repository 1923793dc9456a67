import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { PermanentCloudError } from '../../cloud/errors.ts';
import { tenantResourceNames } from '../../tenants/names.ts';
import { bucketArn, tableArn, taskRolePolicy } from '../../tenants/task-role-policy.ts';
import { tempHome } from '../data/testing.ts';
import { RecordedRoles } from './recorded-roles.ts';

describe('RecordedRoles', () => {
  let home: Awaited<ReturnType<typeof tempHome>>;
  let access: RecordedRoles;
  const names = tenantResourceNames('local', 'ca', '000000000000');
  const policy = taskRolePolicy({
    tableArn: tableArn('us-east-1', '000000000000', names.table),
    indexNames: ['byLastName'],
    bucketArn: bucketArn('us-east-1', names.bucket),
  });

  beforeEach(async () => {
    home = await tempHome();
    access = new RecordedRoles({ home: home.home });
  });
  afterEach(() => home.remove());

  it('records the role with exactly the policy asked for, idempotently, and keeps it across instances', async () => {
    const first = await access.ensureTaskRole({ roleName: names.taskRole, policy, tags: { 'humangov:tenant': 'ca' } });
    expect(first).toEqual({ arn: 'arn:aws:iam::000000000000:role/humangov-local-ca-task' });
    const narrower = { ...policy, Statement: policy.Statement.slice(0, 1) };
    await expect(access.ensureTaskRole({ roleName: names.taskRole, policy: narrower, tags: {} })).resolves.toEqual(first);

    const reopened = new RecordedRoles({ home: home.home });
    expect(await reopened.policyOf(names.taskRole)).toEqual(narrower);
    expect(await reopened.roleOf(names.taskRole)).toMatchObject({
      arn: first.arn,
      assumeRolePolicy: { Statement: [{ Principal: { Service: 'ecs-tasks.amazonaws.com' } }] },
    });
  });

  it('deletes the role with its policy, and treats a missing role as deleted', async () => {
    await access.ensureTaskRole({ roleName: names.taskRole, policy, tags: {} });
    await access.deleteTaskRole(names.taskRole);
    expect(await access.policyOf(names.taskRole)).toBeUndefined();
    await expect(access.deleteTaskRole(names.taskRole)).resolves.toBeUndefined();
  });

  it('refuses what IAM would refuse', async () => {
    await expect(access.ensureTaskRole({ roleName: 'no spaces allowed', policy, tags: {} })).rejects.toThrow(PermanentCloudError);
    await expect(access.ensureTaskRole({ roleName: 'x'.repeat(65), policy, tags: {} })).rejects.toThrow(/not a valid IAM role name/);
    const huge = {
      ...policy,
      Statement: [
        {
          ...policy.Statement[0],
          Effect: 'Allow' as const,
          Action: 's3:GetObject',
          Resource: Array.from({ length: 400 }, (_, i) => `arn:aws:s3:::bucket-${i}/*`),
        },
      ],
    };
    await expect(access.ensureTaskRole({ roleName: names.taskRole, policy: huge, tags: {} })).rejects.toThrow(/10240/);
  });
});
