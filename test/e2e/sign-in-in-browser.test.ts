/**
 * Local sign-in end to end, in headless Chromium: the local load balancer runs the OIDC code flow
 * against the local identity provider and forwards the header it signs; the app (the real one,
 * configured as a tenant's task is) fetches the load balancer's key from its key endpoint and lets
 * in only its own state's staff.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser } from 'playwright-core';
import { startLocalAws } from '../../app/test/support/local-aws.ts';
import type { LocalAws } from '../../app/test/support/local-aws.ts';
import { createTenantStorage, testAssets, testConfig } from '../../app/test/support/test-app.ts';
import { buildApp } from '../../app/src/app.ts';
import type { FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import { LocalLoadBalancer } from '../../src/local/alb/local-load-balancer.ts';
import { LocalSignIn } from '../../src/local/alb/sign-in.ts';
import { LocalIdentityProvider } from '../../src/local/identity/local-idp.ts';
import { LOCAL_STAFF_PASSWORD } from '../../src/local/identity/staff.ts';
import { launchChromium } from '../dashboard/support/browser.ts';
import { viaLoadBalancer } from './support.ts';

let home: string;
let aws: LocalAws;
let idp: LocalIdentityProvider;
let lb: LocalLoadBalancer;
let browser: Browser;
const apps: FastifyInstance[] = [];

async function serveTenant(tenantId: string, usState: string): Promise<void> {
  const storage = await createTenantStorage(aws);
  const config = testConfig(aws, storage, {
    tenantId,
    usState,
    // What the control plane puts in a tenant's task environment.
    signIn: { loadBalancerArn: lb.loadBalancerArn, issuer: idp.issuer, group: tenantId, publicKeyEndpoint: lb.publicKeyEndpoint, signOutUrl: idp.signOutUrl },
  });
  const clients = aws.clientsFor(config);
  const app = await buildApp(config, { aws: clients, logger: false, assets: await testAssets() });
  await app.listen({ port: 0, host: '127.0.0.1' });
  apps.push(app);
  const { arn } = await lb.ensureTargetGroup({ name: `hg-local-${tenantId}`, tags: {} });
  await lb.ensureListenerRule({ tenantId, host: lb.hostFor(tenantId), targetGroupArn: arn, tags: {} });
  await lb.registerTarget(arn, { id: tenantId, host: '127.0.0.1', port: (app.server.address() as AddressInfo).port, zone: 'us-east-1a' });
}

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'hg-sign-in-'));
  [aws, browser] = await Promise.all([startLocalAws(), launchChromium()]);
  let lbPort = 0;
  idp = new LocalIdentityProvider({ port: 0, loadBalancerPort: () => lbPort });
  await idp.start();
  const signIn = new LocalSignIn({ client: () => idp.client, loadBalancerArn: () => lb.loadBalancerArn });
  lb = new LocalLoadBalancer({ home, port: 0, signIn, healthCheck: { intervalMs: 200 }, log: () => undefined });
  await lb.start();
  lbPort = lb.port;
  await Promise.all([serveTenant('ca', 'California'), serveTenant('tx', 'Texas')]);
  // Both tenants healthy behind the load balancer before anyone signs in.
  for (const tenantId of ['ca', 'tx']) {
    for (let i = 0; (await lb.probeHealth(tenantId)).status !== 200; i++) {
      if (i > 100) throw new Error(`${tenantId} never became healthy`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await Promise.all(apps.map((app) => app.close()));
  await lb?.close();
  await idp?.close();
  await aws?.stop();
  if (home) await rm(home, { recursive: true, force: true });
});

describe('signing in through the local load balancer', () => {
  it('signs a Californian in to ca, and Texas refuses the same person', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();

    await page.goto(`http://ca.localhost:${lb.port}/employees`);
    await expect(page.getByRole('heading', { name: 'Sign in to HumanGov' }).isVisible()).resolves.toBe(true);
    await page.getByLabel('User name').fill('maria.ca');
    await page.getByLabel('Password').fill(LOCAL_STAFF_PASSWORD);
    await Promise.all([page.waitForURL(`http://ca.localhost:${lb.port}/employees`), page.getByRole('button', { name: 'Sign in' }).click()]);
    const atCa = await page.locator('body').innerText();

    const atTx = await page.goto(`http://tx.localhost:${lb.port}/employees`);
    const txText = await page.locator('body').innerText();
    await context.close();

    expect(atCa).toContain('Signed in as María García');
    expect(atCa).toContain('State of California');
    expect(atTx?.status()).toBe(403);
    expect(txText).toContain('You are signed in as María García, who is not on the staff of the State of Texas');
  });

  it('refuses a wrong password on the login page and forwards nothing to the app', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();

    await page.goto(`http://ca.localhost:${lb.port}/`);
    await page.getByLabel('User name').fill('maria.ca');
    await page.getByLabel('Password').fill('guess');
    const response = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), page.getByRole('button', { name: 'Sign in' }).click()]);
    const text = await page.locator('body').innerText();
    await context.close();

    expect(response[0].status()).toBe(401);
    expect(text).toContain('That user name and password do not match');
  });

  it('drops an x-amzn-oidc-data header a client forges: the request is sent to sign in, not forwarded', async () => {
    const response = await viaLoadBalancer(`http://127.0.0.1:${lb.port}`, 'ca', '/api/employees', { headers: { 'x-amzn-oidc-data': 'forged' } });

    expect(response.status).toBe(302);
    expect(response.headers.location).toContain(`${idp.issuer}/auth?`);
  });
});
