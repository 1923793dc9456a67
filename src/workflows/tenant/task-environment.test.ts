import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { STAGE_PATTERN, TENANT_ID_PATTERN } from '../../tenants/tenant-id.ts';
import { StepConfigurationError } from './errors.ts';
import { taskEnvironment, taskSecrets, tenantCsrfSecret, tenantSecretName } from './task-environment.ts';

const STACK_SECRET = 'stack-0123456789abcdef0123456789abcdef';

describe('tenantCsrfSecret', () => {
  it('is the same for a tenant every time, so a new task revision accepts tokens issued by the old one', () => {
    expect(tenantCsrfSecret(STACK_SECRET, 'ca')).toBe(tenantCsrfSecret(STACK_SECRET, 'ca'));
    expect(tenantCsrfSecret(STACK_SECRET, 'ca')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('differs between tenants and between stacks', () => {
    expect(tenantCsrfSecret(STACK_SECRET, 'ca')).not.toBe(tenantCsrfSecret(STACK_SECRET, 'ny'));
    expect(tenantCsrfSecret(`${STACK_SECRET}x`, 'ca')).not.toBe(tenantCsrfSecret(STACK_SECRET, 'ca'));
  });

  it('refuses a short stack secret, saying how long it must be', () => {
    expect(() => tenantCsrfSecret('short', 'ca')).toThrow(StepConfigurationError);
    expect(() => tenantCsrfSecret('short', 'ca')).toThrow(/at least 32/);
  });
});

describe('tenantSecretName', () => {
  const stages = fc.stringMatching(STAGE_PATTERN);
  const tenantIds = fc.stringMatching(TENANT_ID_PATTERN).filter((id) => id.length >= 2 && id.length <= 20 && !id.includes('--'));

  it('is a valid Secrets Manager name for every stage and tenant id, under the one prefix the task execution role may read', () => {
    fc.assert(
      fc.property(stages, tenantIds, (stage, tenantId) => {
        const name = tenantSecretName(stage, tenantId);
        // https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_CreateSecret.html (Name)
        expect(name).toMatch(/^[A-Za-z0-9/_+=.@-]{1,512}$/);
        // A name ending in a hyphen and six characters would be mistaken for an ARN's random suffix.
        expect(name).not.toMatch(/-[A-Za-z0-9]{6}$/);
        expect(name.startsWith(`humangov/${stage}/tenants/`)).toBe(true);
      }),
    );
  });

  it('never names another tenant or stage secret', () => {
    fc.assert(
      fc.property(stages, tenantIds, stages, tenantIds, (stageA, idA, stageB, idB) => {
        fc.pre(stageA !== stageB || idA !== idB);
        expect(tenantSecretName(stageA, idA)).not.toBe(tenantSecretName(stageB, idB));
      }),
    );
  });
});

describe('taskSecrets', () => {
  it('names the CSRF secret by ARN under the variable the app reads', () => {
    expect(taskSecrets({ csrfSecretArn: 'arn:aws:secretsmanager:us-east-1:1:secret:x-AbCdEf' })).toEqual({
      CSRF_SECRET: 'arn:aws:secretsmanager:us-east-1:1:secret:x-AbCdEf',
    });
  });
});

describe('taskEnvironment', () => {
  const platform = { stage: 'dev', region: 'us-gov-west-1', accountId: '123456789012', imageRepository: 'repo', containerPort: 8080 };
  const names = { table: 'humangov-dev-tenant-ca', bucket: 'humangov-dev-ca-123456789012' } as Parameters<typeof taskEnvironment>[0]['names'];
  const input = { platform, tenantId: 'ca', displayName: 'California', names, image: 'repo@sha256:abc' };

  it("tells the app which load balancer to believe and that only the tenant's group of the user pool gets in", () => {
    const signIn = {
      loadBalancerArn: 'arn:aws-us-gov:elasticloadbalancing:us-gov-west-1:123456789012:loadbalancer/app/humangov-dev/0a1b',
      issuer: 'https://idp.example',
    };

    const environment = taskEnvironment({ ...input, platform: { ...platform, signIn } });

    expect(environment).toMatchObject({ ALB_ARN: signIn.loadBalancerArn, SIGN_IN_ISSUER: 'https://idp.example', SIGN_IN_GROUP: 'ca' });
    expect(environment).not.toHaveProperty('SIGN_IN');
  });

  it("with the state's own IdP, believes that IdP and asks for no group", () => {
    const signIn = { loadBalancerArn: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/humangov-dev/0a1b' };
    const identityProvider = {
      issuer: 'https://login.ca.example.gov',
      clientId: 'hg',
      clientSecretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:x',
    };

    const environment = taskEnvironment({ ...input, platform: { ...platform, signIn }, identityProvider });

    expect(environment).toMatchObject({ SIGN_IN_ISSUER: 'https://login.ca.example.gov' });
    expect(environment).not.toHaveProperty('SIGN_IN_GROUP');
    expect(() => taskEnvironment({ ...input, platform: { ...platform, signIn } })).toThrow(/give the tenant its own OIDC identityProvider/);
  });

  it('says SIGN_IN=off in so many words where the platform signs nobody in (a stage without HTTPS)', () => {
    expect(taskEnvironment(input)).toMatchObject({ SIGN_IN: 'off' });
    expect(taskEnvironment(input)).not.toHaveProperty('ALB_ARN');
  });
});
