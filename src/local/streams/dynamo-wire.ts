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
 */
export class DynamoWire {
  readonly #endpoint: string;

  constructor(endpoint: string) {
    this.#endpoint = endpoint;
  }

  async call<T>(operation: string, body: unknown): Promise<T> {
    const date = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
    const response = await fetch(this.#endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': `DynamoDB_20120810.${operation}`,
        'x-amz-date': date,
        authorization: `AWS4-HMAC-SHA256 Credential=local/${date.slice(0, 8)}/us-east-1/dynamodb/aws4_request, SignedHeaders=host;x-amz-date, Signature=local`,
      },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    const json = (text ? JSON.parse(text) : {}) as T & { __type?: string; message?: string; Message?: string };
    if (!response.ok) {
      const type = (json.__type ?? 'UnknownError').split('#').pop() as string;
      throw new DynamoWireError(operation, response.status, type, json.message ?? json.Message ?? text);
    }
    return json;
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
