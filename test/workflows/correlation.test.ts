/**
 * One id from a tenant record's change to the end of the workflow it started: the stream
 * handler's line, every line the steps log, and the local runner's lines carry the same
 * correlation_id. Run as the local control plane runs it: the real stream handler, LocalWorkflows
 * running the onboard state machine, every Task state mapped to the real step handler, the
 * functions' Powertools logger writing JSON lines to the process's output, which is captured.
 */
import '../support/info-logs.ts';
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { Context, DynamoDBStreamEvent } from 'aws-lambda';
import { TenantWorkflowHarness } from '../support/tenant-workflows.ts';
import { logger } from '../../functions/lib/step-handler.ts';
import { makeStreamHandler } from '../../functions/tenant-stream.ts';
import { makeHandler as accessHandler } from '../../functions/steps/tenant-access.ts';
import { makeHandler as computeHandler } from '../../functions/steps/tenant-compute.ts';
import { makeHandler as dataHandler } from '../../functions/steps/tenant-data.ts';
import { makeHandler as networkHandler } from '../../functions/steps/tenant-network.ts';
import { makeHandler as recordHandler } from '../../functions/steps/tenant-record.ts';
import { LocalWorkflows } from '../../src/local/runtime/local-workflows.ts';
import { WorkflowRunner, type StepHandler } from '../../src/local/workflows/runner.ts';

const context = { functionName: 'local', awsRequestId: 'local', getRemainingTimeInMillis: () => 900_000 } as unknown as Context;

type Line = Record<string, unknown>;

describe('correlation id', () => {
  let h: TenantWorkflowHarness;
  let lines: Line[];
  beforeEach(async () => {
    h = await TenantWorkflowHarness.start();
    lines = [];
    // Every JSON line the functions' logger writes, on either stream.
    for (const stream of [process.stdout, process.stderr]) {
      const write = stream.write.bind(stream);
      jest.spyOn(stream, 'write').mockImplementation(((chunk: unknown, ...rest: never[]) => {
        const text = String(chunk);
        if (text.startsWith('{')) for (const line of text.trim().split('\n')) lines.push(JSON.parse(line) as Line);
        else return write(chunk as string, ...rest);
        return true;
      }) as typeof stream.write);
    }
  });
  afterEach(async () => {
    jest.restoreAllMocks();
    await h.close();
  });

  it('is carried from the stream record to every step of the execution it started', async () => {
    const asStep = (handler: unknown): StepHandler => {
      const invoke = handler as (event: unknown, context: Context) => Promise<unknown>;
      return (input) => invoke(input, context);
    };
    const runner: Line[] = [];
    const workflows = new LocalWorkflows({
      runner: new WorkflowRunner(),
      handlers: {
        TenantRecordFunctionArn: asStep(recordHandler(h.deps)),
        TenantDataFunctionArn: asStep(dataHandler(h.deps)),
        TenantAccessFunctionArn: asStep(accessHandler(h.deps)),
        TenantComputeFunctionArn: asStep(computeHandler(h.deps)),
        TenantNetworkFunctionArn: asStep(networkHandler(h.deps)),
      },
      timeScale: 0.001,
      minDelayMs: 1,
      log: (message, details) => runner.push({ message, ...details }),
    });
    const stream = makeStreamHandler({
      workflows,
      markInvalid: async () => undefined,
      restoreControlPlaneFields: async () => undefined,
      log: logger,
    });

    const item = await h.tenants.create({ tenantId: 'ca' });
    const event: DynamoDBStreamEvent = {
      Records: [
        {
          eventID: 'e1',
          eventName: 'INSERT',
          eventSource: 'aws:dynamodb',
          dynamodb: {
            Keys: marshall({ tenantId: 'ca' }) as never,
            SequenceNumber: '4100000000001',
            NewImage: marshall(item, { removeUndefinedValues: true }) as never,
          },
        },
      ],
    };
    expect(await stream(event, context)).toEqual({ batchItemFailures: [] });
    await workflows.idle();
    expect((await h.tenants.require('ca')).status).toBe('ACTIVE');

    const started = lines.find((line) => line.message === 'workflow started');
    expect(started).toMatchObject({ tenantId: 'ca', workflow: 'tenant-onboard', correlation_id: 'ca-onboard-4100000000001' });

    const steps = lines.filter((line) => line.function !== undefined);
    // Every step the onboarding ran logged its end (done, or retried), each under the change's id.
    expect(steps.length).toBeGreaterThanOrEqual(8);
    expect(new Set(steps.map((line) => line.function))).toEqual(new Set(['tenant-record', 'tenant-data', 'tenant-access', 'tenant-compute', 'tenant-network']));
    expect(steps.filter((line) => line.correlation_id !== 'ca-onboard-4100000000001')).toEqual([]);

    expect(runner.map((line) => [line.message, line.correlation_id])).toEqual([
      ['execution started', 'ca-onboard-4100000000001'],
      ['execution succeeded', 'ca-onboard-4100000000001'],
    ]);
  });
});
