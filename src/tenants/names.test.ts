import { describe, expect, it } from '@jest/globals';
import { labelled } from '../../test/support/labelled.ts';
import fc from 'fast-check';
import { STAGE_PATTERN, TENANT_ID_MAX, tenantIdProblem } from './tenant-id.ts';
import { controlPlaneTables, tenantResourceNames, type TenantResourceNames } from './names.ts';
import { InvalidTenantError } from './errors.ts';

/** Valid tenant ids, biased towards the edges: 2 and 20 characters, hyphens, digits. */
const tenantIds = fc.stringMatching(/^[a-z][a-z0-9-]{0,18}[a-z0-9]$/).filter((id) => !id.includes('--'));
const stages = fc.stringMatching(STAGE_PATTERN);
const accounts = fc.stringMatching(/^\d{12}$/);

/** The naming rules of each AWS service, as their documentation states them. */
const RULES: Record<keyof Omit<TenantResourceNames, 'tag'>, (name: string) => boolean> = {
  table: (n) => n.length >= 3 && n.length <= 255 && /^[a-zA-Z0-9_.-]+$/.test(n),
  bucket: (n) =>
    n.length >= 3 &&
    n.length <= 63 &&
    /^[a-z0-9][a-z0-9.-]*[a-z0-9]$/.test(n) &&
    !n.includes('..') &&
    !/^\d+\.\d+\.\d+\.\d+$/.test(n) &&
    !/^(xn--|sthree-|amzn-s3-demo-)/.test(n) &&
    !/(-s3alias|--ol-s3|\.mrap|--x-s3|--table-s3)$/.test(n),
  taskRole: (n) => n.length >= 1 && n.length <= 64 && /^[\w+=,.@-]+$/.test(n),
  taskFamily: (n) => n.length >= 1 && n.length <= 255 && /^[a-zA-Z0-9_-]+$/.test(n),
  service: (n) => n.length >= 1 && n.length <= 255 && /^[a-zA-Z][a-zA-Z0-9_-]*$/.test(n),
  targetGroup: (n) => n.length >= 1 && n.length <= 32 && /^[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?$/.test(n) && !n.startsWith('internal-'),
  logGroup: (n) => n.length >= 1 && n.length <= 512 && /^[.\-_/#A-Za-z0-9]+$/.test(n),
};

describe('tenantIdProblem', () => {
  it.each(['ca', 'new-york', 'pr', 'a1', 'district-of-columbia'])('accepts %s', (id) => {
    expect(tenantIdProblem(id)).toBeUndefined();
  });

  it.each([
    ['c', 'must be 2 to 20 characters long'],
    ['this-name-is-far-too-long', 'must be 2 to 20 characters long'],
    ['CA', 'must start with a lowercase letter'],
    ['1ca', 'must start with a lowercase letter'],
    ['ca_1', 'only lowercase letters, digits and hyphens'],
    ['ca-', 'must end with a letter or digit'],
    ['new--york', 'must not contain two hyphens in a row'],
  ])('rejects %s saying it %s', (id, rule) => {
    expect(tenantIdProblem(id)).toContain(rule);
  });

  it('rejects a non-string', () => {
    expect(tenantIdProblem(42)).toContain('must be a string');
  });
});

describe('tenantResourceNames', () => {
  it('derives readable names for California in prod', () => {
    expect(tenantResourceNames('prod', 'ca', '123456789012')).toEqual({
      table: 'humangov-prod-tenant-ca',
      bucket: 'humangov-prod-ca-123456789012',
      taskRole: 'humangov-prod-ca-task',
      taskFamily: 'humangov-prod-ca',
      service: 'humangov-ca',
      targetGroup: 'hg-prod-ca',
      logGroup: '/humangov/prod/tenants/ca',
      tag: { key: 'humangov:tenant', value: 'ca' },
    });
  });

  it('gives every valid id and stage names every AWS service accepts', () => {
    fc.assert(
      fc.property(stages, tenantIds, accounts, (stage, id, account) => {
        const names = tenantResourceNames(stage, id, account);
        for (const [kind, valid] of Object.entries(RULES)) {
          labelled(`${kind} "${names[kind as keyof typeof RULES]}"`, () => expect(valid(names[kind as keyof typeof RULES])).toBe(true));
        }
        expect(names.tag.value.length).toBeLessThanOrEqual(256);
      }),
      { numRuns: 2000 },
    );
  });

  it('fits the longest id and stage in a 32-character target group name', () => {
    const longest = 'a'.repeat(TENANT_ID_MAX);
    expect(tenantResourceNames('abcdefgh', longest, '123456789012').targetGroup).toHaveLength(32);
  });

  it('never gives two different tenants (or stages) the same name', () => {
    fc.assert(
      fc.property(stages, tenantIds, stages, tenantIds, (stageA, idA, stageB, idB) => {
        fc.pre(stageA !== stageB || idA !== idB);
        const a = tenantResourceNames(stageA, idA, '123456789012');
        const b = tenantResourceNames(stageB, idB, '123456789012');
        for (const kind of Object.keys(RULES) as (keyof typeof RULES)[]) {
          // A service name is unique within its cluster, and each stage has its own cluster.
          if (kind === 'service' && stageA !== stageB) continue;
          labelled(kind, () => expect(a[kind]).not.toBe(b[kind]));
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('never names a tenant table like a control-plane table', () => {
    fc.assert(
      fc.property(stages, tenantIds, (stage, id) => {
        const { tenants, deployments } = controlPlaneTables(stage);
        const { table } = tenantResourceNames(stage, id, '123456789012');
        expect([tenants, deployments]).not.toContain(table);
      }),
    );
  });

  it('refuses an invalid id with the rule it breaks', () => {
    expect(() => tenantResourceNames('prod', 'New York', '123456789012')).toThrow(InvalidTenantError);
    expect(() => tenantResourceNames('prod', 'New York', '123456789012')).toThrow(/lowercase letter/);
  });

  it('refuses a stage that would not fit every name', () => {
    expect(() => tenantResourceNames('production', 'ca', '123456789012')).toThrow(/1 to 8 lowercase letters or digits/);
    expect(() => tenantResourceNames('my-dev', 'ca', '123456789012')).toThrow(/stage/);
  });
});
