import {
  BatchWriteItemCommand,
  ConditionalCheckFailedException,
  CreateTableCommand,
  DeleteItemCommand,
  DescribeTableCommand,
  DynamoDBClient,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { startLocalDynamo, type LocalDynamo } from '../data/dynamodb-server.ts';
import { tempHome, waitFor } from '../data/testing.ts';
import type { StreamBatchResponse, StreamEvent, StreamRecord } from './types.ts';

const TABLE = 'humangov-local-tenants';

describe('the local DynamoDB endpoint with the tenants stream', () => {
  let dynamo: LocalDynamo;
  let home: Awaited<ReturnType<typeof tempHome>>;
  let client: DynamoDBClient;
  let delivered: StreamRecord[] = [];
  let respond: (event: StreamEvent) => StreamBatchResponse | void = () => undefined;
  const logs: Record<string, unknown>[] = [];

  beforeAll(async () => {
    home = await tempHome();
    dynamo = await startLocalDynamo({
      home: home.home,
      port: 0,
      host: '127.0.0.1',
      watchTable: TABLE,
      onStream: async (event) => {
        const typed: DynamoDBStreamEvent = event; // the shape Lambda handlers are typed with
        delivered.push(...typed.Records.map((r) => r as StreamRecord));
        return respond(event);
      },
      // The default batching window, so the one-second bound is checked as npm start runs it.
      streamOptions: { backoffBaseMs: 20, backoffMaxMs: 100 },
      tableTransitionMs: 20,
      log: (entry) => logs.push(entry),
    });
    client = new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'anything', secretAccessKey: 'anything' } });
    await client.send(
      new CreateTableCommand({
        TableName: TABLE,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'tenantId', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'tenantId', KeyType: 'HASH' }],
      }),
    );
    await waitFor(async () => (await client.send(new DescribeTableCommand({ TableName: TABLE }))).Table?.TableStatus === 'ACTIVE', 5_000, 'table ACTIVE');
  });

  afterAll(async () => {
    client?.destroy();
    await dynamo?.close();
    await home?.remove();
  });

  beforeEach(async () => {
    await dynamo.stream?.idle();
    delivered = [];
    respond = () => undefined;
    logs.length = 0;
  });

  const put = (tenantId: string, extra: Record<string, { S: string }> = {}) =>
    client.send(new PutItemCommand({ TableName: TABLE, Item: { tenantId: { S: tenantId }, ...extra } }));

  // The record's fields: https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_streams_Record.html and
  // https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_streams_StreamRecord.html (SequenceNumber is 21
  // to 40 characters; ApproximateCreationDateTime is rounded down to the second), as Lambda hands them over
  // (https://docs.aws.amazon.com/lambda/latest/dg/with-ddb.html).
  it('delivers insert, modify and remove of an SDK client as stream records, in order', async () => {
    const started = Date.now();
    await put('ca', { displayName: { S: 'California' } });
    await client.send(
      new UpdateItemCommand({
        TableName: TABLE,
        Key: { tenantId: { S: 'ca' } },
        UpdateExpression: 'SET desiredCount = :n',
        ExpressionAttributeValues: { ':n': { N: '3' } },
      }),
    );
    await client.send(new DeleteItemCommand({ TableName: TABLE, Key: { tenantId: { S: 'ca' } } }));
    await waitFor(() => delivered.length >= 3, 2_000, 'three records');
    expect(Date.now() - started).toBeLessThan(1_000);

    expect(delivered.map((r) => r.eventName)).toEqual(['INSERT', 'MODIFY', 'REMOVE']);
    const [insert, modify, remove] = delivered as [StreamRecord, StreamRecord, StreamRecord];
    expect(insert).toMatchObject({
      eventSource: 'aws:dynamodb',
      eventVersion: '1.1',
      awsRegion: 'us-east-1',
      dynamodb: {
        Keys: { tenantId: { S: 'ca' } },
        NewImage: { tenantId: { S: 'ca' }, displayName: { S: 'California' } },
        StreamViewType: 'NEW_AND_OLD_IMAGES',
      },
    });
    expect(insert.eventSourceARN).toMatch(/^arn:aws:dynamodb:us-east-1:000000000000:table\/humangov-local-tenants\/stream\/\d{4}-\d\d-\d\dT[\d:.]+$/);
    expect(insert.dynamodb.OldImage).toBeUndefined();
    expect(modify.dynamodb.OldImage).toEqual(insert.dynamodb.NewImage);
    expect(modify.dynamodb.NewImage).toMatchObject({ desiredCount: { N: '3' } });
    expect(remove.dynamodb.NewImage).toBeUndefined();
    expect(remove.dynamodb.OldImage).toEqual(modify.dynamodb.NewImage);
    const sequence = delivered.map((r) => r.dynamodb.SequenceNumber);
    expect([...sequence].sort()).toEqual(sequence);
    expect(new Set(sequence).size).toBe(3);
    expect(sequence.every((s) => /^\d{21}$/.test(s))).toBe(true);
    expect(insert.dynamodb.SizeBytes).toBeGreaterThan(0);
    for (const record of delivered) {
      expect(Number.isInteger(record.dynamodb.ApproximateCreationDateTime)).toBe(true);
      expect(record.dynamodb.ApproximateCreationDateTime).toBeGreaterThanOrEqual(Math.floor(started / 1000));
      expect(record.dynamodb.ApproximateCreationDateTime).toBeLessThanOrEqual(Date.now() / 1000);
    }
    expect(new Set(delivered.map((r) => r.eventID)).size).toBe(3);
  });

  // https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Streams.html: "If you perform a PutItem or
  // UpdateItem operation that does not change any data in an item, DynamoDB Streams does not write a stream record".
  it('emits nothing for a write that changes nothing, or one that fails its condition', async () => {
    await put('tx', { displayName: { S: 'Texas' } });
    await put('tx', { displayName: { S: 'Texas' } });
    await client.send(
      new UpdateItemCommand({
        TableName: TABLE,
        Key: { tenantId: { S: 'tx' } },
        UpdateExpression: 'SET displayName = :d',
        ExpressionAttributeValues: { ':d': { S: 'Texas' } },
      }),
    );
    await expect(
      client.send(new PutItemCommand({ TableName: TABLE, Item: { tenantId: { S: 'tx' } }, ConditionExpression: 'attribute_not_exists(tenantId)' })),
    ).rejects.toBeInstanceOf(ConditionalCheckFailedException);
    await client.send(new DeleteItemCommand({ TableName: TABLE, Key: { tenantId: { S: 'never-there' } } }));
    // The same data spelled otherwise: a number with trailing zeros, a set in another order.
    const set = (n: string, tags: string[]) =>
      client.send(
        new UpdateItemCommand({
          TableName: TABLE,
          Key: { tenantId: { S: 'tx' } },
          UpdateExpression: 'SET n = :n, tags = :t',
          ExpressionAttributeValues: { ':n': { N: n }, ':t': { SS: tags } },
        }),
      );
    await set('3', ['a', 'b']);
    await set('3.00', ['b', 'a']);
    await put('tx', { displayName: { S: 'Texas!' } }); // a marker: everything before it has been seen
    await waitFor(() => delivered.length >= 3, 2_000, 'the marker');
    expect(delivered.map((r) => [r.eventName, r.dynamodb.NewImage?.displayName?.S])).toEqual([
      ['INSERT', 'Texas'],
      ['MODIFY', 'Texas'],
      ['MODIFY', 'Texas!'],
    ]);
  });

  it('delivers each item of a BatchWriteItem, and ignores other tables', async () => {
    await client.send(
      new CreateTableCommand({
        TableName: 'other-table',
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      }),
    );
    await waitFor(async () => (await client.send(new DescribeTableCommand({ TableName: 'other-table' }))).Table?.TableStatus === 'ACTIVE');
    await put('ny');
    await client.send(
      new BatchWriteItemCommand({
        RequestItems: {
          [TABLE]: [
            { PutRequest: { Item: { tenantId: { S: 'wa' } } } },
            { DeleteRequest: { Key: { tenantId: { S: 'ny' } } } },
            { PutRequest: { Item: { tenantId: { S: 'or' } } } },
          ],
          'other-table': [{ PutRequest: { Item: { id: { S: 'x' } } } }],
        },
      }),
    );
    await waitFor(() => delivered.length >= 4, 2_000, 'four records');
    expect(delivered.map((r) => [r.eventName, r.dynamodb.Keys.tenantId?.S])).toEqual([
      ['INSERT', 'ny'],
      ['INSERT', 'wa'],
      ['REMOVE', 'ny'],
      ['INSERT', 'or'],
    ]);
  });

  it('sees raw HTTP requests too, and passes everything else through untouched', async () => {
    const call = (target: string, body: unknown) =>
      fetch(dynamo.endpoint, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-amz-json-1.0',
          'x-amz-target': `DynamoDB_20120810.${target}`,
          'x-amz-date': '20250101T000000Z',
          authorization: 'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250101/us-east-1/dynamodb/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc',
        },
        body: JSON.stringify(body),
      });
    const putResponse = await call('PutItem', { TableName: TABLE, Item: { tenantId: { S: 'raw' }, blob: { B: 'AQID' } } });
    expect(putResponse.status).toBe(200);
    expect(putResponse.headers.get('x-amz-crc32')).toBeTruthy(); // dynalite's own headers come back
    await waitFor(() => delivered.length >= 1, 2_000, 'the raw insert');
    expect(delivered[0]?.dynamodb.NewImage).toEqual({ tenantId: { S: 'raw' }, blob: { B: 'AQID' } });

    const transact = await call('TransactWriteItems', { TransactItems: [{ Put: { TableName: TABLE, Item: { tenantId: { S: 'tx2' } } } }] });
    expect(transact.status).toBe(400);
    expect(await transact.text()).toContain('UnknownOperationException');
    const health = await fetch(dynamo.endpoint);
    expect(await health.text()).toContain('healthy: dynamodb');
  });

  it('keeps the records of each item in the order its concurrent writes were applied', async () => {
    const add = (tenantId: string) =>
      client.send(
        new UpdateItemCommand({
          TableName: TABLE,
          Key: { tenantId: { S: tenantId } },
          UpdateExpression: 'ADD n :one',
          ExpressionAttributeValues: { ':one': { N: '1' } },
        }),
      );
    const writes = 12;
    await Promise.all(Array.from({ length: writes }, () => [add('k1'), add('k2'), add('k3')]).flat());
    await waitFor(() => delivered.length >= writes * 3, 5_000, 'every record');
    for (const key of ['k1', 'k2', 'k3']) {
      const records = delivered.filter((r) => r.dynamodb.Keys.tenantId?.S === key);
      // Each record's old image is the previous one's new image: no two writes of an item interleaved.
      expect(records.map((r) => [r.dynamodb.OldImage?.n?.N, r.dynamodb.NewImage?.n?.N])).toEqual(
        Array.from({ length: writes }, (_, i) => [i === 0 ? undefined : String(i), String(i + 1)]),
      );
      const sequence = records.map((r) => r.dynamodb.SequenceNumber);
      expect([...sequence].sort()).toEqual(sequence);
    }
  });

  // https://docs.aws.amazon.com/lambda/latest/dg/services-ddb-batchfailurereporting.html: Lambda checkpoints at the
  // lowest failed sequence number "then retries all records starting from that checkpoint".
  it('after a reported failure delivers every record from the failed one on again, in order, whatever its item', async () => {
    let failed: StreamRecord | undefined;
    respond = (event) => {
      const first = event.Records.find((r) => r.dynamodb.Keys.tenantId?.S === 'fl' && r.eventName === 'INSERT');
      if (first && !failed) {
        failed = first;
        return { batchItemFailures: [{ itemIdentifier: first.dynamodb.SequenceNumber }] };
      }
      return undefined;
    };
    await put('fl');
    await put('ga');
    await put('fl', { displayName: { S: 'Florida' } });
    await waitFor(
      () => delivered.filter((r) => r === failed).length >= 1 && delivered.filter((r) => r.dynamodb.Keys.tenantId?.S === 'fl').length >= 3,
      3_000,
      'fl retried',
    );
    await dynamo.stream?.idle();

    const retry = delivered.lastIndexOf(failed as StreamRecord);
    expect(retry).toBeGreaterThan(0);
    expect(delivered.slice(retry).map((r) => [r.eventName, r.dynamodb.Keys.tenantId?.S])).toEqual([
      ['INSERT', 'fl'],
      ['INSERT', 'ga'],
      ['MODIFY', 'fl'],
    ]);
  });

  it('retries the whole batch when the handler throws', async () => {
    let calls = 0;
    respond = () => {
      calls += 1;
      if (calls === 1) throw new Error('boom');
    };
    await put('nm');
    await waitFor(() => delivered.length >= 2, 3_000, 'the retry');
    expect(delivered.map((r) => r.dynamodb.Keys.tenantId?.S)).toEqual(['nm', 'nm']);
    expect(logs.some((l) => String(l.message).includes('threw'))).toBe(true);
  });
});
