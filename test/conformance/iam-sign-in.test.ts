/**
 * The permissions staff sign-in adds, simulated against the packaged prod-like stacks (HTTPS, so
 * tenants' rules authenticate), in the commercial partition and in AWS GovCloud (US): the routing
 * step reads a state's IdP client secret under humangov/<stage>/idp/ and nothing else, and both
 * steps that need the tenant's identityProvider may read its record. The general IAM gate
 * (iam-permissions.test.ts) runs a plain dev stage, where nobody signs in; so here the same
 * observation (support/function-uses.ts) runs again on a platform with a user pool, and every
 * command each function then sends, the user pool's included, is simulated against the prod stack.
 */
import { beforeAll, describe, expect, it } from '@jest/globals';
import { ResolvedStack } from './support/cfn.ts';
import { observeFunctionUses } from './support/function-uses.ts';
import { iamRequestsOf, type CallState } from './support/iam-requests.ts';
import { packagedStack, VARIANTS } from './support/packaged-stack.ts';
import { decide, resolvedRoles } from './support/roles.ts';
import { sdkCallsOf, WORLDS } from './support/sdk-calls.ts';
import { functionOf } from './support/stack-requests.ts';

const ACCOUNT = '123456789012';

describe.each([VARIANTS.prod, VARIANTS.govProd])('sign-in permissions of $label', (variant) => {
  let stack: ResolvedStack;
  let allowed: (fn: string, action: string, resource: string) => Promise<boolean>;

  beforeAll(async () => {
    const { template } = await packagedStack(variant);
    stack = new ResolvedStack(template, { region: variant.region, accountId: ACCOUNT, stackName: `humangov-${variant.stage}` });
    const roles = resolvedRoles(stack);
    allowed = async (fn, action, resource) => (await decide(roles.get(functionOf(stack, fn).role)!, { action, resource, context: {} }, ACCOUNT)) === 'Allowed';
  }, 600_000);

  const secret = (name: string) => `arn:${stack.partition}:secretsmanager:${variant.region}:${ACCOUNT}:secret:${name}-AbCdEf`;

  it("lets the routing step read a state's IdP client secret, and no other secret", async () => {
    await expect(allowed('tenantNetwork', 'secretsmanager:GetSecretValue', secret(`humangov/${variant.stage}/idp/ca`))).resolves.toBe(true);
    await expect(allowed('tenantNetwork', 'secretsmanager:GetSecretValue', secret(`humangov/${variant.stage}/tenants/ca/csrf`))).resolves.toBe(false);
    await expect(allowed('tenantNetwork', 'secretsmanager:GetSecretValue', secret('humangov/other-stage/idp/ca'))).resolves.toBe(false);
  });

  it("lets the routing and task-definition steps read the tenant's record for its identityProvider", async () => {
    const table = `arn:${stack.partition}:dynamodb:${variant.region}:${ACCOUNT}:table/humangov-${variant.stage}-tenants`;

    await expect(allowed('tenantNetwork', 'dynamodb:GetItem', table)).resolves.toBe(true);
    await expect(allowed('tenantCompute', 'dynamodb:GetItem', table)).resolves.toBe(true);
  });

  it('gives the functions the load balancer to believe, and the user pool only outside GovCloud', () => {
    const environment = functionOf(stack, 'tenantCompute').environment;

    expect(environment.LOAD_BALANCER_ARN).toMatch(new RegExp(`^arn:${stack.partition}:elasticloadbalancing:`));
    if (stack.partition === 'aws-us-gov') expect(environment).not.toHaveProperty('USER_POOL_ARN');
    else expect(environment.USER_POOL_ISSUER).toMatch(/^https:\/\/cognito-idp\./);
    expect(environment).not.toHaveProperty('USER_POOL_CLIENT_ID');
  });

  it('makes no app client of the pool in the stack: each tenant gets its own when it is routed', async () => {
    const { template } = await packagedStack(variant);
    const types = Object.values(template.Resources as Record<string, { Type: string }>).map((resource) => resource.Type);

    expect(types).toContain('AWS::Cognito::UserPool');
    expect(types).not.toContain('AWS::Cognito::UserPoolClient');
  });
});

describe('the user pool calls of a stage with a user pool (prod in us-east-1)', () => {
  it("allows every command each function sends, the user pool's included, by that function's own role, on the stack's pool only", async () => {
    const variant = VARIANTS.prod;
    const [uses, { template }] = await Promise.all([observeFunctionUses({ signIn: true }), packagedStack(variant)]);
    const stack = new ResolvedStack(template, { region: variant.region, accountId: ACCOUNT, stackName: `humangov-${variant.stage}` });
    const roles = resolvedRoles(stack);
    const denied: string[] = [];
    const poolActions = new Set<string>();

    for (const [name, use] of Object.entries(uses)) {
      const fn = functionOf(stack, name);
      const seen = new Set<string>();
      for (const portCall of use.ports) {
        if (seen.has(JSON.stringify(portCall))) continue;
        seen.add(JSON.stringify(portCall));
        for (const world of WORLDS) {
          const state: CallState = { boundaries: new Map() };
          for (const call of await sdkCallsOf(portCall, world, stack, fn.environment)) {
            for (const request of await iamRequestsOf(call, stack, state)) {
              if (request.action.startsWith('cognito-idp:')) poolActions.add(`${name} ${request.action} ${request.resource}`);
              if ((await decide(roles.get(fn.role)!, request, ACCOUNT)) !== 'Allowed')
                denied.push(`function ${name} sends ${call.command}: ${request.action} on ${request.resource}`);
            }
          }
        }
      }
    }
    const pool = String(stack.resolve({ 'Fn::GetAtt': ['StaffUserPool', 'Arn'] }));

    expect([...new Set(denied)]).toEqual([]);
    expect([...poolActions].sort()).toEqual(
      [
        'tenantData cognito-idp:DeleteGroup',
        'tenantNetwork cognito-idp:CreateGroup',
        'tenantNetwork cognito-idp:CreateUserPoolClient',
        'tenantNetwork cognito-idp:DeleteUserPoolClient',
        'tenantNetwork cognito-idp:DescribeUserPoolClient',
        'tenantNetwork cognito-idp:ListUserPoolClients',
        'tenantNetwork cognito-idp:UpdateUserPoolClient',
      ].map((use) => `${use} ${pool}`),
    );
    await expect(
      decide(
        roles.get(functionOf(stack, 'tenantNetwork').role)!,
        { action: 'cognito-idp:CreateUserPoolClient', resource: pool.replace(/_\w+$/, '_Another1'), context: {} },
        ACCOUNT,
      ),
    ).resolves.not.toBe('Allowed');
  }, 600_000);
});
