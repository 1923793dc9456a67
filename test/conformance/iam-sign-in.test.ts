/**
 * The permissions staff sign-in adds, simulated against the packaged prod-like stacks (HTTPS, so
 * tenants' rules authenticate), in the commercial partition and in AWS GovCloud (US): the routing
 * step reads a state's IdP client secret under humangov/<stage>/idp/ and nothing else, and both
 * steps that need the tenant's identityProvider may read its record. The general IAM gate
 * (iam-permissions.test.ts) runs a plain dev stage, where nobody signs in.
 */
import { beforeAll, describe, expect, it } from '@jest/globals';
import { ResolvedStack } from './support/cfn.ts';
import { packagedStack, VARIANTS } from './support/packaged-stack.ts';
import { decide, resolvedRoles } from './support/roles.ts';
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
  });
});
