/**
 * The local IAM and CloudWatch Logs records against IAM's and CloudWatch Logs' documented
 * rules, and against what the AWS provider creates.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { IamAccess, TASK_POLICY_NAME } from '../../src/aws/access.ts';
import { PermanentCloudError } from '../../src/cloud/errors.ts';
import type { PolicyDocument } from '../../src/cloud/ports.ts';
import { tempHome } from '../../src/local/data/testing.ts';
import { RecordedRoles } from '../../src/local/iam/recorded-roles.ts';
import { FileLogGroups, RETENTION_DAYS } from '../../src/local/logs/file-log-groups.ts';

let home: Awaited<ReturnType<typeof tempHome>>;
beforeEach(async () => {
  home = await tempHome();
});
afterEach(() => home.remove());

const policy: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: ['s3:GetObject'], Resource: 'arn:aws:s3:::humangov-local-ca-000000000000/*' }],
};

describe('local IAM roles', () => {
  it('carry the trust policy and inline policy name the AWS provider gives task roles', async () => {
    const access = new RecordedRoles({ home: home.home, accountId: '123456789012', region: 'us-east-1' });
    await access.ensureTaskRole({ roleName: 'humangov-local-ca-task', policy, tags: {} });
    const role = await access.roleOf('humangov-local-ca-task');
    const aws = new IamAccess({
      region: 'us-east-1',
      accountId: '123456789012',
      permissionsBoundaryArn: 'arn:aws:iam::123456789012:policy/humangov-local-tenant-task-boundary',
    });
    expect(role?.assumeRolePolicy).toEqual(aws.trustPolicy());
    expect(role?.policyName).toBe(TASK_POLICY_NAME);
  });

  // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html: the partition is part of every ARN.
  it('are named with the partition of their region, GovCloud included', async () => {
    const access = new RecordedRoles({ home: home.home, accountId: '123456789012', region: 'us-gov-west-1' });
    const { arn } = await access.ensureTaskRole({ roleName: 'humangov-local-ca-task', policy, tags: {} });
    expect(arn).toBe('arn:aws-us-gov:iam::123456789012:role/humangov-local-ca-task');
    expect(JSON.stringify((await access.roleOf('humangov-local-ca-task'))?.assumeRolePolicy)).toContain('arn:aws-us-gov:ecs:us-gov-west-1:123456789012:*');
  });

  // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html: 10,240 characters of inline role
  // policy, "IAM doesn't count white space".
  it('count the inline policy without white space against the 10,240-character quota', async () => {
    const access = new RecordedRoles({ home: home.home });
    const resources = (count: number) => Array.from({ length: count }, (_, i) => `arn:aws:s3:::bucket-${String(i).padStart(4, '0')}/*`);
    const sized = (count: number): PolicyDocument => ({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: ['s3:GetObject'], Resource: resources(count) }],
    });
    let count = 1;
    while (JSON.stringify(sized(count + 1)).length <= 10_240) count += 1;
    const fits = sized(count);
    expect(JSON.stringify(fits, null, 8).length).toBeGreaterThan(10_240);
    await expect(access.ensureTaskRole({ roleName: 'fits', policy: fits, tags: {} })).resolves.toBeDefined();
    const tooBig = sized(count + 1);
    await expect(access.ensureTaskRole({ roleName: 'too-big', policy: tooBig, tags: {} })).rejects.toThrow(/10240/);
  });
});

describe('local CloudWatch Logs groups', () => {
  // https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogGroup.html
  it('refuse names CreateLogGroup refuses, "aws/" at the start included, and take the ones AWS services use', async () => {
    const logs = new FileLogGroups({ home: home.home });
    for (const name of ['aws/lambda/x', '', 'has space', 'a'.repeat(513), 'colon:no']) {
      await expect(logs.ensureLogGroup({ name, retentionDays: 30, tags: {} })).rejects.toBeInstanceOf(PermanentCloudError);
    }
    for (const name of ['/aws/vendedlogs/states/humangov-local', '/humangov/local/tenants/ca', 'x#1.y_z-2']) {
      await expect(logs.ensureLogGroup({ name, retentionDays: 30, tags: {} })).resolves.toBeUndefined();
    }
  });

  // https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html
  it('accept exactly the retention periods PutRetentionPolicy lists', () => {
    expect([...RETENTION_DAYS]).toEqual([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653]);
  });
});
