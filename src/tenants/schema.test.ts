import { describe, expect, it } from '@jest/globals';
import { parseUserFields, tenantSpec } from './schema.ts';
import { InvalidTenantError } from './errors.ts';

describe('parseUserFields', () => {
  it('accepts a record with nothing but a tenant id, and fills the defaults', () => {
    expect(tenantSpec(parseUserFields({ tenantId: 'ny' }))).toEqual({
      tenantId: 'ny',
      displayName: 'New York',
      desiredState: 'ACTIVE',
      desiredCount: 2,
      purgeData: false,
      canary: false,
    });
  });

  it('keeps what the user wrote over the defaults', () => {
    const spec = tenantSpec(parseUserFields({ tenantId: 'demo', displayName: 'Demo', desiredCount: 3, desiredState: 'DELETED', purgeData: true }));
    expect(spec).toMatchObject({ displayName: 'Demo', desiredCount: 3, desiredState: 'DELETED', purgeData: true });
  });

  it('names every problem of a record at once, field by field', () => {
    const attempt = () => parseUserFields({ tenantId: 'CA', desiredCount: 11, desiredState: 'GONE', purgeData: 'yes' });
    expect(attempt).toThrow(InvalidTenantError);
    try {
      attempt();
    } catch (error) {
      const message = (error as Error).message;
      expect(message).toContain('tenantId: tenantId "CA" must start with a lowercase letter');
      expect(message).toContain('desiredCount: desiredCount must be at most 10');
      expect(message).toContain('desiredState: desiredState must be one of ACTIVE, DELETED');
      expect(message).toContain('purgeData: purgeData must be true or false');
    }
  });

  it('rejects what is not an object with an example of what is', () => {
    expect(() => parseUserFields('ca')).toThrow('a tenant must be a JSON object such as {"tenantId": "ca"}');
    expect(() => parseUserFields(null)).toThrow(InvalidTenantError);
  });

  it('rejects a fractional or zero count', () => {
    expect(() => parseUserFields({ tenantId: 'ca', desiredCount: 1.5 })).toThrow('desiredCount must be a whole number');
    expect(() => parseUserFields({ tenantId: 'ca', desiredCount: 0 })).toThrow('desiredCount must be at least 1');
  });
});
