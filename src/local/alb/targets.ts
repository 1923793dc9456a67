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

export interface HealthCheckSettings {
  path: string;
  intervalMs: number;
  timeoutMs: number;
  healthyThreshold: number;
  unhealthyThreshold: number;
}

export type CheckResult = { ok: true } | { ok: false; reason: string };

/**
 * One registered target and what the load balancer knows about it now. The
 * state machine is the ALB's: a new target is `initial` and receives nothing
 * until `healthyThreshold` consecutive checks pass; `unhealthyThreshold`
 * consecutive failures take it out; `draining` ends its life.
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
      if (this.state !== 'healthy' && this.#passes >= settings.healthyThreshold) {
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

/** The live targets of one target group, with the round-robin cursor over the healthy ones. */
export class TargetSet {
  readonly targets = new Map<string, Target>();
  #cursor = 0;

  /** The next healthy target in turn, or undefined when none is healthy. */
  next(): Target | undefined {
    const healthy = [...this.targets.values()].filter((t) => t.state === 'healthy');
    if (healthy.length === 0) return undefined;
    const target = healthy[this.#cursor % healthy.length];
    this.#cursor = (this.#cursor + 1) % Number.MAX_SAFE_INTEGER;
    return target;
  }
}
