import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { request } from 'node:http';
import { makeApiHandler } from '../../functions/api.ts';
import { startApiTables, type ApiTables } from '../../test/api/support.ts';
import { startApiServer, type ApiServer } from './api-server.ts';

interface Answer {
  status: number;
  body: string;
}

/** node:http rather than fetch: a rebinding page's requests carry its own name in Host, which fetch will not forge. */
function send(url: string, method: string, path: string, headers: Record<string, string>): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, { method, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('local status API against DNS rebinding and cross-site requests', () => {
  let tables: ApiTables;
  let server: ApiServer;
  let port = 0;

  beforeAll(async () => {
    tables = await startApiTables();
    server = await startApiServer({
      handler: makeApiHandler({ tenants: tables.tenantsTable.repository(), deployments: tables.deployments, stage: 'local' }),
      port: 0,
      log: () => {},
    });
    port = Number(new URL(server.url).port);
    const created = await fetch(`${server.url}/tenants`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"tenantId":"nt"}' });
    expect(created.status).toBe(201);
  });
  afterAll(async () => {
    await server?.close();
    await tables?.close();
  });

  const desiredStateOfNt = async () => ((await (await fetch(`${server.url}/tenants/nt`)).json()) as { desiredState: string }).desiredState;

  it("refuses a rebound purge (Host is the attacker's name) with 403 and a way to reach it, and purges nothing", async () => {
    const answer = await send(server.url, 'DELETE', '/tenants/nt?purge=true', {
      host: `rebind.attacker.example:${port}`,
      origin: `http://rebind.attacker.example:${port}`,
    });

    expect(answer.status).toBe(403);
    expect(JSON.parse(answer.body)).toEqual({
      error: { code: 'FORBIDDEN_HOST', message: expect.stringContaining(`http://127.0.0.1:${port} or http://localhost:${port}`) as unknown },
    });
    expect(await desiredStateOfNt()).toBe('ACTIVE');
  });

  it('refuses a read addressed to a foreign name too: the page could read the fleet', async () => {
    const answer = await send(server.url, 'GET', '/tenants', { host: 'rebind.attacker.example' });

    expect(answer.status).toBe(403);
  });

  it.each([
    ['a foreign site', 'https://attacker.example'],
    ['the same host on another scheme', `https://127.0.0.1:${port}`],
    ['the same host on another port', 'http://127.0.0.1:1'],
    ['a tenant app on localhost', 'http://nt.localhost:8080'],
    ['an opaque origin', 'null'],
  ])('refuses a purge posted from %s (Origin checked by scheme, host and port)', async (_, origin) => {
    const answer = await send(server.url, 'DELETE', '/tenants/nt?purge=true', { host: `127.0.0.1:${port}`, origin });

    expect(answer.status).toBe(403);
    expect(JSON.parse(answer.body)).toMatchObject({ error: { code: 'FORBIDDEN_ORIGIN' } });
    expect(await desiredStateOfNt()).toBe('ACTIVE');
  });

  it("still serves the dashboard's own origin and programs that send no Origin", async () => {
    const fromDashboard = await send(server.url, 'GET', '/tenants/nt', { host: `localhost:${port}`, origin: `http://localhost:${port}` });
    const fromCli = await send(server.url, 'DELETE', '/tenants/nt', { host: `127.0.0.1:${port}` });

    expect(fromDashboard.status).toBe(200);
    expect(fromCli.status).toBe(202);
    expect(await desiredStateOfNt()).toBe('DELETED');
  });
});
