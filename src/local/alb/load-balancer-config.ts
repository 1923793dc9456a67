import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { ListenerSignIn, Tags } from '../../cloud/ports.ts';
import { arnOf } from '../../cloud/arn.ts';
import { NotReadyError, PermanentCloudError } from '../../cloud/errors.ts';
import { JsonStore } from '../json-store.ts';
import { localPaths } from '../settings.ts';
import type { TargetAddress } from './targets.ts';

export interface TargetGroupRecord {
  name: string;
  arn: string;
  tags: Tags;
  createdAt: string;
  /** Registered targets by id. Health is not kept: after a restart every target starts `initial` again. */
  targets: Record<string, Omit<TargetAddress, 'id'>>;
}

export interface ListenerRuleRecord {
  arn: string;
  tenantId: string;
  host: string;
  priority: number;
  targetGroupArn: string;
  tags: Tags;
  /** The rule's authenticate action: which IdP and client sign people in before it forwards. */
  signIn?: ListenerSignIn;
}

interface LoadBalancerDoc {
  /** Random parts of the load balancer's and listener's ARNs, fixed once per home. */
  loadBalancerId: string;
  listenerId: string;
  targetGroups: Record<string, TargetGroupRecord>;
  rules: Record<string, ListenerRuleRecord>;
}

/** ALB's limits on listener rule priorities. */
const MAX_PRIORITY = 50_000;
/**
 * Rules per Application Load Balancer, default rules not counted: 100 unless raised in Service Quotas.
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-limits.html
 */
export const DEFAULT_MAX_RULES = 100;
const TARGET_GROUP_NAME = /^(?!-)[A-Za-z0-9-]{1,32}(?<!-)$/;

/**
 * A host-header condition value: at most 128 characters, at least one ".", only
 * letters after the last one; `*` and `?` are wildcards.
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_HostHeaderConditionConfig.html
 */
export function checkHostCondition(value: string): void {
  if (value.length === 0 || value.length > 128 || !value.includes('.') || !/\.[A-Za-z*?]+$/.test(value)) {
    throw new PermanentCloudError(
      `"${value}" is not a host-header condition an ALB accepts: at most 128 characters, at least one ".", and only letters after the last "."`,
    );
  }
}

/** Host-header conditions as regular expressions, built once each. */
const compiled = new Map<string, RegExp>();

/**
 * Whether a request's host name satisfies a host-header condition value: compared
 * without regard to case, `*` matching any run of characters and `?` exactly one.
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_HostHeaderConditionConfig.html
 */
export function hostMatches(condition: string, hostname: string): boolean {
  let pattern = compiled.get(condition);
  if (!pattern) {
    const source = [...condition].map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&'))).join('');
    pattern = new RegExp(`^${source}$`, 'i');
    compiled.set(condition, pattern);
  }
  return pattern.test(hostname);
}

const hex = (bytes: number) => randomBytes(bytes).toString('hex');

/**
 * The load balancer's configuration (target groups, listener rules and the
 * targets registered in them), kept in memory and written through to
 * `<home>/state/load-balancer.json` after every change so a restart knows it.
 * Mutations happen synchronously before the write, so concurrent `ensure*`
 * calls for one name never create two of anything.
 */
export class LoadBalancerConfig {
  readonly #store: JsonStore<LoadBalancerDoc>;
  readonly #path: string;
  readonly #arnPrefix: string;
  #doc: LoadBalancerDoc = { loadBalancerId: hex(8), listenerId: hex(8), targetGroups: {}, rules: {} };

  readonly #maxRules: number;

  constructor(options: { home: string; region: string; accountId: string; maxRules?: number }) {
    this.#maxRules = options.maxRules ?? DEFAULT_MAX_RULES;
    this.#path = join(localPaths(options.home).state, 'load-balancer.json');
    this.#store = new JsonStore(this.#path, () => this.#doc);
    // Everything up to the resource part; each ARN below appends ":<resource>".
    this.#arnPrefix = arnOf({ service: 'elasticloadbalancing', region: options.region, accountId: options.accountId, resource: '' }).replace(/:$/, '');
  }

  async load(): Promise<void> {
    try {
      this.#doc = await this.#store.read();
    } catch (error) {
      throw new PermanentCloudError(`cannot read the load balancer's state ${this.#path}; repair or delete it (onboarding recreates target groups and rules)`, {
        cause: error,
      });
    }
  }

  #lastSave: Promise<unknown> = Promise.resolve();

  /** Writes the configuration through; the changes of one moment share a write (JsonStore.persist). */
  save(): Promise<void> {
    const saving = this.#store.persist(() => this.#doc);
    this.#lastSave = saving.catch(() => undefined);
    return saving;
  }

  /** Resolves once every save issued so far is on disk (or has failed). */
  async saved(): Promise<void> {
    await this.#lastSave;
  }

  get loadBalancerArn(): string {
    return `${this.#arnPrefix}:loadbalancer/app/humangov-local/${this.#doc.loadBalancerId}`;
  }

  targetGroups(): TargetGroupRecord[] {
    return Object.values(this.#doc.targetGroups);
  }

  targetGroupByArn(arn: string): TargetGroupRecord | undefined {
    return this.targetGroups().find((group) => group.arn === arn);
  }

  /**
   * The rule that serves `hostname`: rules are evaluated from the lowest priority
   * value up, and the first whose condition matches wins.
   * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-listeners.html#listener-rule-priority
   */
  ruleForHost(hostname: string): ListenerRuleRecord | undefined {
    let best: ListenerRuleRecord | undefined;
    for (const rule of Object.values(this.#doc.rules)) {
      if (hostMatches(rule.host, hostname) && (best === undefined || rule.priority < best.priority)) best = rule;
    }
    return best;
  }

  ensureTargetGroup(name: string, tags: Tags): TargetGroupRecord {
    if (!TARGET_GROUP_NAME.test(name)) {
      throw new PermanentCloudError(`target group name "${name}" must be 1 to 32 letters, digits or hyphens, not starting or ending with a hyphen`);
    }
    const existing = this.#doc.targetGroups[name];
    if (existing) {
      existing.tags = { ...existing.tags, ...tags };
      return existing;
    }
    const created: TargetGroupRecord = {
      name,
      arn: `${this.#arnPrefix}:targetgroup/${name}/${hex(8)}`,
      tags: { ...tags },
      createdAt: new Date().toISOString(),
      targets: {},
    };
    this.#doc.targetGroups[name] = created;
    return created;
  }

  ensureListenerRule(spec: { tenantId: string; host: string; targetGroupArn: string; tags: Tags; signIn?: ListenerSignIn }): ListenerRuleRecord {
    if (!this.targetGroupByArn(spec.targetGroupArn)) {
      throw new PermanentCloudError(`target group ${spec.targetGroupArn} does not exist; ensure the target group before the listener rule`);
    }
    checkHostCondition(spec.host);
    const host = spec.host.toLowerCase();
    const existing = this.#doc.rules[spec.tenantId];
    if (existing) {
      Object.assign(existing, { host, targetGroupArn: spec.targetGroupArn, tags: { ...existing.tags, ...spec.tags } });
      if (spec.signIn) existing.signIn = structuredClone(spec.signIn);
      else delete existing.signIn;
      return existing;
    }
    if (Object.keys(this.#doc.rules).length >= this.#maxRules) {
      throw new PermanentCloudError(
        `no room for a rule for "${host}": the load balancer holds ${this.#maxRules} listener rules, an ALB's quota (one per tenant); offboard a tenant first, as on AWS you would raise the quota or add a load balancer`,
      );
    }
    const rule: ListenerRuleRecord = {
      arn: `${this.#arnPrefix}:listener-rule/app/humangov-local/${this.#doc.loadBalancerId}/${this.#doc.listenerId}/${hex(8)}`,
      tenantId: spec.tenantId,
      host,
      priority: this.#freePriority(),
      targetGroupArn: spec.targetGroupArn,
      tags: { ...spec.tags },
      ...(spec.signIn ? { signIn: structuredClone(spec.signIn) } : {}),
    };
    this.#doc.rules[spec.tenantId] = rule;
    return rule;
  }

  /** The lowest priority no rule holds, so a deleted tenant's slot is reused. */
  #freePriority(): number {
    const taken = new Set(Object.values(this.#doc.rules).map((rule) => rule.priority));
    for (let priority = 1; priority <= MAX_PRIORITY; priority += 1) if (!taken.has(priority)) return priority;
    throw new PermanentCloudError(`the listener already has ${MAX_PRIORITY} rules, the most an ALB listener allows; offboard a tenant first`);
  }

  deleteListenerRule(tenantId: string): boolean {
    if (!this.#doc.rules[tenantId]) return false;
    delete this.#doc.rules[tenantId];
    return true;
  }

  /** Removes the group and returns it (its targets are the caller's to stop), or undefined when there was none. */
  deleteTargetGroup(name: string): TargetGroupRecord | undefined {
    const group = this.#doc.targetGroups[name];
    if (!group) return undefined;
    const user = Object.values(this.#doc.rules).find((rule) => rule.targetGroupArn === group.arn);
    if (user) {
      throw new NotReadyError(`target group "${name}" is still used by the listener rule of tenant "${user.tenantId}" (${user.arn}); delete that rule first`);
    }
    delete this.#doc.targetGroups[name];
    return group;
  }

  /** Records a target; throws when the group is unknown, since an ALB refuses that too. */
  putTarget(targetGroupArn: string, address: TargetAddress): void {
    const group = this.targetGroupByArn(targetGroupArn);
    if (!group) throw new PermanentCloudError(`cannot register target ${address.id}: target group ${targetGroupArn} does not exist`);
    const { id, ...rest } = address;
    group.targets[id] = rest;
  }

  removeTarget(targetGroupArn: string, id: string): void {
    const group = this.targetGroupByArn(targetGroupArn);
    if (group) delete group.targets[id];
  }
}
