/**
 * The ComputePort contract (src/cloud/ports.ts): registering a task definition equal to the
 * newest revision answers that revision; a revision is described as registered; deregistering a
 * family counts its revisions and a revision number is never reused; ensureService is
 * idempotent (no new deployment when the service matches the spec); a missing service is
 * described as undefined and deleting it is done; a service still being deleted is not ready
 * to be created again; a missing task definition is refused for good.
 */
import { describe, expect, it } from '@jest/globals';
import { NotReadyError, PermanentCloudError } from '../../src/cloud/errors.ts';
import type { ComputePort, TaskDefinitionSpec } from '../../src/cloud/ports.ts';
import { closedAfterEach, untilReady, type Factory, type Subject } from './support.ts';

export interface ComputeSubject extends Subject<ComputePort> {
  /** A target group services may be put behind. */
  targetGroupArn: string;
}

const digest = (n: number) => `sha256:${String(n).repeat(64).slice(0, 64)}`;
const taskDefinition = (n = 1): TaskDefinitionSpec => ({
  family: 'humangov-test-ca',
  image: `123456789012.dkr.ecr.us-east-1.amazonaws.com/humangov-app@${digest(n)}`,
  cpu: 256,
  memory: 512,
  environment: { TENANT_ID: 'ca' },
  taskRoleArn: 'arn:aws:iam::123456789012:role/humangov-test-ca-task',
  logGroup: '/humangov/test/tenants/ca',
  tags: { 'humangov:tenant': 'ca' },
});

export function computeContract(implementation: string, make: Factory<ComputeSubject>): void {
  describe(`ComputePort contract: ${implementation}`, () => {
    const using = closedAfterEach();
    const open = (): Promise<ComputeSubject> => using(make());

    it('registers a revision once per distinct spec, and describes it as registered', async () => {
      const { port } = await open();

      const first = await port.registerTaskDefinition(taskDefinition(1));
      expect(first).toEqual({
        arn: expect.stringMatching(/^arn:aws:ecs:[a-z0-9-]+:\d{12}:task-definition\/humangov-test-ca:\d+$/),
        family: 'humangov-test-ca',
        revision: expect.any(Number),
      });
      await expect(port.registerTaskDefinition(taskDefinition(1))).resolves.toEqual(first);
      const second = await port.registerTaskDefinition(taskDefinition(2));

      expect(second.revision).toBe(first.revision + 1);
      expect(await port.describeTaskDefinition(second.arn)).toMatchObject({ ...taskDefinition(2), ...second });
      expect(await port.describeTaskDefinition(first.arn.replace(/:\d+$/, ':999'))).toBeUndefined();
    });

    it('deregisters every revision of a family, counts them, and never reuses a revision number', async () => {
      const { port } = await open();
      await port.registerTaskDefinition(taskDefinition(1));
      const last = await port.registerTaskDefinition(taskDefinition(2));

      await expect(port.deregisterTaskDefinitions('humangov-test-ca')).resolves.toBe(2);
      await expect(port.deregisterTaskDefinitions('humangov-test-ca')).resolves.toBe(0);
      await expect(port.deregisterTaskDefinitions('humangov-test-none')).resolves.toBe(0);

      const again = await port.registerTaskDefinition(taskDefinition(1));
      expect(again.revision).toBeGreaterThan(last.revision);
    });

    it('ensures a service idempotently: the same spec again starts no deployment', async () => {
      const { port, targetGroupArn } = await open();
      const { arn } = await port.registerTaskDefinition(taskDefinition(1));
      const spec = { name: 'humangov-test-ca', taskDefinitionArn: arn, desiredCount: 0, targetGroupArn, tags: { 'humangov:tenant': 'ca' } };

      const created = await port.ensureService(spec);
      expect(created).toEqual({
        serviceArn: expect.stringMatching(/^arn:aws:ecs:[a-z0-9-]+:\d{12}:service\/[\w-]+\/humangov-test-ca$/),
        deploymentId: expect.any(String),
        changed: true,
      });
      await expect(port.ensureService(spec)).resolves.toEqual({ ...created, changed: false });

      expect(await port.describeService(spec.name)).toMatchObject({
        name: spec.name,
        arn: created.serviceArn,
        status: 'ACTIVE',
        deployments: [{ id: created.deploymentId, status: 'PRIMARY', taskDefinitionArn: arn }],
      });
    });

    it('describes a missing service as undefined, and treats deleting it as done', async () => {
      const { port } = await open();

      await expect(port.describeService('humangov-test-none')).resolves.toBeUndefined();
      await expect(port.deleteService('humangov-test-none')).resolves.toBeUndefined();
    });

    it('answers NotReadyError to creating a service still being deleted, and creates it again once it is gone', async () => {
      const { port, targetGroupArn } = await open();
      const { arn } = await port.registerTaskDefinition(taskDefinition(1));
      const spec = { name: 'humangov-test-ca', taskDefinitionArn: arn, desiredCount: 0, targetGroupArn, tags: {} };
      const created = await port.ensureService(spec);

      await port.deleteService(spec.name);
      await expect(port.deleteService(spec.name)).resolves.toBeUndefined();
      // Still draining: NotReadyError. A service drained already (no tasks to stop) is created anew.
      const atOnce = await port.ensureService(spec).catch((error: unknown) => error);
      if (atOnce instanceof Error) expect(atOnce).toBeInstanceOf(NotReadyError);
      else expect(atOnce).toMatchObject({ changed: true, deploymentId: expect.not.stringMatching(`^${created.deploymentId}$`) });
      if (!(atOnce instanceof Error)) return;
      await untilReady(async () => {
        const state = await port.describeService(spec.name);
        if (state && state.status !== 'INACTIVE') throw new NotReadyError(`still ${state.status}`);
      });

      const recreated = await port.ensureService(spec);
      expect(recreated).toMatchObject({ serviceArn: created.serviceArn, changed: true });
      expect(recreated.deploymentId).not.toBe(created.deploymentId);
    });

    it('refuses for good a service on a task definition that does not exist', async () => {
      const { port, targetGroupArn } = await open();
      const { arn } = await port.registerTaskDefinition(taskDefinition(1));

      await expect(
        port.ensureService({ name: 'humangov-test-ca', taskDefinitionArn: arn.replace(/:\d+$/, ':999'), desiredCount: 0, targetGroupArn, tags: {} }),
      ).rejects.toBeInstanceOf(PermanentCloudError);
    });
  });
}
