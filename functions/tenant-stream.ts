import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import type { TenantItemChange } from '../src/tenants/changes.ts';
import { processTenantChanges, type StreamDeps } from '../src/tenants/stream-processor.ts';
import { lazyHandler, logger } from './lib/step-handler.ts';
import { awsStreamDeps } from './lib/aws-deps.ts';

type Image = Record<string, AttributeValue>;

/** Maps one stream record to a change; undefined when it is not a tenants-table item change we understand. */
function toChange(record: DynamoDBRecord): TenantItemChange | undefined {
  const data = record.dynamodb;
  const eventName = record.eventName;
  const key = data?.Keys?.tenantId?.S;
  if (!data?.SequenceNumber || !key || (eventName !== 'INSERT' && eventName !== 'MODIFY' && eventName !== 'REMOVE')) return undefined;
  return {
    eventName,
    sequenceNumber: data.SequenceNumber,
    key,
    oldImage: data.OldImage ? unmarshall(data.OldImage as Image) : undefined,
    newImage: data.NewImage ? unmarshall(data.NewImage as Image) : undefined,
  };
}

/**
 * The tenants table's stream: parse each record, let the domain decide, report
 * the first record that could not be handled so only it and what follows are
 * delivered again.
 */
export function makeStreamHandler(deps: StreamDeps) {
  return middy(async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
    const records = Array.isArray(event?.Records) ? event.Records : [];
    const changes: TenantItemChange[] = [];
    for (const record of records) {
      const change = toChange(record);
      if (change) changes.push(change);
      else logger.warn('stream record ignored: not a tenants-table item change', { eventID: record?.eventID, eventName: record?.eventName });
    }
    const { failedSequenceNumber } = await processTenantChanges(changes, deps);
    return { batchItemFailures: failedSequenceNumber ? [{ itemIdentifier: failedSequenceNumber }] : [] };
  }).use(injectLambdaContext(logger, { resetKeys: true }));
}

export const handler = lazyHandler(() => makeStreamHandler(awsStreamDeps()));
