/**
 * The dashboard as an operator meets it, in headless Chromium: every view checked by axe-core at
 * WCAG 2.1 AA at a desktop and a phone width (screenshots in test-results/dashboard/), the
 * keyboard walk, rows that stay put during a rollout, the canary, a clear banner when the
 * control plane stops answering, an invalid record's page that says how to fix it, and a
 * history whose columns stay readable.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser, Page } from 'playwright-core';
import { eventually } from '../support/eventually.ts';
import { axeViolations, focused, tabThrough } from './support/accessibility.ts';
import { launchChromium, screenshot, watchProblems, WIDTHS } from './support/browser.ts';
import { startDashboardFleet, type DashboardFleet } from './support/fleet.ts';

const WAIT = { timeout: 10_000, interval: 100 };

let fleet: DashboardFleet;
let browser: Browser;

beforeAll(async () => {
  [fleet, browser] = await Promise.all([startDashboardFleet(), launchChromium()]);
});
afterAll(async () => {
  await browser?.close();
  await fleet?.close();
});

/** Opens the dashboard at `path` and waits until it has read the fleet. */
async function open(path: string, width: (typeof WIDTHS)[number] = WIDTHS[0]): Promise<{ page: Page; problems: string[] }> {
  const context = await browser.newContext({ viewport: { width: width.width, height: width.height }, timezoneId: 'America/Chicago' });
  const page = await context.newPage();
  const problems = watchProblems(page);
  await page.goto(`${fleet.url}${path}`);
  await page.locator('#updated', { hasText: 'Updated' }).waitFor();
  return { page, problems };
}

const rowIds = (page: Page) => page.locator('table.fleet tbody tr').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-tenant')));

/** Makes every read of the API fail as a network error would, and asks for a refresh. */
async function takeControlPlaneDown(page: Page): Promise<void> {
  await page.route(/\/(tenants|deployments|health)(\/|\?|$)/, (route) => route.abort('connectionrefused'));
  await page.getByRole('button', { name: 'Refresh now' }).click();
  await page.getByRole('heading', { name: 'The control plane is not answering' }).waitFor();
}

interface View {
  readonly name: string;
  readonly path: string;
  readonly ready: (page: Page) => Promise<void>;
  /** Failed loads the view makes on purpose (Chromium logs them as errors). */
  readonly expectedFailures?: RegExp;
}

const views: View[] = [
  { name: 'fleet', path: '/', ready: async (page) => void (await page.locator('#deployments .stages').first().waitFor()) },
  { name: 'filtered', path: '/', ready: async (page) => void (await page.getByLabel('Show').selectOption('FAILED')) },
  { name: 'tenant', path: '/#/tenants/wa', ready: async (page) => void (await page.locator('#tenant-page dl').waitFor()) },
  { name: 'deployments', path: '/#/deployments', ready: async (page) => void (await page.locator('#deployments .stages').first().waitFor()) },
  { name: 'failed-tenant', path: '/#/tenants/ny', ready: async (page) => void (await page.locator('#tenant-page dl').waitFor()) },
  {
    name: 'invalid-record',
    path: '/#/tenants/nv',
    ready: async (page) => void (await page.locator('#tenant-page .usa-summary-box').waitFor()),
    expectedFailures: /status of 400/,
  },
  {
    name: 'control-plane-down',
    path: '/',
    ready: takeControlPlaneDown,
    expectedFailures: /net::ERR_CONNECTION_REFUSED|Failed to load resource/,
  },
];

describe('every view, at a desktop and a phone width', () => {
  for (const width of WIDTHS) {
    it(`has no WCAG 2.1 A or AA violation axe can find, and no script or CSP error, at ${width.width} px`, async () => {
      const found = await Promise.all(
        views.map(async (view) => {
          const { page, problems } = await open(view.path, width);
          await view.ready(page);
          const violations = await axeViolations(page);
          await screenshot(page, `${view.name}-${width.width}`);
          const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
          await page.context().close();
          const unexpected = problems.filter((problem) => !view.expectedFailures?.test(problem));
          return [...violations, ...unexpected, ...(overflow > 0 ? [`wider than the window by ${overflow} px`] : [])].map((line) => `${view.name}: ${line}`);
        }),
      );
      expect(found.flat()).toEqual([]);
    });
  }
});

describe('from the keyboard', () => {
  it('reaches the skip link first, shows it, skips to the content, and shows focus at every stop of the header and filter', async () => {
    const { page } = await open('/');
    const stops = await tabThrough(page, 7);
    expect(stops.map((stop) => stop.name)).toEqual([
      'a.usa-skipnav "Skip to main content"',
      'a "HumanGov fleet"',
      'a.usa-nav-link "Tenants"',
      'a.usa-nav-link "Deployments"',
      'button#refresh "Refresh now"',
      'select#status-filter',
      'div#fleet',
    ]);
    expect(stops.filter((stop) => !stop.visible).map((stop) => stop.name)).toEqual([]);
    expect(await page.locator('a[data-view="tenants"]').getAttribute('aria-current')).toBe('page');

    await page.reload();
    await tabThrough(page, 1);
    await page.waitForTimeout(400);
    expect(await focused(page)).toMatchObject({ name: 'a.usa-skipnav "Skip to main content"', visible: true, inViewport: true });
    await page.keyboard.press('Enter');
    expect((await focused(page)).id).toBe('main');
    await page.context().close();
  });

  it('opens and closes the menu on a phone', async () => {
    const { page, problems } = await open('/', WIDTHS[1]);
    const deployments = page.getByRole('navigation', { name: 'Dashboard' }).getByRole('link', { name: 'Deployments' });
    expect(await deployments.isVisible()).toBe(false);
    await page.getByRole('button', { name: 'Menu' }).click();
    await deployments.waitFor({ state: 'visible' });
    expect((await focused(page)).id).toBe('menu-close');
    await page.keyboard.press('Escape');
    await deployments.waitFor({ state: 'hidden' });
    expect((await focused(page)).id).toBe('menu-open');
    expect(problems).toEqual([]);
    await page.context().close();
  });
});

describe('during a rollout', () => {
  it('keeps every row where it is while statuses change, sorts by status only when asked, and marks the canary', async () => {
    const { page } = await open('/');
    const before = await rowIds(page);
    expect(before).toEqual(['oh', 'ca', 'fl', 'nv', 'ny', 'tx', 'wa']);
    expect(await page.locator('tr[data-tenant="tx"] .usa-tag.canary').innerText()).toMatch(/canary/i);

    await fleet.tenants.transition('tx', 'DEPLOYING', { reason: 'deploying v1.2.0' });
    await page.getByRole('button', { name: 'Refresh now' }).click();
    await eventually(async () => expect(await page.locator('tr[data-tenant="tx"] .badge').innerText()).toContain('Deploying'), WAIT);
    expect(await rowIds(page)).toEqual(before);

    const status = page.getByRole('columnheader', { name: /^Status/ });
    await status.getByRole('button').click();
    expect(await status.getAttribute('aria-sort')).toBe('ascending');
    expect(await rowIds(page)).toEqual(['nv', 'ny', 'wa', 'tx', 'oh', 'ca', 'fl']);
    // The sort survives a refresh, and focus stays on the button pressed.
    await page.getByRole('button', { name: 'Refresh now' }).click();
    await page.waitForTimeout(300);
    expect(await rowIds(page)).toEqual(['nv', 'ny', 'wa', 'tx', 'oh', 'ca', 'fl']);

    await fleet.tenants.transition('tx', 'ACTIVE', { reason: 'verified' });
    await page.context().close();
  });
});

describe('when the control plane stops answering', () => {
  it('says so in a banner, greys what it read before, and clears both once it answers again', async () => {
    const { page } = await open('/');
    const caBadge = page.locator('tr[data-tenant="ca"] .badge');
    const green = await caBadge.evaluate((element) => getComputedStyle(element).backgroundColor);

    await takeControlPlaneDown(page);

    const banner = page.locator('#connection .usa-alert--error');
    expect(await banner.innerText()).toMatch(/read at .* C[SD]T .*may be out of date/s);
    expect(await banner.innerText()).toContain('(last error: Failed to fetch)');
    expect(await caBadge.evaluate((element) => getComputedStyle(element).backgroundColor)).not.toBe(green);
    expect(await page.locator('table.fleet caption').innerText()).toMatch(/may be out of date$/);
    expect(await page.locator('#announcer').innerText()).toContain('The control plane is not answering');

    await page.unroute(/\/(tenants|deployments|health)(\/|\?|$)/);
    await page.getByRole('button', { name: 'Refresh now' }).click();
    await banner.waitFor({ state: 'detached' });
    expect(await caBadge.evaluate((element) => getComputedStyle(element).backgroundColor)).toBe(green);
    await page.context().close();
  });
});

describe('a tenant whose record breaks a rule', () => {
  it('shows the invalid field, the value given, the rule and the command that fixes it', async () => {
    const { page } = await open('/#/tenants/nv');
    const fix = page.locator('#tenant-page .usa-summary-box[data-field="desiredCount"]');
    await fix.waitFor();

    expect(await page.locator('#tenant-heading').innerText()).toMatch(/^Nevada\s+✕ Failed$/);
    expect(await fix.locator('dd').allInnerTexts()).toEqual(['11', 'desiredCount must be at most 10']);
    expect(await fix.locator('.fix p').innerText()).toBe(
      'Set desiredCount to 10, or another value that meets the rule (--count sets it in humangov tenant add):',
    );
    expect(await fix.locator('pre').innerText()).toBe(
      `aws dynamodb update-item --table-name humangov-test-tenants --key '{"tenantId":{"S":"nv"}}' --update-expression 'SET #field = :value' --expression-attribute-names '{"#field":"desiredCount"}' --expression-attribute-values '{":value":{"N":"10"}}'`,
    );
    await page.context().close();
  });
});

describe('a tenant’s history', () => {
  it('keeps each time and each execution id on one line at 1400 px', async () => {
    const { page } = await open('/#/tenants/wa');
    await page.locator('#tenant-page table.history').waitFor();
    const lines = await page.locator('table.history tbody tr').evaluateAll((rows) =>
      rows.map((row) => {
        const linesOf = (element: Element | null) =>
          element ? Math.round(element.getBoundingClientRect().height / parseFloat(getComputedStyle(element).lineHeight)) : 0;
        const when = row.children[0];
        const execution = row.children[4]?.querySelector('code') ?? null;
        return {
          relative: linesOf(when?.querySelector('time') ?? null),
          absolute: linesOf(when?.querySelector('.id') ?? null),
          execution: execution ? linesOf(execution) : 1,
        };
      }),
    );
    expect(await page.locator('table.history tbody code').count()).toBeGreaterThan(0);
    for (const line of lines) expect(line).toEqual({ relative: 1, absolute: 1, execution: 1 });
    expect(await page.locator('table.history tbody tr').first().locator('.id').innerText()).toMatch(
      /^[A-Z][a-z]{2} \d{1,2}, \d{4}, \d{1,2}:\d\d:\d\d [AP]M C[SD]T$/,
    );
    await page.context().close();
  });
});

describe('an operator action', () => {
  it('asks first, sends nothing when declined, and once confirmed runs the failed tenant’s onboarding again and says so', async () => {
    const { page, problems } = await open('/#/tenants/ny');
    const retry = page.getByRole('button', { name: 'Retry onboarding' });
    await retry.waitFor();

    const questions: string[] = [];
    page.once('dialog', (dialog) => void (questions.push(dialog.message()), dialog.dismiss()));
    await retry.click();
    await eventually(() => expect(questions).toHaveLength(1), WAIT);
    expect((await fleet.tenants.require('ny')).retryRequestedAt).toBeUndefined();

    page.once('dialog', (dialog) => void (questions.push(dialog.message()), dialog.accept()));
    await retry.click();
    await page.getByRole('region', { name: 'Actions' }).getByRole('status').filter({ hasText: 'Retry of' }).waitFor();

    expect(questions[1]).toMatch(/^Run the onboarding of .* \(ny\) again\?/);
    expect((await fleet.tenants.require('ny')).retryRequestedAt).toBeDefined();
    expect(problems).toEqual([]);
    await page.context().close();
  });
});

describe('changing a tenant', () => {
  it('shows what the API refuses at the field, in the form’s words, and saves a valid change without asking', async () => {
    const { page, problems } = await open('/#/tenants/ca');
    const form = page.getByRole('form', { name: 'Change this tenant' });
    const count = form.getByRole('textbox', { name: 'Desired tasks' });
    await count.waitFor();
    const questions: string[] = [];
    page.on('dialog', (dialog) => void (questions.push(dialog.message()), dialog.dismiss()));

    await count.fill('11');
    await form.getByRole('button', { name: 'Save changes' }).click();
    await form.getByText('Desired tasks must be at most 10').waitFor();
    expect(await count.getAttribute('aria-invalid')).toBe('true');
    expect((await focused(page)).id).toBe('change-desiredCount');
    // The problem is the field's description, so a screen reader reads it with the field.
    expect(
      await count.evaluate((input) =>
        input
          .getAttribute('aria-describedby')
          ?.split(' ')
          .map((id) => document.getElementById(id)?.textContent),
      ),
    ).toContain('Desired tasks must be at most 10');
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'tenant-change-refused-1400');
    // Nothing was written: the record still has no count of its own (the default, 2).
    expect((await fleet.tenants.require('ca')).desiredCount).toBeUndefined();

    await count.fill('3');
    await form.getByRole('textbox', { name: 'Display name' }).fill('California (North)');
    await form.getByRole('button', { name: 'Save changes' }).click();
    await page.getByRole('region', { name: 'Actions' }).getByRole('status').filter({ hasText: 'saved' }).waitFor();
    expect(await fleet.tenants.require('ca')).toMatchObject({ desiredCount: 3, displayName: 'California (North)' });
    expect(await form.getByRole('textbox', { name: 'Desired tasks' }).inputValue()).toBe('3');
    expect(questions).toEqual([]);
    expect(problems.filter((problem) => !/status of 400/.test(problem))).toEqual([]);
    await page.context().close();
  });
});
