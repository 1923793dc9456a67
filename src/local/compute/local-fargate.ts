import { killTasksOfEarlierRuns } from './orphans.ts';
import { join } from 'node:path';
import type { ComputePort, ServiceChange, ServiceSpec, ServiceState, TaskDefinitionRef, TaskDefinitionSpec } from '../../cloud/ports.ts';
import { arnOf } from '../../cloud/arn.ts';
import { NotReadyError, PermanentCloudError } from '../../cloud/errors.ts';
import { JsonStore } from '../json-store.ts';
import { localPaths } from '../settings.ts';
import { ServiceController } from './service-controller.ts';
import { errorMessage, logJson } from '../logs/json-log.ts';
import type { LogFn } from '../logs/json-log.ts';
import type { SchedulerOptions, ServiceRecord } from './service-record.ts';
import { TaskDefinitions } from './task-definitions.ts';
import type { TaskDefinition } from './task-definitions.ts';
import { killOrphanTask } from './task-runner.ts';
import { containerEngine } from './container-engine.ts';
import { removeLeftoverContainers } from './container-task.ts';
import type { TargetRegistry } from './task.ts';

export interface LocalFargateOptions extends Partial<SchedulerOptions> {
  /** HUMANGOV_HOME: images are read from it, state and logs written under it. */
  home: string;
  /** The load balancer tasks register with (a LocalLoadBalancer). */
  targets: TargetRegistry;
  region?: string;
  accountId?: string;
  /** The ECS cluster name in service ARNs. */
  cluster?: string;
  /** How often every service is reconciled, besides the passes events trigger. */
  reconcileIntervalMs?: number;
  /**
   * Stop signal -> SIGKILL grace when a task is stopped: ECS's stopTimeout (30 s on Fargate when
   * not set, 15 s in the AWS provider's task definition; shortened here to 5 s by default:
   * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerDefinition.html).
   */
  stopTimeoutMs?: number;
  /** Structured log lines (task started/failed, deployment completed/failed); default JSON on stderr. */
  log?: LogFn;
  /** Variables every task gets besides its definition's (see TaskContext.platformEnvironment). */
  platformEnvironment?: Record<string, string>;
  /** Where a task definition's `secrets` are read when a task starts (the local Secrets Manager); without it, a task with secrets fails to start. */
  secrets?: { currentValue(valueFrom: string): Promise<string> };
}

interface ServicesDoc {
  services: Record<string, ServiceRecord>;
}

/**
 * The local ECS Fargate: task definitions, and services whose tasks are
 * containers of their container image (or child processes of a package image)
 * behind the local load balancer. Services are kept in
 * `<home>/state/services.json`; `resume()` (also run by the first port call)
 * stops what a crashed earlier run left behind and brings every ACTIVE service
 * back to its primary deployment's task definition and desired count.
 */
export class LocalFargate implements ComputePort {
  readonly #options: SchedulerOptions & { reconcileIntervalMs: number; stopTimeoutMs: number };
  readonly #home: string;
  readonly #registry: TargetRegistry;
  readonly #platformEnvironment: Record<string, string>;
  readonly #secretValue: (valueFrom: string) => Promise<string>;
  readonly #log: LogFn;
  readonly #serviceArnPrefix: string;
  readonly #definitions: TaskDefinitions;
  readonly #store: JsonStore<ServicesDoc>;
  readonly #storePath: string;
  readonly #controllers = new Map<string, ServiceController>();
  #resumed: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #kicked = false;
  #shuttingDown = false;

  constructor(options: LocalFargateOptions) {
    const region = options.region ?? 'us-east-1';
    const accountId = options.accountId ?? '000000000000';
    this.#home = options.home;
    this.#registry = options.targets;
    this.#platformEnvironment = options.platformEnvironment ?? {};
    const secrets = options.secrets;
    this.#secretValue = secrets
      ? (valueFrom) => secrets.currentValue(valueFrom)
      : async (valueFrom) => {
          throw new Error(`no secrets store is configured to read ${valueFrom}`);
        };
    this.#log = options.log ?? logJson;
    this.#options = {
      zones: options.zones ?? ['us-east-1a', 'us-east-1b'],
      circuitBreakerThreshold: options.circuitBreakerThreshold ?? 3,
      healthCheckGracePeriodMs: options.healthCheckGracePeriodMs ?? 5000,
      restartDelayMs: options.restartDelayMs ?? 1000,
      maxRestartDelayMs: options.maxRestartDelayMs ?? 30_000,
      reconcileIntervalMs: options.reconcileIntervalMs ?? 250,
      stopTimeoutMs: options.stopTimeoutMs ?? 5000,
    };
    this.#serviceArnPrefix = arnOf({ service: 'ecs', region, accountId, resource: `service/${options.cluster ?? 'humangov-local'}/` });
    this.#definitions = new TaskDefinitions({ home: options.home, region, accountId });
    this.#storePath = join(localPaths(options.home).state, 'services.json');
    this.#store = new JsonStore(this.#storePath, () => ({ services: {} }));
  }

  /** Loads the saved state, kills orphans of an earlier run, restarts ACTIVE services' tasks. Idempotent. */
  resume(): Promise<void> {
    this.#resumed ??= this.#resume();
    return this.#resumed;
  }

  async #resume(): Promise<void> {
    await this.#definitions.load();
    const { services } = await this.#store.read().catch((error: unknown) => {
      throw new PermanentCloudError(`cannot read the services in ${this.#storePath}; repair or delete it (onboarding recreates them)`, { cause: error });
    });
    // Containers outlive a crash of the control plane (their engine runs them): remove every one this home left.
    if (Object.values(services).some((record) => record.tasks.some((task) => task.container))) {
      const { engine } = await containerEngine();
      const removed = engine ? await removeLeftoverContainers(engine, this.#home) : [];
      if (removed.length > 0) this.#log({ level: 'WARN', message: 'removed containers left running by an earlier run', containers: removed });
    }
    // A task spawned just before a crash, its pid not yet recorded, is found by the owner mark in its environment.
    const unrecorded = killTasksOfEarlierRuns(this.#home);
    if (unrecorded.length > 0) this.#log({ level: 'WARN', message: 'stopped task processes of an earlier run that it had not recorded', pids: unrecorded });
    for (const record of Object.values(services)) {
      for (const leftover of record.tasks) {
        if (killOrphanTask(leftover.pid, leftover.id))
          this.#log({ level: 'WARN', message: 'stopped a task left running by an earlier run', service: record.name, taskId: leftover.id, pid: leftover.pid });
        // Its target is stale either way: the LB reloaded it from disk but nothing we run serves there.
        await this.#registry.deregisterTarget(leftover.targetGroupArn, leftover.id).catch(() => undefined);
      }
      record.tasks = [];
      // The tasks of a service being deleted are gone now, so its deletion is complete.
      if (record.status === 'DRAINING') {
        record.status = 'INACTIVE';
        for (const d of record.deployments) d.status = 'INACTIVE';
      }
      this.#controllers.set(record.name, this.#controller(record));
    }
    await this.#save();
    this.#timer = setInterval(() => this.#reconcileAll(), this.#options.reconcileIntervalMs);
    this.#timer.unref();
    this.#reconcileAll();
  }

  /** Stops every task (drained from the load balancer, SIGTERM, SIGKILL after stopTimeoutMs) and the scheduler. */
  async stopAll(): Promise<void> {
    this.#shuttingDown = true;
    clearInterval(this.#timer);
    await Promise.all([...this.#controllers.values()].map((c) => c.stopAll('control plane shutting down')));
    for (const controller of this.#controllers.values()) controller.record.tasks = [];
    await this.#save();
  }

  /** SIGKILL every task at once, for an `exit` handler that cannot wait. */
  killAllNow(): void {
    this.#shuttingDown = true;
    clearInterval(this.#timer);
    for (const controller of this.#controllers.values()) for (const task of controller.tasks) task.kill();
  }

  /** The live tasks of a service, for status pages and tests. */
  tasksOf(serviceName: string): {
    id: string;
    pid?: number;
    container?: string;
    containerHealth?: string;
    port: number;
    zone: string;
    state: string;
    deploymentId: string;
    health?: string;
    logFile: string;
  }[] {
    return [...(this.#controllers.get(serviceName)?.tasks ?? [])].map((t) => ({
      id: t.id,
      ...(t.pid === undefined ? {} : { pid: t.pid }),
      ...(t.container ? { container: t.container } : {}),
      ...(t.containerHealth() ? { containerHealth: t.containerHealth() } : {}),
      port: t.port,
      zone: t.zone,
      state: t.state,
      deploymentId: t.deploymentId,
      ...(t.health() ? { health: t.health()?.state } : {}),
      logFile: t.logFile,
    }));
  }

  // ------------------------------------------------------------ ComputePort

  async registerTaskDefinition(spec: TaskDefinitionSpec): Promise<TaskDefinitionRef> {
    await this.resume();
    return this.#definitions.register(spec);
  }

  async describeTaskDefinition(arn: string): Promise<TaskDefinition | undefined> {
    await this.resume();
    return this.#definitions.find(arn);
  }

  async ensureService(spec: ServiceSpec): Promise<ServiceChange> {
    await this.resume();
    if (!Number.isInteger(spec.desiredCount) || spec.desiredCount < 0)
      throw new PermanentCloudError(`desiredCount ${spec.desiredCount} of service "${spec.name}" must be a whole number >= 0`);
    const definition = this.#activeDefinition(spec.taskDefinitionArn);
    // Throws PermanentCloudError when the target group does not exist, as CreateService does.
    await this.#registry.describeTargetHealth(spec.targetGroupArn);
    let controller = this.#controllers.get(spec.name);
    if (controller?.record.status === 'DRAINING') throw new NotReadyError(`service "${spec.name}" is still being deleted; try again once it is INACTIVE`);
    if (!controller || controller.record.status === 'INACTIVE') {
      const record: ServiceRecord = {
        name: spec.name,
        arn: `${this.#serviceArnPrefix}${spec.name}`,
        status: 'ACTIVE',
        desiredCount: spec.desiredCount,
        targetGroupArn: spec.targetGroupArn,
        tags: { ...spec.tags },
        createdAt: new Date().toISOString(),
        deployments: [],
        tasks: [],
      };
      controller = this.#controller(record);
      this.#controllers.set(spec.name, controller);
      const deployment = controller.deploy(definition.arn);
      await this.#save();
      return { serviceArn: record.arn, deploymentId: deployment.id, changed: true };
    }
    const record = controller.record;
    record.tags = { ...record.tags, ...spec.tags };
    const primary = controller.primary;
    if (primary && primary.taskDefinitionArn === definition.arn && record.desiredCount === spec.desiredCount && record.targetGroupArn === spec.targetGroupArn) {
      await this.#save();
      return { serviceArn: record.arn, deploymentId: primary.id, changed: false };
    }
    record.desiredCount = spec.desiredCount;
    record.targetGroupArn = spec.targetGroupArn;
    const deployment = controller.deploy(definition.arn);
    await this.#save();
    return { serviceArn: record.arn, deploymentId: deployment.id, changed: true };
  }

  async updateService(spec: { name: string; taskDefinitionArn: string }): Promise<ServiceChange> {
    await this.resume();
    const controller = this.#controllers.get(spec.name);
    if (!controller || controller.record.status !== 'ACTIVE') {
      throw new PermanentCloudError(
        `service "${spec.name}" is not active (${controller?.record.status ?? 'it does not exist'}); create it with ensureService first`,
      );
    }
    const definition = this.#activeDefinition(spec.taskDefinitionArn);
    const primary = controller.primary;
    if (primary?.taskDefinitionArn === definition.arn) return { serviceArn: controller.record.arn, deploymentId: primary.id, changed: false };
    const deployment = controller.deploy(definition.arn);
    await this.#save();
    return { serviceArn: controller.record.arn, deploymentId: deployment.id, changed: true };
  }

  async describeService(name: string): Promise<ServiceState | undefined> {
    await this.resume();
    return this.#controllers.get(name)?.describe();
  }

  async deleteService(name: string): Promise<void> {
    await this.resume();
    const controller = this.#controllers.get(name);
    if (!controller || controller.record.status !== 'ACTIVE') return;
    // Like ECS: DRAINING now, INACTIVE once the scheduler has drained and stopped every task.
    controller.record.status = 'DRAINING';
    controller.record.desiredCount = 0;
    for (const d of controller.record.deployments) if (d.status !== 'INACTIVE') d.desiredCount = 0;
    await this.#save();
    this.#kick();
  }

  async deregisterTaskDefinitions(family: string): Promise<number> {
    await this.resume();
    const used = new Set<string>();
    for (const { record } of this.#controllers.values()) {
      if (record.status !== 'INACTIVE') for (const d of record.deployments) used.add(d.taskDefinitionArn);
    }
    return this.#definitions.deregisterFamily(family, (arn) => used.has(arn));
  }

  // ------------------------------------------------------------ internals

  #activeDefinition(reference: string): TaskDefinition {
    const definition = this.#definitions.find(reference);
    if (!definition) throw new PermanentCloudError(`task definition "${reference}" does not exist or is INACTIVE; register it first`);
    return definition;
  }

  #controller(record: ServiceRecord): ServiceController {
    return new ServiceController(record, {
      home: this.#home,
      registry: this.#registry,
      platformEnvironment: this.#platformEnvironment,
      secretValue: this.#secretValue,
      stopTimeoutMs: this.#options.stopTimeoutMs,
      options: this.#options,
      taskDefinitions: this.#definitions,
      logsDir: localPaths(this.#home).logs,
      log: this.#log,
      save: () => void this.#save(),
      kick: () => this.#kick(),
    });
  }

  /** Coalesces the many triggers of one moment into a single pass. */
  #kick(): void {
    if (this.#kicked) return;
    this.#kicked = true;
    setImmediate(() => {
      this.#kicked = false;
      this.#reconcileAll();
    });
  }

  #reconcileAll(): void {
    if (this.#shuttingDown) return;
    for (const controller of this.#controllers.values()) {
      try {
        controller.reconcile();
      } catch (error) {
        // One service's bug must not stop the scheduling of every other.
        this.#log({
          level: 'ERROR',
          message: 'reconcile failed',
          service: controller.record.name,
          error: error instanceof Error ? error.stack : String(error),
        });
      }
    }
  }

  /** Writes every service record through; the changes of one moment share a write (JsonStore.persist). */
  #save(): Promise<void> {
    return this.#store
      .persist(() => ({ services: Object.fromEntries([...this.#controllers].map(([name, { record }]) => [name, record])) }))
      .catch((error: unknown) => this.#log({ level: 'WARN', message: 'saving services failed', error: errorMessage(error) }));
  }
}
