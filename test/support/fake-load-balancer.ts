/**
 * The ALB in memory. Targets are not stored: they are derived from the ECS
 * service behind each target group (one per running task of each live
 * deployment, zones alternating), so a rollout or a deletion shows up in
 * target health and in GET /health exactly as it would through a real ALB.
 * `unhealthyFor` scripts the next K describeTargetHealth calls of a target
 * group to report its targets unhealthy (tasks not yet passing health checks).
 */
import { NotReadyError, PermanentCloudError } from '../../src/cloud/errors.ts';
import type { HealthProbe, LoadBalancerPort, Platform, TargetGroupSpec, TargetHealth, Tags } from '../../src/cloud/ports.ts';
import type { FakeCompute, FakeService } from './fake-compute.ts';
import type { FakeScript } from './fake-script.ts';

export interface FakeTargetGroup {
  name: string;
  arn: string;
  tags: Tags;
}

export interface FakeListenerRule {
  tenantId: string;
  host: string;
  targetGroupArn: string;
  arn: string;
  priority: number;
  tags: Tags;
}

export interface FakeLoadBalancerOptions {
  /** Zones tasks are placed in, round robin (default us-east-1a, us-east-1b). */
  zones?: string[];
  /** Domain tenants are served under (default humangov.test). */
  domain?: string;
}

export class FakeLoadBalancer implements LoadBalancerPort {
  readonly targetGroups = new Map<string, FakeTargetGroup>();
  readonly listenerRules = new Map<string, FakeListenerRule>();
  zones: string[];
  readonly #script: FakeScript;
  readonly #compute: FakeCompute;
  readonly #platform: Platform;
  readonly #domain: string;
  readonly #unhealthy = new Map<string, { polls: number; reason: string }>();

  constructor(script: FakeScript, compute: FakeCompute, platform: Platform, options: FakeLoadBalancerOptions = {}) {
    this.#script = script;
    this.#compute = compute;
    this.#platform = platform;
    this.zones = options.zones ?? ['us-east-1a', 'us-east-1b'];
    this.#domain = options.domain ?? 'humangov.test';
  }

  /** The next `polls` describeTargetHealth calls of the target group (by name) report every target unhealthy. */
  unhealthyFor(targetGroupName: string, polls: number, reason = 'Health checks failed with these codes: [503]'): void {
    this.#unhealthy.set(targetGroupName, { polls, reason });
  }

  ensureTargetGroup(spec: TargetGroupSpec): Promise<{ arn: string }> {
    return this.#script.run('loadBalancer.ensureTargetGroup', [spec], () => {
      // ELB refuses other names (ValidationError): https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateTargetGroup.html
      if (!/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,30}[A-Za-z0-9])?$/.test(spec.name)) {
        throw new PermanentCloudError(`target group name "${spec.name}" must be 1 to 32 letters, digits or hyphens, not starting or ending with a hyphen`);
      }
      let group = this.targetGroups.get(spec.name);
      if (!group) {
        const arn = `arn:aws:elasticloadbalancing:${this.#platform.region}:${this.#platform.accountId}:targetgroup/${spec.name}/${hex(spec.name)}`;
        group = { name: spec.name, arn, tags: { ...spec.tags } };
        this.targetGroups.set(spec.name, group);
        this.#script.created.targetGroup++;
      }
      group.tags = { ...spec.tags };
      return { arn: group.arn };
    });
  }

  ensureListenerRule(spec: { tenantId: string; host: string; targetGroupArn: string; tags: Tags }): Promise<{ arn: string; priority: number }> {
    return this.#script.run('loadBalancer.ensureListenerRule', [spec], () => {
      let rule = this.listenerRules.get(spec.tenantId);
      if (!rule) {
        const taken = new Set([...this.listenerRules.values()].map((r) => r.priority));
        let priority = 1;
        while (taken.has(priority)) priority++;
        const arn = `arn:aws:elasticloadbalancing:${this.#platform.region}:${this.#platform.accountId}:listener-rule/app/humangov-${this.#platform.stage}/0/0/${hex(spec.tenantId)}`;
        rule = { ...structuredClone(spec), arn, priority };
        this.listenerRules.set(spec.tenantId, rule);
        this.#script.created.listenerRule++;
      }
      rule.host = spec.host;
      rule.targetGroupArn = spec.targetGroupArn;
      return { arn: rule.arn, priority: rule.priority };
    });
  }

  describeTargetHealth(targetGroupArn: string): Promise<TargetHealth[]> {
    return this.#script.run('loadBalancer.describeTargetHealth', [targetGroupArn], () => this.#targets(targetGroupArn, true));
  }

  deleteListenerRule(tenantId: string): Promise<void> {
    return this.#script.run('loadBalancer.deleteListenerRule', [tenantId], () => {
      if (this.listenerRules.delete(tenantId)) this.#script.deleted.listenerRule++;
    });
  }

  deleteTargetGroup(name: string): Promise<void> {
    return this.#script.run('loadBalancer.deleteTargetGroup', [name], () => {
      // As ELB (ResourceInUse): a group a listener rule still forwards to cannot be deleted yet.
      const arn = this.targetGroups.get(name)?.arn;
      const user = [...this.listenerRules.values()].find((rule) => rule.targetGroupArn === arn);
      if (user) throw new NotReadyError(`target group "${name}" is still used by the listener rule of tenant "${user.tenantId}"; delete that rule first`);
      if (this.targetGroups.delete(name)) this.#script.deleted.targetGroup++;
    });
  }

  hostFor(tenantId: string): string {
    return `${tenantId}.${this.#domain}`;
  }

  endpointFor(tenantId: string): string {
    return `https://${this.hostFor(tenantId)}`;
  }

  probeHealth(tenantId: string): Promise<HealthProbe> {
    return this.#script.run('loadBalancer.probeHealth', [tenantId], (): HealthProbe => {
      const rule = this.listenerRules.get(tenantId);
      if (!rule) return { status: 404, body: { message: 'no rule matches this host' } };
      const healthy = this.#targets(rule.targetGroupArn, false).filter((t) => t.state === 'healthy');
      const service = this.#serviceBehind(rule.targetGroupArn);
      const served = service && this.#compute.servingTaskDefinition(service.name);
      if (healthy.length === 0 || !served) return { status: 503, body: { message: 'no healthy targets' } };
      return { status: 200, body: { status: 'ok', tenant: served.environment.TENANT_ID ?? tenantId, image: served.environment.APP_IMAGE ?? served.image } };
    });
  }

  #serviceBehind(targetGroupArn: string): FakeService | undefined {
    return [...this.#compute.services.values()].find((s) => s.targetGroupArn === targetGroupArn && s.status === 'ACTIVE');
  }

  #targets(targetGroupArn: string, poll: boolean): TargetHealth[] {
    const group = [...this.targetGroups.values()].find((g) => g.arn === targetGroupArn);
    const service = this.#serviceBehind(targetGroupArn);
    if (!group || !service) return [];
    const unhealthy = this.#unhealthy.get(group.name);
    if (unhealthy && poll) {
      unhealthy.polls -= 1;
      if (unhealthy.polls < 0) this.#unhealthy.delete(group.name);
    }
    const failing = unhealthy !== undefined && unhealthy.polls >= 0;
    const targets: TargetHealth[] = [];
    for (const deployment of service.deployments) {
      if (deployment.status === 'INACTIVE') continue;
      for (let i = 0; i < deployment.runningCount; i++) {
        const n = targets.length;
        targets.push({
          id: `10.0.${n % 2}.${10 + n}`,
          port: this.#platform.containerPort,
          zone: this.zones[n % this.zones.length] ?? 'us-east-1a',
          state: failing ? 'unhealthy' : 'healthy',
          ...(failing ? { reason: unhealthy.reason } : {}),
        });
      }
    }
    return targets;
  }
}

function hex(text: string): string {
  return Buffer.from(text).toString('hex').padEnd(16, '0').slice(0, 16);
}
