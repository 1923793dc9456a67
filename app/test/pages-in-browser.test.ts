/**
 * The app's pages in headless Chromium, as a clerk meets them: every page checked by axe-core
 * at WCAG 2.1 AA at a desktop and a phone width (screenshots in test-results/app/), the form's
 * error summary and its focus, the keyboard walk from the skip link, and times in the viewer's zone.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser, Page } from 'playwright-core';
import { axeViolations, focused, tabThrough } from '../../test/dashboard/support/accessibility.ts';
import { launchChromium, screenshot, SCREENSHOTS, watchProblems, WIDTHS } from '../../test/dashboard/support/browser.ts';
import { startLocalAws } from './support/local-aws.ts';
import type { LocalAws } from './support/local-aws.ts';
import { createEmployee, createTenantStorage, startApp, testConfig } from './support/test-app.ts';
import type { EmployeeJson, RunningApp } from './support/test-app.ts';
import { signedIn } from './support/sign-in.ts';

const FOLDER = join(SCREENSHOTS, '..', 'app');

let aws: LocalAws;
let web: RunningApp;
let empty: RunningApp;
let browser: Browser;
let garcia: EmployeeJson;

beforeAll(async () => {
  [aws, browser] = await Promise.all([startLocalAws(), launchChromium()]);
  [web, empty] = await Promise.all([
    createTenantStorage(aws).then((tenant) => startApp(aws, testConfig(aws, tenant))),
    createTenantStorage(aws).then((tenant) => startApp(aws, testConfig(aws, tenant))),
  ]);
  garcia = await createEmployee(web, { firstName: 'María', lastName: 'García', role: 'Park Ranger', salary: '61250.50' });
  await createEmployee(web, { firstName: 'Sean', lastName: "O'Neil", role: 'Registered Nurse, Intensive Care Unit', salary: '85000' });
  await createEmployee(web, { firstName: 'Ana', lastName: 'Smith-Jones', role: 'Clerk', salary: '41000' });
});

afterAll(async () => {
  await browser?.close();
  await Promise.all([web?.close(), empty?.close()]);
  await aws?.stop();
});

interface Visit {
  readonly name: string;
  readonly app: () => RunningApp;
  readonly path: () => string;
  /** What to do on the page before it is checked (fill in a form, say). */
  readonly act?: (page: Page) => Promise<void>;
  /** The page's own status when it is not 200: Chromium logs it as a failed load, which is no problem here. */
  readonly status?: number;
}

const visits: Visit[] = [
  { name: 'home', app: () => web, path: () => '/' },
  { name: 'list', app: () => web, path: () => '/employees' },
  { name: 'empty-list', app: () => empty, path: () => '/employees' },
  { name: 'search', app: () => web, path: () => '/employees?q=garcia' },
  { name: 'detail', app: () => web, path: () => `/employees/${garcia.id}` },
  { name: 'form-with-errors', app: () => web, path: () => '/employees/new', act: submitWithThreeProblems, status: 415 },
  { name: 'delete-confirmation', app: () => web, path: () => `/employees/${garcia.id}/delete` },
  { name: 'not-found', app: () => web, path: () => '/nowhere', status: 404 },
];

/** A blank first name, a salary of "85k" and a file that is not a PDF, sent at once. */
async function submitWithThreeProblems(page: Page): Promise<void> {
  await page.getByLabel('Last name', { exact: true }).fill('Lopez');
  await page.getByLabel('Role').fill('Clerk');
  await page.getByLabel('Annual salary (USD)').fill('85k');
  await page.getByLabel('Scanned ID (PDF)').setInputFiles({ name: 'scan.pdf', mimeType: 'application/pdf', buffer: Buffer.from('PK\u0003\u0004 a zip') });
  await Promise.all([page.waitForURL(/\/employees$/), page.getByRole('button', { name: 'Add employee' }).click()]);
}

async function open(visit: Visit, width: (typeof WIDTHS)[number]): Promise<{ page: Page; problems: string[] }> {
  const context = await browser.newContext({
    viewport: { width: width.width, height: width.height },
    timezoneId: 'America/New_York',
    extraHTTPHeaders: signedIn(),
  });
  const page = await context.newPage();
  const problems = watchProblems(page);
  await page.goto(`${visit.app().baseUrl}${visit.path()}`);
  await visit.act?.(page);
  await page.waitForLoadState('load');
  return { page, problems };
}

describe('every page, at a desktop and a phone width', () => {
  for (const width of WIDTHS) {
    it(`has no WCAG 2.1 A or AA violation axe can find, and no script or CSP error, at ${width.width} px`, async () => {
      const found = await Promise.all(
        visits.map(async (visit) => {
          const { page, problems } = await open(visit, width);
          const violations = await axeViolations(page);
          await screenshot(page, `${visit.name}-${width.width}`, FOLDER);
          // Nothing may stick out sideways: the page scrolls down only.
          const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
          await page.context().close();
          const expected = `Failed to load resource: the server responded with a status of ${visit.status}`;
          const unexpected = problems.filter((problem) => !problem.includes(expected));
          return [...violations, ...unexpected, ...(overflow > 0 ? [`wider than the window by ${overflow} px`] : [])].map((line) => `${visit.name}: ${line}`);
        }),
      );
      expect(found.flat()).toEqual([]);
    });
  }
});

describe('the add-employee form', () => {
  it('lists every problem in a summary that takes focus, each linking to its field', async () => {
    const { page } = await open(visits.find((visit) => visit.name === 'form-with-errors') as Visit, WIDTHS[0]);

    expect(await page.evaluate(() => document.activeElement?.hasAttribute('data-focus-on-load'))).toBe(true);
    const summary = page.getByRole('alert').filter({ hasText: 'problems with this form' });
    expect(await summary.getByRole('heading').innerText()).toBe('There are 3 problems with this form');
    expect(await summary.getByRole('link').allInnerTexts()).toEqual([
      'First name is required',
      'Annual salary must be an amount in dollars such as 85000 or 85000.50',
      'The scanned ID must be a PDF file, and the file chosen is not one: choose the PDF and attach it again',
    ]);
    await summary.getByRole('link', { name: 'Annual salary must be' }).click();
    expect((await focused(page)).id).toBe('salary');
    expect(await page.getByLabel('Annual salary (USD)').getAttribute('aria-invalid')).toBe('true');
    expect(await page.getByLabel('Annual salary (USD)').inputValue()).toBe('85k');
    expect(await page.getByLabel('Last name', { exact: true }).inputValue()).toBe('Lopez');
    await page.context().close();
  });
});

describe('from the keyboard', () => {
  it('reaches the skip link first, shows it, and skips to the main content, whose first field comes next', async () => {
    for (const width of WIDTHS) {
      const context = await browser.newContext({ viewport: { width: width.width, height: width.height }, extraHTTPHeaders: signedIn() });
      const page = await context.newPage();
      await page.goto(`${web.baseUrl}/employees/new`);

      await tabThrough(page, 1);
      // USWDS slides the skip link in: where it ends up is what a person sees.
      await page.waitForTimeout(400);
      expect(await focused(page)).toMatchObject({ name: 'a.usa-skipnav "Skip to main content"', visible: true, inViewport: true });
      await page.keyboard.press('Enter');
      expect((await focused(page)).id).toBe('main-content');
      const [first] = await tabThrough(page, 1);
      expect({ width: width.width, first: first?.id, visible: first?.visible }).toEqual({ width: width.width, first: 'firstName', visible: true });
      await context.close();
    }
  });

  it('walks the header and the list in reading order, with a visible focus at every stop', async () => {
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, extraHTTPHeaders: signedIn() });
    const page = await context.newPage();
    await page.goto(`${web.baseUrl}/employees`);

    const stops = await tabThrough(page, 10);
    expect(stops.map((stop) => stop.name)).toEqual([
      'a.usa-skipnav "Skip to main content"',
      'a "HumanGov State of California"',
      'a.usa-nav-link "Employees"',
      'a.usa-nav-link "Add employee"',
      'input#search-field',
      'button.usa-button "Search"',
      'a.usa-link "Sign out"',
      'a.usa-button "Add employee"',
      'a.usa-link "García, María"',
      'a.usa-link "View PDF of María García"',
    ]);
    expect(stops.filter((stop) => !stop.visible).map((stop) => stop.name)).toEqual([]);
    await context.close();
  });
});

describe('on a phone', () => {
  it('folds the navigation into a menu that opens and closes from the keyboard, its script allowed by the CSP', async () => {
    const { page, problems } = await open(visits[1] as Visit, WIDTHS[1]);
    const navigation = page.getByRole('navigation', { name: 'Primary' });
    expect(await navigation.getByRole('link', { name: 'Add employee' }).isVisible()).toBe(false);

    await page.getByRole('button', { name: 'Menu' }).focus();
    await page.keyboard.press('Enter');
    await navigation.getByRole('link', { name: 'Add employee' }).waitFor({ state: 'visible' });
    expect(await navigation.getByRole('link', { name: 'Employees' }).getAttribute('aria-current')).toBe('page');
    await navigation.getByRole('button', { name: 'Close menu' }).click();
    await navigation.getByRole('link', { name: 'Add employee' }).waitFor({ state: 'hidden' });
    expect(problems).toEqual([]);
    await page.context().close();
  });
});

describe('details', () => {
  it('shows money in dollars and cents, and times in the viewer’s zone with the zone named', async () => {
    const { page } = await open(visits.find((visit) => visit.name === 'detail') as Visit, WIDTHS[0]);
    expect(await page.locator('dd', { hasText: '$' }).innerText()).toBe('$61,250.50');
    const updated = page.locator('dl time[data-local]');
    await expect(updated.innerText()).resolves.toMatch(/^[A-Z][a-z]{2} \d{1,2}, \d{4}, \d{1,2}:\d\d [AP]M E[SD]T$/);
    await page.context().close();
  });

  it('finds García from "garcia" and O’Neil from "oneil", and the other way round', async () => {
    const context = await browser.newContext({ extraHTTPHeaders: signedIn() });
    const page = await context.newPage();
    const namesFor = async (query: string) => {
      await page.goto(`${web.baseUrl}/employees?q=${encodeURIComponent(query)}`);
      return page.locator('tbody th').allInnerTexts();
    };
    expect(await namesFor('garcia')).toEqual(['García, María']);
    expect(await namesFor('GARCÍA')).toEqual(['García, María']);
    expect(await namesFor('oneil')).toEqual(["O'Neil, Sean"]);
    expect(await namesFor('o’neil')).toEqual(["O'Neil, Sean"]);
    expect(await namesFor('smith jones')).toEqual(['Smith-Jones, Ana']);
    await context.close();
  });

  it('stacks the employee table at 390 px, so every column of a row is on screen', async () => {
    const { page } = await open(visits.find((visit) => visit.name === 'list') as Visit, WIDTHS[1]);
    const row = page.locator('tbody tr').first();
    for (const label of ['Role', 'Annual salary', 'Scanned ID', 'Actions']) {
      const box = await row.locator(`td[data-label="${label}"]`).boundingBox();
      expect({ label, inside: box !== null && box.x >= 0 && box.x + box.width <= 390 }).toEqual({ label, inside: true });
    }
    await page.context().close();
  });
});
