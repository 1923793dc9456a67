/**
 * The tenants' host-header rules on the stage's ALB listener. A rule is found again by
 * its host (or by its `humangov:tenant` tag when the domain changed), so ensuring it twice
 * makes one rule.
 *
 * Priorities: every rule on a listener needs its own (1..50000). A tenant first tries a slot
 * derived from its id, so concurrent onboardings of different tenants rarely collide, and
 * probes upward past taken ones; when CreateRule still loses a race (PriorityInUse) the
 * rules are read again and the next free slot is tried, a bounded number of times.
 *
 * Quota: an Application Load Balancer holds 100 rules by default (default rules excluded),
 * so about 100 tenants per ALB; CreateRule then fails with TooManyRules. The remedies, in
 * order: raise "Rules per Application Load Balancer" in Service Quotas (adjustable), or
 * deploy a second listener or ALB (its LISTENER_ARN / ALB_DNS_NAME are parameters of the
 * stage) and onboard further tenants through it. The error says so.
 */
import {
  CreateRuleCommand,
  DeleteRuleCommand,
  DescribeRulesCommand,
  DescribeTagsCommand,
  ListenerNotFoundException,
  ModifyRuleCommand,
  PriorityInUseException,
  RuleNotFoundException,
  TooManyRulesException,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { Action, Rule, RuleCondition, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { NotReadyError, PermanentCloudError, TransientCloudError } from '../cloud/errors.ts';
import type { Tags } from '../cloud/ports.ts';
import { TENANT_TAG_KEY } from '../tenants/names.ts';
import { translateAwsError } from './errors.ts';
import { tagList } from './tags.ts';

export const MAX_PRIORITY = 50_000;
/** CreateRule attempts before a lost priority race is left to the workflow's retry. */
export const PRIORITY_ATTEMPTS = 5;
const DESCRIBE_TAGS_BATCH = 20;

/** 32-bit FNV-1a of the UTF-8 bytes: small, stable across runtimes, well spread for short ids. */
export function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/** The slot a tenant tries first. */
export function preferredPriority(tenantId: string): number {
  return 1 + (fnv1a(tenantId) % (MAX_PRIORITY - 1));
}

/** The first priority at or after `start` (wrapping past 50000 to 1) that is not taken. */
export function nextFreePriority(start: number, taken: ReadonlySet<number>): number | undefined {
  for (let offset = 0; offset < MAX_PRIORITY; offset++) {
    const priority = ((start - 1 + offset) % MAX_PRIORITY) + 1;
    if (!taken.has(priority)) return priority;
  }
  return undefined;
}

/** The sign-in action that goes before the forward: authenticate-oidc or authenticate-cognito, resolved by the caller. */
export type AuthenticateAction = Pick<Action, 'Type' | 'AuthenticateOidcConfig' | 'AuthenticateCognitoConfig'>;

export interface RuleSpec {
  tenantId: string;
  host: string;
  targetGroupArn: string;
  tags: Tags;
  /** Present: the rule authenticates before it forwards, and a second rule lets the health check's /health through. */
  authenticate?: AuthenticateAction;
}

/** The path the control plane's verification and the app's probes use; never behind sign-in. */
export const HEALTH_PATH = '/health';

export class AlbListenerRules {
  readonly #client: ElasticLoadBalancingV2Client;
  readonly #listenerArn: string;

  constructor(client: ElasticLoadBalancingV2Client, listenerArn: string) {
    this.#client = client;
    this.#listenerArn = listenerArn;
  }

  async ensure(spec: RuleSpec): Promise<{ arn: string; priority: number }> {
    const lost = new Set<number>();
    for (let attempt = 1; ; attempt++) {
      const rules = await this.#rules();
      const existing = await this.#find(rules, spec.tenantId, spec.host);
      if (existing) return this.#bringToSpec(existing, spec);
      const taken = new Set([...lost, ...rules.flatMap((rule) => (rule.IsDefault ? [] : [Number(rule.Priority)]))]);
      const priority = nextFreePriority(preferredPriority(spec.tenantId), taken);
      if (priority === undefined) throw tooManyRules(spec.host);
      try {
        const created = await this.#client.send(
          new CreateRuleCommand({
            ListenerArn: this.#listenerArn,
            Priority: priority,
            Conditions: hostCondition(spec.host),
            Actions: ruleActions(spec),
            Tags: tagList({ ...spec.tags, [TENANT_TAG_KEY]: spec.tenantId }),
          }),
        );
        await this.#ensureHealthRule(spec, priority);
        return { arn: created.Rules?.[0]?.RuleArn ?? '', priority };
      } catch (error) {
        if (error instanceof TooManyRulesException) throw tooManyRules(spec.host, error);
        if (!(error instanceof PriorityInUseException)) throw this.#translate(error, 'elasticloadbalancing:CreateRule', spec.host);
        if (attempt >= PRIORITY_ATTEMPTS) {
          throw new TransientCloudError(`listener priorities for "${spec.host}" kept being taken by concurrent rules (${attempt} attempts); retrying later`, {
            cause: error,
          });
        }
        lost.add(priority);
      }
    }
  }

  async delete(tenantId: string, host: string): Promise<void> {
    const rules = await this.#rules();
    for (const rule of [await this.#find(rules, tenantId, host), healthRuleOf(rules, host)]) {
      if (!rule?.RuleArn) continue;
      try {
        await this.#client.send(new DeleteRuleCommand({ RuleArn: rule.RuleArn }));
      } catch (error) {
        if (error instanceof RuleNotFoundException) continue;
        throw this.#translate(error, 'elasticloadbalancing:DeleteRule', host);
      }
    }
  }

  /**
   * With sign-in, `<host>/health` gets a rule of its own that only forwards, at a priority before
   * the tenant's (lower numbers are evaluated first), so the control plane's verification through
   * the load balancer and a person's browser both reach the app's /health without signing in.
   */
  async #ensureHealthRule(spec: RuleSpec, tenantPriority: number): Promise<void> {
    if (!spec.authenticate) return;
    for (let attempt = 1; ; attempt++) {
      const rules = await this.#rules();
      const existing = healthRuleOf(rules, spec.host);
      if (existing) {
        if (forwardTarget(existing) !== spec.targetGroupArn) {
          await this.#call('elasticloadbalancing:ModifyRule', spec.host, () =>
            this.#client.send(new ModifyRuleCommand({ RuleArn: existing.RuleArn, Actions: forward(spec.targetGroupArn) })),
          );
        }
        return;
      }
      const taken = new Set(rules.flatMap((rule) => (rule.IsDefault ? [] : [Number(rule.Priority)])));
      let priority = tenantPriority - 1;
      while (priority >= 1 && taken.has(priority)) priority--;
      if (priority < 1) {
        throw new PermanentCloudError(
          `no free listener priority below ${tenantPriority} for the /health rule of "${spec.host}": offboard and onboard the tenant again to give it another slot`,
        );
      }
      try {
        await this.#client.send(
          new CreateRuleCommand({
            ListenerArn: this.#listenerArn,
            Priority: priority,
            Conditions: [...hostCondition(spec.host), { Field: 'path-pattern', PathPatternConfig: { Values: [HEALTH_PATH] } }],
            Actions: forward(spec.targetGroupArn),
            Tags: tagList({ ...spec.tags, [TENANT_TAG_KEY]: spec.tenantId }),
          }),
        );
        return;
      } catch (error) {
        if (error instanceof TooManyRulesException) throw tooManyRules(spec.host, error);
        if (!(error instanceof PriorityInUseException) || attempt >= PRIORITY_ATTEMPTS)
          throw this.#translate(error, 'elasticloadbalancing:CreateRule', spec.host);
      }
    }
  }

  async #bringToSpec(rule: Rule, spec: RuleSpec): Promise<{ arn: string; priority: number }> {
    const arn = rule.RuleArn ?? '';
    if (forwardTarget(rule) !== spec.targetGroupArn || !hostsOf(rule).includes(spec.host) || signInOf(rule) !== signInKey(spec.authenticate)) {
      try {
        await this.#client.send(new ModifyRuleCommand({ RuleArn: arn, Conditions: hostCondition(spec.host), Actions: ruleActions(spec) }));
      } catch (error) {
        if (error instanceof RuleNotFoundException)
          throw new NotReadyError(`the rule for "${spec.host}" was deleted while being updated; asking again shortly`, { cause: error });
        throw this.#translate(error, 'elasticloadbalancing:ModifyRule', spec.host);
      }
    }
    await this.#ensureHealthRule(spec, Number(rule.Priority));
    return { arn, priority: Number(rule.Priority) };
  }

  /** The tenant's rule: by host first (no extra call), else by tag (the host changed with the domain). */
  async #find(rules: Rule[], tenantId: string, host: string): Promise<Rule | undefined> {
    // The tenant's own rule, not its /health rule (the only one with a path condition).
    const candidates = rules.filter((rule) => !rule.IsDefault && rule.RuleArn && !pathsOf(rule).length);
    const byHost = candidates.find((rule) => hostsOf(rule).includes(host));
    if (byHost) return byHost;
    for (let start = 0; start < candidates.length; start += DESCRIBE_TAGS_BATCH) {
      const ResourceArns = candidates.slice(start, start + DESCRIBE_TAGS_BATCH).map((rule) => rule.RuleArn ?? '');
      const described = await this.#call('elasticloadbalancing:DescribeTags', host, () => this.#client.send(new DescribeTagsCommand({ ResourceArns })));
      const tagged = described.TagDescriptions?.find((entry) => entry.Tags?.some((tag) => tag.Key === TENANT_TAG_KEY && tag.Value === tenantId));
      if (tagged) return candidates.find((rule) => rule.RuleArn === tagged.ResourceArn);
    }
    return undefined;
  }

  async #rules(): Promise<Rule[]> {
    const rules: Rule[] = [];
    let Marker: string | undefined;
    do {
      const page = await this.#call('elasticloadbalancing:DescribeRules', 'the listener', () =>
        this.#client.send(new DescribeRulesCommand({ ListenerArn: this.#listenerArn, Marker, PageSize: 400 })),
      );
      rules.push(...(page.Rules ?? []));
      Marker = page.NextMarker;
    } while (Marker);
    return rules;
  }

  async #call<T>(action: string, host: string, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      throw this.#translate(error, action, host);
    }
  }

  #translate(error: unknown, action: string, host: string): unknown {
    if (error instanceof ListenerNotFoundException) {
      return new PermanentCloudError(`listener "${this.#listenerArn}" does not exist: check LISTENER_ARN in the function's environment`, { cause: error });
    }
    return translateAwsError(error, { action, resource: `the listener rule for "${host}"` });
  }
}

function tooManyRules(host: string, cause?: unknown): PermanentCloudError {
  return new PermanentCloudError(
    `no room for a rule for "${host}": the load balancer holds its maximum number of listener rules (100 by default, one per tenant). ` +
      `Raise "Rules per Application Load Balancer" in Service Quotas, or deploy a second ALB (or listener) and set the stage parameters LISTENER_ARN and ALB_DNS_NAME to it for further tenants`,
    { cause },
  );
}

function hostCondition(host: string): RuleCondition[] {
  return [{ Field: 'host-header', HostHeaderConfig: { Values: [host] } }];
}

function forward(TargetGroupArn: string): Action[] {
  return [{ Type: 'forward', TargetGroupArn }];
}

/** Sign-in first, then forward: an ALB runs a rule's actions by Order, and the forward must be last. */
function ruleActions(spec: RuleSpec): Action[] {
  if (!spec.authenticate) return forward(spec.targetGroupArn);
  return [
    { ...spec.authenticate, Order: 1 },
    { Type: 'forward', TargetGroupArn: spec.targetGroupArn, Order: 2 },
  ];
}

/**
 * What identifies a rule's sign-in, without its client secret (DescribeRules never returns it):
 * a rule whose key differs is modified, and with it the secret is sent again.
 */
function signInKey(action: AuthenticateAction | undefined): string {
  if (!action) return 'none';
  const oidc = action.AuthenticateOidcConfig;
  if (oidc) return ['oidc', oidc.Issuer, oidc.ClientId, oidc.AuthorizationEndpoint, oidc.TokenEndpoint, oidc.UserInfoEndpoint, oidc.Scope].join(' ');
  const cognito = action.AuthenticateCognitoConfig;
  return ['cognito', cognito?.UserPoolArn, cognito?.UserPoolClientId, cognito?.UserPoolDomain, cognito?.Scope].join(' ');
}

function signInOf(rule: Rule): string {
  return signInKey(rule.Actions?.find((action) => action.Type === 'authenticate-oidc' || action.Type === 'authenticate-cognito'));
}

function pathsOf(rule: Rule): string[] {
  return (rule.Conditions ?? [])
    .filter((condition) => condition.Field === 'path-pattern')
    .flatMap((condition) => condition.PathPatternConfig?.Values ?? condition.Values ?? []);
}

function healthRuleOf(rules: Rule[], host: string): Rule | undefined {
  return rules.find((rule) => !rule.IsDefault && hostsOf(rule).includes(host) && pathsOf(rule).length === 1 && pathsOf(rule)[0] === HEALTH_PATH);
}

function hostsOf(rule: Rule): string[] {
  return (rule.Conditions ?? [])
    .filter((condition) => condition.Field === 'host-header')
    .flatMap((condition) => condition.HostHeaderConfig?.Values ?? condition.Values ?? []);
}

function forwardTarget(rule: Rule): string | undefined {
  const action = rule.Actions?.find((candidate) => candidate.Type === 'forward');
  return action?.TargetGroupArn ?? action?.ForwardConfig?.TargetGroups?.[0]?.TargetGroupArn;
}
