/**
 * ECS Fargate in memory, with simulated time: nothing happens between calls,
 * and each describeService call is one "tick" of the service it describes. A
 * new deployment completes after `rolloutPolls` ticks; one scripted with
 * `rollBackNextDeployment` is rolled back by the circuit breaker instead, as
 * ECS does (the failed deployment stays visible as FAILED, a new PRIMARY runs
 * the last completed task definition). A deleted service drains for
 * `drainPolls` ticks, then reads INACTIVE.
 */
import { isDeepStrictEqual } from 'node:util';
import { NotReadyError, PermanentCloudError } from '../../src/cloud/errors.ts';
import type {
  ComputePort,
  Platform,
  ServiceChange,
  ServiceDeploymentState,
  ServiceSpec,
  ServiceState,
  TaskDefinitionRef,
  TaskDefinitionSpec,
} from '../../src/cloud/ports.ts';
import type { FakeScript } from './fake-script.ts';

export type FakeTaskDefinition = TaskDefinitionSpec & TaskDefinitionRef & { status: 'ACTIVE' | 'INACTIVE' };

interface FakeDeployment extends ServiceDeploymentState {
  polls: number;
  /** Set when the circuit breaker is scripted to roll this deployment back. */
  rollback?: { reason: string; afterPolls: number };
}

export interface FakeService extends Omit<ServiceState, 'deployments'> {
  taskDefinitionArn: string;
  targetGroupArn: string;
  tags: Record<string, string>;
  deployments: FakeDeployment[];
  drainLeft: number;
}

export interface FakeComputeOptions {
  /** describeService calls before a new deployment is COMPLETED (default 2). */
  rolloutPolls?: number;
  /** describeService calls a deleted service stays DRAINING (default 1). */
  drainPolls?: number;
}

export class FakeCompute implements ComputePort {
  readonly taskDefinitions = new Map<string, FakeTaskDefinition[]>();
  readonly services = new Map<string, FakeService>();
  /**
   * Per family, the last revision number given: ECS never reuses one, even after every revision was
   * deleted (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeleteTaskDefinitions.html).
   */
  readonly #lastRevision = new Map<string, number>();
  readonly #script: FakeScript;
  readonly #platform: Platform;
  readonly #rolloutPolls: number;
  readonly #drainPolls: number;
  readonly #rollbacks: { service?: string; reason: string; afterPolls: number }[] = [];
  #deploymentSeq = 0;

  constructor(script: FakeScript, platform: Platform, options: FakeComputeOptions = {}) {
    this.#script = script;
    this.#platform = platform;
    this.#rolloutPolls = options.rolloutPolls ?? 2;
    this.#drainPolls = options.drainPolls ?? 1;
  }

  /** The next deployment started (on `service`, or on any service) fails and is rolled back after `afterPolls` ticks. */
  rollBackNextDeployment(options: { service?: string; reason?: string; afterPolls?: number } = {}): void {
    this.#rollbacks.push({
      service: options.service,
      reason: options.reason ?? 'tasks failed to start (circuit breaker: 3 tasks stopped, exit code 1)',
      afterPolls: options.afterPolls ?? 1,
    });
  }

  /** The task definition a service's newest COMPLETED deployment runs (what users are served). */
  servingTaskDefinition(serviceName: string): FakeTaskDefinition | undefined {
    const service = this.services.get(serviceName);
    const serving = service?.deployments.find((d) => d.rolloutState === 'COMPLETED' && d.status !== 'INACTIVE');
    return serving ? this.#findTaskDefinition(serving.taskDefinitionArn) : undefined;
  }

  registerTaskDefinition(spec: TaskDefinitionSpec): Promise<TaskDefinitionRef> {
    return this.#script.run('compute.registerTaskDefinition', [spec], () => {
      const revisions = this.taskDefinitions.get(spec.family) ?? [];
      const newest = revisions.filter((r) => r.status === 'ACTIVE').at(-1);
      if (newest && isDeepStrictEqual(specOf(newest), spec)) return refOf(newest);
      const revision = (this.#lastRevision.get(spec.family) ?? 0) + 1;
      this.#lastRevision.set(spec.family, revision);
      const arn = `arn:aws:ecs:${this.#platform.region}:${this.#platform.accountId}:task-definition/${spec.family}:${revision}`;
      revisions.push({ ...structuredClone(spec), arn, revision, status: 'ACTIVE' });
      this.taskDefinitions.set(spec.family, revisions);
      this.#script.created.taskDefinition++;
      return { arn, family: spec.family, revision };
    });
  }

  describeTaskDefinition(arn: string): Promise<(TaskDefinitionSpec & TaskDefinitionRef) | undefined> {
    return this.#script.run('compute.describeTaskDefinition', [arn], () => {
      const found = this.#findTaskDefinition(arn);
      return found ? { ...specOf(found), ...refOf(found) } : undefined;
    });
  }

  ensureService(spec: ServiceSpec): Promise<ServiceChange> {
    return this.#script.run('compute.ensureService', [spec], () => {
      this.#requireTaskDefinition(spec.taskDefinitionArn);
      const existing = this.services.get(spec.name);
      if (!existing || existing.status === 'INACTIVE') {
        const service: FakeService = {
          name: spec.name,
          arn: `arn:aws:ecs:${this.#platform.region}:${this.#platform.accountId}:service/humangov-${this.#platform.stage}/${spec.name}`,
          status: 'ACTIVE',
          desiredCount: spec.desiredCount,
          runningCount: 0,
          taskDefinitionArn: spec.taskDefinitionArn,
          targetGroupArn: spec.targetGroupArn,
          tags: { ...spec.tags },
          deployments: [],
          drainLeft: 0,
        };
        this.services.set(spec.name, service);
        this.#script.created.service++;
        return { serviceArn: service.arn, deploymentId: this.#deploy(service).id, changed: true };
      }
      // As ECS: a DRAINING service can be created again once INACTIVE, so ask again shortly.
      if (existing.status === 'DRAINING') throw new NotReadyError(`service "${spec.name}" is still being deleted; it can be created again once INACTIVE`);
      const primary = existing.deployments.find((d) => d.status === 'PRIMARY');
      if (primary && existing.taskDefinitionArn === spec.taskDefinitionArn && existing.desiredCount === spec.desiredCount) {
        return { serviceArn: existing.arn, deploymentId: primary.id, changed: false };
      }
      existing.desiredCount = spec.desiredCount;
      existing.taskDefinitionArn = spec.taskDefinitionArn;
      return { serviceArn: existing.arn, deploymentId: this.#deploy(existing).id, changed: true };
    });
  }

  updateService(spec: { name: string; taskDefinitionArn: string }): Promise<ServiceChange> {
    return this.#script.run('compute.updateService', [spec], () => {
      this.#requireTaskDefinition(spec.taskDefinitionArn);
      const service = this.services.get(spec.name);
      if (!service || service.status !== 'ACTIVE') throw new PermanentCloudError(`service "${spec.name}" does not exist; onboard the tenant again`);
      const primary = service.deployments.find((d) => d.status === 'PRIMARY');
      if (primary && service.taskDefinitionArn === spec.taskDefinitionArn) {
        return { serviceArn: service.arn, deploymentId: primary.id, changed: false };
      }
      service.taskDefinitionArn = spec.taskDefinitionArn;
      return { serviceArn: service.arn, deploymentId: this.#deploy(service).id, changed: true };
    });
  }

  describeService(name: string): Promise<ServiceState | undefined> {
    return this.#script.run('compute.describeService', [name], () => {
      const service = this.services.get(name);
      if (!service) return undefined;
      this.#tick(service);
      const { name: n, arn, status, desiredCount, runningCount } = service;
      return { name: n, arn, status, desiredCount, runningCount, deployments: service.deployments.map(({ polls: _p, rollback: _r, ...d }) => d) };
    });
  }

  deleteService(name: string): Promise<void> {
    return this.#script.run('compute.deleteService', [name], () => {
      const service = this.services.get(name);
      if (!service || service.status !== 'ACTIVE') return;
      service.status = 'DRAINING';
      service.desiredCount = 0;
      service.drainLeft = this.#drainPolls;
      this.#script.deleted.service++;
    });
  }

  deregisterTaskDefinitions(family: string): Promise<number> {
    return this.#script.run('compute.deregisterTaskDefinitions', [family], () => {
      const count = this.taskDefinitions.get(family)?.length ?? 0;
      this.taskDefinitions.delete(family);
      this.#script.deleted.taskDefinition += count;
      return count;
    });
  }

  /** Starts a deployment of the service's current task definition; `scripted: false` for ECS's own rollback deployments. */
  #deploy(service: FakeService, scripted = true): FakeDeployment {
    for (const d of service.deployments) if (d.status === 'PRIMARY') d.status = 'ACTIVE';
    const index = scripted ? this.#rollbacks.findIndex((r) => r.service === undefined || r.service === service.name) : -1;
    const rollback = index >= 0 ? this.#rollbacks.splice(index, 1)[0] : undefined;
    const deployment: FakeDeployment = {
      id: `ecs-svc/${String(++this.#deploymentSeq).padStart(19, '0')}`,
      status: 'PRIMARY',
      taskDefinitionArn: service.taskDefinitionArn,
      rolloutState: 'IN_PROGRESS',
      desiredCount: service.desiredCount,
      runningCount: 0,
      failedTasks: 0,
      polls: 0,
      rollback: rollback && { reason: rollback.reason, afterPolls: rollback.afterPolls },
    };
    service.deployments.unshift(deployment);
    this.#script.created.deployment++;
    return deployment;
  }

  /** One unit of simulated time for one service. */
  #tick(service: FakeService): void {
    if (service.status === 'DRAINING') {
      service.drainLeft -= 1;
      if (service.drainLeft <= 0) {
        service.status = 'INACTIVE';
        service.runningCount = 0;
        for (const d of service.deployments) d.status = 'INACTIVE';
      }
      return;
    }
    if (service.status !== 'ACTIVE') return;
    const primary = service.deployments.find((d) => d.status === 'PRIMARY');
    if (primary && primary.rolloutState === 'IN_PROGRESS') {
      primary.polls += 1;
      if (primary.rollback && primary.polls >= primary.rollback.afterPolls) this.#rollBack(service, primary);
      else if (primary.polls >= this.#rolloutPolls) this.#complete(service, primary);
    }
    service.runningCount = service.deployments.filter((d) => d.status !== 'INACTIVE').reduce((sum, d) => sum + d.runningCount, 0);
  }

  #complete(service: FakeService, deployment: FakeDeployment): void {
    deployment.rolloutState = 'COMPLETED';
    deployment.runningCount = deployment.desiredCount;
    // ECS drains the deployments this one replaced; failed ones stay visible (INACTIVE) for the record.
    service.deployments = service.deployments.filter((d) => d === deployment || d.rolloutState === 'FAILED');
    for (const d of service.deployments) if (d !== deployment) d.status = 'INACTIVE';
  }

  #rollBack(service: FakeService, failed: FakeDeployment): void {
    failed.rolloutState = 'FAILED';
    failed.rolloutStateReason = `ECS deployment circuit breaker: ${failed.rollback?.reason ?? 'tasks failed to start'}`;
    failed.failedTasks = Math.max(3, failed.desiredCount);
    failed.runningCount = 0;
    const previous = service.deployments.find((d) => d !== failed && d.rolloutState === 'COMPLETED');
    if (!previous) return; // nothing to roll back to: the service stays on the failed deployment
    failed.status = 'ACTIVE';
    service.taskDefinitionArn = previous.taskDefinitionArn;
    this.#deploy(service, false);
  }

  #findTaskDefinition(arn: string): FakeTaskDefinition | undefined {
    for (const revisions of this.taskDefinitions.values()) {
      const found = revisions.find((r) => r.arn === arn);
      if (found) return found;
    }
    return undefined;
  }

  #requireTaskDefinition(arn: string): void {
    if (!this.#findTaskDefinition(arn)) throw new PermanentCloudError(`task definition ${arn} does not exist`);
  }
}

function specOf(td: FakeTaskDefinition): TaskDefinitionSpec {
  const { arn: _a, revision: _r, status: _s, ...spec } = td;
  return spec;
}

function refOf(td: FakeTaskDefinition): TaskDefinitionRef {
  return { arn: td.arn, family: td.family, revision: td.revision };
}
