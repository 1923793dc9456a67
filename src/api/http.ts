/**
 * The HTTP API's wire shapes: API Gateway's payload format 2.0 (the
 * `APIGatewayProxyEventV2` and `APIGatewayProxyStructuredResultV2` of
 * @types/aws-lambda, spelled out here because src/ does not import Lambda
 * types; src/api/http.test.ts proves the two are assignable both ways), and
 * the one way this API writes a response.
 */

export interface HttpApiEvent {
  version: string;
  /** "GET /tenants/{id}" in AWS; "$default" when one catch-all route takes every request (the local server). */
  routeKey: string;
  rawPath: string;
  rawQueryString: string;
  cookies?: string[];
  /** Names lowercased, repeated headers joined with commas, as API Gateway does. */
  headers: Record<string, string | undefined>;
  queryStringParameters?: Record<string, string | undefined>;
  requestContext: HttpApiRequestContext;
  body?: string;
  pathParameters?: Record<string, string | undefined>;
  isBase64Encoded: boolean;
  stageVariables?: Record<string, string | undefined>;
}

export interface HttpApiRequestContext {
  accountId: string;
  apiId: string;
  domainName: string;
  domainPrefix: string;
  http: { method: string; path: string; protocol: string; sourceIp: string; userAgent: string };
  requestId: string;
  routeKey: string;
  stage: string;
  time: string;
  timeEpoch: number;
}

export interface HttpApiResult {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
  isBase64Encoded?: boolean;
  cookies?: string[];
}

/** Bodies this API takes are small JSON objects; anything bigger is a mistake or an attack. */
export const MAX_BODY_BYTES = 16 * 1024;

/**
 * Every response is JSON about live state: never cached by a proxy or browser,
 * never sniffed as something else.
 */
export function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): HttpApiResult {
  return {
    statusCode,
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      ...headers,
    },
    body: JSON.stringify(body),
  };
}

/** The body's size in bytes as the client sent it, without decoding it (a base64 body is 4 characters per 3 bytes). */
export function bodyBytes(event: Pick<HttpApiEvent, 'body' | 'isBase64Encoded'>): number {
  const body = event.body ?? '';
  if (!event.isBase64Encoded) return Buffer.byteLength(body, 'utf8');
  const padding = body.endsWith('==') ? 2 : body.endsWith('=') ? 1 : 0;
  return Math.max(0, Math.floor((body.length * 3) / 4) - padding);
}
