/**
 * Sign-in as the app enforces it: nothing but the health probes answers without the header the
 * load balancer signs, and only the state's own staff get past it. Each case is an attack a
 * person could try by talking to the app directly or by signing in elsewhere.
 */
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Browser } from './support/browser.ts';
import { startLocalAws } from './support/local-aws.ts';
import type { LocalAws } from './support/local-aws.ts';
import { CALIFORNIAN, signedIn, TEST_ALB_ARN, TEST_SIGN_IN, TEXAN } from './support/sign-in.ts';
import { createTenantStorage, employeeForm, listDocumentKeys, pdfBytes, startApp, testConfig } from './support/test-app.ts';
import type { RunningApp } from './support/test-app.ts';

let aws: LocalAws;
let web: RunningApp;
const SIGN_OUT_URL = 'https://idp.example.gov/logout?client_id=humangov';

beforeAll(async () => {
  aws = await startLocalAws();
  web = await startApp(aws, testConfig(aws, await createTenantStorage(aws), { signIn: { ...TEST_SIGN_IN, signOutUrl: SIGN_OUT_URL } }));
});

afterAll(async () => {
  await web?.close();
  await aws?.stop();
});

const fields = { firstName: 'Eve', lastName: 'Intruder', role: 'Clerk', salary: '1' };

const notSignedIn: [string, () => Record<string, string>][] = [
  ['no x-amzn-oidc-data (a request around the load balancer)', () => ({})],
  ['a header signed by another load balancer', () => signedIn(CALIFORNIAN, { signer: TEST_ALB_ARN.replace('humangov-test', 'attacker') })],
  ["a header signed with the attacker's own key", () => signedIn(CALIFORNIAN, { key: generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey })],
  ['an expired header', () => signedIn(CALIFORNIAN, { expiresInSeconds: -1 })],
  ['a header that is not a JWT', () => ({ 'x-amzn-oidc-data': 'maria@ca.example.gov' })],
];

describe('the app behind the load balancer', () => {
  it.each(notSignedIn)('refuses %s: pages, records and writes answer 401 and nothing is stored', async (_, headers) => {
    const before = await listDocumentKeys(web);

    const page = await new Browser(headers(), { signedIn: false }).get(`${web.baseUrl}/employees`);
    const list = await fetch(`${web.baseUrl}/api/employees`, { headers: headers() });
    const write = await fetch(`${web.baseUrl}/api/employees`, { method: 'POST', headers: headers(), body: employeeForm(fields, { bytes: pdfBytes('x') }) });

    expect(page.status).toBe(401);
    expect(page.body).toContain('Not signed in');
    expect(list.status).toBe(401);
    expect(await list.json()).toMatchObject({ error: { code: 'not_signed_in' } });
    expect(write.status).toBe(401);
    expect(await listDocumentKeys(web)).toEqual(before);
  });

  it("refuses another state's staff (a Texan signed in to the same user pool): 403 naming them, nothing stored", async () => {
    const before = await listDocumentKeys(web);

    const page = await new Browser(signedIn(TEXAN)).get(`${web.baseUrl}/employees`);
    const write = await fetch(`${web.baseUrl}/api/employees`, {
      method: 'POST',
      headers: signedIn(TEXAN),
      body: employeeForm(fields, { bytes: pdfBytes('x') }),
    });

    expect(page.status).toBe(403);
    expect(page.body).toContain('You are signed in as Sam Houston, who is not on the staff of the State of California');
    expect(page.body).toContain('href="/sign-out"');
    expect(write.status).toBe(403);
    expect(await write.json()).toMatchObject({ error: { code: 'not_staff' } });
    expect(await listDocumentKeys(web)).toEqual(before);
  });

  it("refuses the state's group claimed by a person of another identity provider", async () => {
    const impostor = { ...CALIFORNIAN, iss: 'https://idp.attacker.example' };

    const response = await fetch(`${web.baseUrl}/api/employees`, { headers: signedIn(impostor) });

    expect(response.status).toBe(403);
  });

  it('answers the health probes without sign-in, as the load balancer checks them', async () => {
    expect((await fetch(`${web.baseUrl}/health`)).status).toBe(200);
  });

  it("shows the state's staff who is signed in, with a way out", async () => {
    const page = await new Browser(signedIn(CALIFORNIAN)).get(`${web.baseUrl}/`);

    expect(page.status).toBe(200);
    expect(page.body).toMatch(/Signed in as <strong>María García<\/strong> <a class="usa-link" href="\/sign-out">Sign out<\/a>/);
  });

  it("signs out: expires every one of the load balancer's session cookies and goes to the IdP's logout", async () => {
    const browser = new Browser({ ...signedIn(CALIFORNIAN), 'x-forwarded-proto': 'https' });
    browser.cookies.set('AWSELBAuthSessionCookie-0', 'part0');
    browser.cookies.set('AWSELBAuthSessionCookie-1', 'part1');

    const response = await browser.get(`${web.baseUrl}/sign-out`);

    expect(response.status).toBe(302);
    expect(response.location).toBe(SIGN_OUT_URL);
    expect(response.headers.getSetCookie()).toEqual([
      expect.stringMatching(/^AWSELBAuthSessionCookie-0=; Path=\/; .*Max-Age=0; Secure$/),
      expect.stringMatching(/^AWSELBAuthSessionCookie-1=; Path=\/; .*Max-Age=0; Secure$/),
    ]);
    expect(browser.cookies.size).toBe(0);
  });
});
