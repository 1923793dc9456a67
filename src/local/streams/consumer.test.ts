import { afterEach, describe, expect, it } from '@jest/globals';
import { waitFor } from '../data/testing.ts';
import { StreamConsumer } from './consumer.ts';
import { recordFor, SequenceNumbers } from './records.ts';
import type { StreamBatchResponse, StreamEvent, StreamRecord } from './types.ts';

const sequence = new SequenceNumbers();
const context = { sequence, eventSourceARN: 'arn:aws:dynamodb:us-east-1:000000000000:table/t/stream/2025-01-01T00:00:00.000', region: 'us-east-1' };

function insert(id: string, n = 0): StreamRecord {
  return recordFor({ keyNames: ['id'], oldImage: undefined, newImage: { id: { S: id }, n: { N: String(n) } } }, context) as StreamRecord;
}

const fast = { batchingWindowMs: 5, backoffBaseMs: 5, backoffMaxMs: 20 };

describe('StreamConsumer', () => {
  let consumer: StreamConsumer | undefined;
  afterEach(async () => {
    await consumer?.close();
    consumer = undefined;
  });

  it('invokes with at most batchSize records, gathered within the batching window', async () => {
    const batches: number[] = [];
    consumer = new StreamConsumer(
      async (event) => {
        batches.push(event.Records.length);
      },
      { batchingWindowMs: 200 },
    );
    consumer.append(Array.from({ length: 23 }, (_, i) => insert(`k${i}`)));
    await consumer.idle();
    expect(batches).toEqual([10, 10, 3]);
  });

  it('waits for a handler attached later', async () => {
    const seen: string[] = [];
    consumer = new StreamConsumer(undefined, fast);
    consumer.append([insert('a')]);
    consumer.attach(async (event) => {
      seen.push(...event.Records.map((r) => r.dynamodb.Keys.id?.S as string));
    });
    await consumer.idle();
    expect(seen).toEqual(['a']);
  });

  it('drops a record that keeps failing after maxAttempts, logs it, and moves its key on', async () => {
    const logs: Record<string, unknown>[] = [];
    const poison = insert('p', 1);
    const next = insert('p', 2);
    const attempts: string[] = [];
    consumer = new StreamConsumer(
      async (event): Promise<StreamBatchResponse> => {
        attempts.push(...event.Records.map((r) => r.dynamodb.NewImage?.n?.N as string));
        return { batchItemFailures: event.Records.filter((r) => r === poison).map((r) => ({ itemIdentifier: r.dynamodb.SequenceNumber })) };
      },
      { ...fast, maxAttempts: 3, log: (entry) => logs.push(entry) },
    );
    consumer.append([poison, next]);
    await consumer.idle();
    expect(attempts.filter((n) => n === '1')).toHaveLength(3);
    expect(attempts.at(-1)).toBe('2');
    expect(logs.find((l) => l.message === 'stream record dropped after repeated failures')).toMatchObject({ attempts: 3, record: poison });
  });

  it('treats a failure naming a record outside the batch as a failure of the whole batch', async () => {
    const events: StreamEvent[] = [];
    consumer = new StreamConsumer(
      async (event) => {
        events.push(event);
        return events.length === 1 ? { batchItemFailures: [{ itemIdentifier: 'not-a-sequence-number' }] } : undefined;
      },
      { ...fast, log: () => undefined },
    );
    consumer.append([insert('x'), insert('y')]);
    await consumer.idle();
    expect(events.map((e) => e.Records.length)).toEqual([2, 2]);
  });

  it('keeps delivering other keys while one key waits out its backoff', async () => {
    const seen: string[] = [];
    let failures = 0;
    const slow = insert('slow');
    consumer = new StreamConsumer(
      async (event) => {
        seen.push(...event.Records.map((r) => r.dynamodb.Keys.id?.S as string));
        const mine = event.Records.find((r) => r === slow);
        if (mine && failures < 2) {
          failures += 1;
          return { batchItemFailures: [{ itemIdentifier: mine.dynamodb.SequenceNumber }] };
        }
        return undefined;
      },
      { batchingWindowMs: 1, backoffBaseMs: 150, backoffMaxMs: 150 },
    );
    consumer.append([slow]);
    await waitFor(() => failures === 1);
    consumer.append([insert('quick')]);
    await waitFor(() => seen.includes('quick'), 1_000, 'quick');
    expect(seen.filter((k) => k === 'slow')).toHaveLength(1); // quick went by while slow was backing off
    await consumer.idle();
    expect(seen.filter((k) => k === 'slow')).toHaveLength(3);
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
