/**
 * ECS as its API reference documents it, behind a mocked client (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/):
 * - RegisterTaskDefinition gives the family's next revision; numbers are never reused, even
 *   after every revision was deleted (API_DeleteTaskDefinitions.html); DescribeTaskDefinition
 *   answers ClientException "Unable to describe task definition." for an unknown one;
 *   ListTaskDefinitions lists by family prefix and status; DeregisterTaskDefinition makes a
 *   revision INACTIVE, DeleteTaskDefinitions makes an INACTIVE one DELETE_IN_PROGRESS;
 * - CreateService answers InvalidParameterException for a task definition that does not exist
 *   (API_CreateService.html) and starts a PRIMARY deployment; DescribeServices reports a missing
 *   service under `failures` (MISSING); UpdateService answers ServiceNotFoundException for a
 *   missing service and ServiceNotActiveException for one being deleted (API_UpdateService.html);
 *   DeleteService leaves the service DRAINING, then INACTIVE (here after `drainCalls` describes),
 *   after which the name can be used again (API_DeleteService.html).
 */
import {
  ClientException,
  CreateServiceCommand,
  DeleteServiceCommand,
  DeleteTaskDefinitionsCommand,
  DeregisterTaskDefinitionCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  InvalidParameterException,
  ListTaskDefinitionsCommand,
  RegisterTaskDefinitionCommand,
  ServiceNotActiveException,
  ServiceNotFoundException,
  UpdateServiceCommand,
  type Deployment,
  type Service,
  type TaskDefinition,
} from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';

const $metadata = {};
const PREFIX = 'arn:aws:ecs:us-east-1:123456789012';

type Revision = TaskDefinition & { tags?: { key?: string; value?: string }[] };

export class EcsModel {
  readonly client = new ECSClient({ region: 'us-east-1' });
  readonly revisions: Revision[] = [];
  readonly #lastRevision = new Map<string, number>();
  readonly #services = new Map<string, Service & { drainLeft: number }>();
  #seq = 0;

  constructor(options: { drainCalls?: number } = {}) {
    const drainCalls = options.drainCalls ?? 2;
    const mock = mockClient(this.client);
    mock.on(RegisterTaskDefinitionCommand).callsFake((input) => {
      const family = input.family ?? '';
      const revision = (this.#lastRevision.get(family) ?? 0) + 1;
      this.#lastRevision.set(family, revision);
      const { tags, ...definition } = input;
      const registered: Revision = {
        ...structuredClone(definition),
        taskDefinitionArn: `${PREFIX}:task-definition/${family}:${revision}`,
        revision,
        status: 'ACTIVE',
        tags,
      };
      this.revisions.push(registered);
      return { taskDefinition: registered, tags };
    });
    mock.on(DescribeTaskDefinitionCommand).callsFake((input) => {
      const found = this.#findRevision(input.taskDefinition ?? '');
      if (!found) throw new ClientException({ message: 'Unable to describe task definition.', $metadata });
      const { tags, ...taskDefinition } = found;
      return { taskDefinition, tags };
    });
    mock.on(ListTaskDefinitionsCommand).callsFake((input) => ({
      taskDefinitionArns: this.revisions
        .filter((r) => (r.family ?? '').startsWith(input.familyPrefix ?? '') && r.status === (input.status ?? 'ACTIVE'))
        .map((r) => r.taskDefinitionArn),
    }));
    mock.on(DeregisterTaskDefinitionCommand).callsFake((input) => {
      const found = this.#findRevision(input.taskDefinition ?? '');
      if (!found) throw new ClientException({ message: 'The specified task definition does not exist.', $metadata });
      found.status = 'INACTIVE';
      return { taskDefinition: found };
    });
    mock.on(DeleteTaskDefinitionsCommand).callsFake((input) => {
      for (const arn of input.taskDefinitions ?? []) {
        const found = this.#findRevision(arn);
        if (found?.status === 'INACTIVE') found.status = 'DELETE_IN_PROGRESS';
      }
      return { taskDefinitions: [], failures: [] };
    });
    mock.on(CreateServiceCommand).callsFake((input) => {
      const name = input.serviceName ?? '';
      const existing = this.#services.get(name);
      if (existing && existing.status !== 'INACTIVE') throw new InvalidParameterException({ message: 'Creation of service was not idempotent.', $metadata });
      if (this.#findRevision(input.taskDefinition ?? '')?.status !== 'ACTIVE')
        throw new InvalidParameterException({ message: 'TaskDefinition not found.', $metadata });
      const service = {
        serviceName: name,
        serviceArn: `${PREFIX}:service/${input.cluster}/${name}`,
        status: 'ACTIVE',
        desiredCount: input.desiredCount,
        runningCount: 0,
        taskDefinition: input.taskDefinition,
        deployments: [this.#deployment(input.taskDefinition ?? '', input.desiredCount ?? 0)],
        drainLeft: drainCalls,
      };
      this.#services.set(name, service);
      return { service };
    });
    mock.on(DescribeServicesCommand).callsFake((input) => {
      const services: Service[] = [];
      const failures: { arn: string; reason: string }[] = [];
      for (const name of input.services ?? []) {
        const service = this.#services.get(name);
        if (!service) {
          failures.push({ arn: `${PREFIX}:service/${input.cluster}/${name}`, reason: 'MISSING' });
          continue;
        }
        if (service.status === 'DRAINING' && --service.drainLeft < 0) {
          service.status = 'INACTIVE';
          for (const d of service.deployments ?? []) d.status = 'INACTIVE';
        }
        services.push(structuredClone(service));
      }
      return { services, failures };
    });
    mock.on(UpdateServiceCommand).callsFake((input) => {
      const service = this.#services.get(input.service ?? '');
      if (!service) throw new ServiceNotFoundException({ message: 'Service not found.', $metadata });
      if (service.status !== 'ACTIVE') throw new ServiceNotActiveException({ message: 'Service was not ACTIVE.', $metadata });
      if (input.desiredCount !== undefined) service.desiredCount = input.desiredCount;
      if (input.taskDefinition && input.taskDefinition !== service.taskDefinition) {
        service.taskDefinition = input.taskDefinition;
        for (const d of service.deployments ?? []) if (d.status === 'PRIMARY') d.status = 'ACTIVE';
        service.deployments = [this.#deployment(input.taskDefinition, service.desiredCount ?? 0), ...(service.deployments ?? [])];
      }
      return { service: structuredClone(service) };
    });
    mock.on(DeleteServiceCommand).callsFake((input) => {
      const service = this.#services.get(input.service ?? '');
      if (!service) throw new ServiceNotFoundException({ message: 'Service not found.', $metadata });
      if (service.status !== 'ACTIVE') throw new ServiceNotActiveException({ message: 'Service was not ACTIVE.', $metadata });
      service.status = 'DRAINING';
      service.drainLeft = drainCalls;
      return { service: structuredClone(service) };
    });
  }

  #deployment(taskDefinition: string, desiredCount: number): Deployment {
    return {
      id: `ecs-svc/${String(++this.#seq).padStart(19, '0')}`,
      status: 'PRIMARY',
      taskDefinition,
      desiredCount,
      runningCount: 0,
      failedTasks: 0,
      rolloutState: 'IN_PROGRESS',
      createdAt: new Date(Date.now() + this.#seq),
    };
  }

  /** By full ARN, `family:revision`, or `family` (its newest ACTIVE revision), as ECS accepts them. */
  #findRevision(reference: string): Revision | undefined {
    const name = reference.replace(`${PREFIX}:task-definition/`, '');
    if (!name.includes(':')) return this.revisions.filter((r) => r.family === name && r.status === 'ACTIVE').at(-1);
    return this.revisions.find((r) => r.status !== 'DELETE_IN_PROGRESS' && `${r.family}:${r.revision}` === name);
  }
}
