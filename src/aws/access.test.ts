import {
  CreateRoleCommand,
  DeleteConflictException,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  DetachRolePolicyCommand,
  EntityAlreadyExistsException,
  GetRoleCommand,
  IAMClient,
  IAMServiceException,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
  MalformedPolicyDocumentException,
  NoSuchEntityException,
  PutRolePermissionsBoundaryCommand,
  PutRolePolicyCommand,
  TagRoleCommand,
  UpdateAssumeRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from '@jest/globals';
import { NotReadyError, PermanentCloudError, TransientCloudError } from '../cloud/errors.ts';
import type { TaskRoleSpec } from '../cloud/ports.ts';
import { bucketArn, tableArn, taskRolePolicy } from '../tenants/task-role-policy.ts';
import { IamAccess } from './access.ts';

const iam = mockClient(IAMClient);
const boundary = 'arn:aws:iam::123456789012:policy/humangov-prod-tenant-task-boundary';
const access = new IamAccess({
  client: new IAMClient({ region: 'us-east-1' }),
  region: 'us-east-1',
  accountId: '123456789012',
  permissionsBoundaryArn: boundary,
});
const RoleName = 'humangov-prod-ca-task';
const roleArn = `arn:aws:iam::123456789012:role/${RoleName}`;
const spec: TaskRoleSpec = {
  roleName: RoleName,
  policy: taskRolePolicy({
    tableArn: tableArn('us-east-1', '123456789012', 'humangov-prod-tenant-ca'),
    indexNames: ['byLastName'],
    bucketArn: bucketArn('us-east-1', 'humangov-prod-ca-123456789012'),
  }),
  tags: { 'humangov:tenant': 'ca' },
};
const meta = { $metadata: {} };

afterEach(() => {
  iam.reset();
});

describe('IamAccess.ensureTaskRole', () => {
  it('creates a role only ECS tasks of this account and region can assume, then puts the tenant policy', async () => {
    iam.on(CreateRoleCommand).resolves({ Role: { RoleName, Arn: roleArn, Path: '/', RoleId: 'AROA1', CreateDate: new Date() } });

    await expect(access.ensureTaskRole(spec)).resolves.toEqual({ arn: roleArn });

    const create = iam.commandCalls(CreateRoleCommand)[0]?.args[0].input;
    expect(create).toMatchObject({ RoleName, PermissionsBoundary: boundary, Tags: [{ Key: 'humangov:tenant', Value: 'ca' }] });
    expect(create?.MaxSessionDuration).toBeUndefined();
    expect(JSON.parse(create?.AssumeRolePolicyDocument ?? '{}')).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Service: 'ecs-tasks.amazonaws.com' },
          Action: 'sts:AssumeRole',
          Condition: {
            StringEquals: { 'aws:SourceAccount': '123456789012' },
            ArnLike: { 'aws:SourceArn': 'arn:aws:ecs:us-east-1:123456789012:*' },
          },
        },
      ],
    });
    const put = iam.commandCalls(PutRolePolicyCommand)[0]?.args[0].input;
    expect(put).toMatchObject({ RoleName, PolicyName: 'tenant-access' });
    expect(JSON.parse(put?.PolicyDocument ?? '{}')).toEqual(spec.policy);
    expect(iam.commandCalls(GetRoleCommand)).toHaveLength(0);
  });

  it('reuses an existing role: keeps a matching trust policy, removes foreign policies, puts the tenant policy again', async () => {
    iam.on(CreateRoleCommand).rejects(new EntityAlreadyExistsException({ message: 'exists', ...meta }));
    iam.on(GetRoleCommand).resolves({
      Role: {
        RoleName,
        Arn: roleArn,
        Path: '/',
        RoleId: 'AROA1',
        CreateDate: new Date(),
        AssumeRolePolicyDocument: encodeURIComponent(JSON.stringify(access.trustPolicy())),
        PermissionsBoundary: { PermissionsBoundaryType: 'PermissionsBoundaryPolicy', PermissionsBoundaryArn: boundary },
      },
    });
    iam.on(ListRolePoliciesCommand).resolves({ PolicyNames: ['tenant-access', 'added-by-hand'] });
    iam
      .on(ListAttachedRolePoliciesCommand)
      .resolves({ AttachedPolicies: [{ PolicyName: 'AmazonS3FullAccess', PolicyArn: 'arn:aws:iam::aws:policy/AmazonS3FullAccess' }] });

    await expect(access.ensureTaskRole(spec)).resolves.toEqual({ arn: roleArn });

    expect(iam.commandCalls(UpdateAssumeRolePolicyCommand)).toHaveLength(0);
    expect(iam.commandCalls(PutRolePermissionsBoundaryCommand)).toHaveLength(0);
    expect(iam.commandCalls(TagRoleCommand)[0]?.args[0].input).toEqual({ RoleName, Tags: [{ Key: 'humangov:tenant', Value: 'ca' }] });
    expect(iam.commandCalls(DeleteRolePolicyCommand).map((call) => call.args[0].input)).toEqual([{ RoleName, PolicyName: 'added-by-hand' }]);
    expect(iam.commandCalls(DetachRolePolicyCommand)[0]?.args[0].input).toEqual({ RoleName, PolicyArn: 'arn:aws:iam::aws:policy/AmazonS3FullAccess' });
    expect(iam.commandCalls(PutRolePolicyCommand)).toHaveLength(1);
  });

  it('restores the trust policy of an existing role that differs', async () => {
    iam.on(CreateRoleCommand).rejects(new EntityAlreadyExistsException({ message: 'exists', ...meta }));
    const loose = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' }] };
    iam.on(GetRoleCommand).resolves({
      Role: { RoleName, Arn: roleArn, Path: '/', RoleId: 'AROA1', CreateDate: new Date(), AssumeRolePolicyDocument: encodeURIComponent(JSON.stringify(loose)) },
    });
    iam.on(ListRolePoliciesCommand).resolves({ PolicyNames: [] });
    iam.on(ListAttachedRolePoliciesCommand).resolves({ AttachedPolicies: [] });

    await access.ensureTaskRole(spec);

    const update = iam.commandCalls(UpdateAssumeRolePolicyCommand)[0]?.args[0].input;
    expect(update?.RoleName).toBe(RoleName);
    expect(JSON.parse(update?.PolicyDocument ?? '{}')).toEqual(access.trustPolicy());
  });

  it('puts the boundary on an existing role that lacks it before changing anything else on the role', async () => {
    iam.on(CreateRoleCommand).rejects(new EntityAlreadyExistsException({ message: 'exists', ...meta }));
    const loose = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' }] };
    iam.on(GetRoleCommand).resolves({
      Role: { RoleName, Arn: roleArn, Path: '/', RoleId: 'AROA1', CreateDate: new Date(), AssumeRolePolicyDocument: encodeURIComponent(JSON.stringify(loose)) },
    });
    iam.on(ListRolePoliciesCommand).resolves({ PolicyNames: ['added-by-hand'] });
    iam.on(ListAttachedRolePoliciesCommand).resolves({ AttachedPolicies: [] });

    await access.ensureTaskRole(spec);

    expect(iam.commandCalls(PutRolePermissionsBoundaryCommand)[0]?.args[0].input).toEqual({ RoleName, PermissionsBoundary: boundary });
    const writes = iam
      .calls()
      .map((call) => call.args[0].constructor.name)
      .filter((name) => !/^(Create|Get|List)/.test(name));
    expect(writes).toEqual([
      'PutRolePermissionsBoundaryCommand',
      'UpdateAssumeRolePolicyCommand',
      'TagRoleCommand',
      'DeleteRolePolicyCommand',
      'PutRolePolicyCommand',
    ]);
  });

  it('in AWS GovCloud (US), lets only ECS tasks of that partition assume the role', async () => {
    const gov = new IamAccess({
      client: new IAMClient({ region: 'us-gov-west-1' }),
      region: 'us-gov-west-1',
      accountId: '123456789012',
      permissionsBoundaryArn: 'arn:aws-us-gov:iam::123456789012:policy/humangov-prod-tenant-task-boundary',
    });

    expect(JSON.stringify(gov.trustPolicy())).toContain('"aws:SourceArn":"arn:aws-us-gov:ecs:us-gov-west-1:123456789012:*"');
  });

  it('throws NotReadyError when the new role is not yet visible to PutRolePolicy', async () => {
    iam.on(CreateRoleCommand).resolves({ Role: { RoleName, Arn: roleArn, Path: '/', RoleId: 'AROA1', CreateDate: new Date() } });
    iam.on(PutRolePolicyCommand).rejects(new NoSuchEntityException({ message: 'cannot find role', ...meta }));

    await expect(access.ensureTaskRole(spec)).rejects.toBeInstanceOf(NotReadyError);
  });

  it('translates a malformed policy into PermanentCloudError and IAM throttling into TransientCloudError', async () => {
    iam.on(CreateRoleCommand).resolves({ Role: { RoleName, Arn: roleArn, Path: '/', RoleId: 'AROA1', CreateDate: new Date() } });
    iam.on(PutRolePolicyCommand).rejectsOnce(new MalformedPolicyDocumentException({ message: 'bad', ...meta }));
    await expect(access.ensureTaskRole(spec)).rejects.toBeInstanceOf(PermanentCloudError);

    iam
      .on(CreateRoleCommand)
      .rejects(new IAMServiceException({ name: 'Throttling', $fault: 'client', message: 'Rate exceeded', $metadata: { httpStatusCode: 400 } }));
    await expect(access.ensureTaskRole(spec)).rejects.toBeInstanceOf(TransientCloudError);
  });
});

describe('IamAccess.deleteTaskRole', () => {
  it('deletes the inline policies, detaches managed ones, then deletes the role', async () => {
    iam.on(ListRolePoliciesCommand).resolves({ PolicyNames: ['tenant-access'] });
    iam.on(ListAttachedRolePoliciesCommand).resolves({ AttachedPolicies: [{ PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }] });

    await access.deleteTaskRole(RoleName);

    expect(iam.calls().map((call) => call.args[0].constructor.name)).toEqual([
      'ListRolePoliciesCommand',
      'DeleteRolePolicyCommand',
      'ListAttachedRolePoliciesCommand',
      'DetachRolePolicyCommand',
      'DeleteRoleCommand',
    ]);
    expect(iam.commandCalls(DeleteRolePolicyCommand)[0]?.args[0].input).toEqual({ RoleName, PolicyName: 'tenant-access' });
    expect(iam.commandCalls(DeleteRoleCommand)[0]?.args[0].input).toEqual({ RoleName });
  });

  it('follows the pages of inline policies', async () => {
    iam
      .on(ListRolePoliciesCommand)
      .resolvesOnce({ PolicyNames: ['a'], IsTruncated: true, Marker: 'm' })
      .resolvesOnce({ PolicyNames: ['b'] });
    iam.on(ListAttachedRolePoliciesCommand).resolves({});

    await access.deleteTaskRole(RoleName);

    expect(iam.commandCalls(ListRolePoliciesCommand)[1]?.args[0].input).toEqual({ RoleName, Marker: 'm' });
    expect(iam.commandCalls(DeleteRolePolicyCommand).map((call) => call.args[0].input.PolicyName)).toEqual(['a', 'b']);
  });

  it('treats a missing role as deleted', async () => {
    iam.on(ListRolePoliciesCommand).rejects(new NoSuchEntityException({ message: 'no role', ...meta }));

    await expect(access.deleteTaskRole(RoleName)).resolves.toBeUndefined();
    expect(iam.commandCalls(DeleteRoleCommand)).toHaveLength(0);
  });

  it('throws NotReadyError when something is attached to the role meanwhile', async () => {
    iam.on(ListRolePoliciesCommand).resolves({});
    iam.on(ListAttachedRolePoliciesCommand).resolves({});
    iam.on(DeleteRoleCommand).rejects(new DeleteConflictException({ message: 'must detach', ...meta }));

    await expect(access.deleteTaskRole(RoleName)).rejects.toBeInstanceOf(NotReadyError);
  });
});
