import { randomUUID } from 'node:crypto';
import { partitionOf } from '../iam/partition.ts';
import type { AttributeValueJson, ItemJson, StreamRecord } from './types.ts';

/**
 * Sequence numbers that only grow, also across restarts: they start from the
 * clock (microseconds) and step by one when the clock has not moved, so a record
 * made after a restart still sorts after every record made before it.
 */
export class SequenceNumbers {
  #last = 0n;

  next(now = Date.now()): string {
    const fromClock = BigInt(now) * 1000n;
    this.#last = fromClock > this.#last ? fromClock : this.#last + 1n;
    return this.#last.toString().padStart(21, '0');
  }
}

/** Sets are unordered in DynamoDB, maps have no key order: compare the meaning, not the JSON text. */
function canonical(value: AttributeValueJson): unknown {
  if (value.SS) return { SS: [...value.SS].sort() };
  if (value.NS) return { NS: [...value.NS].sort() };
  if (value.BS) return { BS: [...value.BS].sort() };
  if (value.M) return { M: canonicalItem(value.M) };
  if (value.L) return { L: value.L.map(canonical) };
  return value;
}

function canonicalItem(item: ItemJson): Record<string, unknown> {
  return Object.fromEntries(
    Object.keys(item)
      .sort()
      .map((name) => [name, canonical(item[name] as AttributeValueJson)]),
  );
}

export function sameImage(a: ItemJson | undefined, b: ItemJson | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return JSON.stringify(canonicalItem(a)) === JSON.stringify(canonicalItem(b));
}

/** The stream ARN DynamoDB would give the table: its label is the stream's creation time. */
export function streamArn(table: string, createdAtSeconds: number, region: string, accountId: string): string {
  const label = new Date(createdAtSeconds * 1000).toISOString().slice(0, 23);
  return `arn:${partitionOf(region)}:dynamodb:${region}:${accountId}:table/${table}/stream/${label}`;
}

export interface Change {
  keyNames: readonly string[];
  oldImage: ItemJson | undefined;
  newImage: ItemJson | undefined;
}

export interface RecordContext {
  sequence: SequenceNumbers;
  eventSourceARN: string;
  region: string;
  now?: number;
}

/** The record DynamoDB Streams would write for `change`, or undefined when nothing changed (no record, like DynamoDB). */
export function recordFor(change: Change, context: RecordContext): StreamRecord | undefined {
  const { oldImage, newImage } = change;
  if (sameImage(oldImage, newImage)) return undefined;
  const image = (newImage ?? oldImage) as ItemJson;
  const Keys: ItemJson = {};
  for (const name of change.keyNames) {
    const value = image[name];
    if (value !== undefined) Keys[name] = value;
  }
  const now = context.now ?? Date.now();
  const dynamodb: StreamRecord['dynamodb'] = {
    ApproximateCreationDateTime: Math.floor(now / 1000),
    Keys,
    ...(newImage ? { NewImage: newImage } : {}),
    ...(oldImage ? { OldImage: oldImage } : {}),
    SequenceNumber: context.sequence.next(now),
    SizeBytes: Buffer.byteLength(JSON.stringify({ Keys, NewImage: newImage, OldImage: oldImage })),
    StreamViewType: 'NEW_AND_OLD_IMAGES',
  };
  return {
    eventID: randomUUID().replaceAll('-', ''),
    eventName: oldImage === undefined ? 'INSERT' : newImage === undefined ? 'REMOVE' : 'MODIFY',
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: context.region,
    eventSourceARN: context.eventSourceARN,
    dynamodb,
  };
}

/** A string that identifies an item's key, to keep per-key order. */
export function keyId(record: StreamRecord): string {
  return JSON.stringify(canonicalItem(record.dynamodb.Keys));
}
