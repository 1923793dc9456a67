/**
 * Elastic Load Balancing (v2) as its API reference documents it, behind a mocked client
 * (https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/):
 * - CreateTargetGroup answers ValidationError for a name that is not 1 to 32 letters, digits or
 *   hyphens (not starting or ending with a hyphen), the existing group again for the same name and
 *   settings, DuplicateTargetGroupName for the same name with other settings (API_CreateTargetGroup.html);
 * - DescribeTargetGroups by name, ModifyTargetGroup(Attributes) and DescribeTargetHealth answer
 *   TargetGroupNotFound for a missing group;
 * - DeleteTargetGroup answers ResourceInUse while a rule forwards to the group (API_DeleteTargetGroup.html);
 * - CreateRule answers PriorityInUse for a taken priority (API_CreateRule.html); DeleteRule and
 *   ModifyRule answer RuleNotFound for a missing rule; DescribeRules lists the default rule too;
 * - the ALB routes a request by its Host header to the first matching rule, else to the
 *   listener's default action (here a fixed 404), and answers 503 when a group has no healthy target;
 * - throttling is the error code "Throttling" (https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/CommonErrors.html).
 */
import {
  AddTagsCommand,
  CreateRuleCommand,
  CreateTargetGroupCommand,
  DeleteRuleCommand,
  DeleteTargetGroupCommand,
  DescribeRulesCommand,
  DescribeTagsCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  DuplicateTargetGroupNameException,
  ElasticLoadBalancingV2Client,
  ElasticLoadBalancingV2ServiceException,
  ModifyRuleCommand,
  ModifyTargetGroupAttributesCommand,
  ModifyTargetGroupCommand,
  PriorityInUseException,
  ResourceInUseException,
  RuleNotFoundException,
  TargetGroupNotFoundException,
  type Action,
  type RuleCondition,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { mockClient } from 'aws-sdk-client-mock';
import type { HttpGet } from '../../../src/aws/health-probe.ts';

const $metadata = {};
const PREFIX = 'arn:aws:elasticloadbalancing:us-east-1:123456789012';
export const LISTENER_ARN = `${PREFIX}:listener/app/humangov-test/50dc6c495c0c9188/f2f7dc8efc522ab2`;

interface ModelGroup {
  arn: string;
  settings: string;
  tags: Record<string, string>;
}

interface ModelRule {
  arn: string;
  priority: number;
  conditions: RuleCondition[];
  actions: Action[];
  tags: Record<string, string>;
}

const tagsOf = (tags: { Key?: string; Value?: string }[] | undefined) => Object.fromEntries((tags ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));

export class ElbModel {
  readonly client = new ElasticLoadBalancingV2Client({ region: 'us-east-1' });
  readonly groups = new Map<string, ModelGroup>();
  readonly rules: ModelRule[] = [];
  #seq = 0;

  constructor(options: { throttling?: boolean } = {}) {
    const mock = mockClient(this.client);
    if (options.throttling) {
      mock.onAnyCommand().rejects(new ElasticLoadBalancingV2ServiceException({ name: 'Throttling', $fault: 'client', message: 'Rate exceeded', $metadata }));
      return;
    }
    mock.on(CreateTargetGroupCommand).callsFake((input) => {
      const name = input.Name ?? '';
      if (!/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,30}[A-Za-z0-9])?$/.test(name)) {
        throw new ElasticLoadBalancingV2ServiceException({
          name: 'ValidationError',
          $fault: 'client',
          message: `Target group name '${name}' is not valid`,
          $metadata,
        });
      }
      const { Tags: _tags, ...rest } = input;
      const settings = JSON.stringify(rest);
      const existing = this.groups.get(name);
      if (existing && existing.settings !== settings)
        throw new DuplicateTargetGroupNameException({ message: 'A target group with the same name exists', $metadata });
      const group = existing ?? { arn: `${PREFIX}:targetgroup/${name}/${(++this.#seq).toString(16).padStart(16, '0')}`, settings, tags: tagsOf(input.Tags) };
      this.groups.set(name, group);
      return { TargetGroups: [{ TargetGroupName: name, TargetGroupArn: group.arn }] };
    });
    mock.on(DescribeTargetGroupsCommand).callsFake((input) => ({
      TargetGroups: (input.Names ?? []).map((name: string) => {
        const group = this.#group(name);
        return { TargetGroupName: name, TargetGroupArn: group.arn, ...(JSON.parse(group.settings) as object) };
      }),
    }));
    mock.on(ModifyTargetGroupCommand).callsFake((input) => ({ TargetGroups: [{ TargetGroupArn: this.#groupByArn(input.TargetGroupArn).arn }] }));
    mock.on(ModifyTargetGroupAttributesCommand).callsFake((input) => {
      this.#groupByArn(input.TargetGroupArn);
      return { Attributes: input.Attributes };
    });
    mock.on(DescribeTargetHealthCommand).callsFake((input) => {
      this.#groupByArn(input.TargetGroupArn);
      return { TargetHealthDescriptions: [] };
    });
    mock.on(DeleteTargetGroupCommand).callsFake((input) => {
      const group = this.#groupByArn(input.TargetGroupArn);
      if (this.rules.some((rule) => rule.actions.some((a) => a.TargetGroupArn === group.arn))) {
        throw new ResourceInUseException({ message: `Target group '${group.arn}' is currently in use by a listener or a rule`, $metadata });
      }
      for (const [name, g] of this.groups) if (g === group) this.groups.delete(name);
      return {};
    });
    mock.on(AddTagsCommand).callsFake((input) => {
      for (const arn of input.ResourceArns ?? []) {
        const target = this.rules.find((r) => r.arn === arn) ?? this.#groupByArn(arn);
        Object.assign(target.tags, tagsOf(input.Tags));
      }
      return {};
    });
    mock.on(DescribeRulesCommand).callsFake(() => ({
      Rules: [
        { RuleArn: `${PREFIX}:listener-rule/app/humangov-test/default`, Priority: 'default', IsDefault: true, Conditions: [], Actions: [] },
        ...this.rules.map((r) => ({ RuleArn: r.arn, Priority: String(r.priority), IsDefault: false, Conditions: r.conditions, Actions: r.actions })),
      ],
    }));
    mock.on(DescribeTagsCommand).callsFake((input) => ({
      TagDescriptions: (input.ResourceArns ?? []).map((arn: string) => ({
        ResourceArn: arn,
        Tags: Object.entries(this.rules.find((r) => r.arn === arn)?.tags ?? {}).map(([Key, Value]) => ({ Key, Value })),
      })),
    }));
    mock.on(CreateRuleCommand).callsFake((input) => {
      if (this.rules.some((r) => r.priority === input.Priority))
        throw new PriorityInUseException({ message: `Priority '${input.Priority}' is currently in use`, $metadata });
      for (const action of input.Actions ?? []) this.#groupByArn(action.TargetGroupArn);
      const rule: ModelRule = {
        arn: `${PREFIX}:listener-rule/app/humangov-test/${(++this.#seq).toString(16).padStart(16, '0')}`,
        priority: input.Priority ?? 0,
        conditions: input.Conditions ?? [],
        actions: input.Actions ?? [],
        tags: tagsOf(input.Tags),
      };
      this.rules.push(rule);
      return { Rules: [{ RuleArn: rule.arn, Priority: String(rule.priority) }] };
    });
    mock.on(ModifyRuleCommand).callsFake((input) => {
      const rule = this.#rule(input.RuleArn);
      rule.conditions = input.Conditions ?? rule.conditions;
      rule.actions = input.Actions ?? rule.actions;
      return { Rules: [{ RuleArn: rule.arn }] };
    });
    mock.on(DeleteRuleCommand).callsFake((input) => {
      this.rules.splice(this.rules.indexOf(this.#rule(input.RuleArn)), 1);
      return {};
    });
  }

  /** GET through the ALB: the first rule (by priority) matching the Host header, else the default action's fixed 404. */
  readonly httpGet: HttpGet = async ({ host }) => {
    const rule = [...this.rules]
      .sort((a, b) => a.priority - b.priority)
      .find((r) => r.conditions.some((c) => c.Field === 'host-header' && (c.HostHeaderConfig?.Values ?? []).includes(host)));
    if (!rule) return { status: 404, body: 'Not Found' };
    return { status: 503, body: '<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>' };
  };

  #group(name: string): ModelGroup {
    const group = this.groups.get(name);
    if (!group) throw new TargetGroupNotFoundException({ message: `One or more target groups not found`, $metadata });
    return group;
  }

  #groupByArn(arn: string | undefined): ModelGroup {
    const group = [...this.groups.values()].find((g) => g.arn === arn);
    if (!group) throw new TargetGroupNotFoundException({ message: `Target groups '${arn}' not found`, $metadata });
    return group;
  }

  #rule(arn: string | undefined): ModelRule {
    const rule = this.rules.find((r) => r.arn === arn);
    if (!rule) throw new RuleNotFoundException({ message: `One or more rules not found`, $metadata });
    return rule;
  }
}
