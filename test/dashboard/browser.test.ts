/**
 * The dashboard in headless Chromium against a running status API (the real
 * handler, served by the local server, over dynalite): what a person on call
 * sees, and that it follows the table live, without a reload.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { eventually } from '../support/eventually.ts';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium, screenshot, watchProblems } from './support/browser.ts';
import { DEGRADED_REASON, FAILED_REASON, HOSTILE_NAME, ROLLBACK_ERROR, startDashboardFleet, type DashboardFleet } from './support/fleet.ts';
import type { HttpApiResult } from '../../src/api/http.ts';
import { apiEvent } from '../api/support.ts';
import { packageFunction } from '../support/lambda-bundle.ts';

const WAIT = { timeout: 10_000, interval: 100 };

describe('fleet dashboard in Chromium', () => {
  let fleet: DashboardFleet;
  let browser: Browser;
  let context: BrowserContext;

  beforeAll(async () => {
    [fleet, browser] = await Promise.all([startDashboardFleet(), launchChromium()]);
    context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  });
  afterAll(async () => {
    await browser?.close();
    await fleet?.close();
  });

  /** Opens the page and waits until both the fleet and the deployments have been read. */
  async function open(path = '/'): Promise<{ page: Page; problems: string[] }> {
    const page = await context.newPage();
    const problems = watchProblems(page);
    await page.goto(`${fleet.url}${path}`);
    await page.locator('#updated', { hasText: 'Updated' }).waitFor();
    return { page, problems };
  }

  const row = (page: Page, tenantId: string) => page.locator(`table.fleet tbody tr[data-tenant="${tenantId}"]`);
  const count = (page: Page, status: string) => page.locator(`#status-counts li[data-status="${status}"] .count`);

  it('shows every tenant with its name, a status badge in words, counts per status and the FAILED reason', async () => {
    const { page, problems } = await open();
    await eventually(async () => expect(await page.locator('table.fleet tbody tr').count()).toBe(7), WAIT);

    const table = page.getByRole('table', { name: '7 tenants' });
    for (const heading of ['Tenant', 'Status', 'Desired', 'Endpoint', 'Image', 'Healthy targets', 'Zones', 'Last change']) {
      expect(await table.getByRole('columnheader', { name: new RegExp(`^${heading}\\b`) }).count()).toBe(1);
    }
    expect(await row(page, 'ca').getByRole('rowheader').innerText()).toContain('California');
    expect(await row(page, 'ca').locator('.badge').innerText()).toContain('Active');
    expect(await row(page, 'ca').getByRole('link', { name: 'http://ca.localhost:8080' }).getAttribute('href')).toBe('http://ca.localhost:8080/');
    expect(await row(page, 'ca').innerText()).toMatch(/v1\.1\.0\s+bbbbbbbbbbbb/);
    expect(await row(page, 'ca').innerText()).toContain('2/2');
    expect(await row(page, 'ca').innerText()).toContain('us-east-1a, us-east-1b');
    expect(await row(page, 'ny').locator('.badge').innerText()).toContain('Failed');
    expect(await row(page, 'ny').innerText()).toContain(FAILED_REASON);
    expect(await row(page, 'wa').innerText()).toContain(DEGRADED_REASON);
    expect(await row(page, 'fl').locator('.badge').innerText()).toContain('New');
    expect(await row(page, 'tx').getByRole('rowheader').innerText()).toMatch(/^Texas\s*canary/i);
    expect(await page.locator('table.fleet .usa-tag.canary').count()).toBe(1);
    // By name: a row stays where it is while statuses change; a person may sort by status.
    expect(await page.locator('table.fleet tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-tenant')))).toEqual([
      'oh',
      'ca',
      'fl',
      'nv',
      'ny',
      'tx',
      'wa',
    ]);

    expect({
      all: await count(page, 'ALL').innerText(),
      failed: await count(page, 'FAILED').innerText(),
      degraded: await count(page, 'DEGRADED').innerText(),
      active: await count(page, 'ACTIVE').innerText(),
      new: await count(page, 'NEW').innerText(),
    }).toEqual({
      all: '7',
      failed: '2',
      degraded: '1',
      active: '3',
      new: '1',
    });
    expect(await page.title()).toBe('HumanGov fleet — 2 failed, 1 degraded');
    await screenshot(page, 'fleet');
    expect(problems).toEqual([]);
    await page.close();
  });

  it('filters the fleet by status with a labelled control', async () => {
    const { page } = await open();
    await page.getByLabel('Show').selectOption('FAILED');
    await eventually(
      async () =>
        expect(await page.locator('table.fleet tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-tenant')))).toEqual(['nv', 'ny']),
      WAIT,
    );
    expect(await page.locator('table.fleet caption').innerText()).toBe('2 of 7 tenants: Failed');
    await page.close();
  });

  it('shows markup in a display name as text, and never runs it', async () => {
    const { page, problems } = await open();
    expect(await row(page, 'oh').getByRole('rowheader').getByRole('link').innerText()).toBe(HOSTILE_NAME);
    expect(await page.locator('table.fleet img, table.fleet script').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(problems).toEqual([]);
    await page.close();
  });

  it('shows deployments newest first, each with its image, status, times and per-tenant progress by wave', async () => {
    const { page } = await open();
    const cards = page.locator('#deployments .timeline > li');
    await eventually(async () => expect(await cards.locator('.stages').count()).toBe(2), WAIT);
    expect(await cards.evaluateAll((items) => items.map((item) => item.getAttribute('data-deployment')))).toEqual([
      fleet.deploymentIds.newer,
      fleet.deploymentIds.older,
    ]);

    const newer = cards.first();
    expect(await newer.getByRole('heading', { level: 3 }).innerText()).toMatch(/^v1\.1\.0\s+bbbbbbbbbbbb\s+Failed$/);
    expect(await newer.innerText()).toMatch(/Started 30 min ago · ended 21 min ago · took 9 min/);
    expect(await newer.locator('.progress').innerText()).toBe('2 succeeded · 1 rolled back · 1 skipped — failures passed the threshold (1 > 0)');
    const stages = await newer
      .locator('.stages > li')
      .evaluateAll((items) =>
        items.map((item) => [
          item.querySelector('.stage')?.textContent,
          Array.from(item.querySelectorAll('.chip')).map((chip) => `${chip.getAttribute('data-tenant')}:${chip.getAttribute('data-outcome')}`),
        ]),
      );
    expect(stages).toEqual([
      ['Canary', ['tx:SUCCEEDED']],
      ['Wave 1', ['ca:SUCCEEDED', 'oh:SKIPPED', 'wa:ROLLED_BACK']],
    ]);
    expect(await newer.locator('.chip[data-tenant="wa"]').innerText()).toContain('wa rolled back');
    expect(await newer.locator('.problems').innerText()).toBe(`wa rolled back: ${ROLLBACK_ERROR}`);
    expect(await cards.nth(1).getByRole('heading', { level: 3 }).innerText()).toMatch(/^v1\.0\.0\s+aaaaaaaaaaaa\s+Succeeded$/);
    await page.close();
  });

  it('opens a tenant page from the keyboard, with its history, resources and last verification', async () => {
    const { page, problems } = await open();
    await row(page, 'wa').getByRole('link', { name: 'Washington' }).focus();
    await page.keyboard.press('Enter');
    await page.locator('#tenant-page dl').waitFor();
    expect(page.url()).toBe(`${fleet.url}/#/tenants/wa`);
    // Focus follows the route, so a screen reader starts at the new page's heading.
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('tenant-heading');
    expect(await page.getByRole('heading', { level: 2 }).filter({ visible: true }).innerText()).toMatch(/^Washington\s+! Degraded$/);

    const history = page.getByRole('table', { name: 'Transitions, newest first' });
    const transitions = await history.locator('tbody tr').evaluateAll((rows) =>
      rows.map((r) =>
        Array.from(r.children)
          .slice(1, 4)
          .map((cell) => cell.textContent?.trim()),
      ),
    );
    expect(transitions).toEqual([
      ['Active', '! Degraded', DEGRADED_REASON],
      ['Provisioning', '✓ Active', 'verified: 2 of 2 targets healthy in 2 zones'],
      ['New', '↻ Provisioning', 'onboarding started'],
    ]);
    const verification = page.locator('section[aria-labelledby="verification-heading"]');
    // Seeded a moment ago; on a loaded machine the page may render it seconds later.
    expect(await verification.innerText()).toMatch(/Checked (just now|\d+ s ago): 1\/2 targets healthy in us-east-1a\./);
    expect(await verification.innerText()).toContain('healthy targets span 1 zone(s); at least 2 are required');
    const resources = page.getByRole('table', { name: /made for this tenant/ });
    expect(await resources.getByRole('row', { name: /tableName/ }).innerText()).toContain('humangov-test-wa');
    const rollouts = page.getByRole('table', { name: /deployments/i });
    expect(await rollouts.locator('tbody tr').first().innerText()).toMatch(/v1\.1\.0 @ bbbbbbbbbbbb\s+↩ rolled back\s+GET \/health/);
    await screenshot(page, 'tenant-wa');

    await page.getByRole('link', { name: '← All tenants' }).click();
    await page.locator('#overview:not([hidden])').waitFor();
    expect(problems).toEqual([]);
    await page.close();
  });

  it('opens a tenant page from GET /?tenant=ny, with the FAILED reason', async () => {
    const { page } = await open('/?tenant=ny');
    await page.locator('#tenant-page dl').waitFor();
    expect(await page.locator('#tenant-page .reason').first().innerText()).toBe(FAILED_REASON);
    expect(await page.title()).toBe('New York — HumanGov fleet');
    await page.close();
  });

  it('follows the table live: a tenant that fails changes its badge and the counts, without a reload', async () => {
    const { page, problems } = await open();
    await eventually(async () => expect(await row(page, 'ca').locator('.badge').innerText()).toContain('Active'), WAIT);
    let navigations = 0;
    page.on('framenavigated', () => navigations++);
    await page.evaluate(() => Object.assign(window, { __samePage: true }));
    await screenshot(page, 'live-before');

    await fleet.tenants.transition('ca', 'FAILED', { reason: 'verification failed: 0 of 2 targets healthy' });

    await eventually(async () => expect(await row(page, 'ca').locator('.badge').innerText()).toContain('Failed'), WAIT);
    expect(await row(page, 'ca').innerText()).toContain('verification failed: 0 of 2 targets healthy');
    expect({ failed: await count(page, 'FAILED').innerText(), active: await count(page, 'ACTIVE').innerText() }).toEqual({ failed: '3', active: '2' });
    expect(await page.locator('#announcer').innerText()).toBe('California is now Failed.');
    expect(await page.evaluate(() => (window as unknown as { __samePage?: boolean }).__samePage)).toBe(true);
    expect(navigations).toBe(0);
    await screenshot(page, 'live-after');
    expect(problems).toEqual([]);
    await page.close();
  });

  it('stops polling while the tab is hidden and reads again as soon as it is shown', async () => {
    const page = await context.newPage();
    // The page's clock is under the test's control: five seconds pass when the test says so.
    await page.clock.install();
    let reads = 0;
    page.on('request', (request) => {
      if (new URL(request.url()).pathname === '/tenants') reads++;
    });
    await page.goto(`${fleet.url}/`);
    await page.locator('#updated', { hasText: 'Updated' }).waitFor();
    await page.clock.runFor(5_000);
    await eventually(() => expect(reads).toBe(2), WAIT);

    await setVisibility(page, 'hidden');
    expect(await page.locator('#updated').innerText()).toContain('Paused while this tab is hidden');
    await page.clock.runFor(60_000);
    expect(reads).toBe(2);

    await setVisibility(page, 'visible');
    await eventually(() => expect(reads).toBe(3), WAIT);
    await page.close();
  });

  it('serves the same working dashboard from the minified Lambda bundle AWS runs', async () => {
    const paths = ['/', '/dashboard/app.js', '/dashboard/app.css'];
    const api = await packageFunction('functions/api.ts');
    // What serverless.yml sets; nothing here reaches AWS, the dashboard's routes read no table.
    const results = await api
      .invoke(
        paths.map((path) => apiEvent('GET', path)),
        { TENANTS_TABLE: 'humangov-bundle-tenants', DEPLOYMENTS_TABLE: 'humangov-bundle-deployments' },
      )
      .finally(() => api.remove());
    const answers = Object.fromEntries(
      paths.map((path, i) => {
        const result = results[i]!;
        if (!result.ok) throw new Error(`the bundle failed GET ${path}: ${result.errorType}: ${result.errorMessage}`);
        return [path, result.value as HttpApiResult];
      }),
    );
    expect(answers['/']?.headers['content-security-policy']).toContain("script-src 'self'");
    const page = await context.newPage();
    const problems = watchProblems(page);
    // The page and its assets as the bundle answers them; the JSON still comes from the running API.
    await page.route(/\/(\?.*)?$|\/dashboard\/app\.(js|css)/, (route) => {
      const answer = answers[new URL(route.request().url()).pathname];
      return answer ? route.fulfill({ status: answer.statusCode, headers: answer.headers, body: answer.body }) : route.fallback();
    });
    await page.goto(`${fleet.url}/`);
    await eventually(async () => expect(await page.locator('table.fleet tbody tr').count()).toBe(7), WAIT);
    await eventually(async () => expect(await page.locator('#deployments .chip').count()).toBe(7), WAIT);
    expect(await row(page, 'ny').innerText()).toContain(FAILED_REASON);
    expect(problems).toEqual([]);
    await page.close();
  });
});

/** What the browser does when the tab goes to the background or comes back. */
async function setVisibility(page: Page, state: 'hidden' | 'visible'): Promise<void> {
  await page.evaluate((value) => {
    Object.defineProperty(document, 'visibilityState', { value, configurable: true });
    document.dispatchEvent(new Event('visibilitychange'));
  }, state);
}
