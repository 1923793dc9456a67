/**
 * The status API on one machine: a node:http server that does what API
 * Gateway's HTTP API does for the Lambda (payload format 2.0) and calls the
 * very same handler (functions/api.ts). It stands in for the IAM
 * authorisation by listening on loopback only.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { isIP } from 'node:net';
import { arnOf } from '../cloud/arn.ts';
import { ApiError, errorResponse } from '../api/errors.ts';
import { MAX_BODY_BYTES, type HttpApiEvent, type HttpApiResult } from '../api/http.ts';
import { closeServer, listen, LocalServerError } from './data/listen.ts';
import { errorMessage, logJson, type LogFn } from './logs/json-log.ts';
import { loopbackRefusal } from './loopback-guard.ts';

/** What the Lambda runtime hands a function as its context (aws-lambda's `Context`, spelled out). */
export interface LambdaContextLike {
  callbackWaitsForEmptyEventLoop: boolean;
  functionName: string;
  functionVersion: string;
  invokedFunctionArn: string;
  memoryLimitInMB: string;
  awsRequestId: string;
  logGroupName: string;
  logStreamName: string;
  getRemainingTimeInMillis(): number;
  done(error?: Error, result?: unknown): void;
  fail(error: Error | string): void;
  succeed(messageOrObject: unknown): void;
}

export type HttpApiHandler = (event: HttpApiEvent, context: LambdaContextLike) => Promise<unknown>;

export interface ApiServerOptions {
  handler: HttpApiHandler;
  /** Loopback only: 127.0.0.1 (default), another 127.x address, ::1 or localhost. */
  host?: string;
  /** 0 takes any free port. */
  port?: number;
  /** Bodies are refused past this many bytes, while they are read. */
  maxBodyBytes?: number;
  /** What getRemainingTimeInMillis counts down from: the function's timeout in serverless.yml. */
  timeoutMs?: number;
  log?: LogFn;
}

export interface ApiServer {
  url: string;
  close(): Promise<void>;
}

const FUNCTION_NAME = 'humangov-local-api';

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || (isIP(host) === 4 && host.startsWith('127.'));
}

export async function startApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const { handler, host = '127.0.0.1', port = 3000, maxBodyBytes = MAX_BODY_BYTES, timeoutMs = 15_000, log = logJson } = options;
  if (!isLoopback(host)) {
    // In AWS, IAM decides who may call the API; locally nothing does, so nothing beyond this machine may reach it.
    throw new LocalServerError(`the status API listens on loopback only (127.0.0.1 or ::1), not "${host}": it has no authentication of its own`);
  }
  const server = createServer((req, res) => {
    serve(req, res).catch((error: unknown) => {
      log({ level: 'ERROR', message: 'status API request failed', error: errorMessage(error) });
      if (!res.headersSent) res.writeHead(500).end();
      else res.destroy();
    });
  });

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = randomUUID();
    const address = server.address();
    const refusal = loopbackRefusal(
      { method: req.method ?? 'GET', host: req.headers.host, origin: req.headers.origin },
      typeof address === 'object' && address ? address.port : port,
    );
    if (refusal) return write(res, errorResponse(refusal, requestId).response, { connection: 'close' });
    const body = await readBody(req, maxBodyBytes);
    if (body === 'too large') {
      const refusal = new ApiError(413, 'PAYLOAD_TOO_LARGE', `the body is over ${maxBodyBytes} bytes; the API takes bodies of at most ${maxBodyBytes} bytes`);
      // Closing the connection is what stops the client sending the rest.
      return write(res, errorResponse(refusal, requestId).response, { connection: 'close' });
    }
    const event = toEvent(req, body, requestId);
    const deadline = Date.now() + timeoutMs;
    let result: unknown;
    try {
      result = await handler(event, lambdaContext(requestId, deadline));
    } catch (error) {
      // As in AWS, a handler that throws is a 500; the one wrapped by functions/api.ts never does.
      log({ level: 'ERROR', message: 'status API handler threw', requestId, error: errorMessage(error) });
      result = errorResponse(error, requestId).response;
    }
    write(res, toResult(result));
  }

  const taken = await listen(server, port, host, 'the status API', 'HUMANGOV_API_PORT');
  return { url: `http://${host.includes(':') ? `[${host}]` : host}:${taken}`, close: () => closeServer(server) };
}

/**
 * Reads the body, keeping at most `limit` bytes: the first byte over it ends
 * the read. A declared Content-Length over the limit is refused unread.
 */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | 'too large'> {
  if (Number(req.headers['content-length']) > limit) return Promise.resolve('too large');
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.off('data', onData);
        req.pause();
        resolve('too large');
      } else chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => resolve(Buffer.concat(chunks)));
    req.once('error', reject);
  });
}

/** API Gateway passes text as is and everything else base64-encoded. */
function isText(contentType: string | undefined): boolean {
  return !!contentType && /^(text\/|application\/([\w.+-]+\+)?(json|xml)\b|application\/(x-www-form-urlencoded|javascript)\b)/i.test(contentType);
}

function toEvent(req: IncomingMessage, body: Buffer, requestId: string): HttpApiEvent {
  const [path = '/', rawQueryString = ''] = (req.url ?? '/').split(/\?(.*)/s);
  const method = (req.method ?? 'GET').toUpperCase();
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined && name !== 'cookie') headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  const query: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(rawQueryString)) query[name] = name in query ? `${query[name]},${value}` : value;
  const cookies = req.headers.cookie?.split(/;\s*/).filter(Boolean);
  const now = new Date();
  const hasBody = body.length > 0;
  const text = isText(headers['content-type']);
  return {
    version: '2.0',
    // One catch-all route, as `$default` in API Gateway: the handler's router matches and fills pathParameters.
    routeKey: '$default',
    rawPath: path,
    rawQueryString,
    ...(cookies && cookies.length > 0 ? { cookies } : {}),
    headers,
    ...(Object.keys(query).length > 0 ? { queryStringParameters: query } : {}),
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: (headers.host ?? 'localhost').split('.')[0] ?? 'localhost',
      http: {
        method,
        path,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId,
      routeKey: '$default',
      stage: '$default',
      time: apiGatewayTime(now),
      timeEpoch: now.getTime(),
    },
    ...(hasBody ? { body: text ? body.toString('utf8') : body.toString('base64') } : {}),
    isBase64Encoded: hasBody && !text,
  };
}

/** "26/Nov/2026:10:00:00 +0000", the format of requestContext.time. */
function apiGatewayTime(date: Date): string {
  const month = date.toLocaleString('en-US', { month: 'short', timeZone: 'UTC' });
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(date.getUTCDate())}/${month}/${date.getUTCFullYear()}:${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`;
}

function lambdaContext(requestId: string, deadline: number): LambdaContextLike {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: FUNCTION_NAME,
    functionVersion: '$LATEST',
    invokedFunctionArn: arnOf({ service: 'lambda', region: 'us-east-1', accountId: '000000000000', resource: `function:${FUNCTION_NAME}` }),
    memoryLimitInMB: '1024',
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${FUNCTION_NAME}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}

/**
 * A structured result is used as is. Anything else is API Gateway's inferred
 * format: a 200 with the value as a JSON body.
 */
function toResult(result: unknown): HttpApiResult {
  if (typeof result === 'object' && result !== null && typeof (result as { statusCode?: unknown }).statusCode === 'number') {
    const r = result as { statusCode: number; headers?: Record<string, unknown>; body?: string; isBase64Encoded?: boolean; cookies?: string[] };
    const headers = Object.fromEntries(Object.entries(r.headers ?? {}).map(([name, value]) => [name.toLowerCase(), String(value)]));
    return { statusCode: r.statusCode, headers, body: r.body ?? '', isBase64Encoded: r.isBase64Encoded ?? false, cookies: r.cookies ?? [] };
  }
  const body = typeof result === 'string' ? result : (JSON.stringify(result) ?? '');
  return { statusCode: 200, headers: { 'content-type': 'application/json' }, body };
}

function write(res: ServerResponse, result: HttpApiResult, extraHeaders: Record<string, string> = {}): void {
  const headers: Record<string, string | string[]> = { ...result.headers, ...extraHeaders };
  if (result.cookies && result.cookies.length > 0) headers['set-cookie'] = result.cookies;
  res.writeHead(result.statusCode, headers);
  res.end(result.isBase64Encoded ? Buffer.from(result.body, 'base64') : result.body);
}
