import { request, type Agent } from 'node:http';
import type { ItemJson } from './types.ts';

/** DynamoDB answered a call of the proxy's own with an error (`type` is the short `__type`). */
export class DynamoWireError extends Error {
  override name = 'DynamoWireError';
  readonly type: string;
  readonly status: number;
  constructor(operation: string, status: number, type: string, message: string) {
    super(`${operation} answered ${status} ${type}: ${message}`);
    this.type = type;
    this.status = status;
  }
}

export interface TableInfo {
  keyNames: string[];
  /** Seconds since the epoch. */
  createdAt: number;
}

/**
 * The proxy's own calls to dynalite, in DynamoDB's wire JSON. Not through the
 * SDK, because the stream records must carry the item exactly as it is on the
 * wire (binary as base64), which is what the SDK would decode. dynalite insists
 * on the shape of a SigV4 Authorization header but never checks the signature.
 * Plain node:http on a kept-alive agent (the proxy's own): two of these calls
 * accompany every write to the tenants table.
 */
export class DynamoWire {
  readonly #endpoint: URL;
  readonly #agent: Agent;

  constructor(endpoint: string, agent: Agent) {
    this.#endpoint = new URL(endpoint);
    this.#agent = agent;
  }

  async call<T>(operation: string, body: unknown): Promise<T> {
    const date = new Date()
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d{3}/, '');
    const { status, text } = await this.#post(JSON.stringify(body), {
      'content-type': 'application/x-amz-json-1.0',
      'x-amz-target': `DynamoDB_20120810.${operation}`,
      'x-amz-date': date,
      authorization: `AWS4-HMAC-SHA256 Credential=local/${date.slice(0, 8)}/us-east-1/dynamodb/aws4_request, SignedHeaders=host;x-amz-date, Signature=local`,
    });
    const json = (text ? JSON.parse(text) : {}) as T & { __type?: string; message?: string; Message?: string };
    if (status < 200 || status > 299) {
      const type = (json.__type ?? 'UnknownError').split('#').pop() as string;
      throw new DynamoWireError(operation, status, type, json.message ?? json.Message ?? text);
    }
    return json;
  }

  /** Only reads go through here, so a request lost on a kept-alive socket dynalite had just closed is sent again. */
  #post(payload: string, headers: Record<string, string>, retry = true): Promise<{ status: number; text: string }> {
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host: this.#endpoint.hostname,
          port: this.#endpoint.port,
          path: '/',
          method: 'POST',
          agent: this.#agent,
          headers: { ...headers, 'content-length': String(Buffer.byteLength(payload)) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        },
      );
      req.on('error', (error: NodeJS.ErrnoException) => {
        if (retry && req.reusedSocket && error.code === 'ECONNRESET') resolve(this.#post(payload, headers, false));
        else reject(error);
      });
      req.end(payload);
    });
  }

  async getItem(table: string, key: ItemJson): Promise<ItemJson | undefined> {
    const { Item } = await this.call<{ Item?: ItemJson }>('GetItem', { TableName: table, Key: key, ConsistentRead: true });
    return Item;
  }

  async describeTable(table: string): Promise<TableInfo> {
    const { Table } = await this.call<{ Table: { KeySchema: { AttributeName: string }[]; CreationDateTime: number } }>('DescribeTable', { TableName: table });
    return { keyNames: Table.KeySchema.map((k) => k.AttributeName), createdAt: Table.CreationDateTime };
  }
}
