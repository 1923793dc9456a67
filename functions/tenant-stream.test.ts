import { describe, expect, it } from '@jest/globals';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { Context, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import type { WorkflowPort } from '../src/cloud/ports.ts';
import { TransientCloudError } from '../src/cloud/errors.ts';
import { makeStreamHandler } from './tenant-stream.ts';

const context = { functionName: 'tenantStream', awsRequestId: 'req-1' } as Context;
const quiet = { info: () => {}, warn: () => {} };

function record(eventName: 'INSERT' | 'MODIFY' | 'REMOVE', seq: string, key: string, images: { old?: object; new?: object }): DynamoDBRecord {
  return {
    eventID: `event-${seq}`,
    eventName,
    eventSource: 'aws:dynamodb',
    dynamodb: {
      Keys: marshall({ tenantId: key }) as never,
      SequenceNumber: seq,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
      OldImage: images.old ? (marshall(images.old) as never) : undefined,
      NewImage: images.new ? (marshall(images.new) as never) : undefined,
    },
  };
}

function setup(failures = 0) {
  const started: { workflow: string; name: string; input: unknown }[] = [];
  const invalid: string[] = [];
  let remainingFailures = failures;
  const workflows: WorkflowPort = {
    async startExecution(request) {
      if (remainingFailures-- > 0) throw new TransientCloudError('Rate exceeded');
      started.push(request);
      return { executionArn: `arn:${request.name}`, started: true };
    },
  };
  const handler = makeStreamHandler({
    workflows,
    markInvalid: async (key) => void invalid.push(key),
    restoreControlPlaneFields: async () => undefined,
    log: quiet,
  });
  return { handler, started, invalid };
}

describe('tenant stream handler', () => {
  it('starts onboarding for an inserted record and offboarding for a deletion request', async () => {
    const { handler, started } = setup();
    const event: DynamoDBStreamEvent = {
      Records: [
        record('INSERT', '100', 'ca', { new: { tenantId: 'ca' } }),
        record('MODIFY', '101', 'ny', { old: { tenantId: 'ny', status: 'ACTIVE' }, new: { tenantId: 'ny', status: 'ACTIVE', desiredState: 'DELETED' } }),
      ],
    };
    expect(await handler(event, context)).toEqual({ batchItemFailures: [] });
    expect(started).toEqual([
      { workflow: 'tenant-onboard', name: 'ca-onboard-100', input: { tenantId: 'ca' } },
      { workflow: 'tenant-offboard', name: 'ny-offboard-101', input: { tenantId: 'ny' } },
    ]);
  });

  it("ignores the control plane's own status writes", async () => {
    const { handler, started } = setup();
    const event = { Records: [record('MODIFY', '200', 'ca', { old: { tenantId: 'ca', status: 'PROVISIONING' }, new: { tenantId: 'ca', status: 'ACTIVE' } })] };
    await handler(event, context);
    expect(started).toEqual([]);
  });

  it('reports the record it could not hand over, so Lambda retries from it', async () => {
    const { handler } = setup(1);
    const event = { Records: [record('INSERT', '300', 'ca', { new: { tenantId: 'ca' } }), record('INSERT', '301', 'ny', { new: { tenantId: 'ny' } })] };
    expect(await handler(event, context)).toEqual({ batchItemFailures: [{ itemIdentifier: '300' }] });
  });

  it('marks an invalid record FAILED and never blocks the shard on it', async () => {
    const { handler, invalid, started } = setup();
    const event = { Records: [record('INSERT', '400', 'Texas', { new: { tenantId: 'Texas' } }), record('INSERT', '401', 'tx', { new: { tenantId: 'tx' } })] };
    expect(await handler(event, context)).toEqual({ batchItemFailures: [] });
    expect(invalid).toEqual(['Texas']);
    expect(started.map((s) => s.name)).toEqual(['tx-onboard-401']);
  });

  it('skips malformed stream records instead of failing the batch', async () => {
    const { handler, started } = setup();
    const malformed = { eventID: 'x', eventName: 'INSERT', dynamodb: {} } as DynamoDBRecord;
    const event = { Records: [malformed, record('INSERT', '500', 'ca', { new: { tenantId: 'ca' } })] };
    expect(await handler(event, context)).toEqual({ batchItemFailures: [] });
    expect(started).toHaveLength(1);
    expect(await handler({} as DynamoDBStreamEvent, context)).toEqual({ batchItemFailures: [] });
  });
});
