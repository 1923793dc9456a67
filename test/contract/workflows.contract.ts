/**
 * The WorkflowPort contract (src/cloud/ports.ts): an execution is started under a deterministic
 * name; starting that name again, whatever the input (a duplicate delivery), starts nothing new and
 * answers the first execution's ARN; names are per workflow, as Step Functions keeps them per
 * state machine; an outage is transient.
 */
import { describe, expect, it } from '@jest/globals';
import { TransientCloudError } from '../../src/cloud/errors.ts';
import type { WorkflowName, WorkflowPort } from '../../src/cloud/ports.ts';
import { closedAfterEach, type Factory, type Subject } from './support.ts';

export interface WorkflowsSubject extends Subject<WorkflowPort> {
  /** How many executions of `workflow` were started. */
  started(workflow: WorkflowName): Promise<number>;
}

export function workflowsContract(implementation: string, make: Factory<WorkflowsSubject>, outage?: Factory<Subject<WorkflowPort>>): void {
  describe(`WorkflowPort contract: ${implementation}`, () => {
    const using = closedAfterEach();
    const open = (): Promise<WorkflowsSubject> => using(make());

    it('starts an execution under its name once: a second start, with any input, answers the first execution', async () => {
      const { port, started } = await open();
      const request = { workflow: 'tenant-onboard' as const, name: 'ca-onboard-000100', input: { tenantId: 'ca' } };

      const first = await port.startExecution(request);
      expect(first).toEqual({
        executionArn: expect.stringMatching(/^arn:aws:states:[a-z0-9-]+:\d{12}:execution:[\w-]*tenant-onboard:ca-onboard-000100$/),
        started: true,
      });
      await expect(port.startExecution(request)).resolves.toMatchObject({ executionArn: first.executionArn });
      await expect(port.startExecution({ ...request, input: { tenantId: 'ca', again: true } })).resolves.toEqual({
        executionArn: first.executionArn,
        started: false,
      });

      expect(await started('tenant-onboard')).toBe(1);
    });

    it('keeps names per workflow: the same name starts an execution of each', async () => {
      const { port, started } = await open();

      const onboard = await port.startExecution({ workflow: 'tenant-onboard', name: 'ca-000100', input: { tenantId: 'ca' } });
      const offboard = await port.startExecution({ workflow: 'tenant-offboard', name: 'ca-000100', input: { tenantId: 'ca' } });

      expect(offboard).toEqual({ executionArn: expect.stringMatching(/tenant-offboard:ca-000100$/), started: true });
      expect(offboard.executionArn).not.toBe(onboard.executionArn);
      expect([await started('tenant-onboard'), await started('tenant-offboard')]).toEqual([1, 1]);
    });

    if (outage) {
      it('answers TransientCloudError while the service throttles', async () => {
        const { port } = await using(outage());

        await expect(port.startExecution({ workflow: 'tenant-onboard', name: 'ca-onboard-000100', input: {} })).rejects.toBeInstanceOf(TransientCloudError);
      });
    }
  });
}
