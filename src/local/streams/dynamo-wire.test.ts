import { Agent } from 'node:http';
import type { Server } from 'node:net';
import { afterEach, describe, expect, it } from '@jest/globals';
import { DynamoWire, DynamoWireError } from './dynamo-wire.ts';
import { droppingServer } from './fixtures/dropping-server.ts';

describe('DynamoWire', () => {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  let server: Server | undefined;
  afterEach(async () => {
    agent.destroy();
    await new Promise((resolve) => server?.close(resolve));
  });

  it('sends a read again when dynalite dropped the kept-alive connection it was sent on', async () => {
    const item = { tenantId: { S: 'ca' } };
    const started = await droppingServer({ status: 200, body: { Item: item } });
    server = started.server;
    const wire = new DynamoWire(started.endpoint, agent);
    expect(await wire.getItem('t', item)).toEqual(item);
    expect(await wire.getItem('t', item)).toEqual(item); // reused socket dropped, sent again on a new one
    expect(started.requests).toHaveLength(2);
    expect(started.requests[1]).toContain('x-amz-target: DynamoDB_20120810.GetItem');
    expect(started.requests[1]).toContain('"ConsistentRead":true');
  });

  it('turns an error answer into DynamoWireError with its short type', async () => {
    const started = await droppingServer({
      status: 400,
      body: { __type: 'com.amazonaws.dynamodb.v20120810#ResourceNotFoundException', message: 'Requested resource not found' },
    });
    server = started.server;
    const error = await new DynamoWire(started.endpoint, agent).describeTable('missing').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DynamoWireError);
    expect(error).toMatchObject({ type: 'ResourceNotFoundException', status: 400 });
  });
});
