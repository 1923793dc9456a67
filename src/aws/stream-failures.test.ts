import { DynamoDBStreamsClient, GetRecordsCommand, GetShardIteratorCommand, TrimmedDataAccessException } from '@aws-sdk/client-dynamodb-streams';
import { DeleteMessageCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { marshall } from '@aws-sdk/util-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from '@jest/globals';
import { SqsStreamFailures } from './stream-failures.ts';

const sqs = mockClient(SQSClient);
const streams = mockClient(DynamoDBStreamsClient);
const queueUrl = 'https://sqs.us-east-1.amazonaws.com/123456789012/humangov-prod-tenant-stream-failures';
const streamArn = 'arn:aws:dynamodb:us-east-1:123456789012:table/humangov-prod-tenants/stream/2026-01-01T00:00:00.000';
const reader = new SqsStreamFailures({
  queueUrl,
  region: 'us-east-1',
  sqs: new SQSClient({ region: 'us-east-1' }),
  streams: new DynamoDBStreamsClient({ region: 'us-east-1' }),
});

/** The on-failure document of https://docs.aws.amazon.com/lambda/latest/dg/services-dynamodb-errors.html: where the batch is, not its records. */
function invocationRecord(start: string, end: string): string {
  return JSON.stringify({
    requestContext: {
      requestId: 'r-1',
      functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:humangov-prod-tenantStream',
      condition: 'RetryAttemptsExhausted',
      approximateInvokeCount: 6,
    },
    responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
    version: '1.0',
    timestamp: '2026-12-05T10:00:00.000Z',
    DDBStreamBatchInfo: {
      shardId: 'shardId-00000001764928800000-0123abcd',
      startSequenceNumber: start,
      endSequenceNumber: end,
      approximateArrivalOfFirstRecord: '2026-12-05T09:59:00Z',
      approximateArrivalOfLastRecord: '2026-12-05T09:59:01Z',
      batchSize: 2,
      streamArn,
    },
  });
}

const removed = (sequence: string, key: string) => ({
  eventName: 'REMOVE' as const,
  dynamodb: { SequenceNumber: sequence, Keys: marshall({ tenantId: key }), OldImage: marshall({ tenantId: key, status: 'ACTIVE' }) },
});

afterEach(() => {
  sqs.reset();
  streams.reset();
});

describe('SqsStreamFailures', () => {
  it('reads each discarded batch back from the stream, from its first to its last sequence number and no further', async () => {
    sqs
      .on(ReceiveMessageCommand)
      .resolvesOnce({ Messages: [{ MessageId: 'm-1', ReceiptHandle: 'rh-1', Body: invocationRecord('900000000000000000001', '900000000000000000002') }] })
      .resolves({ Messages: [] });
    streams.on(GetShardIteratorCommand).resolves({ ShardIterator: 'it-1' });
    streams.on(GetRecordsCommand).resolves({
      Records: [removed('900000000000000000001', 'ca'), removed('900000000000000000002', 'ny'), removed('900000000000000000003', 'tx')],
      NextShardIterator: 'it-2',
    });

    const batches = await reader.batches();

    expect(batches.map((b) => ({ id: b.id, keys: b.changes.map((c) => `${c.eventName} ${c.key}`), unreadable: b.unreadable }))).toEqual([
      { id: 'rh-1', keys: ['REMOVE ca', 'REMOVE ny'], unreadable: undefined },
    ]);
    expect(batches[0]!.changes[0]!.oldImage).toEqual({ tenantId: 'ca', status: 'ACTIVE' });
    expect(streams.commandCalls(GetShardIteratorCommand)[0]!.args[0].input).toEqual({
      StreamArn: streamArn,
      ShardId: 'shardId-00000001764928800000-0123abcd',
      ShardIteratorType: 'AT_SEQUENCE_NUMBER',
      SequenceNumber: '900000000000000000001',
    });
  });

  it('says a batch cannot be replayed once the stream has trimmed its records, so its message can go', async () => {
    sqs
      .on(ReceiveMessageCommand)
      .resolvesOnce({ Messages: [{ MessageId: 'm-1', ReceiptHandle: 'rh-1', Body: invocationRecord('1', '2') }] })
      .resolves({});
    streams.on(GetShardIteratorCommand).rejects(new TrimmedDataAccessException({ message: 'trimmed', $metadata: {} }));

    const [batch] = await reader.batches();

    expect(batch).toEqual({ id: 'rh-1', changes: [], unreadable: 'records 1..2 are no longer in the stream (TrimmedDataAccessException)' });
  });

  it('reports a message that is not a stream invocation record instead of failing the pass', async () => {
    sqs
      .on(ReceiveMessageCommand)
      .resolvesOnce({ Messages: [{ MessageId: 'm-1', ReceiptHandle: 'rh-1', Body: 'hello' }] })
      .resolves({});

    expect(await reader.batches()).toEqual([{ id: 'rh-1', changes: [], unreadable: 'the message is not a DynamoDB stream invocation record' }]);
    expect(streams.calls()).toHaveLength(0);
  });

  it('deletes a handled message by its receipt handle', async () => {
    sqs.on(DeleteMessageCommand).resolves({});

    await reader.done('rh-1');

    expect(sqs.commandCalls(DeleteMessageCommand)[0]!.args[0].input).toEqual({ QueueUrl: queueUrl, ReceiptHandle: 'rh-1' });
  });
});
