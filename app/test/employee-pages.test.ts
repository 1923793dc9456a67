import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Browser, csrfTokenIn } from './support/browser.ts';
import { startLocalAws } from './support/local-aws.ts';
import type { LocalAws } from './support/local-aws.ts';
import { createEmployee, createTenantStorage, employeeForm, listDocumentKeys, pdfBytes, startApp, testConfig } from './support/test-app.ts';
import type { RunningApp } from './support/test-app.ts';
import { signedIn } from './support/sign-in.ts';

let aws: LocalAws;
let web: RunningApp;
let otherReplica: RunningApp;
let otherSecret: RunningApp;

beforeAll(async () => {
  aws = await startLocalAws();
  const config = testConfig(aws, await createTenantStorage(aws), { maxUploadBytes: 50 * 1024 });
  web = await startApp(aws, config);
  otherReplica = await startApp(aws, config);
  otherSecret = await startApp(aws, { ...config, csrfSecret: 'another-secret-that-is-long-enough-0123456789' });
});

afterAll(async () => {
  await Promise.all([web?.close(), otherReplica?.close(), otherSecret?.close()]);
  await aws?.stop();
});

const fields = { firstName: 'Maria', lastName: 'Garcia', role: 'Park Ranger', salary: '61,500' };

/** Fills in the add-employee form the way a browser sends it: token first, file last. */
async function submitNewEmployee(browser: Browser, app: RunningApp, token: string, bytes = pdfBytes('maria'), values = fields) {
  const form = employeeForm({ _csrf: token, ...values }, { bytes });
  return browser.post(`${app.baseUrl}/employees`, form);
}

async function openNewEmployeeForm(browser: Browser, app: RunningApp): Promise<string> {
  const page = await browser.get(`${app.baseUrl}/employees/new`);
  expect(page.status).toBe(200);
  return csrfTokenIn(page.body);
}

describe('home page', () => {
  it('names the state', async () => {
    const page = await new Browser().get(`${web.baseUrl}/`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('Human Resources Management System - State of California');
    expect(page.headers.get('content-type')).toContain('text/html');
  });

  it('sends security headers: a CSP without inline scripts, no framing, nosniff, a referrer policy', async () => {
    const { headers } = await new Browser().get(`${web.baseUrl}/`);
    const csp = headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toContain("frame-ancestors 'none'");
    expect(headers.get('x-content-type-options')).toBe('nosniff');
    expect(headers.get('referrer-policy')).toBeTruthy();
  });

  it('links the USWDS stylesheet and its script from its own origin, each cached for good under a name that changes with its content', async () => {
    const page = await new Browser().get(`${web.baseUrl}/`);
    const stylesheet = /<link rel="stylesheet" href="(\/assets\/humangov\.[0-9a-f]{12}\.css)">/.exec(page.body)?.[1];
    const script = /<script src="(\/assets\/humangov\.[0-9a-f]{12}\.js)" defer><\/script>/.exec(page.body)?.[1];
    expect({ stylesheet, script }).toEqual({ stylesheet: expect.any(String), script: expect.any(String) });

    const css = await fetch(`${web.baseUrl}${stylesheet}`, { headers: signedIn() });
    expect(css.headers.get('content-type')).toContain('text/css');
    expect(css.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const text = await css.text();
    expect(text).toContain('.usa-header');
    // Every font and icon the stylesheet refers to is served too.
    const references = [...text.matchAll(/url\("?((?:fonts|img)\/[^")]+)"?\)/g)].map((match) => match[1]);
    expect(references.length).toBeGreaterThan(5);
    for (const reference of references)
      expect(`${reference}: ${(await fetch(`${web.baseUrl}/assets/${reference}`, { headers: signedIn() })).status}`).toBe(`${reference}: 200`);
    expect((await fetch(`${web.baseUrl}${script}`, { headers: signedIn() })).headers.get('content-type')).toContain('text/javascript');
  });

  it('answers an unknown page with a 404 page', async () => {
    const page = await new Browser().get(`${web.baseUrl}/nowhere`);
    expect(page.status).toBe(404);
    expect(page.body).toContain('Page not found');
    expect((await fetch(`${web.baseUrl}/assets/nothing.css`, { headers: signedIn() })).status).toBe(404);
  });

  it('marks the current page in the navigation', async () => {
    const browser = new Browser();
    const current = (body: string) => [...body.matchAll(/<a href="([^"]+)" class="usa-nav-link usa-current" aria-current="page">/g)].map((match) => match[1]);
    expect(current((await browser.get(`${web.baseUrl}/employees`)).body)).toEqual(['/employees']);
    expect(current((await browser.get(`${web.baseUrl}/employees/new`)).body)).toEqual(['/employees/new']);
    expect(current((await browser.get(`${web.baseUrl}/`)).body)).toEqual([]);
  });
});

describe('adding, editing and deleting through the pages', () => {
  it('adds an employee, redirects to the record and shows a flash message once', async () => {
    const browser = new Browser();
    const response = await submitNewEmployee(browser, web, await openNewEmployeeForm(browser, web));
    expect(response.status).toBe(303);
    expect(response.location).toMatch(/^\/employees\/[0-9a-f-]{36}$/);

    const record = await browser.get(`${web.baseUrl}${response.location}`);
    expect(record.body).toContain('Added Maria Garcia.');
    expect(record.body).toContain('$61,500.00');
    // In UTC from the server, named; the page's script shows it in the viewer's zone.
    expect(record.body).toMatch(/<time datetime="\d{4}-\d\d-\d\dT[^"]+Z" data-local>[A-Z][a-z]{2} \d{1,2}, \d{4}, \d{1,2}:\d\d [AP]M UTC<\/time>/);
    expect((await browser.get(`${web.baseUrl}${response.location}`)).body).not.toContain('Added Maria Garcia.');
  });

  it('shows what to fix and keeps the entered values when a field is invalid, and asks for the PDF again', async () => {
    const browser = new Browser();
    const token = await openNewEmployeeForm(browser, web);
    const before = await listDocumentKeys(web);
    const response = await submitNewEmployee(browser, web, token, pdfBytes('x'), { ...fields, salary: 'a lot' });
    expect(response.status).toBe(400);
    expect(response.body).toContain('Annual salary must be an amount in dollars');
    expect(response.body).toContain('value="Park Ranger"');
    expect(response.body).toContain('id-scan.pdf was not saved because of the other problems: attach it again');
    expect(await listDocumentKeys(web)).toEqual(before);
  });

  it('shows every problem after one submission: blank name, "85k" salary and a file that is not a PDF', async () => {
    const browser = new Browser();
    const form = employeeForm({ _csrf: await openNewEmployeeForm(browser, web), ...fields, firstName: '', salary: '85k' });
    form.append('document', new Blob(['PK\u0003\u0004 a zip']), 'scan.pdf');
    const response = await browser.post(`${web.baseUrl}/employees`, form);

    expect(response.status).toBe(415);
    expect(response.body).toContain('<title>Error: Add employee');
    const summary =
      /<div class="usa-alert usa-alert--error hg-error-summary" role="alert" tabindex="-1" data-focus-on-load>([\s\S]*?)<\/ul>/.exec(response.body)?.[1] ?? '';
    expect(summary).toContain('There are 3 problems with this form');
    expect([...summary.matchAll(/<a class="usa-link" href="#(\w+)">([^<]+)<\/a>/g)].map((match) => [match[1], match[2]])).toEqual([
      ['firstName', 'First name is required'],
      ['salary', 'Annual salary must be an amount in dollars such as 85000 or 85000.50'],
      ['document', 'The scanned ID must be a PDF file, and the file chosen is not one: choose the PDF and attach it again'],
    ]);
    for (const name of ['firstName', 'salary', 'document']) {
      const input = new RegExp(`<input [^>]*id="${name}"[^>]*>`).exec(response.body)?.[0] ?? '';
      expect(input).toContain('aria-invalid="true"');
      expect(input).toMatch(new RegExp(`aria-describedby="${name}-error`));
      expect(response.body).toContain(`<span class="usa-error-message" id="${name}-error">`);
    }
    expect(new RegExp('<input [^>]*id="lastName"[^>]*>').exec(response.body)?.[0]).not.toContain('aria-invalid');
    expect(response.body).toContain('value="Garcia"');
  });

  it('shows a form error for a PDF over the size limit', async () => {
    const browser = new Browser();
    const response = await submitNewEmployee(browser, web, await openNewEmployeeForm(browser, web), pdfBytes('big', 50 * 1024));
    expect(response.status).toBe(413);
    expect(response.body).toContain('The scanned ID must be at most 50 KB: choose a smaller PDF and attach it again');
  });

  it('edits the fields and keeps the PDF when no new file is chosen', async () => {
    const created = await createEmployee(web, fields, pdfBytes('keep me'));
    const browser = new Browser();
    const editPage = await browser.get(`${web.baseUrl}/employees/${created.id}/edit`);
    expect(editPage.body).toContain('value="Garcia"');
    expect(editPage.body).toContain('value="61500"');

    const form = employeeForm({ _csrf: csrfTokenIn(editPage.body), ...fields, role: 'Chief Ranger' });
    form.append('document', new Blob([]), '');
    const response = await browser.post(`${web.baseUrl}/employees/${created.id}/edit`, form);
    expect(response.status).toBe(303);

    const record = await browser.get(`${web.baseUrl}/employees/${created.id}`);
    expect(record.body).toContain('Chief Ranger');
    expect(record.body).toContain('id-scan.pdf');
    const download = await fetch(`${web.baseUrl}/employees/${created.id}/document`, { headers: signedIn() });
    expect(Buffer.from(await download.arrayBuffer()).equals(pdfBytes('keep me'))).toBe(true);
  });

  it('edits with a new PDF, which replaces the old object', async () => {
    const created = await createEmployee(web, fields, pdfBytes('old'));
    const browser = new Browser();
    const token = csrfTokenIn((await browser.get(`${web.baseUrl}/employees/${created.id}/edit`)).body);
    const response = await browser.post(
      `${web.baseUrl}/employees/${created.id}/edit`,
      employeeForm({ _csrf: token, ...fields }, { bytes: pdfBytes('new'), fileName: 'renewed.pdf' }),
    );
    expect(response.status).toBe(303);

    expect((await listDocumentKeys(web)).filter((key) => key.includes(created.id))).toHaveLength(1);
    const download = await fetch(`${web.baseUrl}/employees/${created.id}/document`, { headers: signedIn() });
    expect(Buffer.from(await download.arrayBuffer()).equals(pdfBytes('new'))).toBe(true);
  });

  it('deletes after confirmation, removing the PDF object too', async () => {
    const created = await createEmployee(web, fields);
    const browser = new Browser();
    const confirmation = await browser.get(`${web.baseUrl}/employees/${created.id}/delete`);
    const response = await browser.post(`${web.baseUrl}/employees/${created.id}/delete`, new URLSearchParams({ _csrf: csrfTokenIn(confirmation.body) }));
    expect(response.status).toBe(303);
    expect(response.location).toBe('/employees');

    expect((await browser.get(`${web.baseUrl}/employees/${created.id}`)).status).toBe(404);
    expect((await listDocumentKeys(web)).some((key) => key.includes(created.id))).toBe(false);
    expect((await browser.get(`${web.baseUrl}/employees`)).body).toContain('Deleted Maria Garcia');
  });

  it('redirects the document link to a presigned URL', async () => {
    const created = await createEmployee(web, fields);
    const response = await fetch(`${web.baseUrl}/employees/${created.id}/document`, { redirect: 'manual', headers: signedIn() });
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toContain('X-Amz-Signature=');
  });
});

describe('escaping', () => {
  it('shows a name containing markup as text on every page', async () => {
    const payload = '<script>alert(1)</script>';
    const created = await createEmployee(web, { ...fields, firstName: payload, role: '"><img src=x onerror=alert(1)>' });
    const browser = new Browser();
    const pages = [
      await browser.get(`${web.baseUrl}/employees`),
      await browser.get(`${web.baseUrl}/employees?q=${encodeURIComponent(payload)}`),
      await browser.get(`${web.baseUrl}/employees/${created.id}`),
      await browser.get(`${web.baseUrl}/employees/${created.id}/edit`),
      await browser.get(`${web.baseUrl}/employees/${created.id}/delete`),
    ];
    for (const page of pages) {
      expect(page.status).toBe(200);
      expect(page.body).not.toContain('<script>');
      expect(page.body).not.toContain('<img src=x');
    }
    expect(pages[2]?.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });
});

describe('CSRF protection', () => {
  it('accepts a token issued by another replica with the same secret', async () => {
    const browser = new Browser();
    const token = await openNewEmployeeForm(browser, web);
    const response = await submitNewEmployee(browser, otherReplica, token);
    expect(response.status).toBe(303);
  });

  it('refuses a token issued under a different secret, and stores nothing', async () => {
    const before = await listDocumentKeys(web);
    const browser = new Browser();
    const token = await openNewEmployeeForm(browser, web);
    const response = await submitNewEmployee(browser, otherSecret, token);
    expect(response.status).toBe(403);
    expect(response.body).toContain('reload the page');
    expect(await listDocumentKeys(web)).toEqual(before);
  });

  it('refuses a form without a token', async () => {
    const browser = new Browser();
    await openNewEmployeeForm(browser, web);
    const response = await browser.post(`${web.baseUrl}/employees`, employeeForm(fields, { bytes: pdfBytes('x') }));
    expect(response.status).toBe(403);
  });

  it("refuses a valid token sent without the browser's cookie (a token lifted from the site)", async () => {
    const attacker = new Browser();
    const token = await openNewEmployeeForm(attacker, web);
    const victim = new Browser();
    await victim.get(`${web.baseUrl}/`);
    expect((await submitNewEmployee(victim, web, token)).status).toBe(403);
  });

  it('refuses a delete without a token and keeps the record', async () => {
    const created = await createEmployee(web, fields);
    const response = await new Browser().post(`${web.baseUrl}/employees/${created.id}/delete`, new URLSearchParams({}));
    expect(response.status).toBe(403);
    expect((await fetch(`${web.baseUrl}/api/employees/${created.id}`, { headers: signedIn() })).status).toBe(200);
  });
});
