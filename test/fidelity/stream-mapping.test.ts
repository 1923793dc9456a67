/**
 * The local DynamoDB stream and its event source mapping against AWS's documents and
 * against the mapping serverless.yml deploys: what the tenants-stream handler meets
 * locally is what it meets in Lambda.
 */
import { readFile } from 'node:fs/promises';
import type { Context } from 'aws-lambda';
import { afterEach, describe, expect, it } from '@jest/globals';
import { makeStreamHandler } from '../../functions/tenant-stream.ts';
import type { WorkflowPort } from '../../src/cloud/ports.ts';
import { TransientCloudError } from '../../src/cloud/errors.ts';
import { STREAM_FAILURE_QUEUE } from '../../src/local/data/dynamodb-server.ts';
import { tempHome } from '../../src/local/data/testing.ts';
import { parseServerlessYaml, SERVERLESS_FILE } from '../../src/local/events/serverless-rules.ts';
import { DEFAULT_STREAM_OPTIONS, StreamConsumer } from '../../src/local/streams/consumer.ts';
import { DiscardedRecords, failureDestination, LocalFailureQueue } from '../../src/local/streams/failure-queue.ts';
import type { StreamInvocationRecord } from '../../src/local/streams/invocation-record.ts';
import { recordFor, SequenceNumbers } from '../../src/local/streams/records.ts';
import type { StreamRecord } from '../../src/local/streams/types.ts';

const STREAM_ARN = 'arn:aws:dynamodb:us-east-1:000000000000:table/humangov-local-tenants/stream/2025-01-01T00:00:00.000';
const sequence = new SequenceNumbers();
const insert = (tenantId: string) =>
  recordFor(
    { keyNames: ['tenantId'], oldImage: undefined, newImage: { tenantId: { S: tenantId } } },
    { sequence, eventSourceARN: STREAM_ARN, region: 'us-east-1' },
  ) as StreamRecord;

interface ServerlessStreamEvent {
  stream: {
    type: string;
    batchSize: number;
    batchWindow: number;
    maximumRetryAttempts: number;
    maximumRecordAgeInSeconds: number;
    bisectBatchOnFunctionError: boolean;
    functionResponseType: string;
    destinations: { onFailure: { type: string; arn: { 'Fn::GetAtt': [string, string] } } };
  };
}

async function serverless() {
  return parseServerlessYaml(await readFile(SERVERLESS_FILE, 'utf8')) as {
    service: string;
    functions: { tenantStream: { events: ServerlessStreamEvent[] } };
    resources: { Resources: Record<string, { Properties: { QueueName: string } }> };
  };
}

describe('the local tenants-stream mapping', () => {
  let consumer: StreamConsumer | undefined;
  afterEach(async () => consumer?.close());

  it('has the settings serverless.yml gives the AWS mapping, but a shorter batching window', async () => {
    const yml = await serverless();
    const { stream } = yml.functions.tenantStream.events[0] as ServerlessStreamEvent;

    expect(stream.type).toBe('dynamodb');
    expect(stream.functionResponseType).toBe('ReportBatchItemFailures');
    expect({
      batchSize: DEFAULT_STREAM_OPTIONS.batchSize,
      maximumRetryAttempts: DEFAULT_STREAM_OPTIONS.maximumRetryAttempts,
      maximumRecordAgeSeconds: DEFAULT_STREAM_OPTIONS.maximumRecordAgeSeconds,
      bisectBatchOnFunctionError: DEFAULT_STREAM_OPTIONS.bisectBatchOnFunctionError,
    }).toEqual({
      batchSize: stream.batchSize,
      maximumRetryAttempts: stream.maximumRetryAttempts,
      maximumRecordAgeSeconds: stream.maximumRecordAgeInSeconds,
      bisectBatchOnFunctionError: stream.bisectBatchOnFunctionError,
    });
    expect(DEFAULT_STREAM_OPTIONS.batchingWindowMs).toBeLessThanOrEqual(stream.batchWindow * 1000);
    // The on-failure destination: the same queue, and the function named as Serverless names it for stage local.
    const [queueId] = stream.destinations.onFailure.arn['Fn::GetAtt'];
    expect(stream.destinations.onFailure.type).toBe('sqs');
    expect(yml.resources.Resources[queueId]?.Properties.QueueName.replace('${sls:stage}', 'local')).toBe(STREAM_FAILURE_QUEUE);
    expect(DEFAULT_STREAM_OPTIONS.functionArn).toBe(`arn:aws:lambda:us-east-1:000000000000:function:${yml.service}-local-tenantStream`);
  });

  // The stream handler reports only the first change it could not hand over and stops there, trusting Lambda to
  // "retry all records starting from that checkpoint"
  // (https://docs.aws.amazon.com/lambda/latest/dg/services-ddb-batchfailurereporting.html). A mapping that retried
  // only the failed item's records would lose every other tenant's change behind it in the batch.
  it("redelivers other tenants' changes behind a failed one, so the real stream handler starts every workflow", async () => {
    let throttled = false;
    const started: string[] = [];
    const workflows: WorkflowPort = {
      async startExecution(request) {
        if (request.name.startsWith('fl-') && !throttled) {
          throttled = true;
          throw new TransientCloudError('Rate exceeded');
        }
        started.push(request.name);
        return { executionArn: `arn:${request.name}`, started: true };
      },
    };
    const handler = makeStreamHandler({
      workflows,
      markInvalid: async () => undefined,
      restoreControlPlaneFields: async () => undefined,
      log: { info: () => undefined, warn: () => undefined },
    });
    const context = { functionName: 'tenantStream', awsRequestId: 'local' } as Context;
    consumer = new StreamConsumer((event) => handler(event as never, context), { batchingWindowMs: 5, backoffBaseMs: 1, log: () => undefined });

    const [fl, ga, tx] = [insert('fl'), insert('ga'), insert('tx')];
    consumer.append([fl, ga, tx]);
    await consumer.idle();

    expect(started).toEqual([
      `fl-onboard-${fl.dynamodb.SequenceNumber}`,
      `ga-onboard-${ga.dynamodb.SequenceNumber}`,
      `tx-onboard-${tx.dynamodb.SequenceNumber}`,
    ]);
  });

  // https://docs.aws.amazon.com/lambda/latest/dg/services-dynamodb-errors.html: "The actual records aren't included,
  // so you must process this record and retrieve them from the stream before they expire and are lost."
  it('puts each discarded batch on the failure queue as an SQS message, and keeps its records readable by the sequence numbers it names', async () => {
    const home = await tempHome();
    try {
      const queue = new LocalFailureQueue({ home: home.home, name: STREAM_FAILURE_QUEUE });
      const records = new DiscardedRecords({ home: home.home, table: 'humangov-local-tenants' });
      consumer = new StreamConsumer(
        async () => {
          throw new Error('down');
        },
        {
          batchingWindowMs: 5,
          backoffBaseMs: 1,
          maximumRetryAttempts: 0,
          bisectBatchOnFunctionError: false,
          onFailure: failureDestination(queue, records),
          log: () => undefined,
        },
      );
      const batch = [insert('ca'), insert('ny')];
      consumer.append(batch);
      await consumer.idle();

      const reopened = new LocalFailureQueue({ home: home.home, name: STREAM_FAILURE_QUEUE });
      const [message, ...others] = await reopened.messages();
      expect(others).toEqual([]);
      const body = JSON.parse(message?.Body ?? '{}') as StreamInvocationRecord;
      expect(body.requestContext.condition).toBe('RetryAttemptsExhausted');
      expect(body).not.toHaveProperty('Records');
      const { startSequenceNumber, endSequenceNumber, batchSize } = body.DDBStreamBatchInfo;
      expect(batchSize).toBe(2);
      expect(await records.between(startSequenceNumber, endSequenceNumber)).toEqual(batch);

      await reopened.delete(message?.MessageId as string);
      expect(await reopened.messages()).toEqual([]);
    } finally {
      await home.remove();
    }
  });
});
