import { describe, expect, it } from '@jest/globals';
import { FakeCloud } from '../../../test/support/fake-cloud.ts';
import type { TenantRepository } from '../../tenants/repository.ts';
import { VerificationFailedError } from './errors.ts';
import { networkSteps } from './network.ts';
import { InMemoryMetrics } from '../../../src/local/metrics.ts';

const DIGEST = `sha256:${'d'.repeat(64)}`;
const base = { tenantId: 'ca', executionId: 'exec-1' };

async function servingTenant(zones?: string[]) {
  const cloud = new FakeCloud({ rolloutPolls: 1, zones });
  const steps = networkSteps({
    cloud,
    tenants: {} as TenantRepository,
    releases: { currentRelease: async () => undefined, rollingOut: async () => undefined },
    now: () => new Date(),
    metrics: new InMemoryMetrics(),
  });
  const routing = await steps.ensureRouting({ ...base, action: 'ensureRouting' });
  const image = `${cloud.platform.imageRepository}@${DIGEST}`;
  const td = await cloud.compute.registerTaskDefinition({
    family: 'f',
    image,
    cpu: 256,
    memory: 512,
    environment: { APP_IMAGE: image },
    taskRoleArn: 'r',
    logGroup: 'l',
    tags: {},
  });
  await cloud.compute.ensureService({ name: 'humangov-ca', taskDefinitionArn: td.arn, desiredCount: 2, targetGroupArn: routing.targetGroupArn, tags: {} });
  await cloud.compute.describeService('humangov-ca');
  const verify = (attempts: number, maxAttempts = 5) =>
    steps.verify({ ...base, action: 'verify', targetGroupArn: routing.targetGroupArn, desiredCount: 2, expectedDigest: DIGEST, attempts, maxAttempts });
  return { cloud, routing, verify };
}

describe('network steps', () => {
  it('ensureRouting returns the endpoint a person opens', async () => {
    const { routing } = await servingTenant();
    expect(routing).toMatchObject({ endpoint: 'https://ca.humangov.test', priority: 1 });
  });

  it('verify passes with healthy targets in two zones answering the digest', async () => {
    const { verify } = await servingTenant();
    expect(await verify(0)).toMatchObject({ ok: true, attempts: 1, health: { healthy: 2, total: 2, zones: ['us-east-1a', 'us-east-1b'] } });
  });

  it('verify reports "not yet" with its problems, then fails at the bound saying what is wrong', async () => {
    const { verify } = await servingTenant(['us-east-1a']);
    expect(await verify(0)).toMatchObject({ ok: false, attempts: 1, problems: [expect.stringContaining('span 1 availability zone(s)')] });
    await expect(verify(4)).rejects.toThrow(VerificationFailedError);
    await expect(verify(4)).rejects.toThrow(/after 5 checks: healthy targets span 1 availability zone/);
  });

  describe('with sign-in', () => {
    const signIn = {
      loadBalancerArn: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/hg/0a1b',
      issuer: 'https://pool',
    };
    const identityProvider = {
      issuer: 'https://login.ca.example.gov',
      clientId: 'hg-ca',
      clientSecretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:humangov/dev/idp/ca-AbCdEf',
    };

    /** The network steps over `cloud`, for a tenant whose record is `record`. */
    function stepsFor(cloud: FakeCloud, record: Record<string, unknown>) {
      const tenants = { require: async () => ({ tenantId: 'ca', ...record }) } as unknown as TenantRepository;
      return networkSteps({
        cloud,
        tenants,
        releases: { currentRelease: async () => undefined, rollingOut: async () => undefined },
        now: () => new Date(),
        metrics: new InMemoryMetrics(),
      });
    }

    async function ruleSignIn(record: Record<string, unknown>) {
      const cloud = new FakeCloud({ rolloutPolls: 1, platform: { signIn }, staffPool: true });
      const steps = stepsFor(cloud, record);
      await steps.ensureRouting({ ...base, action: 'ensureRouting' });
      const [spec] = cloud.script.calls.find((call) => call.op === 'loadBalancer.ensureListenerRule')?.args ?? [];
      return { signIn: (spec as { signIn?: unknown }).signIn, cloud, steps };
    }

    it("signs the state's staff in with its own IdP when its record names one, the client secret only by ARN, and makes nothing in the user pool", async () => {
      const { signIn: made, cloud } = await ruleSignIn({ identityProvider });

      expect(made).toEqual({ kind: 'oidc', ...identityProvider });
      expect(cloud.staffPool?.clients.size).toBe(0);
      expect(cloud.staffPool?.groups.size).toBe(0);
    });

    it("signs staff in with the stack's user pool otherwise, through an app client of the tenant's own that may send codes only to its host, and the state's group", async () => {
      const { signIn: made, cloud } = await ruleSignIn({});

      expect(made).toEqual({ kind: 'user-pool', clientId: cloud.staffPool?.clients.get('ca')?.clientId });
      expect(cloud.staffPool?.clients.get('ca')?.callbackUrl).toBe('https://ca.humangov.test/oauth2/idpresponse');
      expect([...(cloud.staffPool?.groups ?? [])]).toEqual(['ca']);
    });

    it('makes the app client and the group once however often routing is ensured, and removing routing deletes the client but keeps the group', async () => {
      const { cloud, steps } = await ruleSignIn({});

      await steps.ensureRouting({ ...base, action: 'ensureRouting' });
      expect(cloud.script.created.userPoolClient).toBe(1);
      expect(cloud.script.created.staffGroup).toBe(1);
      await steps.removeRouting({ ...base, action: 'removeRouting' });

      expect(cloud.staffPool?.clients.size).toBe(0);
      expect([...(cloud.staffPool?.groups ?? [])]).toEqual(['ca']);
    });

    it('refuses a tenant without an IdP of its own where the stack has no user pool, saying to give it one', async () => {
      const cloud = new FakeCloud({ rolloutPolls: 1, platform: { signIn } });
      const steps = stepsFor(cloud, {});

      await expect(steps.ensureRouting({ ...base, action: 'ensureRouting' })).rejects.toThrow(/no user pool.*Give the tenant its own OIDC identityProvider/);
      expect(cloud.script.count('loadBalancer.ensureListenerRule')).toBe(0);
    });
  });
});
