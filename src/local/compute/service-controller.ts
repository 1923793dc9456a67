import { randomInt } from 'node:crypto';
import { join } from 'node:path';
import type { ServiceState } from '../../cloud/ports.ts';
import { TENANT_TAG_KEY } from '../../tenants/names.ts';
import { Task } from './task.ts';
import type { TaskContext, TaskEnd } from './task.ts';
import type { TaskDefinition, TaskDefinitions } from './task-definitions.ts';
import { logGroupDir } from '../logs/file-log-groups.ts';
import type { LogFn } from '../logs/json-log.ts';
import type { DeploymentRecord, SchedulerOptions, ServiceRecord } from './service-record.ts';

export interface ControllerContext extends Omit<TaskContext, 'onEnd' | 'onSpawned'> {
  options: SchedulerOptions;
  taskDefinitions: TaskDefinitions;
  logsDir: string;
  log: LogFn;
  /** Persists every service record (called when this one changed). */
  save(): void;
  /** Asks for another reconcile pass soon (a task ended, a deployment started). */
  kick(): void;
}

type Failure = { kind: 'start' | 'crash' | 'health' | 'container-health'; detail: string };

const KEPT_DEPLOYMENTS = 10;
/** The AWS task definition's container name and awslogs stream prefix. */
const CONTAINER_NAME = 'app';
const STREAM_PREFIX = 'app';
const FAILURE_SUMMARY: Record<Failure['kind'], string> = {
  start: 'tasks failed to start',
  crash: 'tasks stopped unexpectedly',
  health: 'tasks failed ALB health checks',
  'container-health': 'tasks failed container health checks',
};

/**
 * The ECS service scheduler for one service: deployments with minimum healthy
 * 100 % and maximum 200 % (new tasks first, old ones stopped only while enough
 * healthy tasks remain), replacement of crashed and unhealthy tasks, and the
 * deployment circuit breaker with rollback. `reconcile` is synchronous, so two
 * passes never interleave; everything slow (spawning, draining) runs in the tasks.
 */
export class ServiceController {
  readonly record: ServiceRecord;
  readonly tasks = new Set<Task>();
  readonly #context: ControllerContext;
  readonly #backoff = new Map<string, { failures: number; notBefore: number }>();
  readonly #lastFailure = new Map<string, Failure>();

  constructor(record: ServiceRecord, context: ControllerContext) {
    this.record = record;
    this.#context = context;
  }

  get primary(): DeploymentRecord | undefined {
    return this.record.deployments.find((d) => d.status === 'PRIMARY');
  }

  /** Starts a new PRIMARY deployment; live tasks of the same task definition are adopted rather than replaced. */
  deploy(taskDefinitionArn: string, options: { rollbackOf?: string; reason?: string } = {}): DeploymentRecord {
    const deployment: DeploymentRecord = {
      id: `ecs-svc/${Array.from({ length: 19 }, () => randomInt(10)).join('')}`,
      status: 'PRIMARY',
      taskDefinitionArn,
      desiredCount: this.record.desiredCount,
      rolloutState: 'IN_PROGRESS',
      ...(options.reason ? { rolloutStateReason: options.reason } : {}),
      failedTasks: 0,
      ...(options.rollbackOf ? { rollbackOf: options.rollbackOf } : {}),
      createdAt: new Date().toISOString(),
    };
    for (const previous of this.record.deployments) {
      if (previous.status !== 'PRIMARY') continue;
      previous.status = 'ACTIVE';
      previous.desiredCount = 0;
      if (previous.rolloutState === 'IN_PROGRESS') {
        // A follower of the old deployment must not wait forever for a rollout nobody is doing.
        previous.rolloutState = 'FAILED';
        previous.rolloutStateReason = `superseded by deployment ${deployment.id} before it completed`;
      }
    }
    this.record.deployments.unshift(deployment);
    for (const task of this.tasks) {
      if (task.live && task.definition.arn === taskDefinitionArn && task.targetGroupArn === this.record.targetGroupArn) task.deploymentId = deployment.id;
    }
    this.#trimHistory();
    this.#context.log({
      level: 'INFO',
      message: 'deployment started',
      service: this.record.name,
      deploymentId: deployment.id,
      taskDefinitionArn,
      desiredCount: deployment.desiredCount,
    });
    this.#context.save();
    this.#context.kick();
    return deployment;
  }

  describe(): ServiceState {
    const running = (id?: string) => [...this.tasks].filter((t) => t.state === 'RUNNING' && (id === undefined || t.deploymentId === id)).length;
    return {
      name: this.record.name,
      arn: this.record.arn,
      status: this.record.status,
      desiredCount: this.record.desiredCount,
      runningCount: running(),
      deployments: this.record.deployments.map((d) => ({
        id: d.id,
        status: d.status,
        taskDefinitionArn: d.taskDefinitionArn,
        rolloutState: d.rolloutState,
        ...(d.rolloutStateReason ? { rolloutStateReason: d.rolloutStateReason } : {}),
        desiredCount: d.desiredCount,
        runningCount: running(d.id),
        failedTasks: d.failedTasks,
      })),
    };
  }

  /** One scheduling pass; persists the record when anything in it changed. */
  reconcile(now = Date.now()): void {
    if (this.record.status === 'INACTIVE') return;
    const before = JSON.stringify(this.record);
    const desired = this.record.status === 'DRAINING' ? 0 : this.record.desiredCount;
    this.#replaceUnhealthy(now);
    this.#judgeRollout(desired);
    const primary = this.primary;
    if (primary) this.#startMissing(primary, desired, now);
    this.#stopSurplus(primary, desired);
    this.#retireDeployments();
    if (this.record.status === 'DRAINING' && this.tasks.size === 0) {
      this.record.status = 'INACTIVE';
      this.record.desiredCount = 0;
      for (const d of this.record.deployments) d.status = 'INACTIVE';
      this.#context.log({ level: 'INFO', message: 'service deleted', service: this.record.name });
    }
    this.record.tasks = [...this.tasks].flatMap((t) =>
      t.pid === undefined ? [] : [{ id: t.id, pid: t.pid, port: t.port, targetGroupArn: t.targetGroupArn, ...(t.container ? { container: t.container } : {}) }],
    );
    if (JSON.stringify(this.record) !== before) this.#context.save();
  }

  /** Stops every task (drain, SIGTERM, SIGKILL) and waits until they are gone. */
  async stopAll(reason: string): Promise<void> {
    await Promise.all(
      [...this.tasks].map(async (task) => {
        await task.stop(reason);
        await task.stopped();
      }),
    );
  }

  /**
   * Replaces tasks that fail their load balancer health checks or whose essential container is
   * UNHEALTHY, once past the grace period ("the service scheduler ignores unhealthy Elastic Load
   * Balancing and container health checks after a task has first started":
   * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateService.html, healthCheckGracePeriodSeconds).
   */
  #replaceUnhealthy(now: number): void {
    for (const task of this.tasks) {
      if (task.state !== 'RUNNING') continue;
      const health = task.health();
      const pastGrace = task.everHealthy || now - task.startedAt >= this.#context.options.healthCheckGracePeriodMs;
      if (task.healthy && !task.everHealthy) {
        task.everHealthy = true;
        this.#backoff.delete(task.deploymentId);
      } else if (health?.state === 'unhealthy' && pastGrace) {
        this.#recordFailure(task.deploymentId, { kind: 'health', detail: health.reason ?? 'unhealthy' }, now);
        void task.stop(`Task failed ELB health checks in (target-group ${task.targetGroupArn}): ${health.reason ?? ''}`);
      } else if (task.containerHealth() === 'UNHEALTHY' && pastGrace) {
        const detail = `container ${task.container} is UNHEALTHY: ${task.containerHealthFailure() ?? 'its health check failed'}`;
        this.#recordFailure(task.deploymentId, { kind: 'container-health', detail }, now);
        void task.stop(`Task failed container health checks: ${detail}`);
      }
    }
  }

  #judgeRollout(desired: number): void {
    const primary = this.primary;
    // A service being deleted is not rolled back: nothing should start any more.
    if (!primary || primary.rolloutState !== 'IN_PROGRESS' || this.record.status !== 'ACTIVE') return;
    const threshold = Math.max(this.#context.options.circuitBreakerThreshold, Math.min(200, Math.ceil(desired / 2)));
    if (primary.failedTasks >= threshold) {
      this.#tripCircuitBreaker(primary);
      return;
    }
    const own = [...this.tasks].filter((t) => t.deploymentId === primary.id);
    const healthy = own.filter((t) => t.live && t.healthy).length;
    const othersLeft = [...this.tasks].some((t) => t.deploymentId !== primary.id);
    if (healthy >= desired && own.filter((t) => t.live).length === desired && !othersLeft) {
      primary.rolloutState = 'COMPLETED';
      primary.rolloutStateReason = `ECS deployment ${primary.id} completed.`;
      primary.completedAt = new Date().toISOString();
      this.#context.log({ level: 'INFO', message: 'deployment completed', service: this.record.name, deploymentId: primary.id });
    }
  }

  #tripCircuitBreaker(failed: DeploymentRecord): void {
    const last = this.#lastFailure.get(failed.id) ?? { kind: 'start', detail: 'no detail recorded' };
    failed.rolloutState = 'FAILED';
    failed.rolloutStateReason = `ECS deployment circuit breaker: ${FAILURE_SUMMARY[last.kind]}: ${failed.failedTasks} tasks failed; last: ${last.detail}`;
    this.#context.log({ level: 'WARN', message: 'deployment failed', service: this.record.name, deploymentId: failed.id, reason: failed.rolloutStateReason });
    const lastGood = this.record.deployments.find((d) => d !== failed && d.rolloutState === 'COMPLETED');
    // ECS rolls back to the last completed deployment; a rollback that fails itself stays put instead of looping.
    if (!lastGood || failed.rollbackOf) return;
    this.deploy(lastGood.taskDefinitionArn, {
      rollbackOf: failed.id,
      reason: `ECS deployment circuit breaker: rolling back to deploymentId ${lastGood.id}.`,
    });
  }

  #startMissing(primary: DeploymentRecord, desired: number, now: number): void {
    const backoff = this.#backoff.get(primary.id);
    if (backoff && now < backoff.notBefore) return;
    const definition = this.#context.taskDefinitions.find(primary.taskDefinitionArn, true);
    const own = [...this.tasks].filter((t) => t.live && t.deploymentId === primary.id);
    // maximumPercent 200: tasks still stopping count too, so a crash loop cannot pile up processes.
    let total = [...this.tasks].filter((t) => t.state !== 'STOPPED').length;
    for (let count = own.length; count < desired && total < desired * 2; count += 1, total += 1) {
      if (!definition) {
        this.#recordFailure(primary.id, { kind: 'start', detail: `task definition ${primary.taskDefinitionArn} no longer exists` }, now);
        return;
      }
      const zone = this.#quietestZone(own);
      const task = new Task(
        definition,
        { deploymentId: primary.id, targetGroupArn: this.record.targetGroupArn, zone, logFile: (id) => this.#logFile(definition, id) },
        {
          home: this.#context.home,
          registry: this.#context.registry,
          platformEnvironment: this.#context.platformEnvironment,
          secretValue: this.#context.secretValue,
          stopTimeoutMs: this.#context.stopTimeoutMs,
          onSpawned: () => this.#context.kick(),
          onHealth: () => this.#context.kick(),
          onEnd: (ended, end) => this.#onTaskEnd(ended, end),
        },
      );
      own.push(task);
      this.tasks.add(task);
      this.#context.log({
        level: 'INFO',
        message: 'task starting',
        service: this.record.name,
        taskId: task.id,
        deploymentId: primary.id,
        zone,
        logFile: task.logFile,
      });
    }
  }

  /**
   * The task's log stream in its definition's log group, named as the awslogs driver names it,
   * `<stream prefix>/<container name>/<task id>` (the AWS task definition's prefix and container
   * are both "app"; https://docs.aws.amazon.com/AmazonECS/latest/developerguide/using_awslogs.html).
   * A definition without a usable group logs under the tenant's folder.
   */
  #logFile(definition: TaskDefinition, taskId: string): string {
    try {
      return join(logGroupDir(this.#context.home, definition.logGroup), STREAM_PREFIX, CONTAINER_NAME, `${taskId}.log`);
    } catch {
      return join(this.#context.logsDir, definition.tags[TENANT_TAG_KEY] ?? definition.family, `${taskId}.log`);
    }
  }

  /** The zone with the fewest of `tasks`, so a service of two or more spans two zones. */
  #quietestZone(tasks: Task[]): string {
    const zones = this.#context.options.zones;
    let best = zones[0] ?? 'us-east-1a';
    let fewest = Infinity;
    for (const zone of zones) {
      const count = tasks.filter((t) => t.zone === zone).length;
      if (count < fewest) [best, fewest] = [zone, count];
    }
    return best;
  }

  /** Stops old deployments' tasks and the primary's extras, never leaving fewer than `desired` healthy (minimum 100 %). */
  #stopSurplus(primary: DeploymentRecord | undefined, desired: number): void {
    const live = [...this.tasks].filter((t) => t.live);
    const isHealthy = (t: Task) => t.healthy;
    const own = live.filter((t) => t.deploymentId === primary?.id).sort((a, b) => Number(isHealthy(b)) - Number(isHealthy(a)));
    const surplus = [...live.filter((t) => t.deploymentId !== primary?.id), ...own.slice(desired)].sort((a, b) => Number(isHealthy(a)) - Number(isHealthy(b)));
    let healthy = live.filter(isHealthy).length;
    for (const task of surplus) {
      if (isHealthy(task)) {
        if (healthy - 1 < desired) continue;
        healthy -= 1;
      }
      void task.stop(desired === 0 ? 'Scaling activity initiated by (deployment or deletion)' : `Replaced by deployment ${primary?.id ?? ''}`);
    }
  }

  #retireDeployments(): void {
    const primary = this.primary;
    if (primary?.rolloutState === 'IN_PROGRESS') return;
    for (const d of this.record.deployments) {
      if (d.status === 'ACTIVE' && ![...this.tasks].some((t) => t.deploymentId === d.id)) d.status = 'INACTIVE';
    }
  }

  #onTaskEnd(task: Task, end: TaskEnd): void {
    this.tasks.delete(task);
    if (end.failure) {
      this.#recordFailure(task.deploymentId, end.failure, Date.now());
      this.#context.log({ level: 'WARN', message: 'task failed', service: this.record.name, taskId: task.id, deploymentId: task.deploymentId, ...end.failure });
    } else {
      this.#context.log({ level: 'INFO', message: 'task stopped', service: this.record.name, taskId: task.id, reason: task.stopReason });
    }
    this.#context.save();
    this.#context.kick();
  }

  #recordFailure(deploymentId: string, failure: Failure, now: number): void {
    const deployment = this.record.deployments.find((d) => d.id === deploymentId);
    if (!deployment) return;
    deployment.failedTasks += 1;
    this.#lastFailure.set(deploymentId, failure);
    const failures = (this.#backoff.get(deploymentId)?.failures ?? 0) + 1;
    const { restartDelayMs, maxRestartDelayMs } = this.#context.options;
    this.#backoff.set(deploymentId, { failures, notBefore: now + Math.min(maxRestartDelayMs, restartDelayMs * 2 ** (failures - 1)) });
  }

  #trimHistory(): void {
    const deployments = this.record.deployments;
    const keep = new Set(deployments.filter((d) => d.status !== 'INACTIVE'));
    const lastGood = deployments.find((d) => d.rolloutState === 'COMPLETED');
    if (lastGood) keep.add(lastGood);
    for (const d of deployments) if (keep.size < KEPT_DEPLOYMENTS) keep.add(d);
    this.record.deployments = deployments.filter((d) => keep.has(d));
  }
}
