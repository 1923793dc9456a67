import { describe, expect, it } from '@jest/globals';
import type { WorkflowPort } from '../cloud/ports.ts';
import { TransientCloudError } from '../cloud/errors.ts';
import type { TenantItemChange } from './changes.ts';
import { processTenantChanges, type StreamDeps } from './stream-processor.ts';

class RecordingWorkflows implements WorkflowPort {
  readonly started = new Map<string, unknown>();
  failNext = 0;
  async startExecution(request: { workflow: string; name: string; input: unknown }) {
    if (this.failNext > 0) {
      this.failNext--;
      throw new TransientCloudError('Step Functions throttled the request');
    }
    const started = !this.started.has(request.name);
    if (started) this.started.set(request.name, request);
    return { executionArn: `arn:${request.name}`, started };
  }
}

function deps(workflows: RecordingWorkflows, invalid: [string, string][] = []): StreamDeps {
  const quiet = { info: () => {}, warn: () => {} };
  return { workflows, markInvalid: async (key, reason) => void invalid.push([key, reason]), restoreControlPlaneFields: async () => undefined, log: quiet };
}

const insert = (tenantId: string, sequenceNumber: string): TenantItemChange => ({
  eventName: 'INSERT',
  sequenceNumber,
  key: tenantId,
  newImage: { tenantId },
});

describe('processTenantChanges', () => {
  it('starts one execution per change even when the stream delivers the batch twice', async () => {
    const workflows = new RecordingWorkflows();
    const batch = [insert('ca', '1'), insert('ny', '2')];
    expect(await processTenantChanges(batch, deps(workflows))).toEqual({});
    expect(await processTenantChanges(batch, deps(workflows))).toEqual({});
    expect([...workflows.started.keys()]).toEqual(['ca-onboard-1', 'ny-onboard-2']);
  });

  it('reports the first change it could not hand over, so the stream retries from there in order', async () => {
    const workflows = new RecordingWorkflows();
    workflows.failNext = 1;
    const result = await processTenantChanges([insert('ca', '1'), insert('ny', '2')], deps(workflows));
    expect(result).toEqual({ failedSequenceNumber: '1' });
    expect(workflows.started.size).toBe(0);
  });

  it('marks an invalid record FAILED and carries on with the rest of the batch', async () => {
    const workflows = new RecordingWorkflows();
    const invalid: [string, string][] = [];
    const result = await processTenantChanges([insert('CA', '1'), insert('ny', '2')], deps(workflows, invalid));
    expect(result).toEqual({});
    expect(invalid).toEqual([['CA', 'tenantId: tenantId "CA" must start with a lowercase letter a-z']]);
    expect([...workflows.started.keys()]).toEqual(['ny-onboard-2']);
  });

  it('restores what a replacement of an existing tenant dropped before acting on its user fields, and starts nothing when they did not change', async () => {
    const workflows = new RecordingWorkflows();
    const order: string[] = [];
    const restoring: StreamDeps = {
      ...deps(workflows),
      restoreControlPlaneFields: async (key, fields) => void order.push(`restore ${key} ${Object.keys(fields).join(',')}`),
      workflows: { startExecution: async (request) => (order.push(`start ${request.name}`), workflows.startExecution(request)) },
    };
    const old = { tenantId: 'ca', status: 'ACTIVE', endpoint: 'http://ca.localhost:8080' };
    const replaced = (sequenceNumber: string, newImage: Record<string, unknown>): TenantItemChange => ({
      eventName: 'MODIFY',
      sequenceNumber,
      key: 'ca',
      oldImage: old,
      newImage,
    });

    await processTenantChanges([replaced('5', { tenantId: 'ca' }), replaced('6', { tenantId: 'ca', desiredCount: 3 })], restoring);

    expect(order).toEqual(['restore ca status,endpoint', 'restore ca status,endpoint', 'start ca-onboard-6']);
  });
});
