import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DocumentStorage } from './document-storage.ts';

export interface DependencyCheck {
  readonly ok: boolean;
  readonly error?: string;
}

export interface Readiness {
  readonly ready: boolean;
  readonly checks: { readonly table: DependencyCheck; readonly bucket: DependencyCheck };
}

/** A probe must answer quickly even when a dependency hangs. */
const CHECK_TIMEOUT_MS = 3000;

/** Whether this replica can serve: its table exists and is usable, and its bucket is reachable. */
export async function checkReadiness(dynamodb: DynamoDBClient, tableName: string, storage: DocumentStorage): Promise<Readiness> {
  const [table, bucket] = await Promise.all([
    check(async (signal) => {
      const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: tableName }), { abortSignal: signal });
      if (Table?.TableStatus !== 'ACTIVE' && Table?.TableStatus !== 'UPDATING') throw new Error(`table status is ${Table?.TableStatus}`);
    }),
    check((signal) => storage.checkBucket(signal)),
  ]);
  return { ready: table.ok && bucket.ok, checks: { table, bucket } };
}

async function check(probe: (signal: AbortSignal) => Promise<void>): Promise<DependencyCheck> {
  try {
    await probe(AbortSignal.timeout(CHECK_TIMEOUT_MS));
    return { ok: true };
  } catch (error) {
    return { ok: false, error: describe(error) };
  }
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  // HeadBucket errors have no body, so the SDK's message is just the status; the name says more.
  return error.name && error.name !== 'Error' ? `${error.name}: ${error.message}` : error.message;
}
