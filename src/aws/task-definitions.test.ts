import {
  ClientException,
  DeleteTaskDefinitionsCommand,
  DeregisterTaskDefinitionCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  ECSServiceException,
  ListTaskDefinitionsCommand,
  RegisterTaskDefinitionCommand,
} from '@aws-sdk/client-ecs';
import type { TaskDefinition } from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from '@jest/globals';
import { TransientCloudError } from '../cloud/errors.ts';
import type { TaskDefinitionSpec } from '../cloud/ports.ts';
import { EcsCompute } from './compute.ts';
import { parseArn } from './task-definitions.ts';

const ecs = mockClient(ECSClient);
const executionRoleArn = 'arn:aws:iam::123456789012:role/humangov-prod-execution';
const compute = new EcsCompute({
  client: new ECSClient({ region: 'us-east-1' }),
  region: 'us-east-1',
  executionRoleArn,
  containerPort: 8080,
  clusterName: 'humangov-prod',
  subnetIds: ['subnet-a', 'subnet-b'],
  taskSecurityGroupId: 'sg-1',
});
const family = 'humangov-prod-ca';
const arnOf = (revision: number, name = family): string => `arn:aws:ecs:us-east-1:123456789012:task-definition/${name}:${revision}`;
const spec: TaskDefinitionSpec = {
  family,
  image: '123456789012.dkr.ecr.us-east-1.amazonaws.com/humangov@sha256:abc',
  cpu: 256,
  memory: 512,
  environment: { US_STATE: 'California', AWS_BUCKET: 'humangov-prod-ca-123456789012', TENANT_ID: 'ca' },
  secrets: { CSRF_SECRET: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:humangov/prod/tenants/ca/csrf-AbCdEf' },
  taskRoleArn: 'arn:aws:iam::123456789012:role/humangov-prod-ca-task',
  logGroup: '/humangov/prod/tenants/ca',
  tags: { 'humangov:tenant': 'ca' },
};
const meta = { $metadata: {} };
const none = new ClientException({ message: 'Unable to describe task definition.', ...meta });

/** What DescribeTaskDefinition returns for `spec` registered as `revision`, with the defaults ECS adds. */
function described(
  revision: number,
  overrides: Partial<TaskDefinitionSpec> = {},
  cpuArchitecture: 'ARM64' | 'X86_64' = 'ARM64',
): { taskDefinition: TaskDefinition; tags: { key: string; value: string }[] } {
  const wanted = { ...spec, ...overrides };
  return {
    taskDefinition: {
      taskDefinitionArn: arnOf(revision),
      family,
      revision,
      status: 'ACTIVE',
      cpu: String(wanted.cpu),
      memory: String(wanted.memory),
      taskRoleArn: wanted.taskRoleArn,
      executionRoleArn,
      runtimePlatform: { operatingSystemFamily: 'LINUX', cpuArchitecture },
      containerDefinitions: [
        {
          name: 'app',
          image: wanted.image,
          cpu: 0,
          portMappings: [{ containerPort: 8080, hostPort: 8080, protocol: 'tcp' }],
          environment: Object.entries(wanted.environment)
            .map(([name, value]) => ({ name, value }))
            .reverse(),
          secrets: Object.entries(wanted.secrets ?? {}).map(([name, valueFrom]) => ({ name, valueFrom })),
          mountPoints: [],
          volumesFrom: [],
          logConfiguration: {
            logDriver: 'awslogs',
            options: { 'awslogs-group': wanted.logGroup, 'awslogs-region': 'us-east-1', 'awslogs-stream-prefix': 'app' },
          },
        },
      ],
    },
    tags: [{ key: 'humangov:tenant', value: 'ca' }],
  };
}

afterEach(() => {
  ecs.reset();
});

describe('EcsCompute.registerTaskDefinition', () => {
  it('registers an ARM64 Fargate revision with one read-only "app" container, sorted environment, secrets by ARN and awslogs', async () => {
    ecs.on(DescribeTaskDefinitionCommand).rejects(none);
    ecs.on(RegisterTaskDefinitionCommand).resolves({ taskDefinition: { taskDefinitionArn: arnOf(1), family, revision: 1 } });

    await expect(compute.registerTaskDefinition(spec)).resolves.toEqual({ arn: arnOf(1), family, revision: 1 });

    expect(ecs.commandCalls(DescribeTaskDefinitionCommand)[0]?.args[0].input).toEqual({ taskDefinition: family, include: ['TAGS'] });
    const input = ecs.commandCalls(RegisterTaskDefinitionCommand)[0]?.args[0].input;
    expect(input).toMatchObject({
      family,
      requiresCompatibilities: ['FARGATE'],
      networkMode: 'awsvpc',
      cpu: '256',
      memory: '512',
      runtimePlatform: { operatingSystemFamily: 'LINUX', cpuArchitecture: 'ARM64' },
      executionRoleArn,
      taskRoleArn: spec.taskRoleArn,
      tags: [{ key: 'humangov:tenant', value: 'ca' }],
    });
    expect(input?.containerDefinitions).toHaveLength(1);
    expect(input?.containerDefinitions?.[0]).toMatchObject({
      name: 'app',
      image: spec.image,
      essential: true,
      portMappings: [{ containerPort: 8080, protocol: 'tcp' }],
      environment: [
        { name: 'AWS_BUCKET', value: 'humangov-prod-ca-123456789012' },
        { name: 'TENANT_ID', value: 'ca' },
        { name: 'US_STATE', value: 'California' },
      ],
      secrets: [{ name: 'CSRF_SECRET', valueFrom: spec.secrets!.CSRF_SECRET }],
      logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': spec.logGroup, 'awslogs-region': 'us-east-1', 'awslogs-stream-prefix': 'app' } },
      readonlyRootFilesystem: true,
      stopTimeout: 15,
    });
  });

  it('returns the newest ACTIVE revision when it already equals the spec', async () => {
    ecs.on(DescribeTaskDefinitionCommand).resolves(described(7));

    await expect(compute.registerTaskDefinition(spec)).resolves.toEqual({ arn: arnOf(7), family, revision: 7 });
    expect(ecs.commandCalls(RegisterTaskDefinitionCommand)).toHaveLength(0);
  });

  it('registers a new revision when the image differs', async () => {
    ecs.on(DescribeTaskDefinitionCommand).resolves(described(7, { image: 'repo@sha256:old' }));
    ecs.on(RegisterTaskDefinitionCommand).resolves({ taskDefinition: { taskDefinitionArn: arnOf(8), family, revision: 8 } });

    await expect(compute.registerTaskDefinition(spec)).resolves.toMatchObject({ revision: 8 });
  });

  it('registers a new revision when the environment differs', async () => {
    ecs.on(DescribeTaskDefinitionCommand).resolves(described(7, { environment: { TENANT_ID: 'ca' } }));
    ecs.on(RegisterTaskDefinitionCommand).resolves({ taskDefinition: { taskDefinitionArn: arnOf(8), family, revision: 8 } });

    await compute.registerTaskDefinition(spec);
    expect(ecs.commandCalls(RegisterTaskDefinitionCommand)).toHaveLength(1);
  });

  it('registers a new revision when the secrets differ', async () => {
    ecs.on(DescribeTaskDefinitionCommand).resolves(described(7, { secrets: {} }));
    ecs.on(RegisterTaskDefinitionCommand).resolves({ taskDefinition: { taskDefinitionArn: arnOf(8), family, revision: 8 } });

    await compute.registerTaskDefinition(spec);
    expect(ecs.commandCalls(RegisterTaskDefinitionCommand)).toHaveLength(1);
  });

  it('registers a new ARM64 revision over one registered for X86_64 (the image is built for arm64 only)', async () => {
    ecs.on(DescribeTaskDefinitionCommand).resolves(described(7, {}, 'X86_64'));
    ecs.on(RegisterTaskDefinitionCommand).resolves({ taskDefinition: { taskDefinitionArn: arnOf(8), family, revision: 8 } });

    await compute.registerTaskDefinition(spec);
    expect(ecs.commandCalls(RegisterTaskDefinitionCommand)[0]?.args[0].input.runtimePlatform).toEqual({
      operatingSystemFamily: 'LINUX',
      cpuArchitecture: 'ARM64',
    });
  });

  it('retries (TransientCloudError) when ECS is busy with concurrent revisions of the family', async () => {
    ecs.on(DescribeTaskDefinitionCommand).rejects(none);
    ecs
      .on(RegisterTaskDefinitionCommand)
      .rejects(new ClientException({ message: 'Too many concurrent attempts to create a new revision of the specified family.', ...meta }));

    await expect(compute.registerTaskDefinition(spec)).rejects.toBeInstanceOf(TransientCloudError);
  });
});

describe('EcsCompute.describeTaskDefinition', () => {
  it('maps a revision back to its spec, secrets included', async () => {
    ecs.on(DescribeTaskDefinitionCommand).resolves(described(3));

    await expect(compute.describeTaskDefinition(arnOf(3))).resolves.toEqual({ ...spec, arn: arnOf(3), revision: 3 });
    expect(ecs.commandCalls(DescribeTaskDefinitionCommand)[0]?.args[0].input.taskDefinition).toBe(arnOf(3));
  });

  it('returns undefined for an unknown revision', async () => {
    ecs.on(DescribeTaskDefinitionCommand).rejects(none);

    await expect(compute.describeTaskDefinition(arnOf(99))).resolves.toBeUndefined();
  });

  it('translates ECS throttling into TransientCloudError', async () => {
    ecs
      .on(DescribeTaskDefinitionCommand)
      .rejects(new ECSServiceException({ name: 'ThrottlingException', $fault: 'client', message: 'Rate exceeded', $metadata: { httpStatusCode: 400 } }));

    await expect(compute.describeTaskDefinition(arnOf(3))).rejects.toBeInstanceOf(TransientCloudError);
  });
});

describe('EcsCompute.deregisterTaskDefinitions', () => {
  it('deregisters the ACTIVE revisions of exactly this family, then deletes all its revisions in batches of 10', async () => {
    const active = Array.from({ length: 12 }, (_, index) => arnOf(index + 1));
    ecs
      .on(ListTaskDefinitionsCommand, { status: 'ACTIVE' })
      .resolvesOnce({ taskDefinitionArns: [...active.slice(0, 6), arnOf(1, 'humangov-prod-cal')], nextToken: 't' })
      .resolvesOnce({ taskDefinitionArns: active.slice(6) });
    ecs.on(ListTaskDefinitionsCommand, { status: 'INACTIVE' }).resolves({ taskDefinitionArns: [arnOf(13), arnOf(2, 'humangov-prod-cal')] });
    ecs.on(DeleteTaskDefinitionsCommand).resolves({ failures: [] });

    await expect(compute.deregisterTaskDefinitions(family)).resolves.toBe(13);

    expect(ecs.commandCalls(ListTaskDefinitionsCommand)[0]?.args[0].input).toEqual({ familyPrefix: family, status: 'ACTIVE', nextToken: undefined });
    expect(ecs.commandCalls(DeregisterTaskDefinitionCommand).map((call) => call.args[0].input.taskDefinition)).toEqual(active);
    const batches = ecs.commandCalls(DeleteTaskDefinitionsCommand).map((call) => call.args[0].input.taskDefinitions ?? []);
    expect(batches.map((batch) => batch.length)).toEqual([10, 3]);
    expect(batches.flat()).not.toContain(arnOf(1, 'humangov-prod-cal'));
  });

  it('fails transiently when ECS could not delete some revisions', async () => {
    ecs.on(ListTaskDefinitionsCommand).resolves({ taskDefinitionArns: [arnOf(1)] });
    ecs.on(DeleteTaskDefinitionsCommand).resolves({ failures: [{ arn: arnOf(1), reason: 'INTERNAL' }] });

    await expect(compute.deregisterTaskDefinitions(family)).rejects.toBeInstanceOf(TransientCloudError);
  });
});

describe('parseArn', () => {
  it('reads family and revision from a task definition ARN', () => {
    expect(parseArn(arnOf(12))).toEqual({ family, revision: 12 });
    expect(parseArn('not-an-arn')).toBeUndefined();
  });
});
