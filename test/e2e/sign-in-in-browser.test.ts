/**
 * Local sign-in end to end, in headless Chromium: each tenant is routed by the onboarding's own
 * routing step (its listener rule, and for a state without an IdP of its own, its app client and
 * group in the local user pool); the local load balancer runs the OIDC code flow with the rule's
 * IdP (the local identity provider, or a second provider playing a state's own, whose client
 * secret is read from the local Secrets Manager) and forwards the header it signs; the app (the
 * real one, configured as a tenant's task is) fetches the load balancer's key from its key
 * endpoint and lets in only its own state's staff.
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
import { CreateSecretCommand } from '@aws-sdk/client-secrets-manager';
import type { Cloud } from '../../src/cloud/ports.ts';
import { LocalIdentityProvider } from '../../src/local/identity/local-idp.ts';
import { LOCAL_STAFF_PASSWORD, type StaffMember } from '../../src/local/identity/staff.ts';
import { LocalStaffPool } from '../../src/local/identity/staff-pool.ts';
import { LocalSecretsManager } from '../../src/local/secrets/local-secrets-manager.ts';
import type { IdentityProvider } from '../../src/tenants/schema.ts';
import type { TenantRepository } from '../../src/tenants/repository.ts';
import { networkSteps } from '../../src/workflows/tenant/network.ts';
import { InMemoryMetrics } from '../../src/local/metrics.ts';
import { launchChromium } from '../dashboard/support/browser.ts';
import { viaLoadBalancer } from './support.ts';

let home: string;
let aws: LocalAws;
let idp: LocalIdentityProvider;
/** New Mexico's own IdP ("New Mexico Okta"), with staff of its own that the local identity provider does not know. */
let nmOkta: LocalIdentityProvider;
let pool: LocalStaffPool;
let secrets: LocalSecretsManager;
let lb: LocalLoadBalancer;
let browser: Browser;
const apps: FastifyInstance[] = [];

const NM_STAFF: StaffMember[] = [{ username: 'rosa.nm', name: 'Rosa Baca', email: 'rosa.baca@nm.example.gov', groups: [] }];
const NM_CLIENT = { clientId: 'humangov-nm', clientSecret: 'nm-okta-client-secret-0123456789abcdef' };

async function serveTenant(tenantId: string, usState: string, identityProvider?: IdentityProvider): Promise<void> {
  const storage = await createTenantStorage(aws);
  const config = testConfig(aws, storage, {
    tenantId,
    usState,
    // What the control plane puts in a tenant's task environment (src/workflows/tenant/task-environment.ts).
    signIn: identityProvider
      ? {
          loadBalancerArn: lb.loadBalancerArn,
          issuer: identityProvider.issuer,
          group: undefined,
          publicKeyEndpoint: lb.publicKeyEndpoint,
          signOutUrl: undefined,
        }
      : { loadBalancerArn: lb.loadBalancerArn, issuer: idp.issuer, group: tenantId, publicKeyEndpoint: lb.publicKeyEndpoint, signOutUrl: idp.signOutUrl },
  });
  const clients = aws.clientsFor(config);
  const app = await buildApp(config, { aws: clients, logger: false, assets: await testAssets() });
  await app.listen({ port: 0, host: '127.0.0.1' });
  apps.push(app);
  // The onboarding's routing step, on the local load balancer and user pool, for a record that names its IdP or not.
  const cloud = { platform: { stage: 'local', accountId: '000000000000', signIn: { loadBalancerArn: lb.loadBalancerArn } }, loadBalancer: lb, staffPool: pool };
  const steps = networkSteps({
    cloud: cloud as unknown as Cloud,
    tenants: { require: async () => ({ tenantId, ...(identityProvider ? { identityProvider } : {}) }) } as unknown as TenantRepository,
    releases: { currentRelease: async () => undefined, rollingOut: async () => undefined },
    now: () => new Date(),
    metrics: new InMemoryMetrics(),
  });
  const { targetGroupArn } = await steps.ensureRouting({ action: 'ensureRouting', tenantId, executionId: `onboard-${tenantId}` });
  await lb.registerTarget(targetGroupArn, { id: tenantId, host: '127.0.0.1', port: (app.server.address() as AddressInfo).port, zone: 'us-east-1a' });
}

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'hg-sign-in-'));
  [aws, browser] = await Promise.all([startLocalAws(), launchChromium()]);
  pool = new LocalStaffPool({ home, stage: 'local' });
  await pool.load();
  secrets = new LocalSecretsManager({ home, region: 'us-east-1', accountId: '000000000000' });
  idp = new LocalIdentityProvider({
    port: 0,
    clients: (clientId) => {
      const client = pool.client(clientId);
      return client && { clientId: client.clientId, clientSecret: client.clientSecret, redirectUris: client.callbackUrls };
    },
    groupExists: (group) => pool.hasGroup(group),
  });
  await idp.start();
  const signIn = new LocalSignIn({
    poolIssuer: () => idp.issuer,
    poolClient: (clientId) => pool.client(clientId),
    secretValue: (arn) => secrets.currentValue(arn),
    loadBalancerArn: () => lb.loadBalancerArn,
  });
  lb = new LocalLoadBalancer({ home, port: 0, signIn, healthCheck: { intervalMs: 200 }, log: () => undefined });
  await lb.start();
  nmOkta = new LocalIdentityProvider({
    port: 0,
    staff: NM_STAFF,
    title: 'New Mexico Okta',
    clients: (clientId) =>
      clientId === NM_CLIENT.clientId ? { ...NM_CLIENT, redirectUris: [`http://nm.localhost:${lb.port}/oauth2/idpresponse`] } : undefined,
  });
  await nmOkta.start();
  const { ARN } = (await secrets.send(new CreateSecretCommand({ Name: 'humangov/local/idp/nm', SecretString: NM_CLIENT.clientSecret }))) as { ARN: string };
  await Promise.all([
    serveTenant('ca', 'California'),
    serveTenant('tx', 'Texas'),
    serveTenant('nm', 'New Mexico', { issuer: nmOkta.issuer, clientId: NM_CLIENT.clientId, clientSecretArn: ARN }),
  ]);
  // Every tenant healthy behind the load balancer before anyone signs in.
  for (const tenantId of ['ca', 'tx', 'nm']) {
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
  await nmOkta?.close();
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

  it("signs a state's staff in with the state's own IdP, which its record names, and refuses the local identity provider's staff there", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();

    await page.goto(`http://nm.localhost:${lb.port}/employees`);
    const okta = new URL(page.url()).origin;
    await expect(page.getByText('New Mexico Okta').isVisible()).resolves.toBe(true);
    await page.getByLabel('User name').fill('maria.ca');
    await page.getByLabel('Password').fill(LOCAL_STAFF_PASSWORD);
    const [refused] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), page.getByRole('button', { name: 'Sign in' }).click()]);
    const refusedText = await page.locator('body').innerText();
    await page.getByLabel('User name').fill('rosa.nm');
    await page.getByLabel('Password').fill(LOCAL_STAFF_PASSWORD);
    await Promise.all([page.waitForURL(`http://nm.localhost:${lb.port}/employees`), page.getByRole('button', { name: 'Sign in' }).click()]);
    const atNm = await page.locator('body').innerText();
    await context.close();

    expect(okta).toBe(nmOkta.issuer);
    expect(refused.status()).toBe(401);
    expect(refusedText).toContain('That user name and password do not match');
    expect(atNm).toContain('Signed in as Rosa Baca');
    expect(atNm).toContain('State of New Mexico');
  });

  it("refuses at a state with its own IdP a person the local identity provider signed in, even with that person's session", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`http://ca.localhost:${lb.port}/employees`);
    await page.getByLabel('User name').fill('maria.ca');
    await page.getByLabel('Password').fill(LOCAL_STAFF_PASSWORD);
    await Promise.all([page.waitForURL(`http://ca.localhost:${lb.port}/employees`), page.getByRole('button', { name: 'Sign in' }).click()]);
    const [session] = (await context.cookies(`http://ca.localhost:${lb.port}`)).filter((cookie) => cookie.name === 'AWSELBAuthSessionCookie-0');
    await context.close();

    const replayed = await viaLoadBalancer(`http://127.0.0.1:${lb.port}`, 'nm', '/employees', {
      headers: { cookie: `AWSELBAuthSessionCookie-0=${session?.value}` },
    });

    expect(session?.value).toBeTruthy();
    expect(replayed.status).toBe(302);
    expect(replayed.headers.location).toContain(`${nmOkta.issuer}/auth?`);
  });

  it('does not serve unsigned a tenant whose rule records no sign-in (made by an older version), and says how to route it again', async () => {
    const { arn } = await lb.ensureTargetGroup({ name: 'hg-local-wa', tags: {} });
    await lb.ensureListenerRule({ tenantId: 'wa', host: lb.hostFor('wa'), targetGroupArn: arn, tags: {} });

    const response = await viaLoadBalancer(`http://127.0.0.1:${lb.port}`, 'wa', '/employees');

    expect(response.status).toBe(503);
    expect(response.body).toContain('humangov tenant remove wa --wait, then humangov tenant restore wa --wait');
  });
});
