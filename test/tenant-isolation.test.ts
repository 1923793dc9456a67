/**
 * Tenant isolation, proved on the policy itself: the inline policy a tenant's task role gets
 * (src/tenants/task-role-policy.ts) is evaluated by an IAM policy simulator
 * (@cloud-copilot/iam-simulate) against the requests the app makes, on its own resources
 * and on every other tenant's, the control plane's tables and a tenant whose id extends its own.
 */
import { runSimulation } from '@cloud-copilot/iam-simulate';
import fc from 'fast-check';
import { describe, expect, it } from '@jest/globals';
import { EMPLOYEES_TABLE } from '../app/src/employees-table.ts';
import type { PolicyDocument } from '../src/cloud/ports.ts';
import { controlPlaneTables, tenantResourceNames } from '../src/tenants/names.ts';
import { APP_BUCKET_ACTIONS, APP_OBJECT_ACTIONS, APP_TABLE_ACTIONS, bucketArn, tableArn, taskRolePolicy } from '../src/tenants/task-role-policy.ts';
import { isTenantId } from '../src/tenants/tenant-id.ts';

const STAGE = 'prod';
const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
/** The indexes the app's table really has: the same definition the control plane creates tables from. */
const INDEX_NAMES = EMPLOYEES_TABLE.GlobalSecondaryIndexes.flatMap((index) => (index.IndexName ? [index.IndexName] : []));

type Decision = 'Allowed' | 'ImplicitlyDenied' | 'ExplicitlyDenied';
type Request = [action: string, resource: string];

interface Tenant {
  id: string;
  roleName: string;
  policy: PolicyDocument;
  table: string;
  indexes: string[];
  bucket: string;
  object: string;
}

function tenant(id: string): Tenant {
  const names = tenantResourceNames(STAGE, id, ACCOUNT);
  const table = tableArn(REGION, ACCOUNT, names.table);
  const bucket = bucketArn(REGION, names.bucket);
  return {
    id,
    roleName: names.taskRole,
    policy: taskRolePolicy({ tableArn: table, indexNames: INDEX_NAMES, bucketArn: bucket }),
    table,
    indexes: INDEX_NAMES.map((index) => `${table}/index/${index}`),
    bucket,
    object: `${bucket}/employees/0f8e2c4a/id-scan.pdf`,
  };
}

/** Every request the app makes against `target`'s resources. */
function appRequests(target: Tenant): Request[] {
  return [
    ...[target.table, ...target.indexes].flatMap((resource) => APP_TABLE_ACTIONS.map((action): Request => [action, resource])),
    ...APP_OBJECT_ACTIONS.map((action): Request => [action, target.object]),
    ...APP_BUCKET_ACTIONS.map((action): Request => [action, target.bucket]),
  ];
}

/** The simulator's verdict on `subject`'s task role (its inline policy only) making `request`. */
async function decide(subject: Tenant, [action, resource]: Request): Promise<Decision> {
  const result = await runSimulation(
    {
      request: {
        principal: `arn:aws:sts::${ACCOUNT}:assumed-role/${subject.roleName}/ecs-task`,
        action,
        resource: { resource, accountId: ACCOUNT },
        contextVariables: {},
      },
      identityPolicies: [{ name: 'tenant-access', policy: subject.policy }],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
    },
    {},
  );
  if (result.resultType === 'error') throw new Error(`the simulator refused ${action} on ${resource}: ${JSON.stringify(result.errors)}`);
  return result.overallResult as Decision;
}

/** The requests of `requests` whose verdict is not `expected`, for a readable failure. */
async function unexpected(subject: Tenant, requests: Request[], expected: 'allowed' | 'denied'): Promise<string[]> {
  const wrong: string[] = [];
  for (const request of requests) {
    const decision = await decide(subject, request);
    if ((decision === 'Allowed') !== (expected === 'allowed')) wrong.push(`${request[0]} ${request[1]} -> ${decision}`);
  }
  return wrong;
}

const a = tenant('ca');
const b = tenant('new-york');
const prefixed = tenant('cal');

describe("a tenant's task role", () => {
  it('allows every action the app makes on its own table, indexes, bucket and objects', async () => {
    expect(INDEX_NAMES.length).toBeGreaterThan(0);
    expect(await unexpected(a, appRequests(a), 'allowed')).toEqual([]);
    expect(await unexpected(b, appRequests(b), 'allowed')).toEqual([]);
  });

  it("denies them on another tenant's table, indexes, bucket and objects", async () => {
    expect(await unexpected(a, appRequests(b), 'denied')).toEqual([]);
    expect(await unexpected(b, appRequests(a), 'denied')).toEqual([]);
  });

  it('denies them on a tenant whose id extends its own ("ca" and "cal")', async () => {
    expect(await unexpected(a, appRequests(prefixed), 'denied')).toEqual([]);
    expect(await unexpected(prefixed, appRequests(a), 'denied')).toEqual([]);
  });

  it("denies every table action on the control plane's own tables", async () => {
    const { tenants, deployments } = controlPlaneTables(STAGE);
    expect(tenants).toBe('humangov-prod-tenants');
    const requests = [tenants, deployments].flatMap((name) => APP_TABLE_ACTIONS.map((action): Request => [action, tableArn(REGION, ACCOUNT, name)]));

    expect(await unexpected(a, requests, 'denied')).toEqual([]);
  });

  it('names no wildcard action and no "*" resource; its only wildcard is its own objects', () => {
    for (const statement of a.policy.Statement) {
      const actions = [statement.Action].flat();
      const resources = [statement.Resource].flat();
      expect(statement.Effect).toBe('Allow');
      expect(actions.filter((action) => action.includes('*'))).toEqual([]);
      expect(resources).not.toContain('*');
      expect(resources.filter((resource) => resource.includes('*'))).toEqual(resources.includes(`${a.bucket}/*`) ? [`${a.bucket}/*`] : []);
    }
  });
});

describe('tenant isolation for any two tenants', () => {
  const tenantId = fc.stringMatching(/^[a-z][a-z0-9-]{0,18}[a-z0-9]$/).filter(isTenantId);
  // Random pairs rarely share a prefix, so half the pairs are built to: "x" and "x<suffix>".
  const extendedPair = fc.tuple(tenantId, fc.stringMatching(/^[a-z0-9]{1,6}$/)).map(([id, suffix]): [string, string] => [id, `${id}${suffix}`.slice(0, 20)]);
  const pairs = fc.oneof(fc.tuple(tenantId, tenantId), extendedPair).filter(([first, second]) => first !== second && isTenantId(second));
  // Every kind of resource, with a representative action each, keeps ~50 runs fast.
  const sample = (target: Tenant): Request[] => [
    ['dynamodb:GetItem', target.table],
    ['dynamodb:PutItem', target.table],
    ['dynamodb:Query', target.indexes[0] ?? target.table],
    ['s3:GetObject', target.object],
    ['s3:PutObject', target.object],
    ['s3:ListBucket', target.bucket],
  ];

  it("allows each its own resources and denies it the other's", async () => {
    await fc.assert(
      fc.asyncProperty(pairs, async ([first, second]) => {
        const one = tenant(first);
        const other = tenant(second);
        expect(await unexpected(one, sample(one), 'allowed')).toEqual([]);
        expect(await unexpected(one, sample(other), 'denied')).toEqual([]);
        expect(await unexpected(other, sample(one), 'denied')).toEqual([]);
      }),
      { numRuns: 50 },
    );
  });
});
