/** ComputePort on ECS Fargate: task definitions (task-definitions.ts) and services (services.ts) of one cluster. */
import { ECSClient } from '@aws-sdk/client-ecs';
import type { ComputePort, ServiceChange, ServiceSpec, ServiceState, TaskDefinitionRef, TaskDefinitionSpec } from '../cloud/ports.ts';
import { EcsServices } from './services.ts';
import type { ServiceSettings } from './services.ts';
import { EcsTaskDefinitions } from './task-definitions.ts';
import type { TaskDefinitionSettings } from './task-definitions.ts';
import { awsClient } from './clients.ts';

export interface EcsComputeOptions extends ServiceSettings, TaskDefinitionSettings {
  client?: ECSClient;
}

export class EcsCompute implements ComputePort {
  readonly #taskDefinitions: EcsTaskDefinitions;
  readonly #services: EcsServices;

  constructor(options: EcsComputeOptions) {
    const client = options.client ?? awsClient(ECSClient, { region: options.region });
    this.#taskDefinitions = new EcsTaskDefinitions(client, options);
    this.#services = new EcsServices(client, options);
  }

  registerTaskDefinition(spec: TaskDefinitionSpec): Promise<TaskDefinitionRef> {
    return this.#taskDefinitions.register(spec);
  }

  describeTaskDefinition(arn: string): Promise<(TaskDefinitionSpec & TaskDefinitionRef) | undefined> {
    return this.#taskDefinitions.describe(arn);
  }

  deregisterTaskDefinitions(family: string): Promise<number> {
    return this.#taskDefinitions.deregisterAll(family);
  }

  ensureService(spec: ServiceSpec): Promise<ServiceChange> {
    return this.#services.ensure(spec);
  }

  updateService(spec: { name: string; taskDefinitionArn: string }): Promise<ServiceChange> {
    return this.#services.update(spec);
  }

  describeService(name: string): Promise<ServiceState | undefined> {
    return this.#services.describe(name);
  }

  deleteService(name: string): Promise<void> {
    return this.#services.delete(name);
  }
}
