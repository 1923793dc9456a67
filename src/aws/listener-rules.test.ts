import {
  CreateRuleCommand,
  DeleteRuleCommand,
  DescribeRulesCommand,
  DescribeTagsCommand,
  ElasticLoadBalancingV2Client,
  ListenerNotFoundException,
  ModifyRuleCommand,
  PriorityInUseException,
  RuleNotFoundException,
  TooManyRulesException,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { Rule } from '@aws-sdk/client-elastic-load-balancing-v2';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from '@jest/globals';
import { PermanentCloudError, TransientCloudError } from '../cloud/errors.ts';
import { AlbListenerRules, fnv1a, nextFreePriority, preferredPriority, PRIORITY_ATTEMPTS } from './listener-rules.ts';

const elb = mockClient(ElasticLoadBalancingV2Client);
const ListenerArn = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/humangov-prod/abc/def';
const rules = new AlbListenerRules(new ElasticLoadBalancingV2Client({ region: 'us-east-1' }), ListenerArn);
const tg = (tenant: string): string => `arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/hg-prod-${tenant}/1`;
const spec = { tenantId: 'ca', host: 'ca.tenants.example.gov', targetGroupArn: tg('ca'), tags: { 'humangov:stage': 'prod' } };
const meta = { $metadata: {} };
const defaultRule: Rule = { RuleArn: `${ListenerArn}/default`, Priority: 'default', IsDefault: true, Conditions: [], Actions: [{ Type: 'fixed-response' }] };

function rule(priority: number, host: string, targetGroupArn: string): Rule {
  return {
    RuleArn: `arn:aws:elasticloadbalancing:us-east-1:123456789012:listener-rule/app/humangov-prod/abc/def/${priority}`,
    Priority: String(priority),
    IsDefault: false,
    Conditions: [{ Field: 'host-header', HostHeaderConfig: { Values: [host] } }],
    Actions: [{ Type: 'forward', TargetGroupArn: targetGroupArn }],
  };
}

afterEach(() => {
  elb.reset();
});

describe('priorities', () => {
  it('hashes with 32-bit FNV-1a', () => {
    expect(fnv1a('')).toBe(0x811c9dc5);
    expect(fnv1a('a')).toBe(0xe40c292c);
    expect(fnv1a('foobar')).toBe(0xbf9cf968);
  });

  it('gives every tenant a stable first slot within 1..49999', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z][a-z0-9-]{0,18}[a-z0-9]$/), (tenantId) => {
        const priority = preferredPriority(tenantId);
        return priority >= 1 && priority <= 49_999 && priority === preferredPriority(tenantId);
      }),
      { numRuns: 200 },
    );
  });

  it('probes upward past taken priorities and wraps from 50000 to 1', () => {
    expect(nextFreePriority(10, new Set([10, 11]))).toBe(12);
    expect(nextFreePriority(50_000, new Set([50_000]))).toBe(1);
    expect(nextFreePriority(1, new Set(Array.from({ length: 50_000 }, (_, index) => index + 1)))).toBeUndefined();
  });
});

describe('AlbListenerRules.ensure', () => {
  it('creates a host-header rule forwarding to the target group, tagged with the tenant, at its preferred priority', async () => {
    elb.on(DescribeRulesCommand).resolves({ Rules: [defaultRule] });
    elb.on(CreateRuleCommand).resolves({ Rules: [{ RuleArn: 'rule-ca' }] });

    await expect(rules.ensure(spec)).resolves.toEqual({ arn: 'rule-ca', priority: preferredPriority('ca') });

    expect(elb.commandCalls(DescribeRulesCommand)[0]?.args[0].input).toMatchObject({ ListenerArn });
    expect(elb.commandCalls(CreateRuleCommand)[0]?.args[0].input).toEqual({
      ListenerArn,
      Priority: preferredPriority('ca'),
      Conditions: [{ Field: 'host-header', HostHeaderConfig: { Values: ['ca.tenants.example.gov'] } }],
      Actions: [{ Type: 'forward', TargetGroupArn: tg('ca') }],
      Tags: [
        { Key: 'humangov:stage', Value: 'prod' },
        { Key: 'humangov:tenant', Value: 'ca' },
      ],
    });
  });

  it('skips priorities other rules hold, reading every page of rules', async () => {
    const preferred = preferredPriority('ca');
    elb
      .on(DescribeRulesCommand)
      .resolvesOnce({ Rules: [defaultRule, rule(preferred, 'tx.tenants.example.gov', tg('tx'))], NextMarker: 'next' })
      .resolvesOnce({ Rules: [rule(preferred + 1, 'ny.tenants.example.gov', tg('ny'))] });
    elb.on(DescribeTagsCommand).resolves({ TagDescriptions: [] });
    elb.on(CreateRuleCommand).resolves({ Rules: [{ RuleArn: 'rule-ca' }] });

    await expect(rules.ensure(spec)).resolves.toMatchObject({ priority: preferred + 2 });
    expect(elb.commandCalls(DescribeRulesCommand)[1]?.args[0].input).toMatchObject({ ListenerArn, Marker: 'next' });
  });

  it('after losing a priority race, reads the rules again and takes the next free priority', async () => {
    const preferred = preferredPriority('ca');
    elb
      .on(DescribeRulesCommand)
      .resolvesOnce({ Rules: [defaultRule] })
      .resolvesOnce({ Rules: [defaultRule, rule(preferred, 'tx.tenants.example.gov', tg('tx'))] });
    elb.on(DescribeTagsCommand).resolves({ TagDescriptions: [] });
    elb
      .on(CreateRuleCommand)
      .rejectsOnce(new PriorityInUseException({ message: 'Priority in use', ...meta }))
      .resolves({ Rules: [{ RuleArn: 'rule-ca' }] });

    await expect(rules.ensure(spec)).resolves.toEqual({ arn: 'rule-ca', priority: preferred + 1 });
    expect(elb.commandCalls(CreateRuleCommand).map((call) => call.args[0].input.Priority)).toEqual([preferred, preferred + 1]);
    expect(elb.commandCalls(DescribeRulesCommand)).toHaveLength(2);
  });

  it('skips a lost priority even when the re-read does not show the winner yet', async () => {
    const preferred = preferredPriority('ca');
    elb.on(DescribeRulesCommand).resolves({ Rules: [defaultRule] });
    elb
      .on(CreateRuleCommand)
      .rejectsOnce(new PriorityInUseException({ message: 'Priority in use', ...meta }))
      .resolves({ Rules: [{ RuleArn: 'rule-ca' }] });

    await expect(rules.ensure(spec)).resolves.toMatchObject({ priority: preferred + 1 });
  });

  it('gives up with TransientCloudError after a bounded number of lost races', async () => {
    elb.on(DescribeRulesCommand).resolves({ Rules: [defaultRule] });
    elb.on(CreateRuleCommand).rejects(new PriorityInUseException({ message: 'Priority in use', ...meta }));

    await expect(rules.ensure(spec)).rejects.toBeInstanceOf(TransientCloudError);
    expect(elb.commandCalls(CreateRuleCommand)).toHaveLength(PRIORITY_ATTEMPTS);
  });

  it('explains the rules-per-ALB quota and its remedies when the listener is full', async () => {
    elb.on(DescribeRulesCommand).resolves({ Rules: [defaultRule] });
    elb.on(CreateRuleCommand).rejects(new TooManyRulesException({ message: 'too many rules', ...meta }));

    const error = await rules.ensure(spec).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PermanentCloudError);
    expect((error as Error).message).toMatch(/100 by default.*Service Quotas.*second ALB/);
  });

  it('reuses the rule that already serves the host and leaves it alone when it forwards to the target group', async () => {
    elb.on(DescribeRulesCommand).resolves({ Rules: [defaultRule, rule(42, spec.host, tg('ca'))] });

    await expect(rules.ensure(spec)).resolves.toMatchObject({ priority: 42 });
    expect(elb.commandCalls(CreateRuleCommand)).toHaveLength(0);
    expect(elb.commandCalls(ModifyRuleCommand)).toHaveLength(0);
  });

  it('points the existing rule at the new target group when it differs', async () => {
    const existing = rule(42, spec.host, tg('old'));
    elb.on(DescribeRulesCommand).resolves({ Rules: [existing] });

    await rules.ensure(spec);

    expect(elb.commandCalls(ModifyRuleCommand)[0]?.args[0].input).toEqual({
      RuleArn: existing.RuleArn,
      Conditions: [{ Field: 'host-header', HostHeaderConfig: { Values: [spec.host] } }],
      Actions: [{ Type: 'forward', TargetGroupArn: tg('ca') }],
    });
  });

  it('finds the tenant rule by its tag when the host changed, and moves it to the new host', async () => {
    const existing = rule(42, 'ca.old-domain.example.gov', tg('ca'));
    elb.on(DescribeRulesCommand).resolves({ Rules: [defaultRule, existing, rule(43, 'cal.old-domain.example.gov', tg('cal'))] });
    elb.on(DescribeTagsCommand).resolves({
      TagDescriptions: [
        { ResourceArn: existing.RuleArn, Tags: [{ Key: 'humangov:tenant', Value: 'ca' }] },
        { ResourceArn: 'other', Tags: [{ Key: 'humangov:tenant', Value: 'cal' }] },
      ],
    });

    await expect(rules.ensure(spec)).resolves.toEqual({ arn: existing.RuleArn, priority: 42 });
    expect(elb.commandCalls(DescribeTagsCommand)[0]?.args[0].input.ResourceArns).toHaveLength(2);
    expect(elb.commandCalls(ModifyRuleCommand)[0]?.args[0].input.Conditions).toEqual([{ Field: 'host-header', HostHeaderConfig: { Values: [spec.host] } }]);
    expect(elb.commandCalls(CreateRuleCommand)).toHaveLength(0);
  });

  it('names LISTENER_ARN when the listener does not exist', async () => {
    elb.on(DescribeRulesCommand).rejects(new ListenerNotFoundException({ message: 'not found', ...meta }));

    await expect(rules.ensure(spec)).rejects.toThrow(/LISTENER_ARN/);
  });
});

describe('AlbListenerRules.delete', () => {
  it('deletes the tenant rule', async () => {
    const existing = rule(42, spec.host, tg('ca'));
    elb.on(DescribeRulesCommand).resolves({ Rules: [defaultRule, existing] });

    await rules.delete('ca', spec.host);

    expect(elb.commandCalls(DeleteRuleCommand)[0]?.args[0].input).toEqual({ RuleArn: existing.RuleArn });
  });

  it('does nothing when the tenant has no rule, and never touches the default rule', async () => {
    elb.on(DescribeRulesCommand).resolves({ Rules: [defaultRule] });

    await rules.delete('ca', spec.host);
    expect(elb.commandCalls(DeleteRuleCommand)).toHaveLength(0);
  });

  it('treats a rule deleted meanwhile as deleted', async () => {
    elb.on(DescribeRulesCommand).resolves({ Rules: [rule(42, spec.host, tg('ca'))] });
    elb.on(DeleteRuleCommand).rejects(new RuleNotFoundException({ message: 'gone', ...meta }));

    await expect(rules.delete('ca', spec.host)).resolves.toBeUndefined();
  });
});

describe('AlbListenerRules with sign-in', () => {
  const authenticate = {
    Type: 'authenticate-cognito' as const,
    AuthenticateCognitoConfig: { UserPoolArn: 'arn:aws:cognito-idp:us-east-1:123456789012:userpool/p', UserPoolClientId: 'c', UserPoolDomain: 'd' },
  };
  const signedSpec = { ...spec, authenticate };
  const healthRule = (priority: number): Rule => ({
    ...rule(priority, spec.host, tg('ca')),
    Conditions: [
      { Field: 'host-header', HostHeaderConfig: { Values: [spec.host] } },
      { Field: 'path-pattern', PathPatternConfig: { Values: ['/health'] } },
    ],
  });

  it('authenticates before it forwards, and lets /health through on a rule of its own evaluated first', async () => {
    const preferred = preferredPriority('ca');
    elb
      .on(DescribeRulesCommand)
      .resolvesOnce({ Rules: [defaultRule] })
      .resolves({ Rules: [defaultRule, rule(preferred, spec.host, tg('ca'))] });
    elb.on(CreateRuleCommand).resolves({ Rules: [{ RuleArn: 'rule-ca' }] });

    await rules.ensure(signedSpec);

    const [tenantRule, health] = elb.commandCalls(CreateRuleCommand).map((call) => call.args[0].input);
    expect(tenantRule?.Actions).toEqual([
      { ...authenticate, Order: 1 },
      { Type: 'forward', TargetGroupArn: tg('ca'), Order: 2 },
    ]);
    expect(health).toMatchObject({
      Priority: preferred - 1,
      Conditions: [
        { Field: 'host-header', HostHeaderConfig: { Values: [spec.host] } },
        { Field: 'path-pattern', PathPatternConfig: { Values: ['/health'] } },
      ],
      Actions: [{ Type: 'forward', TargetGroupArn: tg('ca') }],
    });
  });

  it('puts sign-in on a rule that forwards without it, and makes nothing twice', async () => {
    elb.on(DescribeRulesCommand).resolves({ Rules: [defaultRule, rule(42, spec.host, tg('ca')), healthRule(41)] });

    await rules.ensure(signedSpec);

    expect(elb.commandCalls(ModifyRuleCommand).map((call) => call.args[0].input.Actions)).toEqual([
      [
        { ...authenticate, Order: 1 },
        { Type: 'forward', TargetGroupArn: tg('ca'), Order: 2 },
      ],
    ]);
    expect(elb.commandCalls(CreateRuleCommand)).toHaveLength(0);
  });

  it('deletes the /health rule with the tenant rule', async () => {
    elb.on(DescribeRulesCommand).resolves({ Rules: [defaultRule, rule(42, spec.host, tg('ca')), healthRule(41)] });

    await rules.delete('ca', spec.host);

    expect(elb.commandCalls(DeleteRuleCommand).map((call) => call.args[0].input.RuleArn)).toEqual([
      rule(42, spec.host, tg('ca')).RuleArn,
      healthRule(41).RuleArn,
    ]);
  });
});
