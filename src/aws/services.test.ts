import {
  ClusterNotFoundException,
  CreateServiceCommand,
  DeleteServiceCommand,
  DescribeServicesCommand,
  ECSClient,
  ECSServiceException,
  InvalidParameterException,
  ServiceNotActiveException,
  ServiceNotFoundException,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import type { Service } from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from '@jest/globals';
import { NotReadyError, PermanentCloudError, TransientCloudError } from '../cloud/errors.ts';
import type { ServiceSpec } from '../cloud/ports.ts';
import { EcsCompute } from './compute.ts';
import { serviceClientToken } from './services.ts';

const ecs = mockClient(ECSClient);
const compute = new EcsCompute({
  client: new ECSClient({ region: 'us-east-1' }),
  region: 'us-east-1',
  executionRoleArn: 'arn:aws:iam::123456789012:role/exec',
  containerPort: 8080,
  clusterName: 'humangov-prod',
  subnetIds: ['subnet-aaa', 'subnet-bbb'],
  taskSecurityGroupId: 'sg-123',
});
const cluster = 'humangov-prod';
const name = 'humangov-ca';
const serviceArn = `arn:aws:ecs:us-east-1:123456789012:service/${cluster}/${name}`;
const td = (revision: number): string => `arn:aws:ecs:us-east-1:123456789012:task-definition/humangov-prod-ca:${revision}`;
const spec: ServiceSpec = {
  name,
  taskDefinitionArn: td(2),
  desiredCount: 2,
  targetGroupArn: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/hg-prod-ca/abc',
  tags: { 'humangov:tenant': 'ca' },
};
const meta = { $metadata: {} };

function service(overrides: Partial<Service> = {}): Service {
  return {
    serviceName: name,
    serviceArn,
    status: 'ACTIVE',
    desiredCount: 2,
    runningCount: 2,
    deployments: [{ id: 'ecs-svc/1', status: 'PRIMARY', taskDefinition: td(2), rolloutState: 'COMPLETED', desiredCount: 2, runningCount: 2, failedTasks: 0 }],
    ...overrides,
  };
}

afterEach(() => {
  ecs.reset();
});

describe('EcsCompute.ensureService', () => {
  it('creates a missing service on Fargate over both subnets, behind the target group, with the circuit breaker and 100/200', async () => {
    ecs.on(DescribeServicesCommand).resolves({ services: [], failures: [{ arn: serviceArn, reason: 'MISSING' }] });
    ecs.on(CreateServiceCommand).resolves({ service: service({ deployments: [{ id: 'ecs-svc/9', status: 'PRIMARY', taskDefinition: td(2) }] }) });

    await expect(compute.ensureService(spec)).resolves.toEqual({ serviceArn, deploymentId: 'ecs-svc/9', changed: true });

    expect(ecs.commandCalls(DescribeServicesCommand)[0]?.args[0].input).toEqual({ cluster, services: [name] });
    expect(ecs.commandCalls(CreateServiceCommand)[0]?.args[0].input).toEqual({
      cluster,
      serviceName: name,
      taskDefinition: td(2),
      desiredCount: 2,
      launchType: 'FARGATE',
      platformVersion: 'LATEST',
      networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-aaa', 'subnet-bbb'], securityGroups: ['sg-123'], assignPublicIp: 'ENABLED' } },
      loadBalancers: [{ targetGroupArn: spec.targetGroupArn, containerName: 'app', containerPort: 8080 }],
      healthCheckGracePeriodSeconds: 30,
      deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: true }, minimumHealthyPercent: 100, maximumPercent: 200 },
      deploymentController: { type: 'ECS' },
      propagateTags: 'SERVICE',
      enableECSManagedTags: true,
      tags: [{ key: 'humangov:tenant', value: 'ca' }],
      clientToken: serviceClientToken(spec),
    });
  });

  it('creates the service again when ECS lists it INACTIVE (deleted earlier)', async () => {
    ecs.on(DescribeServicesCommand).resolves({ services: [service({ status: 'INACTIVE' })] });
    ecs.on(CreateServiceCommand).resolves({ service: service() });

    await expect(compute.ensureService(spec)).resolves.toMatchObject({ changed: true });
    expect(ecs.commandCalls(CreateServiceCommand)).toHaveLength(1);
  });

  it('changes nothing when the primary deployment already runs the spec', async () => {
    ecs.on(DescribeServicesCommand).resolves({ services: [service()] });

    await expect(compute.ensureService(spec)).resolves.toEqual({ serviceArn, deploymentId: 'ecs-svc/1', changed: false });
    expect(ecs.commandCalls(UpdateServiceCommand)).toHaveLength(0);
    expect(ecs.commandCalls(CreateServiceCommand)).toHaveLength(0);
  });

  it('updates task definition and count of an existing service and follows the new primary deployment', async () => {
    ecs
      .on(DescribeServicesCommand)
      .resolves({ services: [service({ desiredCount: 3, deployments: [{ id: 'ecs-svc/1', status: 'PRIMARY', taskDefinition: td(1) }] })] });
    ecs.on(UpdateServiceCommand).resolves({
      service: service({
        deployments: [
          { id: 'ecs-svc/2', status: 'PRIMARY', taskDefinition: td(2) },
          { id: 'ecs-svc/1', status: 'ACTIVE', taskDefinition: td(1) },
        ],
      }),
    });

    await expect(compute.ensureService(spec)).resolves.toEqual({ serviceArn, deploymentId: 'ecs-svc/2', changed: true });
    expect(ecs.commandCalls(UpdateServiceCommand)[0]?.args[0].input).toEqual({ cluster, service: name, taskDefinition: td(2), desiredCount: 2 });
  });

  it('throws NotReadyError while a deleted service is still DRAINING', async () => {
    ecs.on(DescribeServicesCommand).resolves({ services: [service({ status: 'DRAINING' })] });

    await expect(compute.ensureService(spec)).rejects.toBeInstanceOf(NotReadyError);
  });

  it('throws NotReadyError while the target group is not yet attached to the load balancer', async () => {
    ecs.on(DescribeServicesCommand).resolves({ services: [] });
    ecs
      .on(CreateServiceCommand)
      .rejects(new InvalidParameterException({ message: 'The target group with targetGroupArn arn:... does not have an associated load balancer.', ...meta }));

    await expect(compute.ensureService(spec)).rejects.toBeInstanceOf(NotReadyError);
  });

  it('names CLUSTER_NAME when the cluster does not exist', async () => {
    ecs.on(DescribeServicesCommand).rejects(new ClusterNotFoundException({ message: 'Cluster not found.', ...meta }));

    const error = await compute.ensureService(spec).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PermanentCloudError);
    expect((error as Error).message).toMatch(/CLUSTER_NAME/);
  });

  it('translates throttling into TransientCloudError', async () => {
    ecs
      .on(DescribeServicesCommand)
      .rejects(new ECSServiceException({ name: 'ThrottlingException', $fault: 'client', message: 'Rate exceeded', $metadata: { httpStatusCode: 400 } }));

    await expect(compute.ensureService(spec)).rejects.toBeInstanceOf(TransientCloudError);
  });

  it('derives the same client token for the same request and another for another spec', () => {
    expect(serviceClientToken(spec)).toBe(serviceClientToken({ ...spec, tags: {} }));
    expect(serviceClientToken(spec)).not.toBe(serviceClientToken({ ...spec, taskDefinitionArn: td(3) }));
    expect(serviceClientToken(spec)).toMatch(/^[0-9a-f]{32}$/);
  });
});

describe('EcsCompute.updateService', () => {
  it('points the service at another task definition, keeping its count', async () => {
    ecs.on(DescribeServicesCommand).resolves({ services: [service({ desiredCount: 4 })] });
    ecs.on(UpdateServiceCommand).resolves({ service: service({ deployments: [{ id: 'ecs-svc/3', status: 'PRIMARY', taskDefinition: td(1) }] }) });

    await expect(compute.updateService({ name, taskDefinitionArn: td(1) })).resolves.toEqual({ serviceArn, deploymentId: 'ecs-svc/3', changed: true });
    expect(ecs.commandCalls(UpdateServiceCommand)[0]?.args[0].input).toEqual({ cluster, service: name, taskDefinition: td(1), desiredCount: 4 });
  });

  it('changes nothing when the service already runs that task definition', async () => {
    ecs.on(DescribeServicesCommand).resolves({ services: [service()] });

    await expect(compute.updateService({ name, taskDefinitionArn: td(2) })).resolves.toMatchObject({ changed: false, deploymentId: 'ecs-svc/1' });
    expect(ecs.commandCalls(UpdateServiceCommand)).toHaveLength(0);
  });

  it('refuses a service that does not exist', async () => {
    ecs.on(DescribeServicesCommand).resolves({ services: [], failures: [{ reason: 'MISSING' }] });

    await expect(compute.updateService({ name, taskDefinitionArn: td(2) })).rejects.toBeInstanceOf(PermanentCloudError);
  });
});

describe('EcsCompute.describeService', () => {
  it('maps the service and its deployments, newest first, with rollout state and failed tasks', async () => {
    ecs.on(DescribeServicesCommand).resolves({
      services: [
        service({
          runningCount: 1,
          deployments: [
            {
              id: 'ecs-svc/1',
              status: 'ACTIVE',
              taskDefinition: td(1),
              rolloutState: 'COMPLETED',
              desiredCount: 2,
              runningCount: 1,
              failedTasks: 0,
              createdAt: new Date('2025-01-01T00:00:00Z'),
            },
            {
              id: 'ecs-svc/2',
              status: 'PRIMARY',
              taskDefinition: td(2),
              rolloutState: 'FAILED',
              rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.',
              desiredCount: 2,
              runningCount: 0,
              failedTasks: 3,
              createdAt: new Date('2025-01-02T00:00:00Z'),
            },
          ],
        }),
      ],
    });

    await expect(compute.describeService(name)).resolves.toEqual({
      name,
      arn: serviceArn,
      status: 'ACTIVE',
      desiredCount: 2,
      runningCount: 1,
      deployments: [
        {
          id: 'ecs-svc/2',
          status: 'PRIMARY',
          taskDefinitionArn: td(2),
          rolloutState: 'FAILED',
          rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.',
          desiredCount: 2,
          runningCount: 0,
          failedTasks: 3,
        },
        { id: 'ecs-svc/1', status: 'ACTIVE', taskDefinitionArn: td(1), rolloutState: 'COMPLETED', desiredCount: 2, runningCount: 1, failedTasks: 0 },
      ],
    });
  });

  it('returns undefined for a service ECS does not know', async () => {
    ecs.on(DescribeServicesCommand).resolves({ services: [], failures: [{ reason: 'MISSING' }] });

    await expect(compute.describeService(name)).resolves.toBeUndefined();
  });
});

describe('EcsCompute.deleteService', () => {
  it('scales the service to zero, then force-deletes it', async () => {
    await compute.deleteService(name);

    expect(ecs.calls().map((call) => call.args[0].input)).toEqual([
      { cluster, service: name, desiredCount: 0 },
      { cluster, service: name, force: true },
    ]);
    expect(ecs.commandCalls(DeleteServiceCommand)).toHaveLength(1);
  });

  it('treats a missing or inactive service as deleted', async () => {
    ecs.on(UpdateServiceCommand).rejectsOnce(new ServiceNotFoundException({ message: 'Service not found.', ...meta }));
    await expect(compute.deleteService(name)).resolves.toBeUndefined();

    ecs.on(UpdateServiceCommand).resolves({});
    ecs.on(DeleteServiceCommand).rejects(new ServiceNotActiveException({ message: 'Service was not ACTIVE.', ...meta }));
    await expect(compute.deleteService(name)).resolves.toBeUndefined();
  });
});
