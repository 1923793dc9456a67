/**
 * What `serverless package` and `deploy` refuse before anything is built or changed
 * (scripts/serverless/humangov-plugin.cjs): a stage that breaks the naming rule, settings that
 * would deploy and then fail (zones, a certificate of another region), and a deploy that would
 * silently remove a stage's HTTPS listener or DNS record.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { stageProblem as domainStageProblem } from '../../src/tenants/tenant-id.ts';
import { PackagingError, runPackage } from './support/packaged-stack.ts';

interface Settings {
  region: string;
  tenantDomain: string;
  hostedZoneId: string;
  certificateArn: string;
  maxConcurrency: string | number;
  failureThreshold: string | number;
  availabilityZoneIds: string;
  alarmEmail?: string;
  webAcl?: string;
  stage?: string;
  insecure?: string;
}
interface FakeServerless {
  service: { provider: { compiledCloudFormationTemplate: { Resources: Record<string, unknown> } } };
  classes: { Error: typeof Error };
  getProvider(): { naming: { getStackName(): string }; getStage(): string; getCloudFormationClient(): Promise<{ send(command: unknown): Promise<unknown> }> };
}
interface Plugin {
  hooks: Record<string, () => unknown>;
}
const require = createRequire(import.meta.url);
const HumanGovPlugin = require('../../scripts/serverless/humangov-plugin.cjs') as {
  new (serverless: FakeServerless, options?: Record<string, unknown>): Plugin;
  stageProblem(stage: unknown): string | undefined;
  settingsProblems(settings: Settings): string[];
};

const GOOD: Settings = {
  region: 'us-east-1',
  tenantDomain: 'tenants.example.gov',
  hostedZoneId: 'Z0123456789ABC',
  certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/0b2a8a0c-4c34-4d0e-9a7b-1f6a0e9c2d11',
  maxConcurrency: 50,
  failureThreshold: 1,
  availabilityZoneIds: 'use1-az1,use1-az2',
};

describe('the stage rule', () => {
  it('is the one every resource name is derived with (src/tenants/tenant-id.ts), for any input', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 12 }), fc.stringMatching(/^[a-z][a-z0-9]{0,9}$/)), (stage) => {
        expect(HumanGovPlugin.stageProblem(stage) === undefined).toBe(domainStageProblem(stage) === undefined);
      }),
    );
  });

  it('explains itself with an example', () => {
    expect(HumanGovPlugin.stageProblem('Prod-1')).toMatch(/^Stage "Prod-1" is not valid: a stage is 1 to 8 lowercase letters or digits, .*--stage prod\.$/);
  });
});

describe('the deployment settings', () => {
  it('accept a prod-like stage in us-east-1 and in GovCloud', () => {
    expect(HumanGovPlugin.settingsProblems(GOOD)).toEqual([]);
    expect(
      HumanGovPlugin.settingsProblems({
        ...GOOD,
        region: 'us-gov-west-1',
        certificateArn: 'arn:aws-us-gov:acm:us-gov-west-1:123456789012:certificate/0b2a8a0c-4c34-4d0e-9a7b-1f6a0e9c2d11',
        availabilityZoneIds: 'usgw1-az1,usgw1-az2',
      }),
    ).toEqual([]);
  });

  it('ask for zone IDs in a region with no default, saying how to pass them and where AWS lists Fargate zones', () => {
    expect(HumanGovPlugin.settingsProblems({ ...GOOD, region: 'eu-west-3', certificateArn: '', availabilityZoneIds: '' })).toEqual([
      expect.stringMatching(/^No availability zones are known for eu-west-3: .*--param="availabilityZoneIds=<id>,<id>".*AWS_Fargate-Regions\.html/),
    ]);
    expect(HumanGovPlugin.settingsProblems({ ...GOOD, availabilityZoneIds: 'us-east-1a,us-east-1b' })).toEqual([
      'availabilityZoneIds "us-east-1a,us-east-1b" must be two different zone IDs, such as "use1-az1,use1-az2"',
    ]);
  });

  it('refuse a stage without HTTPS unless it is marked insecure, saying how to give it a certificate', () => {
    const plain = { ...GOOD, stage: 'prod', hostedZoneId: '', certificateArn: '' };

    expect(HumanGovPlugin.settingsProblems(plain)).toEqual([
      expect.stringMatching(
        /^stage prod has no HTTPS, .*give it hostedZoneId \(the stack then requests a certificate for \*\.tenants\.example\.gov.*--param="insecure=true"/,
      ),
    ]);
    expect(HumanGovPlugin.settingsProblems({ ...plain, insecure: 'true' })).toEqual([]);
    expect(HumanGovPlugin.settingsProblems({ ...plain, certificateArn: GOOD.certificateArn })).toEqual([]);
    expect(HumanGovPlugin.settingsProblems({ ...plain, hostedZoneId: GOOD.hostedZoneId })).toEqual([]);
    expect(HumanGovPlugin.settingsProblems({ ...GOOD, insecure: 'yes' })).toEqual(['insecure "yes" must be true or false']);
  });

  it('refuse a certificate of another region or partition, which a load balancer cannot use', () => {
    expect(HumanGovPlugin.settingsProblems({ ...GOOD, region: 'us-gov-west-1', availabilityZoneIds: 'usgw1-az1,usgw1-az2' })).toEqual([
      `certificateArn "${GOOD.certificateArn}" is in us-east-1 (aws), but the stack deploys to us-gov-west-1: request or import the certificate in us-gov-west-1`,
    ]);
  });

  it('refuse a malformed domain, hosted zone or rollout setting', () => {
    expect(
      HumanGovPlugin.settingsProblems({ ...GOOD, tenantDomain: 'not a domain', hostedZoneId: 'zone', maxConcurrency: '0', failureThreshold: '-1' }),
    ).toEqual([
      'tenantDomain "not a domain" must be a DNS domain, such as tenants.example.gov',
      'hostedZoneId "zone" must be a Route 53 hosted zone ID, such as Z0123456789ABC',
      'deployMaxConcurrency "0" must be a whole number from 1 to 100',
      'deployFailureThreshold "-1" must be a whole number of at least 0',
    ]);
  });

  it('refuse more tenants at once than a push may ask for (100), which every rollout would reject', () => {
    expect(HumanGovPlugin.settingsProblems({ ...GOOD, maxConcurrency: '101' })).toEqual(['deployMaxConcurrency "101" must be a whole number from 1 to 100']);
    expect(HumanGovPlugin.settingsProblems({ ...GOOD, maxConcurrency: '100' })).toEqual([]);
  });

  it('take one alarm email address or none, and refuse a list or a name, which SNS would accept and never deliver to', () => {
    expect(HumanGovPlugin.settingsProblems({ ...GOOD, alarmEmail: 'oncall@example.gov' })).toEqual([]);
    expect(HumanGovPlugin.settingsProblems({ ...GOOD, alarmEmail: '' })).toEqual([]);
    for (const bad of ['oncall@example.gov,boss@example.gov', 'On Call <oncall@example.gov>', 'oncall', 'oncall@localhost']) {
      expect(HumanGovPlugin.settingsProblems({ ...GOOD, alarmEmail: bad })).toEqual([
        `alarmEmail "${bad}" must be one email address, such as oncall@example.gov`,
      ]);
    }
  });

  it('refuse a webAcl setting other than on or off, which would leave the load balancer without its web ACL', () => {
    expect(HumanGovPlugin.settingsProblems({ ...GOOD, webAcl: 'true' })).toEqual(['webAcl "true" must be on or off']);
    expect(HumanGovPlugin.settingsProblems({ ...GOOD, webAcl: 'off' })).toEqual([]);
  });
});

describe('serverless package', () => {
  let out: string;
  beforeAll(async () => {
    out = join(await mkdtemp(join(tmpdir(), 'humangov-bad-stage-')), 'package');
  });
  afterAll(async () => {
    await rm(join(out, '..'), { recursive: true, force: true });
  });

  it('refuses an invalid stage with the rule and an example, before it builds anything', async () => {
    const failure = await runPackage({ stage: 'Prod', region: 'us-east-1', params: {} }, out).then(
      () => undefined,
      (error: unknown) => error,
    );

    expect(failure).toBeInstanceOf(PackagingError);
    expect((failure as Error).message).toContain('Stage "Prod" is not valid: a stage is 1 to 8 lowercase letters or digits');
    expect((failure as Error).message).not.toMatch(/Compiling|esbuild/);
    expect(await stat(out).catch(() => undefined)).toBeUndefined();
  }, 120_000);
});

describe('serverless deploy', () => {
  const deployed = new Set(['HttpsListener', 'TenantWildcardRecord']);
  let calls: string[];
  const serverless = (resources: Record<string, unknown>): FakeServerless => ({
    service: { provider: { compiledCloudFormationTemplate: { Resources: resources } } },
    classes: { Error },
    getProvider: () => ({
      naming: { getStackName: () => 'humangov-prod' },
      getStage: () => 'prod',
      getCloudFormationClient: async () => ({
        send: async (command: unknown) => {
          const { LogicalResourceId } = (command as { input: { LogicalResourceId: string } }).input;
          calls.push(LogicalResourceId);
          if (deployed.has(LogicalResourceId)) return { StackResourceDetail: { LogicalResourceId } };
          throw Object.assign(new Error(`Resource ${LogicalResourceId} does not exist for stack humangov-prod`), { name: 'ValidationError' });
        },
      }),
    }),
  });
  const deploy = (resources: Record<string, unknown>, options: Record<string, unknown> = {}) => {
    calls = [];
    return Promise.resolve(new HumanGovPlugin(serverless(resources), options).hooks['before:deploy:deploy']!());
  };

  it('refuses to remove the HTTPS listener of a stage that has one, saying how to pin its certificate', async () => {
    await expect(deploy({ TenantWildcardRecord: {} })).rejects.toThrow(
      /Stack humangov-prod has HttpsListener, but this deploy has no certificateArn, so it would remove the HTTPS listener, and with it every tenant routing rule\. Pin the stage's certificateArn in serverless.yml \(params\.prod\.certificateArn\)/,
    );
  });

  it("refuses to remove a stage's DNS record the same way", async () => {
    await expect(deploy({ HttpsListener: {} })).rejects.toThrow(/has TenantWildcardRecord, but this deploy has no hostedZoneId/);
  });

  it('lets a deploy through when the stack never had them, when the template keeps them, or with --force', async () => {
    deployed.clear();
    await expect(deploy({})).resolves.toBeUndefined();
    expect(calls).toEqual(['HttpsListener', 'TenantWildcardRecord']);
    deployed.add('HttpsListener');

    await expect(deploy({ HttpsListener: {}, TenantWildcardRecord: {} })).resolves.toBeUndefined();
    expect(calls).toEqual([]);

    await expect(deploy({}, { force: true })).resolves.toBeUndefined();
    expect(calls).toEqual([]);
  });
});
