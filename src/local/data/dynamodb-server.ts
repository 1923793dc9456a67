import { mkdir } from 'node:fs/promises';
import dynalite from 'dynalite';
import { logJson, type LogFn } from '../logs/json-log.ts';
import { localPaths } from '../settings.ts';
import { StreamConsumer, type StreamConsumerOptions } from '../streams/consumer.ts';
import { DiscardedRecords, failureDestination, LocalFailureQueue } from '../streams/failure-queue.ts';
import { startDynamoProxy } from '../streams/proxy.ts';
import type { StreamHandler } from '../streams/types.ts';
import { repairInterruptedTables } from './dynalite-repair.ts';
import { closeServer, listen } from './listen.ts';
import { TableSettingsLayer } from './table-settings.ts';

export interface LocalDynamoOptions {
  home: string;
  /** The public port (HUMANGOV_DYNAMODB_PORT, default 8000); 0 = any free port. */
  port: number;
  host: string;
  /** The table whose every change becomes a stream record (locally `humangov-local-tenants`). */
  watchTable?: string;
  /** The stream's consumer, like the Lambda behind an event source mapping; may also be attached later with `stream.attach`. */
  onStream?: StreamHandler;
  /** Batching and retry settings of the emulated event source mapping. */
  streamOptions?: Partial<StreamConsumerOptions>;
  /** The on-failure destination queue of the mapping, under `<home>/state/queues/` (serverless.yml's StreamFailureQueue for stage local). */
  streamFailureQueue?: string;
  region?: string;
  accountId?: string;
  /** How long dynalite keeps a table CREATING/DELETING/UPDATING (default 500 ms, like its own default). */
  tableTransitionMs?: number;
  log?: LogFn;
}

/** The stream failure queue's name in serverless.yml (`humangov-${sls:stage}-tenant-stream-failures`) for stage local. */
export const STREAM_FAILURE_QUEUE = 'humangov-local-tenant-stream-failures';

export interface LocalDynamo {
  /** What every client uses (AWS_ENDPOINT_URL_DYNAMODB). */
  endpoint: string;
  /** The emulated stream of `watchTable`; undefined when no table is watched. */
  stream: StreamConsumer | undefined;
  /** Where the stream mapping describes the batches it discarded. */
  streamFailures: LocalFailureQueue;
  /** The records of those batches, readable by the sequence numbers a failure message names. */
  discardedRecords: DiscardedRecords | undefined;
  close(): Promise<void>;
}

/**
 * The local DynamoDB: dynalite persisted under `<home>/dynamodb`, listening on a
 * free loopback port of its own, fronted by the stream proxy on the public port.
 * Everything reaches dynalite through the proxy, so every write to `watchTable`,
 * whoever makes it, is seen and delivered to the stream handler, and the table
 * settings dynalite forgets (deletion protection, SSE, point-in-time recovery)
 * are honoured for every client (table-settings.ts).
 *
 * Wiring: start this first, then make clients with `endpoint`; attach the stream
 * handler (`onStream` or `stream.attach`) once the functions it calls are ready;
 * records written before that wait for it. `close()` stops the consumer after its
 * batch in flight, then the proxy, then dynalite.
 */
export async function startLocalDynamo(options: LocalDynamoOptions): Promise<LocalDynamo> {
  const log = options.log ?? logJson;
  const path = localPaths(options.home).dynamodb;
  await mkdir(path, { recursive: true });
  const repaired = await repairInterruptedTables(path);
  if (repaired.activated.length + repaired.deleted.length > 0)
    log({ level: 'WARN', message: 'finished table transitions interrupted by the last stop', ...repaired });

  const ms = options.tableTransitionMs ?? 500;
  const server = dynalite({ path, createTableMs: ms, deleteTableMs: ms, updateTableMs: ms });
  // Only the proxy connects here, on kept-alive sockets it pools. Closing them when idle (Node's 5 s
  // default) races with the proxy reusing them: a request on a socket closed under it is lost.
  server.keepAliveTimeout = 0;
  const internalPort = await listen(server, 0, '127.0.0.1', 'dynalite', 'HUMANGOV_DYNAMODB_PORT');

  const failureQueue = new LocalFailureQueue({ home: options.home, name: options.streamFailureQueue ?? STREAM_FAILURE_QUEUE });
  const discardedRecords = options.watchTable ? new DiscardedRecords({ home: options.home, table: options.watchTable }) : undefined;
  const stream = discardedRecords
    ? new StreamConsumer(options.onStream, { log, onFailure: failureDestination(failureQueue, discardedRecords), ...options.streamOptions })
    : undefined;
  const tap =
    stream && options.watchTable
      ? { table: options.watchTable, region: options.region ?? 'us-east-1', accountId: options.accountId ?? '000000000000', sink: stream.append.bind(stream) }
      : undefined;
  let proxy;
  try {
    proxy = await startDynamoProxy({
      host: options.host,
      port: options.port,
      upstream: `http://127.0.0.1:${internalPort}`,
      tap,
      settings: new TableSettingsLayer(options.home),
      log,
    });
  } catch (error) {
    await stream?.close();
    await closeServer(server);
    throw error;
  }
  const { endpoint } = proxy;
  return {
    endpoint,
    stream,
    streamFailures: failureQueue,
    discardedRecords,
    async close() {
      await stream?.close();
      await proxy.close();
      await closeServer(server);
    },
  };
}
