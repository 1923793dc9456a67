import type { Agent } from 'node:http';
import type { TargetHealth, TargetHealthState } from '../../cloud/ports.ts';

/** Where a target listens, and the zone it reports (the local stand-in for the subnet's AZ). */
export interface TargetAddress {
  /** Unique within the target group; the compute side uses the task id, so a reused port never collides. */
  id: string;
  host: string;
  port: number;
  zone: string;
}

/** A target group's health check, by the API's names (HealthCheckPath, ...IntervalSeconds in ms, ...). */
export interface HealthCheckSettings {
  path: string;
  intervalMs: number;
  timeoutMs: number;
  healthyThreshold: number;
  unhealthyThreshold: number;
  /** Matcher.HttpCode: "200", "200,202" or "200-299". */
  matcher: string;
}

/**
 * Whether `status` is one of the success codes of a Matcher ("200", "200,202", "200-299").
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/target-group-health-checks.html
 */
export function matches(matcher: string, status: number): boolean {
  return matcher.split(',').some((part) => {
    const [low, high = low] = part.trim().split('-').map(Number);
    return low !== undefined && status >= low && status <= (high as number);
  });
}

export type CheckResult = { ok: true } | { ok: false; reason: string };

/**
 * One registered target and what the load balancer knows about it now. The
 * state machine is the ALB's: a new target is `initial` and receives nothing
 * until it passes one health check; `unhealthyThreshold` consecutive failures
 * take it out of service and `healthyThreshold` consecutive passes put it back;
 * `draining` ends its life.
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/target-group-health-checks.html
 */
export class Target {
  readonly targetGroupArn: string;
  readonly address: TargetAddress;
  state: TargetHealthState = 'initial';
  reason: string | undefined = 'Elb.InitialHealthChecking: initial health checks in progress';
  /** Requests being proxied to it; draining ends early when this reaches 0. */
  inFlight = 0;
  /** Its own connection pool, destroyed when it leaves, so no socket to a dead process is reused. */
  agent: Agent | undefined;
  #passes = 0;
  #failures = 0;

  constructor(targetGroupArn: string, address: TargetAddress) {
    this.targetGroupArn = targetGroupArn;
    this.address = address;
  }

  /** Applies one health check result; returns true when the state changed. */
  record(result: CheckResult, settings: HealthCheckSettings): boolean {
    if (this.state === 'draining') return false;
    const before = this.state;
    if (result.ok) {
      this.#failures = 0;
      this.#passes += 1;
      // "After your target is registered, it must pass one health check to be considered healthy."
      const needed = this.state === 'initial' ? 1 : settings.healthyThreshold;
      if (this.state !== 'healthy' && this.#passes >= needed) {
        this.state = 'healthy';
        this.reason = undefined;
      }
    } else {
      this.#passes = 0;
      this.#failures += 1;
      // The reason follows the latest failure even before the threshold, as a person debugging wants it.
      if (this.state !== 'healthy') this.reason = result.reason;
      if (this.state !== 'unhealthy' && this.#failures >= settings.unhealthyThreshold) {
        this.state = 'unhealthy';
        this.reason = result.reason;
      }
    }
    return this.state !== before;
  }

  startDraining(): void {
    this.state = 'draining';
    this.reason = 'Target.DeregistrationInProgress: target deregistration is in progress';
  }

  describe(): TargetHealth {
    const { id, port, zone } = this.address;
    return { id, port, zone, state: this.state, ...(this.reason === undefined ? {} : { reason: this.reason }) };
  }
}

/** The live targets of one target group, with the round-robin cursor (the ALB's default routing algorithm). */
export class TargetSet {
  readonly targets = new Map<string, Target>();
  #cursor = 0;

  /**
   * The next target in turn among the healthy ones. When every registered target
   * is unhealthy the ALB fails open and routes to all of them; with none
   * registered, or none past its initial checks, there is no target (503).
   * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/target-group-health-checks.html
   */
  next(): Target | undefined {
    const registered = [...this.targets.values()].filter((t) => t.state !== 'draining');
    const healthy = registered.filter((t) => t.state === 'healthy');
    const failOpen = registered.length > 0 && registered.every((t) => t.state === 'unhealthy');
    const candidates = healthy.length > 0 ? healthy : failOpen ? registered : [];
    if (candidates.length === 0) return undefined;
    const target = candidates[this.#cursor % candidates.length];
    this.#cursor = (this.#cursor + 1) % Number.MAX_SAFE_INTEGER;
    return target;
  }
}
