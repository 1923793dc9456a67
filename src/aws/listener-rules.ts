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

export interface RuleSpec {
  tenantId: string;
  host: string;
  targetGroupArn: string;
  tags: Tags;
}

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
            Actions: forward(spec.targetGroupArn),
            Tags: tagList({ ...spec.tags, [TENANT_TAG_KEY]: spec.tenantId }),
          }),
        );
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
    const rule = await this.#find(await this.#rules(), tenantId, host);
    if (!rule?.RuleArn) return;
    try {
      await this.#client.send(new DeleteRuleCommand({ RuleArn: rule.RuleArn }));
    } catch (error) {
      if (error instanceof RuleNotFoundException) return;
      throw this.#translate(error, 'elasticloadbalancing:DeleteRule', host);
    }
  }

  async #bringToSpec(rule: Rule, spec: RuleSpec): Promise<{ arn: string; priority: number }> {
    const arn = rule.RuleArn ?? '';
    if (forwardTarget(rule) !== spec.targetGroupArn || !hostsOf(rule).includes(spec.host)) {
      try {
        await this.#client.send(new ModifyRuleCommand({ RuleArn: arn, Conditions: hostCondition(spec.host), Actions: forward(spec.targetGroupArn) }));
      } catch (error) {
        if (error instanceof RuleNotFoundException)
          throw new NotReadyError(`the rule for "${spec.host}" was deleted while being updated; asking again shortly`, { cause: error });
        throw this.#translate(error, 'elasticloadbalancing:ModifyRule', spec.host);
      }
    }
    return { arn, priority: Number(rule.Priority) };
  }

  /** The tenant's rule: by host first (no extra call), else by tag (the host changed with the domain). */
  async #find(rules: Rule[], tenantId: string, host: string): Promise<Rule | undefined> {
    const candidates = rules.filter((rule) => !rule.IsDefault && rule.RuleArn);
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

function hostsOf(rule: Rule): string[] {
  return (rule.Conditions ?? [])
    .filter((condition) => condition.Field === 'host-header')
    .flatMap((condition) => condition.HostHeaderConfig?.Values ?? condition.Values ?? []);
}

function forwardTarget(rule: Rule): string | undefined {
  const action = rule.Actions?.find((candidate) => candidate.Type === 'forward');
  return action?.TargetGroupArn ?? action?.ForwardConfig?.TargetGroups?.[0]?.TargetGroupArn;
}
