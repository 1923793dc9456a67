import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { FailedChanges } from '../../reconcile/reconciler.ts';
import type { TenantItemChange } from '../../tenants/changes.ts';
import type { DiscardedRecords, LocalFailureQueue } from './failure-queue.ts';
import type { StreamInvocationRecord } from './invocation-record.ts';
import type { ItemJson, StreamRecord } from './types.ts';

function toChange(record: StreamRecord): TenantItemChange | undefined {
  const key = record.dynamodb.Keys.tenantId?.S;
  if (!key) return undefined;
  const image = (item: ItemJson | undefined) => (item ? unmarshall(item as Record<string, AttributeValue>) : undefined);
  return {
    eventName: record.eventName,
    sequenceNumber: record.dynamodb.SequenceNumber,
    key,
    oldImage: image(record.dynamodb.OldImage),
    newImage: image(record.dynamodb.NewImage),
  };
}

/**
 * The reconciler's reader of the local stream's failure queue: each message
 * names a discarded batch by its first and last sequence numbers, as on AWS
 * (https://docs.aws.amazon.com/lambda/latest/dg/services-dynamodb-errors.html),
 * and the records are read back from what the stream kept of them.
 */
export function localFailedChanges(queue: LocalFailureQueue, records: DiscardedRecords): FailedChanges {
  return {
    async batches() {
      const out: { id: string; changes: TenantItemChange[] }[] = [];
      for (const message of await queue.messages()) {
        const info = (JSON.parse(message.Body) as StreamInvocationRecord).DDBStreamBatchInfo;
        const found = await records.between(info.startSequenceNumber, info.endSequenceNumber);
        out.push({ id: message.MessageId, changes: found.map(toChange).filter((c): c is TenantItemChange => c !== undefined) });
      }
      return out;
    },
    done: (id) => queue.delete(id),
  };
}
