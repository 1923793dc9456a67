import { describe, expect, it } from '@jest/globals';
import { StepConfigurationError } from './errors.ts';
import { tenantCsrfSecret } from './task-environment.ts';

const SEED = 'seed-0123456789abcdef0123456789abcdef';

describe('tenantCsrfSecret', () => {
  it('is the same for a tenant every time, so a new task revision accepts tokens issued by the old one', () => {
    expect(tenantCsrfSecret(SEED, 'ca')).toBe(tenantCsrfSecret(SEED, 'ca'));
    expect(tenantCsrfSecret(SEED, 'ca')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('differs between tenants and between seeds', () => {
    expect(tenantCsrfSecret(SEED, 'ca')).not.toBe(tenantCsrfSecret(SEED, 'ny'));
    expect(tenantCsrfSecret(`${SEED}x`, 'ca')).not.toBe(tenantCsrfSecret(SEED, 'ca'));
  });

  it('refuses a missing or short seed, naming the variable to set', () => {
    expect(() => tenantCsrfSecret(undefined, 'ca')).toThrow(StepConfigurationError);
    expect(() => tenantCsrfSecret('short', 'ca')).toThrow(/CSRF_SECRET_SEED must be set/);
  });
});
