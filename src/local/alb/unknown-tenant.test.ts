/**
 * The page a person gets at a host no tenant is served at, from the local load balancer and from
 * the ALB's default fixed response in serverless.yml, opened in Chromium and checked by axe-core.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser, Page } from 'playwright-core';
import { parseDocument } from 'yaml';
import { axeViolations } from '../../../test/dashboard/support/accessibility.ts';
import { launchChromium, screenshot, watchProblems, WIDTHS } from '../../../test/dashboard/support/browser.ts';
import { LocalLoadBalancer } from './local-load-balancer.ts';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const FOLDER = join(root, 'test-results', 'load-balancer');

let home: string;
let lb: LocalLoadBalancer;
let browser: Browser;

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'humangov-alb-page-'));
  lb = new LocalLoadBalancer({ home, port: 0, log: () => undefined });
  [, browser] = await Promise.all([lb.start(), launchChromium()]);
  lb.showFleetAt('http://127.0.0.1:3000/');
});

afterAll(async () => {
  await browser?.close();
  await lb?.close();
  await rm(home, { recursive: true, force: true });
});

interface FixedResponse {
  StatusCode: string;
  ContentType: string;
  MessageBody: string;
}

/** Both listeners' default actions as CloudFormation gets them (the HTTP one when no certificate is given). */
async function defaultFixedResponses(): Promise<FixedResponse[]> {
  // CloudFormation's short-form tags (!If, !Ref) are not YAML's: read past them, the listeners' bodies are plain values.
  const template = parseDocument(await readFile(join(root, 'serverless.yml'), 'utf8')).toJS() as {
    resources: { Resources: Record<string, { Properties: { DefaultActions: unknown } }> };
  };
  const found: FixedResponse[] = [];
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(visit);
    else if (typeof value === 'object' && value !== null) {
      if ('FixedResponseConfig' in value) found.push(value.FixedResponseConfig as FixedResponse);
      else Object.values(value).forEach(visit);
    }
  };
  for (const name of ['HttpListener', 'HttpsListener']) visit(template.resources.Resources[name]?.Properties.DefaultActions);
  return found;
}

async function openAt(url: string, width: (typeof WIDTHS)[number], body?: FixedResponse): Promise<{ page: Page; problems: string[] }> {
  const context = await browser.newContext({ viewport: { width: width.width, height: width.height } });
  const page = await context.newPage();
  const problems = watchProblems(page);
  if (body) await page.route('**/*', (route) => route.fulfill({ status: Number(body.StatusCode), contentType: body.ContentType, body: body.MessageBody }));
  await page.goto(url);
  return { page, problems: problems.filter((problem) => !problem.includes('status of 404')) };
}

describe('the local load balancer, at a host no tenant is served at', () => {
  it('names the host asked for, says where tenants are, and links to the fleet, with no axe violation at either width', async () => {
    for (const width of WIDTHS) {
      const { page, problems } = await openAt(`http://nowhere.localhost:${lb.port}/employees`, width);
      expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('No HumanGov tenant is served at this address');
      expect(await page.locator('main').innerText()).toContain(`received a request for nowhere.localhost:${lb.port}`);
      expect(await page.locator('main').innerText()).toContain(`<tenant id>.localhost:${lb.port}`);
      expect(await page.getByRole('link', { name: 'See the fleet dashboard' }).getAttribute('href')).toBe('http://127.0.0.1:3000/');
      expect([...(await axeViolations(page)), ...problems]).toEqual([]);
      await screenshot(page, `unknown-tenant-local-${width.width}`, FOLDER);
      await page.context().close();
    }
  });
});

describe("the ALB's answer at a host no tenant is served at (serverless.yml)", () => {
  it('is one HTML page on both listeners, a 404 within the 1,024 characters a fixed response may hold', async () => {
    const responses = await defaultFixedResponses();
    expect(responses).toHaveLength(2);
    expect(responses[1]).toEqual(responses[0]);
    expect(responses[0]).toMatchObject({ StatusCode: '404', ContentType: 'text/html' });
    expect(responses[0]?.MessageBody.length).toBeLessThanOrEqual(1024);
  });

  it('names the host asked for and links nowhere internal, with no axe violation at either width', async () => {
    const [response] = await defaultFixedResponses();
    for (const width of WIDTHS) {
      const { page, problems } = await openAt('http://nowhere.tenants.example.gov/employees', width, response);
      expect(await page.locator('main').innerText()).toContain('received a request for nowhere.tenants.example.gov');
      expect(await page.locator('a[href]').count()).toBe(0);
      expect([...(await axeViolations(page)), ...problems]).toEqual([]);
      await screenshot(page, `unknown-tenant-aws-${width.width}`, FOLDER);
      await page.context().close();
    }
  });
});
