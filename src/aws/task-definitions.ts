/**
 * The task-definition half of ComputePort on ECS: one family per tenant, one revision per
 * distinct (image, size, environment, secrets, role). Registering what already exists returns
 * the existing revision, so a retried step does not pile up revisions.
 */
import {
  ClientException,
  DeleteTaskDefinitionsCommand,
  DeregisterTaskDefinitionCommand,
  DescribeTaskDefinitionCommand,
  ListTaskDefinitionsCommand,
  RegisterTaskDefinitionCommand,
} from '@aws-sdk/client-ecs';
import type { ContainerDefinition, RegisterTaskDefinitionCommandInput, Tag, TaskDefinition, TaskDefinitionStatus, ECSClient } from '@aws-sdk/client-ecs';
import { isDeepStrictEqual } from 'node:util';
import { PermanentCloudError, TransientCloudError } from '../cloud/errors.ts';
import type { TaskDefinitionRef, TaskDefinitionSpec } from '../cloud/ports.ts';
import { translateAwsError } from './errors.ts';
import { ecsTagList } from './tags.ts';

export const CONTAINER_NAME = 'app';
/**
 * One CPU architecture end to end: Graviton (ARM64) for the tasks, as for the functions
 * (serverless.yml, provider.architecture: arm64); the README's image build targets linux/arm64.
 */
export const CPU_ARCHITECTURE = 'ARM64';
/** DeleteTaskDefinitions takes at most this many ARNs per request. */
export const DELETE_TASK_DEFINITIONS_BATCH = 10;

export interface TaskDefinitionSettings {
  region: string;
  executionRoleArn: string;
  containerPort: number;
}

export class EcsTaskDefinitions {
  readonly #client: ECSClient;
  readonly #settings: TaskDefinitionSettings;

  constructor(client: ECSClient, settings: TaskDefinitionSettings) {
    this.#client = client;
    this.#settings = settings;
  }

  async register(spec: TaskDefinitionSpec): Promise<TaskDefinitionRef> {
    const wanted = this.registerInput(spec);
    const newest = await this.#describe(spec.family);
    if (newest && isDeepStrictEqual(comparable(newest), comparable(wanted))) return toRef(newest);
    try {
      const registered = (await this.#client.send(new RegisterTaskDefinitionCommand(wanted))).taskDefinition;
      if (!registered) throw new PermanentCloudError(`ECS returned no task definition for family "${spec.family}"`);
      return toRef(registered);
    } catch (error) {
      // ECS serialises revisions of one family and answers a ClientException (no class of its own) when many arrive at once.
      if (error instanceof ClientException && /too many concurrent attempts/i.test(error.message)) {
        throw new TransientCloudError(`ECS is busy registering other revisions of "${spec.family}"; retrying`, { cause: error });
      }
      throw translateAwsError(error, { action: 'ecs:RegisterTaskDefinition', resource: `task definition family "${spec.family}"` });
    }
  }

  async describe(arn: string): Promise<(TaskDefinitionSpec & TaskDefinitionRef) | undefined> {
    const found = await this.#describe(arn);
    return found && toSpec(found);
  }

  async deregisterAll(family: string): Promise<number> {
    const resource = `task definition family "${family}"`;
    try {
      const active = await this.#list(family, 'ACTIVE');
      for (const taskDefinition of active) {
        await this.#client.send(new DeregisterTaskDefinitionCommand({ taskDefinition }));
      }
      const inactive = [...new Set([...active, ...(await this.#list(family, 'INACTIVE'))])];
      for (let start = 0; start < inactive.length; start += DELETE_TASK_DEFINITIONS_BATCH) {
        const batch = inactive.slice(start, start + DELETE_TASK_DEFINITIONS_BATCH);
        const { failures = [] } = await this.#client.send(new DeleteTaskDefinitionsCommand({ taskDefinitions: batch }));
        if (failures.length > 0) {
          const first = failures[0];
          throw new TransientCloudError(
            `${failures.length} revision(s) of ${resource} could not be deleted; first: ${first?.arn} ${first?.reason} ${first?.detail ?? ''}`,
          );
        }
      }
      return inactive.length;
    } catch (error) {
      throw translateAwsError(error, { action: 'ecs:DeregisterTaskDefinition', resource });
    }
  }

  /** What ECS is asked to run for `spec`: one container, Fargate, read-only root, logs to the tenant's group. */
  registerInput(spec: TaskDefinitionSpec): RegisterTaskDefinitionCommandInput {
    const container: ContainerDefinition = {
      name: CONTAINER_NAME,
      image: spec.image,
      essential: true,
      portMappings: [{ containerPort: this.#settings.containerPort, protocol: 'tcp' }],
      // Sorted, so the same environment always makes the same definition.
      environment: sorted(spec.environment).map(([name, value]) => ({ name, value })),
      // Only ARNs: ECS reads each value with the execution role when a task starts
      // (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/secrets-envvar-secrets-manager.html).
      secrets: sorted(spec.secrets ?? {}).map(([name, valueFrom]) => ({ name, valueFrom })),
      logConfiguration: {
        logDriver: 'awslogs',
        options: { 'awslogs-group': spec.logGroup, 'awslogs-region': this.#settings.region, 'awslogs-stream-prefix': CONTAINER_NAME },
      },
      readonlyRootFilesystem: true,
      // The only writable place: uploads are buffered in /tmp before they go to S3.
      mountPoints: [{ sourceVolume: 'tmp', containerPath: '/tmp', readOnly: false }],
      // The app drains in-flight requests on SIGTERM well within this; the ALB has already stopped sending.
      stopTimeout: 15,
    };
    return {
      family: spec.family,
      requiresCompatibilities: ['FARGATE'],
      networkMode: 'awsvpc',
      cpu: String(spec.cpu),
      memory: String(spec.memory),
      runtimePlatform: { operatingSystemFamily: 'LINUX', cpuArchitecture: CPU_ARCHITECTURE },
      executionRoleArn: this.#settings.executionRoleArn,
      taskRoleArn: spec.taskRoleArn,
      containerDefinitions: [container],
      volumes: [{ name: 'tmp' }],
      tags: ecsTagList(spec.tags),
    };
  }

  /** The newest ACTIVE revision when given a family, that revision when given an ARN; undefined when none. */
  async #describe(taskDefinition: string): Promise<(TaskDefinition & { tags?: Tag[] }) | undefined> {
    try {
      const found = await this.#client.send(new DescribeTaskDefinitionCommand({ taskDefinition, include: ['TAGS'] }));
      return found.taskDefinition && { ...found.taskDefinition, tags: found.tags };
    } catch (error) {
      // "None" has no exception class in ECS: it is a ClientException with this message.
      if (error instanceof ClientException && /unable to describe task definition/i.test(error.message)) return undefined;
      throw translateAwsError(error, { action: 'ecs:DescribeTaskDefinition', resource: `task definition "${taskDefinition}"` });
    }
  }

  /** ARNs of the family's revisions; ListTaskDefinitions matches a prefix, so "ca" would also list "cal". */
  async #list(family: string, status: TaskDefinitionStatus): Promise<string[]> {
    const arns: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.#client.send(new ListTaskDefinitionsCommand({ familyPrefix: family, status, nextToken }));
      arns.push(...(page.taskDefinitionArns ?? []).filter((arn) => parseArn(arn)?.family === family));
      nextToken = page.nextToken;
    } while (nextToken);
    return arns;
  }
}

const sorted = (entries: Record<string, string>) => Object.entries(entries).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

/** The fields that decide whether two definitions run the same thing (ECS adds defaults to the rest). */
function comparable(
  definition: Pick<TaskDefinition, 'cpu' | 'memory' | 'taskRoleArn' | 'executionRoleArn' | 'containerDefinitions' | 'runtimePlatform'>,
): unknown {
  const app = definition.containerDefinitions?.find((container) => container.name === CONTAINER_NAME);
  return {
    cpu: definition.cpu,
    memory: definition.memory,
    taskRoleArn: definition.taskRoleArn,
    executionRoleArn: definition.executionRoleArn,
    image: app?.image,
    environment: Object.fromEntries((app?.environment ?? []).map((entry) => [entry.name, entry.value])),
    secrets: Object.fromEntries((app?.secrets ?? []).map((entry) => [entry.name, entry.valueFrom])),
    cpuArchitecture: definition.runtimePlatform?.cpuArchitecture,
    logDriver: app?.logConfiguration?.logDriver,
    logOptions: app?.logConfiguration?.options,
  };
}

function toRef(definition: TaskDefinition): TaskDefinitionRef {
  const arn = definition.taskDefinitionArn ?? '';
  return { arn, family: definition.family ?? parseArn(arn)?.family ?? '', revision: definition.revision ?? parseArn(arn)?.revision ?? 0 };
}

function toSpec(definition: TaskDefinition & { tags?: Tag[] }): TaskDefinitionSpec & TaskDefinitionRef {
  const app = definition.containerDefinitions?.find((container) => container.name === CONTAINER_NAME);
  return {
    ...toRef(definition),
    image: app?.image ?? '',
    cpu: Number(definition.cpu),
    memory: Number(definition.memory),
    environment: Object.fromEntries((app?.environment ?? []).map((entry) => [entry.name ?? '', entry.value ?? ''])),
    secrets: Object.fromEntries((app?.secrets ?? []).map((entry) => [entry.name ?? '', entry.valueFrom ?? ''])),
    taskRoleArn: definition.taskRoleArn ?? '',
    logGroup: app?.logConfiguration?.options?.['awslogs-group'] ?? '',
    tags: Object.fromEntries((definition.tags ?? []).map((tag) => [tag.key ?? '', tag.value ?? ''])),
  };
}

/** `arn:<partition>:ecs:<region>:<account>:task-definition/<family>:<revision>` */
export function parseArn(arn: string): { family: string; revision: number } | undefined {
  const match = /:task-definition\/([^:]+):(\d+)$/.exec(arn);
  return match?.[1] && match[2] ? { family: match[1], revision: Number(match[2]) } : undefined;
}
