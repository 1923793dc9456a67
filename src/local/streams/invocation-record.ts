import { createHash, randomUUID } from 'node:crypto';
import type { StreamRecord } from './types.ts';

/**
 * Why Lambda gave up on a batch. `RetryAttemptsExhausted` is the condition of the
 * documented example; the documentation names no string for records past
 * MaximumRecordAgeInSeconds, so `RecordAgeExceeded` is LocalStack's name for it.
 */
export type DiscardCondition = 'RetryAttemptsExhausted' | 'RecordAgeExceeded';

/**
 * The document Lambda sends to a DynamoDB event source mapping's on-failure
 * destination (an SQS message body) when it discards a batch. It carries no
 * records, only where they are in the stream, for a reader to fetch them again.
 * https://docs.aws.amazon.com/lambda/latest/dg/services-dynamodb-errors.html
 */
export interface StreamInvocationRecord {
  requestContext: {
    requestId: string;
    functionArn: string;
    condition: DiscardCondition;
    approximateInvokeCount: number;
  };
  responseContext: {
    statusCode: number;
    executedVersion: string;
    functionError?: 'Unhandled';
  };
  version: '1.0';
  timestamp: string;
  DDBStreamBatchInfo: {
    shardId: string;
    startSequenceNumber: string;
    endSequenceNumber: string;
    approximateArrivalOfFirstRecord: string;
    approximateArrivalOfLastRecord: string;
    batchSize: number;
    streamArn: string;
  };
}

/**
 * The id of the stream's one local shard, spelled like DynamoDB's
 * (`shardId-00000001573689847184-864758bb`: creation time in ms, 20 digits, and 8 hex digits).
 */
export function shardIdOf(streamArn: string): string {
  const label = streamArn.slice(streamArn.lastIndexOf('/') + 1);
  const created = Date.parse(`${label}Z`);
  const millis = Number.isNaN(created) ? 0 : created;
  return `shardId-${String(millis).padStart(20, '0')}-${createHash('sha256').update(streamArn).digest('hex').slice(0, 8)}`;
}

/** Seconds precision, as the documented example: `2019-11-14T00:13:19Z`. */
function arrival(record: StreamRecord): string {
  return new Date(record.dynamodb.ApproximateCreationDateTime * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function invocationRecordFor(
  batch: readonly StreamRecord[],
  discard: { condition: DiscardCondition; invokeCount: number; functionArn: string; functionError: boolean; now: number },
): StreamInvocationRecord {
  const first = batch[0] as StreamRecord;
  const last = batch.at(-1) as StreamRecord;
  return {
    requestContext: {
      requestId: randomUUID(),
      functionArn: discard.functionArn,
      condition: discard.condition,
      approximateInvokeCount: discard.invokeCount,
    },
    responseContext: { statusCode: 200, executedVersion: '$LATEST', ...(discard.functionError ? { functionError: 'Unhandled' as const } : {}) },
    version: '1.0',
    timestamp: new Date(discard.now).toISOString(),
    DDBStreamBatchInfo: {
      shardId: shardIdOf(first.eventSourceARN),
      startSequenceNumber: first.dynamodb.SequenceNumber,
      endSequenceNumber: last.dynamodb.SequenceNumber,
      approximateArrivalOfFirstRecord: arrival(first),
      approximateArrivalOfLastRecord: arrival(last),
      batchSize: batch.length,
      streamArn: first.eventSourceARN,
    },
  };
}
