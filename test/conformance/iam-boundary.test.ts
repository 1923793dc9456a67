/**
 * The permissions boundaries of the packaged stack, simulated (@cloud-copilot/iam-simulate)
 * as IAM evaluates them, in the commercial partition and in AWS GovCloud (US):
 *
 * - the tenant-access function can create or change a tenant task role only with the tenant
 *   boundary on it, and no other role at all: it cannot mint an admin role;
 * - a tenant task role with that boundary reaches its own table, indexes, bucket and logs and
 *   nothing else, not another tenant's nor the control plane's, even with an admin policy.
 */
import { beforeAll, describe, expect, it } from '@jest/globals';
import { EMPLOYEES_TABLE } from '../../app/src/employees-table.ts';
import { controlPlaneTables, tenantResourceNames } from '../../src/tenants/names.ts';
import { APP_BUCKET_ACTIONS, APP_OBJECT_ACTIONS, APP_TABLE_ACTIONS, bucketArn, tableArn, taskRolePolicy } from '../../src/tenants/task-role-policy.ts';
import { packagedStack, variantIn } from './support/packaged-stack.ts';
import { ResolvedStack } from './support/cfn.ts';
import type { IamRequest } from './support/iam-requests.ts';
import { decide, resolvedRoles, type PolicyDocument, type ResolvedRole } from './support/roles.ts';
import { functionOf } from './support/stack-requests.ts';

const ACCOUNT = '123456789012';
const STAGE = 'dev';
const INDEX_NAMES = EMPLOYEES_TABLE.GlobalSecondaryIndexes.flatMap((index) => (index.IndexName ? [index.IndexName] : []));
const ADMIN: PolicyDocument = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };

describe.each(['us-east-1', 'us-gov-west-1'])('permissions boundaries in %s', (region) => {
  let stack: ResolvedStack;
  let tenantAccess: ResolvedRole;
  let boundaryArn: string;
  let boundary: PolicyDocument;

  beforeAll(async () => {
    stack = new ResolvedStack((await packagedStack(variantIn(region))).template, { region, accountId: ACCOUNT, stackName: `humangov-${STAGE}` });
    tenantAccess = resolvedRoles(stack).get(functionOf(stack, 'tenantAccess').role)!;
    boundaryArn = String(stack.resolve({ Ref: 'TenantTaskRoleBoundary' }));
    boundary = stack.resolve(stack.resource('TenantTaskRoleBoundary').Properties.PolicyDocument) as PolicyDocument;
  }, 300_000);

  const role = (tenantId: string) => stack.arn('iam', `role/${tenantResourceNames(STAGE, tenantId, ACCOUNT).taskRole}`, { regional: false });
  const verdicts = async (subject: ResolvedRole, requests: IamRequest[]) =>
    Promise.all(
      requests.map(
        async (r) =>
          `${r.action} ${r.resource.replace(/^arn:[^:]+:/, '')}${r.context['iam:PermissionsBoundary'] ? ' bounded' : ''}: ${await decide(subject, r, ACCOUNT)}`,
      ),
    );

  describe('the tenant-access function', () => {
    it('creates and changes tenant task roles only with the tenant boundary on them', async () => {
      const withBoundary = { 'iam:PermissionsBoundary': boundaryArn };
      const requests: IamRequest[] = ['iam:CreateRole', 'iam:PutRolePolicy', 'iam:UpdateAssumeRolePolicy', 'iam:PutRolePermissionsBoundary'].flatMap(
        (action) => [
          { action, resource: role('ca'), context: withBoundary },
          { action, resource: role('ca'), context: {} },
        ],
      );

      expect(await verdicts(tenantAccess, requests)).toEqual([
        'iam:CreateRole iam::123456789012:role/humangov-dev-ca-task bounded: Allowed',
        'iam:CreateRole iam::123456789012:role/humangov-dev-ca-task: ExplicitlyDenied',
        'iam:PutRolePolicy iam::123456789012:role/humangov-dev-ca-task bounded: Allowed',
        'iam:PutRolePolicy iam::123456789012:role/humangov-dev-ca-task: ExplicitlyDenied',
        'iam:UpdateAssumeRolePolicy iam::123456789012:role/humangov-dev-ca-task bounded: Allowed',
        'iam:UpdateAssumeRolePolicy iam::123456789012:role/humangov-dev-ca-task: ExplicitlyDenied',
        'iam:PutRolePermissionsBoundary iam::123456789012:role/humangov-dev-ca-task bounded: Allowed',
        'iam:PutRolePermissionsBoundary iam::123456789012:role/humangov-dev-ca-task: ExplicitlyDenied',
      ]);
    });

    it('cannot create a role with another boundary, a role outside the tenant roles, or take a boundary off', async () => {
      const adminPolicy = stack.arn('iam', 'policy/AdministratorAccess', { regional: false, account: false }).replace('iam:::', 'iam::aws:');
      const requests: IamRequest[] = [
        { action: 'iam:CreateRole', resource: role('ca'), context: { 'iam:PermissionsBoundary': adminPolicy } },
        {
          action: 'iam:CreateRole',
          resource: stack.arn('iam', 'role/humangov-dev-admin', { regional: false }),
          context: { 'iam:PermissionsBoundary': boundaryArn },
        },
        { action: 'iam:DeleteRolePermissionsBoundary', resource: role('ca'), context: {} },
        { action: 'iam:AttachRolePolicy', resource: role('ca'), context: { 'iam:PermissionsBoundary': boundaryArn, 'iam:PolicyARN': adminPolicy } },
        { action: 'iam:CreatePolicyVersion', resource: boundaryArn, context: {} },
      ];

      expect((await verdicts(tenantAccess, requests)).map((v) => v.replace(/^.*: /, ''))).toEqual([
        'ExplicitlyDenied',
        'ExplicitlyDenied',
        'ExplicitlyDenied',
        'ExplicitlyDenied',
        'ExplicitlyDenied',
      ]);
    });
  });

  describe('a tenant task role carrying the boundary', () => {
    const taskRole = (tenantId: string, policy: PolicyDocument): ResolvedRole => ({
      id: `task role of ${tenantId}`,
      arn: role(tenantId),
      policies: [{ name: 'tenant-access', policy }],
      boundary,
    });
    const tagged = (tenantId: string, requests: [string, string][]): IamRequest[] =>
      requests.map(([action, resource]) => ({ action, resource, context: { 'aws:PrincipalTag/humangov:tenant': tenantId } }));
    const appRequests = (tenantId: string): [string, string][] => {
      const names = tenantResourceNames(STAGE, tenantId, ACCOUNT);
      const table = tableArn(region, ACCOUNT, names.table);
      const bucket = bucketArn(region, names.bucket);
      return [
        ...[table, ...INDEX_NAMES.map((index) => `${table}/index/${index}`)].flatMap((resource) =>
          APP_TABLE_ACTIONS.map((action): [string, string] => [action, resource]),
        ),
        ...APP_OBJECT_ACTIONS.map((action): [string, string] => [action, `${bucket}/employees/1/id-scan.pdf`]),
        ...APP_BUCKET_ACTIONS.map((action): [string, string] => [action, bucket]),
      ];
    };
    const allDenied = (verdicts: string[]) => verdicts.filter((v) => !v.endsWith(': ImplicitlyDenied') && !v.endsWith(': ExplicitlyDenied'));

    it('with its own policy, does everything the app does on its own table, indexes, bucket and objects', async () => {
      const names = tenantResourceNames(STAGE, 'ca', ACCOUNT);
      const own = taskRole(
        'ca',
        taskRolePolicy({ tableArn: tableArn(region, ACCOUNT, names.table), indexNames: INDEX_NAMES, bucketArn: bucketArn(region, names.bucket) }),
      );

      const verdicts = await Promise.all(tagged('ca', appRequests('ca')).map((r) => decide(own, r, ACCOUNT)));

      expect(new Set(verdicts)).toEqual(new Set(['Allowed']));
    });

    it('even with an admin policy, reaches neither another tenant nor a tenant whose id extends its own', async () => {
      const admin = taskRole('ca', ADMIN);

      expect(allDenied(await verdicts(admin, tagged('ca', [...appRequests('ny'), ...appRequests('cal')])))).toEqual([]);
    });

    it("even with an admin policy, reaches none of the control plane's tables and can do nothing but the app's data actions", async () => {
      const admin = taskRole('ca', ADMIN);
      const { tenants, deployments } = controlPlaneTables(STAGE);
      const own = tenantResourceNames(STAGE, 'ca', ACCOUNT);
      const requests: [string, string][] = [
        ...[tenants, deployments].flatMap((table) => APP_TABLE_ACTIONS.map((action): [string, string] => [action, tableArn(region, ACCOUNT, table)])),
        ['dynamodb:DeleteTable', tableArn(region, ACCOUNT, own.table)],
        ['dynamodb:Scan', tableArn(region, ACCOUNT, own.table)],
        ['s3:DeleteBucket', bucketArn(region, own.bucket)],
        ['s3:PutBucketPolicy', bucketArn(region, own.bucket)],
        ['iam:CreateRole', stack.arn('iam', 'role/escalate', { regional: false })],
        ['states:StartExecution', stack.arn('states', 'stateMachine:humangov-dev-tenant-onboard')],
      ];

      expect(allDenied(await verdicts(admin, tagged('ca', requests)))).toEqual([]);
    });

    it('without its tenant tag, reaches nothing', async () => {
      const admin = taskRole('ca', ADMIN);
      const untagged = appRequests('ca').map(([action, resource]): IamRequest => ({ action, resource, context: {} }));

      expect(allDenied(await verdicts(admin, untagged))).toEqual([]);
    });
  });
});
