import { arnOf } from '../../cloud/arn.ts';
import { errorMessage, logJson, type LogFn } from '../logs/json-log.ts';
import { invocationRecordFor, type DiscardCondition, type StreamInvocationRecord } from './invocation-record.ts';
import type { StreamBatchResponse, StreamHandler, StreamRecord } from './types.ts';

/** Where a discarded batch is described (DestinationConfig.OnFailure): the message, and the records it names. */
export type FailureDestination = (message: StreamInvocationRecord, records: readonly StreamRecord[]) => Promise<void>;

/**
 * The settings of Lambda's event source mapping on a DynamoDB stream, by their API names.
 * https://docs.aws.amazon.com/lambda/latest/dg/services-ddb-params.html
 */
export interface StreamConsumerOptions {
  /** BatchSize. */
  batchSize: number;
  /** MaximumBatchingWindowInSeconds, in ms: how long to gather records before invoking. */
  batchingWindowMs: number;
  /** MaximumRetryAttempts: retries of a failing batch before it is discarded; -1 retries until the records expire. */
  maximumRetryAttempts: number;
  /** MaximumRecordAgeInSeconds: older records are discarded unprocessed; -1 means the stream's retention, 24 hours. */
  maximumRecordAgeSeconds: number;
  /** BisectBatchOnFunctionError: a batch whose invocation throws is split in two before it is retried. */
  bisectBatchOnFunctionError: boolean;
  /** Local only (Lambda documents no retry delay): the wait after failed attempt n is min(base * 2^(n-1), max). */
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** The mapped function's ARN, as the on-failure message names it. */
  functionArn: string;
  /** DestinationConfig.OnFailure; without one a discarded batch is only logged, as Lambda only drops it. */
  onFailure?: FailureDestination;
  /** The clock, in ms since the epoch (tests move it to age records). */
  now: () => number;
  log: LogFn;
}

/** The stream's retention: DynamoDB Streams trims records after 24 hours. https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Streams.html */
const STREAM_RETENTION_SECONDS = 24 * 60 * 60;

/**
 * The local settings of the tenants stream's mapping: serverless.yml's (a test holds them
 * equal), but for the batching window, shortened from 1 s so a change is seen within a second.
 */
export const DEFAULT_STREAM_OPTIONS: StreamConsumerOptions = {
  batchSize: 10,
  batchingWindowMs: 250,
  maximumRetryAttempts: 5,
  maximumRecordAgeSeconds: 3600,
  bisectBatchOnFunctionError: true,
  backoffBaseMs: 200,
  backoffMaxMs: 5_000,
  functionArn: arnOf({ service: 'lambda', region: 'us-east-1', accountId: '000000000000', resource: 'function:humangov-local-tenantStream' }),
  now: () => Date.now(),
  log: logJson,
};

type Outcome = { kind: 'success' } | { kind: 'partial'; checkpoint: number } | { kind: 'failure'; thrown: boolean };

/**
 * Stands in for Lambda's event source mapping on a DynamoDB stream with
 * ReportBatchItemFailures, reading one shard: every record in one sequence, one
 * batch in flight. Lambda orders records per shard and DynamoDB spreads a table's
 * items over shards it chooses; one local shard is the strictest of those layouts
 * (a failing record holds up every later one, not only those of its own shard).
 *
 * - A batch is at most `batchSize` records, gathered for at most the batching window.
 * - Success (no response, or an empty or null `batchItemFailures`) checkpoints past the batch.
 * - A partial failure checkpoints at the lowest failed sequence number and retries
 *   every record from there, of whatever item; an empty, null or unknown
 *   `itemIdentifier` fails the whole batch.
 *   https://docs.aws.amazon.com/lambda/latest/dg/services-ddb-batchfailurereporting.html
 * - A thrown error fails the batch; with bisection it is split in two first, which
 *   does not count as a retry. With bisection, a partial failure retries only the
 *   rest of that batch. After `maximumRetryAttempts` retries, or once records are
 *   older than `maximumRecordAgeSeconds`, the batch is discarded: the on-failure
 *   destination gets the documented invocation record, and the shard moves on.
 *   https://docs.aws.amazon.com/lambda/latest/dg/services-dynamodb-errors.html
 *
 * Records appended before a handler is attached wait for it, so the DynamoDB
 * endpoint can start before the functions it feeds.
 */
export class StreamConsumer {
  readonly #options: StreamConsumerOptions;
  #handler: StreamHandler | undefined;
  /** The shard from the checkpoint on. */
  readonly #pending: StreamRecord[] = [];
  /** Failed attempts of the batch at the checkpoint (bisections excluded): the retries so far. */
  #attempts = 0;
  /** Invocations since the checkpoint last moved, bisected ones included (approximateInvokeCount). */
  #invocations = 0;
  /** The size of the next batch when it is a retry of part of the last one. */
  #cap: number | undefined;
  #retryAt = 0;
  #windowStart: number | undefined;
  #wake: (() => void) | undefined;
  #closed = false;
  #idleWaiters: (() => void)[] = [];
  readonly #loop: Promise<void>;

  constructor(handler?: StreamHandler, options: Partial<StreamConsumerOptions> = {}) {
    this.#handler = handler;
    this.#options = { ...DEFAULT_STREAM_OPTIONS, ...options };
    this.#loop = this.#run();
  }

  attach(handler: StreamHandler): void {
    this.#handler = handler;
    this.#wake?.();
  }

  append(records: readonly StreamRecord[]): void {
    if (this.#closed) return;
    this.#pending.push(...records);
    this.#wake?.();
  }

  /** Resolves once every appended record has been delivered or discarded. */
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
      if (!this.#handler || this.#pending.length === 0) {
        if (this.#pending.length === 0) for (const resolve of this.#idleWaiters.splice(0)) resolve();
        await this.#sleep(undefined);
        continue;
      }
      const now = this.#options.now();
      const expired = this.#expiredAtHead(now);
      if (expired > 0) {
        await this.#discard(this.#pending.slice(0, Math.min(expired, batchSize)), 'RecordAgeExceeded', false);
        continue;
      }
      if (this.#retryAt > now) {
        await this.#sleep(this.#retryAt - now);
        continue;
      }
      // A retry goes at once; only a fresh batch waits for the window to fill it.
      if (this.#attempts === 0 && this.#cap === undefined) {
        this.#windowStart ??= now;
        const windowEnds = this.#windowStart + batchingWindowMs;
        if (this.#pending.length < batchSize && now < windowEnds) {
          await this.#sleep(windowEnds - now);
          continue;
        }
      }
      this.#windowStart = undefined;
      await this.#invoke(this.#pending.slice(0, Math.min(batchSize, this.#cap ?? batchSize)));
    }
  }

  /** How many records at the head are older than the mapping (or the stream) keeps them. */
  #expiredAtHead(now: number): number {
    const configured = this.#options.maximumRecordAgeSeconds;
    const maxAgeMs = (configured < 0 ? STREAM_RETENTION_SECONDS : Math.min(configured, STREAM_RETENTION_SECONDS)) * 1000;
    let count = 0;
    while (count < this.#pending.length && now - (this.#pending[count] as StreamRecord).dynamodb.ApproximateCreationDateTime * 1000 > maxAgeMs) count += 1;
    return count;
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

  async #invoke(batch: StreamRecord[]): Promise<void> {
    const handler = this.#handler as StreamHandler;
    this.#invocations += 1;
    let outcome: Outcome;
    try {
      outcome = this.#outcomeOf(batch, await handler({ Records: batch }));
    } catch (error) {
      this.#options.log({ level: 'ERROR', message: 'stream handler threw; the batch fails', error: errorMessage(error), records: batch.length });
      outcome = { kind: 'failure', thrown: true };
    }
    if (outcome.kind === 'success') return this.#checkpoint(batch.length);
    if (outcome.kind === 'partial') {
      this.#checkpoint(outcome.checkpoint);
      return this.#failed(batch.slice(outcome.checkpoint), false, true);
    }
    return this.#failed(batch, outcome.thrown, false);
  }

  /** The documented reading of a response: what succeeded, and from where to retry. */
  #outcomeOf(batch: readonly StreamRecord[], response: StreamBatchResponse | void): Outcome {
    const failures: unknown = (response as { batchItemFailures?: unknown } | null | undefined)?.batchItemFailures;
    if (failures === undefined || failures === null || (Array.isArray(failures) && failures.length === 0)) return { kind: 'success' };
    if (!Array.isArray(failures)) return this.#malformed('batchItemFailures is not a list');
    let checkpoint: number | undefined;
    for (const failure of failures) {
      const id: unknown = (failure as { itemIdentifier?: unknown } | null)?.itemIdentifier;
      const index = typeof id === 'string' && id !== '' ? batch.findIndex((record) => record.dynamodb.SequenceNumber === id) : -1;
      if (index === -1) return this.#malformed(`itemIdentifier ${JSON.stringify(id)} names no record of the batch`);
      // Records are in sequence order, so the lowest index holds the lowest sequence number.
      checkpoint = checkpoint === undefined ? index : Math.min(checkpoint, index);
    }
    return { kind: 'partial', checkpoint: checkpoint as number };
  }

  #malformed(why: string): Outcome {
    this.#options.log({ level: 'ERROR', message: `stream handler's response fails the whole batch: ${why}` });
    return { kind: 'failure', thrown: false };
  }

  /** Moves the checkpoint past the first `count` records: they are done. */
  #checkpoint(count: number): void {
    if (count === 0) return;
    this.#pending.splice(0, count);
    this.#attempts = 0;
    this.#invocations = 0;
    this.#cap = undefined;
    this.#retryAt = 0;
  }

  async #failed(rest: StreamRecord[], thrown: boolean, partial: boolean): Promise<void> {
    const { bisectBatchOnFunctionError: bisect, maximumRetryAttempts, backoffBaseMs, backoffMaxMs } = this.#options;
    if (thrown && bisect && rest.length > 1) {
      // Splitting a batch does not count towards the retry quota.
      this.#cap = Math.ceil(rest.length / 2);
      return;
    }
    this.#attempts += 1;
    if (maximumRetryAttempts >= 0 && this.#attempts > maximumRetryAttempts) return this.#discard(rest, 'RetryAttemptsExhausted', thrown);
    // Without bisection Lambda reads again from the checkpoint; with it, a partial failure retries only the rest of its batch.
    this.#cap = partial && !bisect ? undefined : rest.length;
    this.#retryAt = this.#options.now() + Math.min(backoffBaseMs * 2 ** (this.#attempts - 1), backoffMaxMs);
  }

  async #discard(records: StreamRecord[], condition: DiscardCondition, functionError: boolean): Promise<void> {
    const { functionArn, onFailure, log } = this.#options;
    const message = invocationRecordFor(records, { condition, invokeCount: this.#invocations, functionArn, functionError, now: this.#options.now() });
    log({ level: 'ERROR', message: 'stream batch discarded', condition, ...message.DDBStreamBatchInfo, destination: onFailure ? 'on-failure queue' : 'none' });
    try {
      await onFailure?.(message, records);
    } catch (error) {
      log({ level: 'ERROR', message: 'a discarded stream batch could not be written to its on-failure destination', error: errorMessage(error), ...message });
    }
    this.#pending.splice(0, records.length);
    this.#attempts = 0;
    this.#invocations = 0;
    this.#cap = undefined;
    this.#retryAt = 0;
  }
}
