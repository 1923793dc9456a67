/**
 * The service half of ComputePort on ECS: one Fargate service per tenant, spread over the
 * stage's subnets (one per AZ), registered in the tenant's target group, deployed with the
 * circuit breaker so a release that cannot start is rolled back by ECS itself.
 */
import {
  ClusterNotFoundException,
  CreateServiceCommand,
  DeleteServiceCommand,
  DescribeServicesCommand,
  InvalidParameterException,
  ServiceNotActiveException,
  ServiceNotFoundException,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import type { Deployment, Service, ECSClient } from '@aws-sdk/client-ecs';
import { createHash } from 'node:crypto';
import { NotReadyError, PermanentCloudError } from '../cloud/errors.ts';
import type { RolloutState, ServiceChange, ServiceDeploymentState, ServiceSpec, ServiceState } from '../cloud/ports.ts';
import { translateAwsError } from './errors.ts';
import { ecsTagList } from './tags.ts';
import { CONTAINER_NAME } from './task-definitions.ts';

export interface ServiceSettings {
  clusterName: string;
  subnetIds: string[];
  taskSecurityGroupId: string;
  containerPort: number;
}

export class EcsServices {
  readonly #client: ECSClient;
  readonly #settings: ServiceSettings;

  constructor(client: ECSClient, settings: ServiceSettings) {
    this.#client = client;
    this.#settings = settings;
  }

  async ensure(spec: ServiceSpec): Promise<ServiceChange> {
    const service = await this.#find(spec.name);
    if (!service || service.status === 'INACTIVE') return this.#create(spec);
    if (service.status === 'DRAINING') {
      throw new NotReadyError(`service "${spec.name}" is still being deleted; it can be created again once INACTIVE`);
    }
    return this.#update(service, spec.name, spec.taskDefinitionArn, spec.desiredCount);
  }

  async update(spec: { name: string; taskDefinitionArn: string }): Promise<ServiceChange> {
    const service = await this.#find(spec.name);
    if (!service || service.status !== 'ACTIVE') {
      throw new PermanentCloudError(
        `service "${spec.name}" does not exist (or is being deleted) in cluster "${this.#settings.clusterName}": onboard the tenant before deploying to it`,
      );
    }
    return this.#update(service, spec.name, spec.taskDefinitionArn, service.desiredCount ?? 0);
  }

  async describe(name: string): Promise<ServiceState | undefined> {
    const service = await this.#find(name);
    return service && toState(service);
  }

  async delete(name: string): Promise<void> {
    const cluster = this.#settings.clusterName;
    try {
      // Scaling to zero first lets ECS drain the tasks through the load balancer before the delete.
      await this.#client.send(new UpdateServiceCommand({ cluster, service: name, desiredCount: 0 }));
      await this.#client.send(new DeleteServiceCommand({ cluster, service: name, force: true }));
    } catch (error) {
      if (error instanceof ServiceNotFoundException || error instanceof ServiceNotActiveException || error instanceof ClusterNotFoundException) return;
      throw translateAwsError(error, { action: 'ecs:DeleteService', resource: `service "${name}"` });
    }
  }

  /** The service, INACTIVE ones included (ECS keeps them listed for a while), or undefined when ECS has none. */
  async #find(name: string): Promise<Service | undefined> {
    try {
      const found = await this.#client.send(new DescribeServicesCommand({ cluster: this.#settings.clusterName, services: [name] }));
      return found.services?.find((service) => service.serviceName === name);
    } catch (error) {
      throw this.#translate(error, 'ecs:DescribeServices', name);
    }
  }

  async #create(spec: ServiceSpec): Promise<ServiceChange> {
    const { clusterName, subnetIds, taskSecurityGroupId, containerPort } = this.#settings;
    try {
      const created = await this.#client.send(
        new CreateServiceCommand({
          cluster: clusterName,
          serviceName: spec.name,
          taskDefinition: spec.taskDefinitionArn,
          desiredCount: spec.desiredCount,
          launchType: 'FARGATE',
          platformVersion: 'LATEST',
          // One subnet per AZ: Fargate spreads a service's tasks across the AZs of its subnets.
          // Public subnets with public IPs, so tasks reach ECR and S3 without a NAT gateway;
          // the security group admits only the load balancer.
          networkConfiguration: { awsvpcConfiguration: { subnets: subnetIds, securityGroups: [taskSecurityGroupId], assignPublicIp: 'ENABLED' } },
          loadBalancers: [{ targetGroupArn: spec.targetGroupArn, containerName: CONTAINER_NAME, containerPort }],
          healthCheckGracePeriodSeconds: 30,
          // 100/200: new tasks start beside the old ones, so a rollout never lowers capacity.
          deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: true }, minimumHealthyPercent: 100, maximumPercent: 200 },
          deploymentController: { type: 'ECS' },
          propagateTags: 'SERVICE',
          enableECSManagedTags: true,
          tags: ecsTagList(spec.tags),
          clientToken: serviceClientToken(spec),
        }),
      );
      return change(created.service, spec.name);
    } catch (error) {
      // ELB attaches a target group to the load balancer when the listener rule is created; ECS may not see it yet.
      if (error instanceof InvalidParameterException && /does not have an associated load balancer/i.test(error.message)) {
        throw new NotReadyError(
          `target group of service "${spec.name}" is not attached to the load balancer yet (its listener rule must exist first); asking again shortly`,
          { cause: error },
        );
      }
      throw this.#translate(error, 'ecs:CreateService', spec.name);
    }
  }

  async #update(service: Service, name: string, taskDefinition: string, desiredCount: number): Promise<ServiceChange> {
    const primary = service.deployments?.find((deployment) => deployment.status === 'PRIMARY');
    if (primary?.id && primary.taskDefinition === taskDefinition && service.desiredCount === desiredCount) {
      return { serviceArn: service.serviceArn ?? '', deploymentId: primary.id, changed: false };
    }
    try {
      const updated = await this.#client.send(new UpdateServiceCommand({ cluster: this.#settings.clusterName, service: name, taskDefinition, desiredCount }));
      return change(updated.service, name);
    } catch (error) {
      if (error instanceof ServiceNotFoundException || error instanceof ServiceNotActiveException) {
        throw new NotReadyError(`service "${name}" was deleted while being updated; asking again shortly`, { cause: error });
      }
      throw this.#translate(error, 'ecs:UpdateService', name);
    }
  }

  #translate(error: unknown, action: string, name: string): unknown {
    if (error instanceof ClusterNotFoundException) {
      return new PermanentCloudError(`cluster "${this.#settings.clusterName}" does not exist: check CLUSTER_NAME in the function's environment`, {
        cause: error,
      });
    }
    return translateAwsError(error, { action, resource: `service "${name}" in cluster "${this.#settings.clusterName}"` });
  }
}

/**
 * CreateService's idempotency token: a retried create (a timeout after ECS acted) returns
 * the service instead of failing. Derived from the service name and what it is created with,
 * so a later re-creation with another spec is not mistaken for the earlier request.
 */
export function serviceClientToken(spec: ServiceSpec): string {
  const seed = JSON.stringify([spec.name, spec.taskDefinitionArn, spec.desiredCount, spec.targetGroupArn]);
  return createHash('sha256').update(seed).digest('hex').slice(0, 32);
}

function change(service: Service | undefined, name: string): ServiceChange {
  const primary = service?.deployments?.find((deployment) => deployment.status === 'PRIMARY');
  if (!service?.serviceArn || !primary?.id) throw new PermanentCloudError(`ECS returned service "${name}" without a primary deployment`);
  return { serviceArn: service.serviceArn, deploymentId: primary.id, changed: true };
}

function toState(service: Service): ServiceState {
  const deployments = [...(service.deployments ?? [])].sort((a, b) => (b.createdAt?.getTime() ?? 0) - (a.createdAt?.getTime() ?? 0));
  return {
    name: service.serviceName ?? '',
    arn: service.serviceArn ?? '',
    status: (service.status ?? 'INACTIVE') as ServiceState['status'],
    desiredCount: service.desiredCount ?? 0,
    runningCount: service.runningCount ?? 0,
    deployments: deployments.map(toDeploymentState),
  };
}

function toDeploymentState(deployment: Deployment): ServiceDeploymentState {
  return {
    id: deployment.id ?? '',
    status: (deployment.status ?? 'INACTIVE') as ServiceDeploymentState['status'],
    taskDefinitionArn: deployment.taskDefinition ?? '',
    // Services created without the circuit breaker report no rollout state; ours always have it.
    rolloutState: (deployment.rolloutState ?? 'IN_PROGRESS') as RolloutState,
    ...(deployment.rolloutStateReason ? { rolloutStateReason: deployment.rolloutStateReason } : {}),
    desiredCount: deployment.desiredCount ?? 0,
    runningCount: deployment.runningCount ?? 0,
    failedTasks: deployment.failedTasks ?? 0,
  };
}
