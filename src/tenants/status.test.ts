import { describe, expect, it } from '@jest/globals';
import { labelled } from '../../test/support/labelled.ts';
import { canTransition, isTransitional, TENANT_STATUSES } from './status.ts';

describe('tenant status model', () => {
  it('lets a new tenant start provisioning, and provisioning end ACTIVE or FAILED', () => {
    expect(canTransition(undefined, 'PROVISIONING')).toBe(true);
    expect(canTransition('PROVISIONING', 'ACTIVE')).toBe(true);
    expect(canTransition('PROVISIONING', 'FAILED')).toBe(true);
  });

  it('deploys only from a running tenant', () => {
    expect(canTransition('ACTIVE', 'DEPLOYING')).toBe(true);
    expect(canTransition('DEGRADED', 'DEPLOYING')).toBe(true);
    expect(canTransition('PROVISIONING', 'DEPLOYING')).toBe(false);
    expect(canTransition('DELETED', 'DEPLOYING')).toBe(false);
  });

  it('reaches DELETED only through DEPROVISIONING', () => {
    for (const from of TENANT_STATUSES) {
      labelled(`${from} -> DELETED`, () => expect(canTransition(from, 'DELETED')).toBe(from === 'DEPROVISIONING'));
    }
    expect(canTransition(undefined, 'DELETED')).toBe(false);
  });

  it('lets any live status fall to FAILED, and a FAILED tenant be retried or removed', () => {
    for (const from of TENANT_STATUSES.filter((s) => s !== 'DELETED')) labelled(from, () => expect(canTransition(from, 'FAILED')).toBe(true));
    expect(canTransition('FAILED', 'PROVISIONING')).toBe(true);
    expect(canTransition('FAILED', 'DEPROVISIONING')).toBe(true);
    expect(canTransition('FAILED', 'ACTIVE')).toBe(false);
  });

  it('treats PROVISIONING, DEPLOYING and DEPROVISIONING as work in progress', () => {
    expect(TENANT_STATUSES.filter(isTransitional)).toEqual(['PROVISIONING', 'DEPLOYING', 'DEPROVISIONING']);
  });
});
