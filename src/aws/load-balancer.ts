/**
 * LoadBalancerPort on the stage's Application Load Balancer: one target group per tenant
 * (ECS registers the task IPs in it), one host-header rule per tenant (listener-rules.ts),
 * and a probe that asks the tenant's /health through the ALB.
 */
import {
  AddTagsCommand,
  CreateTargetGroupCommand,
  DeleteTargetGroupCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  DuplicateTargetGroupNameException,
  ElasticLoadBalancingV2Client,
  ModifyTargetGroupAttributesCommand,
  ModifyTargetGroupCommand,
  ResourceInUseException,
  TargetGroupNotFoundException,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { TargetGroup } from '@aws-sdk/client-elastic-load-balancing-v2';
import { NotReadyError, PermanentCloudError, TransientCloudError } from '../cloud/errors.ts';
import type { HealthProbe, ListenerRuleSpec, LoadBalancerPort, TargetGroupSpec, TargetHealth, TargetHealthState } from '../cloud/ports.ts';
import type { ListenerSignInResolver } from './listener-sign-in.ts';
import { translateAwsError } from './errors.ts';
import { nodeHttpGet } from './health-probe.ts';
import type { HttpGet } from './health-probe.ts';
import { AlbListenerRules } from './listener-rules.ts';
import { tagList } from './tags.ts';
import { awsClient } from './clients.ts';

export const PROBE_TIMEOUT_MS = 5000;

/**
 * Health check: every 10 s, healthy after 2 passes (a new task takes traffic within ~20 s),
 * unhealthy after 3 failures. Only 200 counts: /health answers 503 while the app is not ready.
 */
export const HEALTH_CHECK = {
  HealthCheckEnabled: true,
  HealthCheckProtocol: 'HTTP',
  HealthCheckPath: '/health',
  HealthCheckIntervalSeconds: 10,
  HealthCheckTimeoutSeconds: 5,
  HealthyThresholdCount: 2,
  UnhealthyThresholdCount: 3,
  Matcher: { HttpCode: '200' },
} as const;

export interface AlbLoadBalancerOptions {
  client?: ElasticLoadBalancingV2Client;
  region: string;
  vpcId: string;
  listenerArn: string;
  tenantDomain: string;
  albDnsName: string;
  endpointScheme: 'http' | 'https';
  containerPort: number;
  /** Replaces the real HTTP request in tests. */
  httpGet?: HttpGet;
  /** Resolves a rule's sign-in into its authenticate action; without it, a rule that asks for sign-in is refused. */
  signIn?: ListenerSignInResolver;
}

export class AlbLoadBalancer implements LoadBalancerPort {
  readonly #client: ElasticLoadBalancingV2Client;
  readonly #options: AlbLoadBalancerOptions;
  readonly #rules: AlbListenerRules;
  readonly #httpGet: HttpGet;

  constructor(options: AlbLoadBalancerOptions) {
    this.#client = options.client ?? awsClient(ElasticLoadBalancingV2Client, { region: options.region });
    this.#options = options;
    this.#rules = new AlbListenerRules(this.#client, options.listenerArn);
    this.#httpGet = options.httpGet ?? nodeHttpGet;
  }

  async ensureTargetGroup(spec: TargetGroupSpec): Promise<{ arn: string }> {
    const arn = (await this.#createTargetGroup(spec)) ?? (await this.#reuseTargetGroup(spec));
    // 30 s instead of 300: the app finishes in-flight requests in well under that, and deploys go faster.
    await this.#call('elasticloadbalancing:ModifyTargetGroupAttributes', spec.name, () =>
      this.#client.send(
        new ModifyTargetGroupAttributesCommand({ TargetGroupArn: arn, Attributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: '30' }] }),
      ),
    );
    return { arn };
  }

  async ensureListenerRule(spec: ListenerRuleSpec): Promise<{ arn: string; priority: number }> {
    const { signIn, ...rule } = spec;
    if (!signIn) return this.#rules.ensure(rule);
    // An ALB authenticates only on an HTTPS listener (API_Action: authenticate-oidc / authenticate-cognito).
    if (this.#options.endpointScheme !== 'https' || !this.#options.signIn) {
      throw new PermanentCloudError(
        `tenant "${spec.tenantId}" must sign staff in, but this stage's listener is not HTTPS: deploy the stage with a certificate (certificateArn or hostedZoneId)`,
      );
    }
    return this.#rules.ensure({ ...rule, authenticate: await this.#options.signIn.action(spec.tenantId, signIn) });
  }

  async describeTargetHealth(targetGroupArn: string): Promise<TargetHealth[]> {
    const described = await this.#call('elasticloadbalancing:DescribeTargetHealth', targetGroupArn, () =>
      this.#client.send(new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn })),
    );
    return (described.TargetHealthDescriptions ?? []).map((entry) => ({
      id: entry.Target?.Id ?? '',
      port: entry.Target?.Port ?? 0,
      zone: entry.Target?.AvailabilityZone ?? '',
      state: (entry.TargetHealth?.State ?? 'unavailable') as TargetHealthState,
      ...(entry.TargetHealth?.Reason ? { reason: entry.TargetHealth.Reason } : {}),
    }));
  }

  deleteListenerRule(tenantId: string): Promise<void> {
    return this.#rules.delete(tenantId, this.hostFor(tenantId));
  }

  /** ECS deregisters the targets when the service goes; here only the group itself is deleted. */
  async deleteTargetGroup(name: string): Promise<void> {
    try {
      const found = await this.#client.send(new DescribeTargetGroupsCommand({ Names: [name] }));
      for (const group of found.TargetGroups ?? []) {
        await this.#client.send(new DeleteTargetGroupCommand({ TargetGroupArn: group.TargetGroupArn }));
      }
    } catch (error) {
      if (error instanceof TargetGroupNotFoundException) return;
      // Still referenced by a listener rule or a service that is draining.
      if (error instanceof ResourceInUseException) throw new NotReadyError(`target group "${name}" is still in use; deleting again shortly`, { cause: error });
      throw translateAwsError(error, { action: 'elasticloadbalancing:DeleteTargetGroup', resource: `target group "${name}"` });
    }
  }

  hostFor(tenantId: string): string {
    return `${tenantId}.${this.#options.tenantDomain}`;
  }

  endpointFor(tenantId: string): string {
    return `${this.#options.endpointScheme}://${this.hostFor(tenantId)}`;
  }

  async probeHealth(tenantId: string): Promise<HealthProbe> {
    const host = this.hostFor(tenantId);
    const url = `${this.#options.endpointScheme}://${this.#options.albDnsName}/health`;
    try {
      const { status, body } = await this.#httpGet({ url, host, timeoutMs: PROBE_TIMEOUT_MS });
      return { status, body: parseJson(body) };
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new TransientCloudError(`GET /health of "${host}" through ${this.#options.albDnsName} failed: ${reason}`, { cause: error });
    }
  }

  /** The new group's ARN, or undefined when a group of that name exists with other settings. */
  async #createTargetGroup(spec: TargetGroupSpec): Promise<string | undefined> {
    try {
      // Idempotent: the same name with the same settings returns the existing group.
      const created = await this.#client.send(
        new CreateTargetGroupCommand({
          Name: spec.name,
          Protocol: 'HTTP',
          ProtocolVersion: 'HTTP1',
          Port: this.#options.containerPort,
          TargetType: 'ip',
          VpcId: this.#options.vpcId,
          ...HEALTH_CHECK,
          Tags: tagList(spec.tags),
        }),
      );
      return created.TargetGroups?.[0]?.TargetGroupArn;
    } catch (error) {
      if (error instanceof DuplicateTargetGroupNameException) return undefined;
      throw translateAwsError(error, { action: 'elasticloadbalancing:CreateTargetGroup', resource: `target group "${spec.name}"` });
    }
  }

  /** A group of that name with other settings: fix what can be modified, refuse what cannot. */
  async #reuseTargetGroup(spec: TargetGroupSpec): Promise<string> {
    return this.#call('elasticloadbalancing:ModifyTargetGroup', spec.name, async () => {
      const group: TargetGroup | undefined = (await this.#client.send(new DescribeTargetGroupsCommand({ Names: [spec.name] }))).TargetGroups?.[0];
      const arn = group?.TargetGroupArn;
      if (!arn) throw new NotReadyError(`target group "${spec.name}" was deleted while being ensured; asking again shortly`);
      if (group.VpcId !== this.#options.vpcId || group.Port !== this.#options.containerPort || group.TargetType !== 'ip' || group.Protocol !== 'HTTP') {
        throw new PermanentCloudError(
          `target group "${spec.name}" exists with settings that cannot be changed (VPC ${group.VpcId}, port ${group.Port}, type ${group.TargetType}, ${group.Protocol}); ` +
            `delete it (it is recreated with VPC ${this.#options.vpcId}, port ${this.#options.containerPort}, type ip, HTTP)`,
        );
      }
      await this.#client.send(new ModifyTargetGroupCommand({ TargetGroupArn: arn, ...HEALTH_CHECK }));
      if (Object.keys(spec.tags).length > 0) await this.#client.send(new AddTagsCommand({ ResourceArns: [arn], Tags: tagList(spec.tags) }));
      return arn;
    });
  }

  async #call<T>(action: string, resource: string, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      if (error instanceof TargetGroupNotFoundException) {
        throw new NotReadyError(`target group "${resource}" is not visible (deleted meanwhile, or not yet consistent); asking again shortly`, { cause: error });
      }
      throw translateAwsError(error, { action, resource: `target group "${resource}"` });
    }
  }
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return body;
  }
}
