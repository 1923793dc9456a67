import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { nodeHttpGet } from './health-probe.ts';

// A local stand-in for the ALB: it answers by Host header, as host-based rules do.
let server: http.Server;
let base: string;
const seenHosts: string[] = [];

beforeAll(async () => {
  server = http.createServer((request, response) => {
    seenHosts.push(request.headers.host ?? '');
    if (request.headers.host === 'slow.tenants.test') return; // never answers
    response.writeHead(request.headers.host === 'ca.tenants.test' ? 200 : 404, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ path: request.url, host: request.headers.host }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('nodeHttpGet', () => {
  it('sends the tenant host in the Host header to the load balancer address', async () => {
    const answer = await nodeHttpGet({ url: `${base}/health`, host: 'ca.tenants.test', timeoutMs: 2000 });

    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({ path: '/health', host: 'ca.tenants.test' });
    expect(seenHosts).toContain('ca.tenants.test');
  });

  it('gives up after the timeout, naming it', async () => {
    await expect(nodeHttpGet({ url: `${base}/health`, host: 'slow.tenants.test', timeoutMs: 100 })).rejects.toThrow(/within 100 ms/);
  });

  it('rejects when nothing listens', async () => {
    await expect(nodeHttpGet({ url: 'http://127.0.0.1:1/health', host: 'ca.tenants.test', timeoutMs: 2000 })).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });
});
