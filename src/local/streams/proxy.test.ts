import type { Server } from 'node:net';
import { afterEach, describe, expect, it } from '@jest/globals';
import { droppingServer } from './fixtures/dropping-server.ts';
import { startDynamoProxy, type DynamoProxy } from './proxy.ts';

describe('the DynamoDB proxy', () => {
  let upstream: Server | undefined;
  let proxy: DynamoProxy | undefined;
  afterEach(async () => {
    await proxy?.close();
    await new Promise((resolve) => upstream?.close(resolve));
  });

  it('sends a request again when dynalite dropped the kept-alive connection it was forwarded on', async () => {
    const started = await droppingServer({ status: 200, body: { Item: { tenantId: { S: 'ca' } } } });
    upstream = started.server;
    const errors: unknown[] = [];
    proxy = await startDynamoProxy({ host: '127.0.0.1', port: 0, upstream: started.endpoint, log: (entry) => errors.push(entry) });
    const getItem = () =>
      fetch(proxy!.endpoint, {
        method: 'POST',
        headers: { 'x-amz-target': 'DynamoDB_20120810.GetItem' },
        body: JSON.stringify({ TableName: 't', Key: { tenantId: { S: 'ca' } } }),
      });
    expect((await getItem()).status).toBe(200);
    const second = await getItem(); // forwarded on the kept-alive socket, dropped, sent again
    expect(second.status).toBe(200);
    expect(await second.json()).toEqual({ Item: { tenantId: { S: 'ca' } } });
    expect(started.requests).toHaveLength(2);
    expect(errors).toEqual([]);
  });
});
