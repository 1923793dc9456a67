import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { localPaths } from '../settings.ts';
import type { FailureDestination } from './consumer.ts';
import type { StreamInvocationRecord } from './invocation-record.ts';
import type { StreamRecord } from './types.ts';

/** A message of the queue, with SQS's names for its parts. */
export interface QueueMessage {
  MessageId: string;
  /** The invocation record, as JSON text: what SQS would hand a reader in `Body`. */
  Body: string;
  /** Milliseconds since the epoch, as SQS's SentTimestamp attribute. */
  SentTimestamp: number;
}

/** serverless.yml's MessageRetentionPeriod of the stream failure queue (14 days, SQS's maximum). */
const RETENTION_MS = 1_209_600 * 1000;
/** DynamoDB Streams keeps a record 24 hours: a discarded batch can be read back that long. */
const STREAM_RETENTION_MS = 24 * 60 * 60 * 1000;

/** Writes `text` beside `path` and renames it into place: a reader never sees half a file. */
async function writeWhole(path: string, text: string): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, text);
  await rename(tmp, path);
}

/**
 * The local stand-in for the SQS queue of the tenants stream mapping's
 * on-failure destination: one file per message under
 * `<home>/state/queues/<queue>/`, kept across restarts, dropped after the
 * queue's retention period. A reconciler reads the messages, replays what they
 * name, and deletes each one it has handled.
 */
export class LocalFailureQueue {
  readonly #dir: string;

  constructor(options: { home: string; name: string }) {
    this.#dir = join(localPaths(options.home).state, 'queues', options.name);
  }

  async send(body: StreamInvocationRecord, now = Date.now()): Promise<string> {
    await mkdir(this.#dir, { recursive: true });
    const message: QueueMessage = { MessageId: randomUUID(), Body: JSON.stringify(body), SentTimestamp: now };
    // Named by time first, so a listing is in the order the messages were sent.
    await writeWhole(join(this.#dir, `${String(now).padStart(15, '0')}-${message.MessageId}.json`), JSON.stringify(message));
    return message.MessageId;
  }

  /** Every message still retained, oldest first. */
  async messages(now = Date.now()): Promise<QueueMessage[]> {
    const messages: QueueMessage[] = [];
    for (const file of await this.#files()) {
      const message = JSON.parse(await readFile(join(this.#dir, file), 'utf8')) as QueueMessage;
      if (now - message.SentTimestamp > RETENTION_MS) await rm(join(this.#dir, file), { force: true });
      else messages.push(message);
    }
    return messages;
  }

  async delete(messageId: string): Promise<void> {
    for (const file of await this.#files()) if (file.endsWith(`-${messageId}.json`)) await rm(join(this.#dir, file), { force: true });
  }

  async #files(): Promise<string[]> {
    try {
      return (await readdir(this.#dir)).filter((file) => file.endsWith('.json')).sort();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
  }
}

/**
 * What a GetRecords from a discarded batch's start sequence number would return,
 * for the records the invocation record names: the message carries only their
 * sequence numbers, as on AWS, and a reader fetches them here while the stream
 * would still hold them (24 hours). One file per discarded batch under
 * `<home>/state/streams/<table>/`.
 */
export class DiscardedRecords {
  readonly #dir: string;

  constructor(options: { home: string; table: string }) {
    this.#dir = join(localPaths(options.home).state, 'streams', options.table);
  }

  async keep(records: readonly StreamRecord[]): Promise<void> {
    const first = records[0];
    if (!first) return;
    await mkdir(this.#dir, { recursive: true });
    await writeWhole(join(this.#dir, `${first.dynamodb.SequenceNumber}.json`), JSON.stringify(records));
  }

  /** The records from `start` to `end` (sequence numbers, inclusive) still retained. */
  async between(start: string, end: string, now = Date.now()): Promise<StreamRecord[]> {
    let files: string[];
    try {
      files = (await readdir(this.#dir)).filter((file) => file.endsWith('.json')).sort();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const retained = (record: StreamRecord) => now - record.dynamodb.ApproximateCreationDateTime * 1000 <= STREAM_RETENTION_MS;
    const inRange = (record: StreamRecord) => BigInt(record.dynamodb.SequenceNumber) >= BigInt(start) && BigInt(record.dynamodb.SequenceNumber) <= BigInt(end);
    const found: StreamRecord[] = [];
    for (const file of files) {
      const records = (JSON.parse(await readFile(join(this.#dir, file), 'utf8')) as StreamRecord[]).filter(retained);
      if (records.length === 0) await rm(join(this.#dir, file), { force: true });
      found.push(...records.filter(inRange));
    }
    return found;
  }
}

/** The on-failure destination of a local stream mapping: the message to the queue, the records kept for replay. */
export function failureDestination(queue: LocalFailureQueue, records: DiscardedRecords): FailureDestination {
  return async (message, discarded) => {
    await records.keep(discarded);
    await queue.send(message);
  };
}
