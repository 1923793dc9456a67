import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Browser, csrfTokenIn } from './support/browser.ts';
import { startLocalAws } from './support/local-aws.ts';
import type { LocalAws } from './support/local-aws.ts';
import { createEmployee, createTenantStorage, employeeForm, listDocumentKeys, pdfBytes, startApp, testConfig } from './support/test-app.ts';
import type { RunningApp } from './support/test-app.ts';
import { signedIn } from './support/sign-in.ts';

let aws: LocalAws;
let web: RunningApp;

beforeAll(async () => {
  aws = await startLocalAws();
  web = await startApp(aws, testConfig(aws, await createTenantStorage(aws)));
});

afterAll(async () => {
  await web?.close();
  await aws?.stop();
});

const fields = { firstName: 'Maria', lastName: 'Garcia', role: 'Park Ranger', salary: '61,500' };
/** What the load balancer adds when it terminated HTTPS. */
const overHttps = { 'x-forwarded-proto': 'https' };

async function formToken(browser: Browser): Promise<string> {
  const page = await browser.get(`${web.baseUrl}/employees/new`);
  expect(page.status).toBe(200);
  return csrfTokenIn(page.body);
}

describe('CSRF nonce chosen by the server', () => {
  it('replaces a nonce the client made up instead of issuing tokens for it', async () => {
    const browser = new Browser();
    browser.cookies.set('hg_csrf', 'attacker-chosen');

    await formToken(browser);

    expect(browser.cookies.get('hg_csrf')).not.toBe('attacker-chosen');
  });

  it('refuses a form posted with a nonce the attacker chose and planted (cookie tossing), and stores nothing', async () => {
    const before = await listDocumentKeys(web);
    const attacker = new Browser();
    attacker.cookies.set('hg_csrf', 'attacker-chosen');
    const token = await formToken(attacker);
    const victim = new Browser();
    victim.cookies.set('hg_csrf', 'attacker-chosen');

    const response = await victim.post(`${web.baseUrl}/employees`, employeeForm({ _csrf: token, ...fields }, { bytes: pdfBytes('x') }));

    expect(response.status).toBe(403);
    expect(await listDocumentKeys(web)).toEqual(before);
  });

  it('over HTTPS keeps the nonce in a __Host- cookie (Secure, Path=/, no Domain)', async () => {
    const page = await new Browser(overHttps).get(`${web.baseUrl}/employees/new`);

    const cookie = page.headers.getSetCookie().find((header) => header.startsWith('__Host-hg_csrf='));
    expect(cookie).toBeDefined();
    expect(cookie).toContain('Secure');
    expect(cookie).toContain('Path=/');
    expect(cookie).not.toMatch(/Domain=/i);
  });

  it('over HTTPS refuses a token paired with a plain hg_csrf cookie, the one a sibling host can plant', async () => {
    // The attacker takes a real nonce and token from the site's plain side, then tosses the nonce into the victim's jar under the plain name.
    const attacker = new Browser();
    const token = await formToken(attacker);
    const victim = new Browser(overHttps);
    victim.cookies.set('hg_csrf', attacker.cookies.get('hg_csrf') ?? '');

    const response = await victim.post(`${web.baseUrl}/employees`, employeeForm({ _csrf: token, ...fields }, { bytes: pdfBytes('x') }));

    expect(response.status).toBe(403);
  });

  it('over HTTPS accepts its own form with its own __Host- cookie', async () => {
    const browser = new Browser(overHttps);
    const token = await formToken(browser);

    const response = await browser.post(`${web.baseUrl}/employees`, employeeForm({ _csrf: token, ...fields }, { bytes: pdfBytes('x') }));

    expect(response.status).toBe(303);
  });
});

describe('pages with personnel data', () => {
  it('tell every cache not to store them: home, list, search, detail, forms', async () => {
    const created = await createEmployee(web, fields);
    const browser = new Browser();
    const paths = [
      '/',
      '/employees',
      '/employees?q=Garcia',
      `/employees/${created.id}`,
      '/employees/new',
      `/employees/${created.id}/edit`,
      `/employees/${created.id}/delete`,
    ];

    for (const path of paths) {
      const page = await browser.get(`${web.baseUrl}${path}`);
      expect({ path, status: page.status, cacheControl: page.headers.get('cache-control') }).toEqual({ path, status: 200, cacheControl: 'no-store' });
    }
  });
});

describe('JSON API Origin check by scheme, host and port', () => {
  const host = () => new URL(web.baseUrl).host;
  const list = (headers: Record<string, string>) =>
    fetch(`${web.baseUrl}/api/employees`, { method: 'POST', headers: { ...signedIn(), ...headers }, body: employeeForm(fields, { bytes: pdfBytes('x') }) });

  it.each([
    ['plain HTTP against the app served over HTTPS', () => ({ ...overHttps, origin: `http://${host()}` })],
    ['HTTPS against the app served over plain HTTP', () => ({ origin: `https://${host()}` })],
    ['the same host on another port', () => ({ origin: `http://${new URL(web.baseUrl).hostname}:1` })],
  ])('refuses %s', async (_, headers) => {
    const response = await list(headers());

    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ error: { code: 'forbidden_origin' } });
  });

  it('accepts its own origin over HTTPS behind the load balancer', async () => {
    const response = await list({ ...overHttps, origin: `https://${host()}` });

    expect(response.status).toBe(201);
  });
});
