import { afterEach, describe, expect, it } from '@jest/globals';
import { StreamConsumer, type StreamConsumerOptions } from './consumer.ts';
import type { StreamInvocationRecord } from './invocation-record.ts';
import { recordFor, SequenceNumbers } from './records.ts';
import type { StreamBatchResponse, StreamEvent, StreamRecord } from './types.ts';

const sequence = new SequenceNumbers();
const STREAM_ARN = 'arn:aws:dynamodb:us-east-1:000000000000:table/t/stream/2025-01-01T00:00:00.000';

function insert(id: string, createdAt = Date.now()): StreamRecord {
  return recordFor(
    { keyNames: ['id'], oldImage: undefined, newImage: { id: { S: id } } },
    { sequence, eventSourceARN: STREAM_ARN, region: 'us-east-1', now: createdAt },
  ) as StreamRecord;
}

const ids = (event: StreamEvent) => event.Records.map((r) => r.dynamodb.Keys.id?.S as string);
const failing = (...records: StreamRecord[]): StreamBatchResponse => ({
  batchItemFailures: records.map((r) => ({ itemIdentifier: r.dynamodb.SequenceNumber })),
});
const fast: Partial<StreamConsumerOptions> = { batchingWindowMs: 5, backoffBaseMs: 1, backoffMaxMs: 1, log: () => undefined };

describe('StreamConsumer, the local DynamoDB event source mapping', () => {
  let consumer: StreamConsumer | undefined;
  afterEach(async () => {
    await consumer?.close();
    consumer = undefined;
  });

  /** Runs `respond` for each invocation (numbered from 0) and returns the ids each invocation received. */
  async function deliver(
    records: StreamRecord[],
    respond: (event: StreamEvent, call: number) => StreamBatchResponse | void,
    options: Partial<StreamConsumerOptions> = {},
  ) {
    const invocations: string[][] = [];
    const discarded: { message: StreamInvocationRecord; records: readonly StreamRecord[] }[] = [];
    consumer = new StreamConsumer(
      async (event) => {
        invocations.push(ids(event));
        return respond(event, invocations.length - 1);
      },
      { ...fast, onFailure: async (message, recs) => void discarded.push({ message, records: recs }), ...options },
    );
    consumer.append(records);
    await consumer.idle();
    return { invocations, discarded };
  }

  it('invokes with at most BatchSize records, gathered within the batching window', async () => {
    const { invocations } = await deliver(
      Array.from({ length: 23 }, (_, i) => insert(`k${i}`)),
      () => undefined,
      { batchingWindowMs: 200 },
    );
    expect(invocations.map((batch) => batch.length)).toEqual([10, 10, 3]);
  });

  it('waits for a handler attached later', async () => {
    const seen: string[] = [];
    consumer = new StreamConsumer(undefined, fast);
    consumer.append([insert('a')]);
    consumer.attach(async (event) => void seen.push(...ids(event)));
    await consumer.idle();
    expect(seen).toEqual(['a']);
  });

  // https://docs.aws.amazon.com/lambda/latest/dg/services-ddb-batchfailurereporting.html: "If the batchItemFailures
  // array contains multiple items, Lambda uses the record with the lowest sequence number as the checkpoint.
  // Lambda then retries all records starting from that checkpoint."
  it('on a partial batch failure retries every record from the lowest failed sequence number, of any item', async () => {
    const [a, b, c, d] = [insert('a'), insert('b'), insert('c'), insert('d')];
    const { invocations } = await deliver([a, b, c, d], (_, call) => (call === 0 ? failing(c, b) : undefined));
    expect(invocations).toEqual([
      ['a', 'b', 'c', 'd'],
      ['b', 'c', 'd'],
    ]);
  });

  // Same page, "Success and failure conditions".
  it('treats an empty or null batchItemFailures, or no response, as complete success', async () => {
    const responses = [undefined, { batchItemFailures: [] }, { batchItemFailures: null }, null];
    const { invocations } = await deliver(
      responses.map((_, i) => insert(`ok${i}`)),
      (_, call) => responses[call] as StreamBatchResponse,
      { batchSize: 1 },
    );
    expect(invocations).toEqual([['ok0'], ['ok1'], ['ok2'], ['ok3']]);
  });

  it('treats an empty, null or unknown itemIdentifier, or a bad key name, as a failure of the whole batch', async () => {
    const bad = [[{ itemIdentifier: '' }], [{ itemIdentifier: null }], [{ itemIdentifier: '999' }], [{ itemId: 'x' }]];
    for (const batchItemFailures of bad) {
      const [a, b] = [insert('a'), insert('b')];
      const { invocations } = await deliver([a, b], (_, call) => (call === 0 ? ({ batchItemFailures } as unknown as StreamBatchResponse) : undefined));
      expect(invocations).toEqual([
        ['a', 'b'],
        ['a', 'b'],
      ]);
      await consumer?.close();
    }
  });

  // One shard, processed in order: https://docs.aws.amazon.com/lambda/latest/dg/with-ddb.html ("Lambda still ensures
  // in-order processing at the shard level"); a bad record blocks the shard until it is retried out.
  it('holds every later record, of any item, behind a failing one', async () => {
    const slow = insert('slow');
    const seen: string[] = [];
    let failures = 0;
    consumer = new StreamConsumer(
      async (event) => {
        seen.push(...ids(event));
        if (event.Records[0] === slow && failures < 2) {
          failures += 1;
          return failing(slow);
        }
        return undefined;
      },
      { ...fast, batchSize: 1, backoffBaseMs: 50, backoffMaxMs: 50 },
    );
    consumer.append([slow, insert('quick')]);
    await consumer.idle();
    expect(seen).toEqual(['slow', 'slow', 'slow', 'quick']);
  });

  // https://docs.aws.amazon.com/lambda/latest/dg/services-dynamodb-errors.html: the batch is retried until it reaches
  // MaximumRetryAttempts, then discarded; the on-failure destination gets an invocation record naming the batch, not
  // its records, and the shard moves on.
  it('after MaximumRetryAttempts retries discards the batch, sends the documented invocation record, and moves on', async () => {
    const poison = insert('poison');
    const next = insert('next');
    const { invocations, discarded } = await deliver(
      [poison, next],
      (event) => {
        if (event.Records[0] === poison) throw new Error('cannot handle it');
      },
      { batchSize: 1, maximumRetryAttempts: 2, functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:humangov-local-tenantStream' },
    );

    expect(invocations).toEqual([['poison'], ['poison'], ['poison'], ['next']]);
    expect(discarded).toHaveLength(1);
    const [{ message, records }] = discarded as [(typeof discarded)[number]];
    expect(records).toEqual([poison]);
    const arrival = new Date(poison.dynamodb.ApproximateCreationDateTime * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    expect(message).toEqual({
      requestContext: {
        requestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
        functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:humangov-local-tenantStream',
        condition: 'RetryAttemptsExhausted',
        approximateInvokeCount: 3,
      },
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      version: '1.0',
      timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      DDBStreamBatchInfo: {
        shardId: expect.stringMatching(/^shardId-\d{20}-[0-9a-f]{8}$/),
        startSequenceNumber: poison.dynamodb.SequenceNumber,
        endSequenceNumber: poison.dynamodb.SequenceNumber,
        approximateArrivalOfFirstRecord: arrival,
        approximateArrivalOfLastRecord: arrival,
        batchSize: 1,
        streamArn: STREAM_ARN,
      },
    });
  });

  it('counts retries of a partially failed batch, and discards only the records from the checkpoint on', async () => {
    const [a, b, c] = [insert('a'), insert('b'), insert('c')];
    const { invocations, discarded } = await deliver([a, b, c], (event) => (event.Records.includes(b) ? failing(b) : undefined), {
      maximumRetryAttempts: 1,
      bisectBatchOnFunctionError: false,
    });
    expect(invocations).toEqual([
      ['a', 'b', 'c'],
      ['b', 'c'],
    ]);
    expect(discarded.map((d) => d.records.map((r) => r.dynamodb.Keys.id?.S))).toEqual([['b', 'c']]);
    expect(discarded[0]?.message.responseContext).toEqual({ statusCode: 200, executedVersion: '$LATEST' });
  });

  // https://docs.aws.amazon.com/lambda/latest/dg/services-dynamodb-errors.html: "Splitting a batch does not count
  // towards the retry quota."
  it('bisects a batch whose invocation throws until the bad record is alone, without spending retries on the splits', async () => {
    const records = ['a', 'b', 'c', 'd'].map((id) => insert(id));
    const { invocations, discarded } = await deliver(
      records,
      (event) => {
        if (ids(event).includes('c')) throw new Error('c is poison');
      },
      { maximumRetryAttempts: 1, bisectBatchOnFunctionError: true },
    );
    expect(invocations).toEqual([['a', 'b', 'c', 'd'], ['a', 'b'], ['c', 'd'], ['c'], ['c'], ['d']]);
    expect(discarded.map((d) => d.records.map((r) => r.dynamodb.Keys.id?.S))).toEqual([['c']]);
  });

  // https://docs.aws.amazon.com/lambda/latest/dg/services-ddb-batchfailurereporting.html, "Bisecting a batch": "the
  // batch is bisected at the returned sequence number and Lambda retries only the remaining records."
  it('with bisection, retries only the rest of a partially failed batch, not records that arrived since', async () => {
    const [a, b, c] = [insert('a'), insert('b'), insert('c')];
    const late = insert('late');
    const { invocations } = await deliver([a, b, c], (_, call) => {
      if (call === 0) {
        consumer?.append([late]);
        return failing(b);
      }
      return undefined;
    });
    expect(invocations).toEqual([['a', 'b', 'c'], ['b', 'c'], ['late']]);
  });

  // https://docs.aws.amazon.com/lambda/latest/dg/services-ddb-params.html: MaximumRecordAgeInSeconds; discarded records
  // go to the on-failure destination like exhausted ones.
  it('discards records older than MaximumRecordAgeInSeconds without invoking the function', async () => {
    const twoHoursAgo = Date.now() - 2 * 3600_000;
    const stale = insert('stale', twoHoursAgo);
    const fresh = insert('fresh');
    const { invocations, discarded } = await deliver([stale, fresh], () => undefined, { maximumRecordAgeSeconds: 3600 });
    expect(invocations).toEqual([['fresh']]);
    expect(discarded).toHaveLength(1);
    expect(discarded[0]?.message.requestContext).toMatchObject({ condition: 'RecordAgeExceeded', approximateInvokeCount: 0 });
  });

  // https://docs.aws.amazon.com/lambda/latest/dg/services-ddb-params.html: "-1 means infinite: failed records are
  // retried until the record expires. The data retention limit for DynamoDB Streams is 24 hours."
  it('with no age limit still lets records go once the stream has trimmed them (24 hours)', async () => {
    const clock = { offset: 0 };
    const record = insert('old');
    const { invocations, discarded } = await deliver(
      [record],
      () => {
        clock.offset = 24 * 3600_000 + 1_000;
        throw new Error('keeps failing');
      },
      { maximumRetryAttempts: -1, maximumRecordAgeSeconds: -1, now: () => Date.now() + clock.offset },
    );
    expect(invocations).toEqual([['old']]);
    expect(discarded[0]?.message.requestContext.condition).toBe('RecordAgeExceeded');
  });

  it('numbers records so that string order is creation order', () => {
    const numbers = new SequenceNumbers();
    const a = numbers.next(1_000);
    const b = numbers.next(1_000);
    const c = numbers.next(999); // a clock that went back still yields a larger number
    expect([a, b, c]).toEqual([...[a, b, c]].sort());
    expect(new Set([a, b, c]).size).toBe(3);
  });
});
