/**
 * The audit trail: every create, change and delete of an employee and every download of a scanned
 * ID records who (as the load balancer signed them in), when and what changed, in the tenant's
 * own table; the record's page shows it.
 */
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { AuditEntry } from '../src/audit-trail.ts';
import { Browser } from './support/browser.ts';
import { startLocalAws } from './support/local-aws.ts';
import type { LocalAws } from './support/local-aws.ts';
import { CALIFORNIAN, signedIn } from './support/sign-in.ts';
import type { Person } from './support/sign-in.ts';
import { createTenantStorage, employeeForm, pdfBytes, startApp, testConfig } from './support/test-app.ts';
import type { EmployeeJson, RunningApp } from './support/test-app.ts';

let aws: LocalAws;
let web: RunningApp;
const JOSE: Person = { sub: 'jose-ca', name: 'José Romero', email: 'jose@ca.example.gov', groups: ['ca'] };

beforeAll(async () => {
  aws = await startLocalAws();
  web = await startApp(aws, testConfig(aws, await createTenantStorage(aws)));
});

afterAll(async () => {
  await web?.close();
  await aws?.stop();
});

async function history(id: string): Promise<AuditEntry[]> {
  const response = await fetch(`${web.baseUrl}/api/employees/${id}/history`, { headers: signedIn() });
  expect(response.status).toBe(200);
  return ((await response.json()) as { items: AuditEntry[] }).items;
}

describe('the audit trail', () => {
  it('records who created, changed and downloaded a record, and what changed, newest first', async () => {
    const created = await fetch(`${web.baseUrl}/api/employees`, {
      method: 'POST',
      headers: signedIn(CALIFORNIAN),
      body: employeeForm({ firstName: 'Ada', lastName: 'Lovelace', role: 'Analyst', salary: '91000' }, { bytes: pdfBytes('ada'), fileName: 'ada.pdf' }),
    });
    const ada = (await created.json()) as EmployeeJson;
    await fetch(`${web.baseUrl}/api/employees/${ada.id}`, {
      method: 'PATCH',
      headers: { ...signedIn(JOSE), 'content-type': 'application/json' },
      body: JSON.stringify({ role: 'Chief Analyst', salary: 99000 }),
    });
    await fetch(`${web.baseUrl}/api/employees/${ada.id}/document`, { headers: signedIn(JOSE), redirect: 'manual' });

    const entries = await history(ada.id);

    expect(entries.map((entry) => [entry.actor.name, entry.action])).toEqual([
      ['José Romero', 'downloaded the scanned ID'],
      ['José Romero', 'changed'],
      ['María García', 'created'],
    ]);
    expect(entries[1]?.changes).toEqual({ role: ['Analyst', 'Chief Analyst'], salary: [91000, 99000] });
    expect(entries[2]?.changes).toMatchObject({ firstName: [null, 'Ada'], document: [null, 'ada.pdf'] });
    expect(entries[2]?.actor.subject).toContain('maria-ca');
    expect(Date.parse(entries[0]?.at ?? '')).toBeGreaterThanOrEqual(Date.parse(entries[2]?.at ?? ''));

    const page = await new Browser(signedIn()).get(`${web.baseUrl}/employees/${ada.id}`);
    expect(page.body).toContain('<h2>History</h2>');
    expect(page.body).toMatch(
      /<td>José Romero<\/td><td>changed<ul class="usa-list"><li>role: Analyst → Chief Analyst<\/li><li>salary: \$91,000\.00 → \$99,000\.00<\/li><\/ul>/,
    );
  });

  it('keeps the trail of a deleted record, and no one can reach, list or delete the trail as if it were an employee', async () => {
    const ada = (await (
      await fetch(`${web.baseUrl}/api/employees`, {
        method: 'POST',
        headers: signedIn(),
        body: employeeForm({ firstName: 'Grace', lastName: 'Hopper', role: 'Admiral', salary: '1' }, { bytes: pdfBytes('g') }),
      })
    ).json()) as EmployeeJson;
    const trailId = encodeURIComponent(`audit#${ada.id}`);

    const viaApi = await fetch(`${web.baseUrl}/api/employees/${trailId}`, { headers: signedIn() });
    const deleteTrail = await fetch(`${web.baseUrl}/api/employees/${trailId}`, { method: 'DELETE', headers: signedIn() });
    await fetch(`${web.baseUrl}/api/employees/${ada.id}`, { method: 'DELETE', headers: signedIn() });
    const listed = (await (await fetch(`${web.baseUrl}/api/employees?limit=100`, { headers: signedIn() })).json()) as { items: EmployeeJson[] };
    const { Item } = await web.clients.dynamodb.send(new GetItemCommand({ TableName: web.config.tableName, Key: { id: { S: `audit#${ada.id}` } } }));

    expect(viaApi.status).toBe(404);
    expect(deleteTrail.status).toBe(404);
    expect(listed.items.map((item) => item.id)).not.toContain(`audit#${ada.id}`);
    expect(Item?.entries?.L?.map((entry) => entry.M?.action?.S)).toEqual(['created', 'deleted']);
  });
});
