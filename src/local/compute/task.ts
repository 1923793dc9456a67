import { randomBytes } from 'node:crypto';
import type { TargetHealth } from '../../cloud/ports.ts';
import { containerEngine } from './container-engine.ts';
import type { ContainerHealthStatus } from './container-health.ts';
import { readContainerImage } from './container-image.ts';
import { startTaskContainer, type ContainerTaskProcess } from './container-task.ts';
import { RUNTIME_VARIABLE } from './task-runtime.ts';
import { allocatePort, releasePort, startTaskProcess, TaskStartError } from './task-runner.ts';
import type { ProcessExit, TaskProcess } from './task-runner.ts';
import type { TaskDefinition } from './task-definitions.ts';

/** What the compute side needs of the load balancer (LocalLoadBalancer provides it). */
export interface TargetRegistry {
  registerTarget(targetGroupArn: string, target: { id: string; host: string; port: number; zone: string }): Promise<void>;
  /** Resolves once the target is drained and gone, so its process may be stopped. */
  deregisterTarget(targetGroupArn: string, id: string): Promise<void>;
  targetHealth(targetGroupArn: string, id: string): TargetHealth | undefined;
  /** Throws when the target group does not exist. */
  describeTargetHealth(targetGroupArn: string): Promise<TargetHealth[]>;
}

export type TaskState = 'PROVISIONING' | 'RUNNING' | 'STOPPING' | 'STOPPED';

/** How a task ended: `failure` is set when it was not asked to stop (a crash or an image that cannot start). */
export interface TaskEnd {
  failure?: { kind: 'start' | 'crash'; detail: string };
}

/** A task image that is a container image: the task runs as a container of it. */
async function containerImageOf(home: string, image: string) {
  try {
    return await readContainerImage(home, image.slice(image.indexOf('@') + 1));
  } catch {
    return undefined; // not a digest: the process runner says so
  }
}

export interface TaskContext {
  home: string;
  registry: TargetRegistry;
  /**
   * What the platform gives every task besides its definition's environment, as
   * ECS gives a task its role's credentials: locally, the endpoints of the local
   * DynamoDB and S3 and placeholder credentials.
   */
  platformEnvironment: Record<string, string>;
  /**
   * The value of a container definition's `secrets[].valueFrom` (a secret's ARN), read when the
   * task starts, as ECS does with the execution role; throws when the secret cannot be read.
   */
  secretValue(valueFrom: string): Promise<string>;
  /** SIGTERM -> SIGKILL grace (ECS's stopTimeout). */
  stopTimeoutMs: number;
  /** The container's health status changed (the scheduler may act on it). */
  onHealth?(task: Task): void;
  /** The process exists: its pid should be recorded soon, in case this control plane crashes. */
  onSpawned(task: Task): void;
  onEnd(task: Task, end: TaskEnd): void;
}

export interface TaskPlacement {
  deploymentId: string;
  targetGroupArn: string;
  zone: string;
  logFile: (taskId: string) => string;
}

/**
 * One task: a process plus its target in the service's target group. Its life:
 * PROVISIONING (port, image, spawn, register) -> RUNNING -> STOPPING (drain,
 * SIGTERM, SIGKILL) -> STOPPED; `onEnd` is called exactly once, at STOPPED.
 */
export class Task {
  /** 32 hex digits, like an ECS task id; also the target id, so a reused port never mixes two tasks. */
  readonly id = randomBytes(16).toString('hex');
  readonly definition: TaskDefinition;
  readonly targetGroupArn: string;
  readonly zone: string;
  readonly logFile: string;
  /** Mutable: a new deployment of the same task definition adopts the running tasks instead of replacing them. */
  deploymentId: string;
  state: TaskState = 'PROVISIONING';
  port = 0;
  startedAt = Date.now();
  everHealthy = false;
  stopReason: string | undefined;
  #process: TaskProcess | undefined;
  #container: ContainerTaskProcess | undefined;
  readonly #context: TaskContext;
  readonly #launched: Promise<void>;
  /** Why a spawned process is being killed by the launch itself (its target could not be registered). */
  #pendingFailure: TaskEnd['failure'];
  #ended = false;

  constructor(definition: TaskDefinition, placement: TaskPlacement, context: TaskContext) {
    this.definition = definition;
    this.deploymentId = placement.deploymentId;
    this.targetGroupArn = placement.targetGroupArn;
    this.zone = placement.zone;
    this.logFile = placement.logFile(this.id);
    this.#context = context;
    this.#launched = this.#launch();
  }

  get pid(): number | undefined {
    return this.#process?.pid;
  }

  get live(): boolean {
    return this.state === 'PROVISIONING' || this.state === 'RUNNING';
  }

  /** The load balancer's view of the task's target, once RUNNING. */
  health(): TargetHealth | undefined {
    return this.state === 'RUNNING' ? this.#context.registry.targetHealth(this.targetGroupArn, this.id) : undefined;
  }

  /** The container health check's status; undefined for a process task or an image without HEALTHCHECK. */
  containerHealth(): ContainerHealthStatus | undefined {
    return this.#container?.health();
  }

  /** Why the container health check last failed. */
  containerHealthFailure(): string | undefined {
    return this.#container?.healthFailure();
  }

  /** The container's name, for a container task. */
  get container(): string | undefined {
    return this.#container?.container;
  }

  /**
   * Healthy as the service scheduler counts it: its target healthy and, when its essential
   * container has a health check, that check HEALTHY too (ECS counts a task with a container
   * health check toward the minimum healthy percent only once it is HEALTHY:
   * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeploymentConfiguration.html).
   */
  get healthy(): boolean {
    const container = this.containerHealth();
    return this.health()?.state === 'healthy' && (container === undefined || container === 'HEALTHY');
  }

  async #launch(): Promise<void> {
    const { registry } = this.#context;
    try {
      this.port = await allocatePort();
      if (this.state !== 'PROVISIONING') return this.#end({});
      const environment = { ...this.#context.platformEnvironment, ...this.definition.environment, ...(await this.#secrets()) };
      if (this.state !== 'PROVISIONING') return this.#end({});
      this.#process = await this.#start(environment);
      void this.#process.exited.then((exit) => this.#onExit(exit));
      this.#context.onSpawned(this);
      if (this.state !== 'PROVISIONING') return;
      await registry.registerTarget(this.targetGroupArn, { id: this.id, host: '127.0.0.1', port: this.port, zone: this.zone });
      if (this.state === 'PROVISIONING') {
        this.state = 'RUNNING';
        this.startedAt = Date.now();
      } else {
        // It died (or was stopped) while being registered: take the target back out.
        await registry.deregisterTarget(this.targetGroupArn, this.id);
      }
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      if (this.#process) {
        this.state = 'STOPPING';
        this.#process.kill();
        this.#pendingFailure = { kind: 'start', detail };
      } else {
        this.#end({ failure: { kind: 'start', detail } });
      }
    }
  }

  /**
   * The task's secrets, as environment variables. ECS injects them at container start; a secret it
   * cannot read stops the task before it runs ("ResourceInitializationError: unable to pull secrets",
   * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/secrets-envvar-secrets-manager.html).
   */
  async #secrets(): Promise<Record<string, string>> {
    const values: Record<string, string> = {};
    for (const [name, valueFrom] of Object.entries(this.definition.secrets ?? {})) {
      try {
        values[name] = await this.#context.secretValue(valueFrom);
      } catch (error) {
        throw new TaskStartError(
          `ResourceInitializationError: unable to pull secrets: ${name} from ${valueFrom}: ${error instanceof Error ? error.message : String(error)}`,
          { cause: error },
        );
      }
    }
    return values;
  }

  /** A container of the image when it is a container image, else a process of the package. */
  async #start(environment: Record<string, string>): Promise<TaskProcess> {
    const { home } = this.#context;
    const image = await containerImageOf(home, this.definition.image);
    if (!image) return startTaskProcess({ home, taskId: this.id, image: this.definition.image, environment, port: this.port, logFile: this.logFile });
    const { engine, tried } = await containerEngine();
    if (!engine) {
      throw new TaskStartError(
        `image ${this.definition.image} is a container image (built by ${image.engine}) but no container engine answers here (${tried.join('; ')}); ` +
          `start ${image.engine}, or push a release with ${RUNTIME_VARIABLE}=process to run tasks as processes`,
      );
    }
    this.#container = await startTaskContainer({
      engine,
      home,
      taskId: this.id,
      imageUri: this.definition.image,
      image,
      environment,
      hostPort: this.port,
      cpu: this.definition.cpu,
      memory: this.definition.memory,
      logFile: this.logFile,
      onHealth: () => this.#context.onHealth?.(this),
    });
    return this.#container;
  }

  #onExit(exit: ProcessExit): void {
    const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
    const what = this.#container ? 'container' : 'process';
    let failure = this.#pendingFailure;
    if (!failure && this.state !== 'STOPPING') {
      failure = this.everHealthy
        ? { kind: 'crash', detail: `essential container ${how} (log: ${this.logFile})` }
        : { kind: 'start', detail: `${what} ${how} before passing health checks (log: ${this.logFile})` };
    }
    void this.#context.registry.deregisterTarget(this.targetGroupArn, this.id).catch(() => undefined);
    this.#end(failure ? { failure } : {});
  }

  #end(end: TaskEnd): void {
    if (this.#ended) return;
    this.#ended = true;
    this.state = 'STOPPED';
    if (this.port) releasePort(this.port);
    this.#context.onEnd(this, end);
  }

  /** Takes the target out (waiting for its in-flight requests), then stops the process. */
  async stop(reason: string): Promise<void> {
    if (this.state === 'STOPPING' || this.state === 'STOPPED') return;
    this.state = 'STOPPING';
    this.stopReason = reason;
    await this.#launched;
    if (!this.#process) return; // never started: #launch has ended it
    await this.#context.registry.deregisterTarget(this.targetGroupArn, this.id).catch(() => undefined);
    // Callers fire and forget; the exit handler reports how the process ended.
    await this.#process.stop(this.#context.stopTimeoutMs).catch(() => undefined);
  }

  /** Resolves once STOPPED. */
  async stopped(): Promise<void> {
    await this.#launched;
    await this.#process?.exited;
  }

  /** SIGKILL now, without draining: for shutdown paths that cannot wait. */
  kill(): void {
    if (this.state !== 'STOPPED') this.state = 'STOPPING';
    this.#process?.kill();
  }
}
