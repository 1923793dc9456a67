import { Agent, createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import { crc32 } from 'node:zlib';
import { closeServer, listen } from '../data/listen.ts';
import { SETTINGS_OPERATIONS, type Answer, type TableSettingsLayer } from '../data/table-settings.ts';
import { errorMessage, logJson, type LogFn } from '../logs/json-log.ts';
import { DynamoWire, DynamoWireError, type TableInfo } from './dynamo-wire.ts';
import { ItemLocks } from './item-locks.ts';
import { recordFor, SequenceNumbers, streamArn } from './records.ts';
import type { ItemJson, StreamRecord } from './types.ts';

/** The table whose changes become stream records, and where the records go. */
export interface StreamTap {
  table: string;
  region: string;
  accountId: string;
  sink: (records: StreamRecord[]) => void;
}

export interface DynamoProxyOptions {
  host: string;
  /** 0 = any free port. */
  port: number;
  /** dynalite's own endpoint, e.g. http://127.0.0.1:41234. */
  upstream: string;
  tap?: StreamTap;
  /** Table settings dynalite forgets (deletion protection, SSE, point-in-time recovery), honoured here for every client. */
  settings?: TableSettingsLayer;
  log?: LogFn;
}

export interface DynamoProxy {
  endpoint: string;
  close(): Promise<void>;
}

interface Upstream {
  status: number;
  rawHeaders: string[];
  body: Buffer;
}

/** The item writes dynalite understands; TransactWriteItems is not one of them, so it is forwarded to fail there. */
const WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem']);
/** After these the table's key schema or creation time (its stream label) may differ. */
const TABLE_CHANGES = new Set(['CreateTable', 'DeleteTable', 'UpdateTable']);

/** What a write to the tapped table waits for (`turn`) and must call when it is over (`done`); no keys: it touches no item. */
interface Admitted {
  info?: TableInfo;
  keys?: ItemJson[];
  turn: Promise<void>;
  done: () => void;
}

type Body = {
  TableName?: unknown;
  Item?: ItemJson;
  Key?: ItemJson;
  RequestItems?: Record<string, { PutRequest?: { Item?: ItemJson }; DeleteRequest?: { Key?: ItemJson } }[]>;
};

function pickKey(item: ItemJson | undefined, keyNames: readonly string[]): ItemJson | undefined {
  if (typeof item !== 'object' || item === null) return undefined;
  const key: ItemJson = {};
  for (const name of keyNames) {
    const value = item[name];
    if (typeof value !== 'object' || value === null) return undefined;
    key[name] = value;
  }
  return key;
}

/** The keys a write touches in `table`, in request order; undefined when the request is malformed (dynalite will say why). */
function keysOf(operation: string, body: Body, table: string, keyNames: readonly string[]): ItemJson[] | undefined {
  const requests =
    operation === 'BatchWriteItem'
      ? (body.RequestItems?.[table] ?? []).map((r) => r?.PutRequest?.Item ?? r?.DeleteRequest?.Key)
      : [operation === 'PutItem' ? body.Item : body.Key];
  const keys = requests.map((item) => pickKey(item, keyNames));
  return keys.every((key) => key !== undefined) ? (keys as ItemJson[]) : undefined;
}

function touches(operation: string, body: Body, table: string): boolean {
  if (operation === 'BatchWriteItem') return typeof body.RequestItems === 'object' && body.RequestItems !== null && Object.hasOwn(body.RequestItems, table);
  return body.TableName === table;
}

/** The lock of one item: a string key by its value; other key types all share one lock, since one number has many spellings ('1', '1.0'). */
function lockId(key: ItemJson): string {
  return Object.values(key).every((value) => typeof value.S === 'string') ? JSON.stringify(key) : '(non-string key)';
}

/** Raw header pairs with `name` set to `value` (lower-case match), or added. */
function withHeader(rawHeaders: string[], name: string, value: string): string[] {
  const out: string[] = [];
  let found = false;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    if (rawHeaders[i]?.toLowerCase() === name) {
      if (!found) out.push(rawHeaders[i] as string, value);
      found = true;
    } else out.push(rawHeaders[i] as string, rawHeaders[i + 1] ?? '');
  }
  if (!found) out.push(name, value);
  return out;
}

/** An answer with a new JSON body; DynamoDB's x-amz-crc32 (which the AWS CLI checks) is computed again. */
function jsonAnswer(json: unknown, status: number, rawHeaders: string[] = ['Content-Type', 'application/x-amz-json-1.0']): Upstream {
  const body = Buffer.from(JSON.stringify(json));
  let headers = withHeader(rawHeaders, 'content-length', String(body.length));
  headers = withHeader(headers, 'x-amz-crc32', String(crc32(body)));
  return { status, rawHeaders: headers, body };
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/**
 * The public DynamoDB endpoint: an HTTP proxy in front of dynalite that passes
 * every request through byte for byte (headers included, so SigV4-signed
 * requests from any client arrive as sent) and, for writes to the tapped table,
 * produces the stream records DynamoDB Streams would. dynalite has no Streams
 * API, and watching from the outside (polling scans) would miss intermediate
 * states; seeing every write on its way in misses nothing.
 *
 * Writes to the tapped table are serialised per item: a consistent GetItem of
 * each touched key before, the write, a GetItem after; a record is produced only
 * when the item changed, in the order the writes to that item were applied.
 * Writes to different items overlap (DynamoDB Streams orders records per item,
 * not across items).
 */
export async function startDynamoProxy(options: DynamoProxyOptions): Promise<DynamoProxy> {
  const log = options.log ?? logJson;
  const upstream = new URL(options.upstream);
  const agent = new Agent({ keepAlive: true });
  const wire = new DynamoWire(options.upstream, agent);
  const sequence = new SequenceNumbers();
  const { tap } = options;
  let tableInfo: Promise<TableInfo> | undefined;
  let admission: Promise<unknown> = Promise.resolve();
  const itemLocks = new ItemLocks();
  const inFlight = new Set<Promise<void>>();

  function forward(req: IncomingMessage, body: Buffer, retry = true): Promise<Upstream> {
    return new Promise((resolve, reject) => {
      const headers = withHeader(req.rawHeaders, 'content-length', String(body.length));
      const up = request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers, agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 502, rawHeaders: res.rawHeaders, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      });
      up.on('error', (error: NodeJS.ErrnoException) => {
        // A kept-alive socket dynalite closed as idle just as it was reused: the request never reached dynalite, so it is sent again.
        if (retry && up.reusedSocket && error.code === 'ECONNRESET') resolve(forward(req, body, false));
        else reject(error);
      });
      up.end(body);
    });
  }

  function send(res: ServerResponse, answer: Upstream): void {
    res.writeHead(answer.status, answer.rawHeaders);
    res.end(answer.body);
  }

  /**
   * Admits a write to the tapped table: in arrival order, reads the table's key
   * schema (cached) and queues the write behind the writes in flight on the same
   * items. Writes to other items go ahead meanwhile: DynamoDB orders a stream per
   * item, and that is the order kept here.
   */
  function admit(t: StreamTap, operation: string, body: Body): Promise<Admitted> {
    const admitted = admission.then(async (): Promise<Admitted> => {
      let info: TableInfo;
      try {
        info = await (tableInfo ??= wire.describeTable(t.table));
      } catch {
        // No such table (yet): the write fails upstream too, with dynalite's own error.
        tableInfo = undefined;
        return { turn: Promise.resolve(), done: () => undefined };
      }
      let keys: ItemJson[] | undefined;
      try {
        keys = keysOf(operation, body, t.table, info.keyNames);
      } catch {
        keys = undefined;
      }
      // A malformed request (dynalite will say why) changes nothing, so it waits for nothing.
      if (!keys) return { info, turn: Promise.resolve(), done: () => undefined };
      return { info, keys, ...itemLocks.acquire(keys.map(lockId)) };
    });
    admission = admitted.catch(() => undefined);
    return admitted;
  }

  async function tapWrite(t: StreamTap, operation: string, body: Body, req: IncomingMessage, raw: Buffer, res: ServerResponse): Promise<void> {
    const { info, keys, turn, done } = await admit(t, operation, body);
    try {
      await turn;
      if (!info || !keys) return send(res, await forward(req, raw));
      let before: (ItemJson | undefined)[];
      try {
        before = await Promise.all(keys.map((key) => wire.getItem(t.table, key)));
      } catch {
        // The table is gone (or not there yet): the write fails upstream too, with dynalite's own error.
        tableInfo = undefined;
        return send(res, await forward(req, raw));
      }
      const answer = await forward(req, raw);
      send(res, answer);
      if (answer.status !== 200) return;
      try {
        const after = await Promise.all(keys.map((key) => wire.getItem(t.table, key)));
        const context = { sequence, eventSourceARN: streamArn(t.table, info.createdAt, t.region, t.accountId), region: t.region };
        const records = keys.flatMap((_, i) => recordFor({ keyNames: info.keyNames, oldImage: before[i], newImage: after[i] }, context) ?? []);
        if (records.length > 0) t.sink(records);
      } catch (error) {
        log({
          level: 'ERROR',
          message: 'a write to the watched table was applied but its stream record could not be read',
          table: t.table,
          operation,
          error: errorMessage(error),
        });
      }
    } finally {
      done();
    }
  }

  async function describe(table: string): Promise<Record<string, unknown> | undefined> {
    try {
      return (await wire.call<{ Table: Record<string, unknown> }>('DescribeTable', { TableName: table })).Table;
    } catch (error) {
      if (error instanceof DynamoWireError && error.type === 'ResourceNotFoundException') return undefined;
      throw error;
    }
  }

  /** A table operation through the settings layer: answered here, or sent on and its answer amended. */
  async function withSettings(
    layer: TableSettingsLayer,
    operation: string,
    body: Record<string, unknown>,
    req: IncomingMessage,
    raw: Buffer,
  ): Promise<Upstream> {
    const decision = await layer.before(operation, body, describe);
    if ('answer' in decision) return jsonAnswer((decision.answer as Answer).json, (decision.answer as Answer).status);
    const sent = decision.forward === body ? raw : Buffer.from(JSON.stringify(decision.forward));
    const answer = await forward(req, sent);
    if (answer.status !== 200) return answer;
    return jsonAnswer(await layer.after(operation, body, JSON.parse(answer.body.toString('utf8')) as Record<string, unknown>), 200, answer.rawHeaders);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const operation = String(req.headers['x-amz-target'] ?? '').split('.')[1] ?? '';
    const { settings } = options;
    if (settings && SETTINGS_OPERATIONS.has(operation)) {
      let body: Record<string, unknown> | undefined;
      try {
        body = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
      } catch {
        body = undefined;
      }
      if (body && typeof body === 'object') {
        const tapped = tap !== undefined && TABLE_CHANGES.has(operation) && body.TableName === tap.table;
        if (tapped) tableInfo = undefined;
        const answer = await withSettings(settings, operation, body, req, raw);
        if (tapped) tableInfo = undefined; // a write that slipped in meanwhile may have cached the table as it was
        return send(res, answer);
      }
    }
    if (tap && (WRITES.has(operation) || TABLE_CHANGES.has(operation))) {
      let body: Body | undefined;
      try {
        body = JSON.parse(raw.toString('utf8')) as Body;
      } catch {
        body = undefined;
      }
      if (body && TABLE_CHANGES.has(operation) && body.TableName === tap.table) {
        tableInfo = undefined;
        const answer = await forward(req, raw);
        tableInfo = undefined; // a write that slipped in meanwhile may have cached the table as it was
        return send(res, answer);
      }
      if (body && WRITES.has(operation) && touches(operation, body, tap.table)) {
        const run = tapWrite(tap, operation, body, req, raw, res);
        inFlight.add(run);
        void run.catch(() => undefined).finally(() => inFlight.delete(run));
        return run;
      }
    }
    send(res, await forward(req, raw));
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      log({ level: 'ERROR', message: 'DynamoDB proxy could not reach dynalite', error: errorMessage(error) });
      if (res.headersSent) return void res.destroy();
      res.writeHead(500, { 'content-type': 'application/x-amz-json-1.0' });
      res.end(JSON.stringify({ __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError', message: 'local DynamoDB proxy: dynalite did not answer' }));
    });
  });
  const port = await listen(server, options.port, options.host, 'the local DynamoDB endpoint', 'HUMANGOV_DYNAMODB_PORT');
  return {
    endpoint: `http://${options.host}:${port}`,
    async close() {
      await closeServer(server);
      await Promise.allSettled(inFlight);
      agent.destroy();
    },
  };
}
