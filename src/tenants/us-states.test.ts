import { describe, expect, it } from '@jest/globals';
import { labelled } from '../../test/support/labelled.ts';
import { defaultDisplayName, US_STATE_CODES, usStateName } from './us-states.ts';
import { tenantIdProblem } from './tenant-id.ts';

describe('US states and territories', () => {
  it('knows the 50 states, DC and the five inhabited territories', () => {
    expect(US_STATE_CODES).toHaveLength(56);
  });

  it('names a state by postal code and by slug', () => {
    expect(usStateName('ca')).toBe('California');
    expect(usStateName('new-york')).toBe('New York');
    expect(usStateName('district-of-columbia')).toBe('District of Columbia');
    expect(usStateName('virgin-islands')).toBe('U.S. Virgin Islands');
    expect(usStateName('us-virgin-islands')).toBe('U.S. Virgin Islands');
  });

  it('accepts every postal code as a tenant id', () => {
    for (const code of US_STATE_CODES) labelled(code, () => expect(tenantIdProblem(code)).toBeUndefined());
  });

  it('falls back to a title-cased id for a tenant that is not a state', () => {
    expect(defaultDisplayName('ca')).toBe('California');
    expect(defaultDisplayName('demo-agency')).toBe('Demo Agency');
  });
});
