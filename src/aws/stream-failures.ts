/**
 * The reconciler's reader of the tenants stream's failure queue (the SQS on-failure
 * destination of the stream mapping). Lambda sends that queue one message per discarded
 * batch, holding only where the batch is in the stream (`DDBStreamBatchInfo`: stream ARN,
 * shard id, first and last sequence numbers), never the records themselves; a reader reads
 * them back from the stream with GetShardIterator (AT_SEQUENCE_NUMBER) and GetRecords while
 * the stream still keeps them (24 hours):
 * https://docs.aws.amazon.com/lambda/latest/dg/services-dynamodb-errors.html
 */
import { awsClient } from './clients.ts';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBStreamsClient,
  ExpiredIteratorException,
  GetRecordsCommand,
  GetShardIteratorCommand,
  ResourceNotFoundException,
  TrimmedDataAccessException,
  type _Record as StreamsRecord,
} from '@aws-sdk/client-dynamodb-streams';
import { DeleteMessageCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { TenantItemChange } from '../tenants/changes.ts';
import { translateAwsError } from './errors.ts';

export interface SqsStreamFailuresOptions {
  queueUrl: string;
  region: string;
  sqs?: SQSClient;
  streams?: DynamoDBStreamsClient;
  /** Messages read per pass at most (SQS hands out 10 per receive). */
  maxMessages?: number;
}

/** What the discarded batch's message says, as Lambda writes it. */
interface BatchInfo {
  streamArn: string;
  shardId: string;
  startSequenceNumber: string;
  endSequenceNumber: string;
}

/** How long a received message stays hidden from other readers: the reconciler's timeout (serverless.yml), so one pass replays a batch and a pass that dies leaves it to the next. */
export const RECEIVE_VISIBILITY_SECONDS = 300;

/** One discarded batch (the reconciler's FailedBatch): its changes read back, or why they cannot be. */
export interface DiscardedBatch {
  /** The message's receipt handle: what deletes it. */
  id: string;
  changes: TenantItemChange[];
  unreadable?: string;
}

/** Pages of GetRecords read for one batch at most: a discarded batch is at most 10 records (the mapping's batch size). */
const MAX_PAGES = 20;

export class SqsStreamFailures {
  readonly #sqs: SQSClient;
  readonly #streams: DynamoDBStreamsClient;
  readonly #queueUrl: string;
  readonly #maxMessages: number;

  constructor(options: SqsStreamFailuresOptions) {
    this.#sqs = options.sqs ?? awsClient(SQSClient, { region: options.region });
    this.#streams = options.streams ?? awsClient(DynamoDBStreamsClient, { region: options.region });
    this.#queueUrl = options.queueUrl;
    this.#maxMessages = options.maxMessages ?? 100;
  }

  async batches(): Promise<DiscardedBatch[]> {
    const batches: DiscardedBatch[] = [];
    while (batches.length < this.#maxMessages) {
      const received = await this.#queue('sqs:ReceiveMessage', () =>
        this.#sqs.send(
          new ReceiveMessageCommand({ QueueUrl: this.#queueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: RECEIVE_VISIBILITY_SECONDS, WaitTimeSeconds: 0 }),
        ),
      );
      const messages = received.Messages ?? [];
      if (messages.length === 0) break;
      for (const message of messages) {
        if (!message.ReceiptHandle) continue;
        const info = batchInfoOf(message.Body);
        if (!info) {
          batches.push({ id: message.ReceiptHandle, changes: [], unreadable: 'the message is not a DynamoDB stream invocation record' });
          continue;
        }
        batches.push({ id: message.ReceiptHandle, ...(await this.#read(info)) });
      }
    }
    return batches;
  }

  async done(id: string): Promise<void> {
    await this.#queue('sqs:DeleteMessage', () => this.#sqs.send(new DeleteMessageCommand({ QueueUrl: this.#queueUrl, ReceiptHandle: id })));
  }

  /** The batch's records, read back from the stream; `unreadable` when the stream no longer has them. */
  async #read(info: BatchInfo): Promise<Omit<DiscardedBatch, 'id'>> {
    const end = BigInt(info.endSequenceNumber);
    const changes: TenantItemChange[] = [];
    try {
      const { ShardIterator } = await this.#streams.send(
        new GetShardIteratorCommand({
          StreamArn: info.streamArn,
          ShardId: info.shardId,
          ShardIteratorType: 'AT_SEQUENCE_NUMBER',
          SequenceNumber: info.startSequenceNumber,
        }),
      );
      let iterator = ShardIterator;
      for (let page = 0; iterator && page < MAX_PAGES; page += 1) {
        const { Records = [], NextShardIterator } = await this.#streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 100 }));
        for (const record of Records) {
          const sequence = record.dynamodb?.SequenceNumber;
          if (!sequence || BigInt(sequence) > end) return { changes };
          const change = changeOf(record);
          if (change) changes.push(change);
          if (BigInt(sequence) === end) return { changes };
        }
        iterator = NextShardIterator;
      }
      return { changes };
    } catch (error) {
      // Past the stream's 24 hours (or its table's stream replaced): the records are gone for good.
      if (error instanceof TrimmedDataAccessException || error instanceof ResourceNotFoundException || error instanceof ExpiredIteratorException) {
        return { changes, unreadable: `records ${info.startSequenceNumber}..${info.endSequenceNumber} are no longer in the stream (${error.name})` };
      }
      throw translateAwsError(error, { action: 'dynamodb:GetRecords', resource: `stream "${info.streamArn}"` });
    }
  }

  async #queue<T>(action: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw translateAwsError(error, { action, resource: `queue "${this.#queueUrl}"` });
    }
  }
}

function batchInfoOf(body: string | undefined): BatchInfo | undefined {
  try {
    const info = (JSON.parse(body ?? '') as { DDBStreamBatchInfo?: Partial<BatchInfo> }).DDBStreamBatchInfo;
    if (!info?.streamArn || !info.shardId || !/^\d+$/.test(info.startSequenceNumber ?? '') || !/^\d+$/.test(info.endSequenceNumber ?? '')) return undefined;
    return info as BatchInfo;
  } catch {
    return undefined;
  }
}

function changeOf(record: StreamsRecord): TenantItemChange | undefined {
  const data = record.dynamodb;
  const key = data?.Keys?.tenantId?.S;
  const eventName = record.eventName;
  if (!data?.SequenceNumber || !key || (eventName !== 'INSERT' && eventName !== 'MODIFY' && eventName !== 'REMOVE')) return undefined;
  const image = (item: Record<string, unknown> | undefined) => (item ? unmarshall(item as Record<string, AttributeValue>) : undefined);
  return { eventName, sequenceNumber: data.SequenceNumber, key, oldImage: image(data.OldImage), newImage: image(data.NewImage) };
}
