import { errorMessage, logJson, type LogFn } from '../logs/json-log.ts';
import { keyId } from './records.ts';
import type { StreamBatchResponse, StreamHandler, StreamRecord } from './types.ts';

export interface StreamConsumerOptions {
  /** Lambda's BatchSize. */
  batchSize: number;
  /** Lambda's MaximumBatchingWindowInSeconds, in ms: how long to gather records before invoking. */
  batchingWindowMs: number;
  /** Attempts per record before it is dropped (and logged, as an on-failure destination would keep it). */
  maxAttempts: number;
  /** Backoff after a failed attempt n is min(base * 2^(n-1), max). */
  backoffBaseMs: number;
  backoffMaxMs: number;
  log: LogFn;
}

const DEFAULTS: StreamConsumerOptions = {
  batchSize: 10,
  batchingWindowMs: 250,
  maxAttempts: 5,
  backoffBaseMs: 200,
  backoffMaxMs: 5_000,
  log: logJson,
};

interface Pending {
  record: StreamRecord;
  key: string;
  attempts: number;
}

/**
 * Stands in for Lambda's event source mapping on a DynamoDB stream with
 * ReportBatchItemFailures: batches of at most `batchSize` records gathered for at
 * most `batchingWindowMs`, one batch in flight at a time (one shard, so order is
 * kept). A record the handler reports in `batchItemFailures` is retried with
 * backoff, and so is every later record of the same key (so per-key order holds);
 * the other records of the batch are done. A thrown error, or a failure naming a
 * record not in the batch, fails the whole batch, as Lambda treats it. After
 * `maxAttempts` a record is dropped and logged, and its key moves on.
 *
 * Records appended before a handler is attached wait for it, so the DynamoDB
 * endpoint can start before the functions it feeds.
 */
export class StreamConsumer {
  readonly #options: StreamConsumerOptions;
  #handler: StreamHandler | undefined;
  readonly #pending: Pending[] = [];
  readonly #blockedUntil = new Map<string, number>();
  #windowStart: number | undefined;
  #wake: (() => void) | undefined;
  #closed = false;
  #idleWaiters: (() => void)[] = [];
  readonly #loop: Promise<void>;

  constructor(handler?: StreamHandler, options: Partial<StreamConsumerOptions> = {}) {
    this.#handler = handler;
    this.#options = { ...DEFAULTS, ...options };
    this.#loop = this.#run();
  }

  attach(handler: StreamHandler): void {
    this.#handler = handler;
    this.#wake?.();
  }

  append(records: readonly StreamRecord[]): void {
    if (this.#closed) return;
    for (const record of records) this.#pending.push({ record, key: keyId(record), attempts: 0 });
    this.#wake?.();
  }

  /** Resolves once every appended record has been delivered or dropped. */
  idle(): Promise<void> {
    if (this.#pending.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /** Stops after the batch in flight; records not yet delivered are lost (they live in memory only). */
  async close(): Promise<void> {
    this.#closed = true;
    this.#wake?.();
    await this.#loop;
    if (this.#pending.length > 0) this.#options.log({ level: 'WARN', message: 'stream consumer closed with undelivered records', count: this.#pending.length });
    for (const resolve of this.#idleWaiters.splice(0)) resolve();
  }

  async #run(): Promise<void> {
    const { batchSize, batchingWindowMs } = this.#options;
    while (!this.#closed) {
      const now = Date.now();
      const eligible = this.#handler ? this.#pending.filter((p) => (this.#blockedUntil.get(p.key) ?? 0) <= now) : [];
      if (eligible.length === 0) {
        if (this.#pending.length === 0) for (const resolve of this.#idleWaiters.splice(0)) resolve();
        await this.#sleep(this.#handler ? this.#nextUnblock(now) : undefined);
        continue;
      }
      this.#windowStart ??= now;
      const windowEnds = this.#windowStart + batchingWindowMs;
      if (eligible.length < batchSize && now < windowEnds) {
        await this.#sleep(windowEnds - now);
        continue;
      }
      this.#windowStart = undefined;
      await this.#deliver(eligible.slice(0, batchSize));
    }
  }

  #nextUnblock(now: number): number | undefined {
    let next: number | undefined;
    for (const p of this.#pending) {
      const until = this.#blockedUntil.get(p.key) ?? 0;
      if (until > now && (next === undefined || until < next)) next = until;
    }
    return next === undefined ? undefined : next - now;
  }

  /** Waits `ms` (forever when undefined) or until something is appended, attached or closed. */
  #sleep(ms: number | undefined): Promise<void> {
    return new Promise((resolve) => {
      const timer = ms === undefined ? undefined : setTimeout(done, ms);
      this.#wake = done;
      function done() {
        clearTimeout(timer);
        resolve();
      }
    });
  }

  async #deliver(batch: Pending[]): Promise<void> {
    const handler = this.#handler as StreamHandler;
    let failed: Set<Pending>;
    try {
      const response = await handler({ Records: batch.map((p) => p.record) });
      failed = this.#failuresOf(batch, response);
    } catch (error) {
      this.#options.log({ level: 'ERROR', message: 'stream handler threw; retrying the whole batch', error: errorMessage(error), records: batch.length });
      failed = new Set(batch);
    }
    const retryKeys = new Set<string>();
    const done = new Set<Pending>();
    for (const p of batch) {
      if (retryKeys.has(p.key)) continue; // an earlier record of this key failed: keep order, retry it too
      if (!failed.has(p)) {
        done.add(p);
        continue;
      }
      p.attempts += 1;
      if (p.attempts >= this.#options.maxAttempts) {
        this.#options.log({ level: 'ERROR', message: 'stream record dropped after repeated failures', attempts: p.attempts, record: p.record });
        done.add(p);
        continue;
      }
      retryKeys.add(p.key);
      const backoff = Math.min(this.#options.backoffBaseMs * 2 ** (p.attempts - 1), this.#options.backoffMaxMs);
      this.#blockedUntil.set(p.key, Date.now() + backoff);
    }
    for (let i = this.#pending.length - 1; i >= 0; i -= 1) {
      const p = this.#pending[i] as Pending;
      if (done.has(p)) this.#pending.splice(i, 1);
    }
    for (const [key, until] of this.#blockedUntil) if (until <= Date.now() && !retryKeys.has(key)) this.#blockedUntil.delete(key);
  }

  #failuresOf(batch: Pending[], response: StreamBatchResponse | void): Set<Pending> {
    const failures = response?.batchItemFailures ?? [];
    const bySequence = new Map(batch.map((p) => [p.record.dynamodb.SequenceNumber, p]));
    const failed = new Set<Pending>();
    for (const failure of failures) {
      const p = bySequence.get(failure?.itemIdentifier);
      if (!p) {
        this.#options.log({
          level: 'ERROR',
          message: 'batchItemFailures names a record not in the batch; retrying the whole batch',
          itemIdentifier: failure?.itemIdentifier,
        });
        return new Set(batch);
      }
      failed.add(p);
    }
    return failed;
  }
}
