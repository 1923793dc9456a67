import type { RolloutState, Tags } from '../../cloud/ports.ts';

/** What `<home>/state/services.json` holds per service, and the scheduler's settings. */

export interface DeploymentRecord {
  id: string;
  status: 'PRIMARY' | 'ACTIVE' | 'INACTIVE';
  taskDefinitionArn: string;
  desiredCount: number;
  rolloutState: RolloutState;
  rolloutStateReason?: string;
  failedTasks: number;
  /** Set on a deployment the circuit breaker started; a rollback that fails is not rolled back again. */
  rollbackOf?: string;
  createdAt: string;
  /** When its tasks were all running and healthy (how long a deploy takes here, for bench:onboard). */
  completedAt?: string;
}

export interface ServiceRecord {
  name: string;
  arn: string;
  status: 'ACTIVE' | 'DRAINING' | 'INACTIVE';
  desiredCount: number;
  targetGroupArn: string;
  tags: Tags;
  createdAt: string;
  /** Newest first; INACTIVE ones are kept (bounded) so a caller can still read how its deployment ended. */
  deployments: DeploymentRecord[];
  /** Processes started for the service, so the next start can find leftovers of a crashed control plane. */
  tasks: { id: string; pid: number; port: number; targetGroupArn: string; container?: string }[];
}

export interface SchedulerOptions {
  zones: string[];
  /** The floor of ECS's failure threshold max(floor, min(200, ceil(desired / 2))). */
  circuitBreakerThreshold: number;
  /** Unhealthy targets of tasks younger than this (and never healthy) are left alone, as ECS's healthCheckGracePeriod. */
  healthCheckGracePeriodMs: number;
  /** First delay before replacing a failed task; doubles per consecutive failure up to the maximum. */
  restartDelayMs: number;
  maxRestartDelayMs: number;
}
