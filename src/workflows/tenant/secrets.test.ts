import { describe, expect, it } from '@jest/globals';
import { FakeCloud } from '../../../test/support/fake-cloud.ts';
import type { TenantRepository } from '../../tenants/repository.ts';
import type { StepDeps } from '../deps.ts';
import { secretSteps } from './secrets.ts';
import { tenantCsrfSecret } from './task-environment.ts';
import { InMemoryMetrics } from '../../../src/local/metrics.ts';

const input = (tenantId: string, action: string) => ({ tenantId, executionId: 'exec-1', action });

function setup() {
  const cloud = new FakeCloud();
  const deps: StepDeps = {
    cloud,
    tenants: {} as TenantRepository,
    releases: { currentRelease: async () => undefined, rollingOut: async () => undefined },
    now: () => new Date(),
    metrics: new InMemoryMetrics(),
  };
  return { cloud, steps: secretSteps(deps) };
}

describe('tenant secret steps', () => {
  it("ensureTenantSecrets stores the tenant's CSRF key, derived from the stack secret, under its own name, tagged, and returns its ARN", async () => {
    const { cloud, steps } = setup();

    const { csrfSecretArn } = await steps.ensureTenantSecrets(input('ca', 'ensureTenantSecrets'));

    const stored = cloud.secrets.items.get('humangov/test/tenants/ca/csrf');
    expect(stored?.arn).toBe(csrfSecretArn);
    expect(stored?.value).toBe(tenantCsrfSecret(cloud.secrets.stackValue, 'ca'));
    expect(stored?.tags).toMatchObject({ 'humangov:tenant': 'ca', 'humangov:stage': 'test' });
  });

  it('run twice, makes one secret with one version', async () => {
    const { cloud, steps } = setup();

    await steps.ensureTenantSecrets(input('ca', 'ensureTenantSecrets'));
    await steps.ensureTenantSecrets(input('ca', 'ensureTenantSecrets'));

    expect(cloud.script.created.secret).toBe(1);
    expect(cloud.secrets.items.get('humangov/test/tenants/ca/csrf')?.versions).toBe(1);
  });

  it('gives every tenant a different key, and no tenant the stack secret', async () => {
    const { cloud, steps } = setup();

    await steps.ensureTenantSecrets(input('ca', 'ensureTenantSecrets'));
    await steps.ensureTenantSecrets(input('ny', 'ensureTenantSecrets'));

    const ca = cloud.secrets.items.get('humangov/test/tenants/ca/csrf')!.value;
    const ny = cloud.secrets.items.get('humangov/test/tenants/ny/csrf')!.value;
    expect(ca).not.toBe(ny);
    expect([ca, ny]).not.toContain(cloud.secrets.stackValue);
  });

  it('removeTenantSecrets deletes the secret, and a second run finds nothing to do', async () => {
    const { cloud, steps } = setup();
    await steps.ensureTenantSecrets(input('ca', 'ensureTenantSecrets'));

    await steps.removeTenantSecrets(input('ca', 'removeTenantSecrets'));
    await steps.removeTenantSecrets(input('ca', 'removeTenantSecrets'));

    expect(cloud.secrets.items.has('humangov/test/tenants/ca/csrf')).toBe(false);
    expect(cloud.script.deleted.secret).toBe(1);
  });
});
