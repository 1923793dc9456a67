import { describe, expect, it } from '@jest/globals';
import { dashboardLogic } from '../../src/api/dashboard/logic.ts';
import type { DeploymentDetail, TenantDetail, TenantSummary } from '../../src/api/dashboard/types.ts';
import { TENANT_STATUSES } from '../../src/tenants/status.ts';
import { TENANT_OUTCOMES } from '../../src/deployments/schema.ts';

const logic = dashboardLogic();
const NOW = Date.parse('2026-11-26T10:00:00.000Z');
const DIGEST = `sha256:${'0123456789ab'.repeat(5)}cdef`;

function tenant(tenantId: string, status: TenantSummary['status'], fields: Partial<TenantSummary> = {}): TenantSummary {
  return {
    tenantId,
    displayName: tenantId.toUpperCase(),
    desiredState: 'ACTIVE',
    desiredCount: 2,
    canary: false,
    status,
    statusReason: null,
    endpoint: null,
    image: null,
    health: null,
    updatedAt: null,
    ...fields,
  };
}

function result(
  tenantId: string,
  outcome: DeploymentDetail['tenants'][number]['outcome'],
  why: { error?: string; reason?: string } = {},
): DeploymentDetail['tenants'][number] {
  return {
    tenantId,
    outcome,
    previousTaskDefinitionArn: null,
    newTaskDefinitionArn: null,
    error: why.error ?? null,
    reason: why.reason ?? null,
    startedAt: null,
    endedAt: null,
  };
}

describe('dashboard logic: statuses and the fleet', () => {
  it('knows every status and outcome the control plane writes, plus NEW for a record not picked up yet', () => {
    expect([...logic.STATUSES].sort()).toEqual([...TENANT_STATUSES, 'NEW'].sort());
    expect([...logic.OUTCOMES].sort()).toEqual([...TENANT_OUTCOMES].sort());
  });

  it('gives each status a word and a symbol besides its colour', () => {
    for (const key of logic.STATUSES) {
      const text = logic.statusText(key);
      expect(text.label).toMatch(/^[A-Z][a-z]+$/);
      expect(text.symbol).not.toBe('');
    }
    expect(logic.statusText(logic.statusKey(null))).toEqual({ label: 'New', symbol: '•', tone: 'idle' });
    expect(logic.statusText('FAILED').tone).toBe('bad');
  });

  it('counts tenants per status, a null status as NEW, every status present even at zero', () => {
    const counts = logic.countByStatus([tenant('ca', 'ACTIVE'), tenant('tx', 'ACTIVE'), tenant('ny', 'FAILED'), tenant('fl', null)]);
    expect(counts).toEqual({ FAILED: 1, DEGRADED: 0, PROVISIONING: 0, DEPLOYING: 0, DEPROVISIONING: 0, ACTIVE: 2, NEW: 1, DELETED: 0 });
  });

  it('lists tenants by name, so a status that changes during a rollout moves no row, and filters to one status', () => {
    const rows = [tenant('tx', 'ACTIVE'), tenant('ca', 'ACTIVE'), tenant('fl', null), tenant('wa', 'DEGRADED'), tenant('ny', 'FAILED')].map((t) => ({
      tenant: t,
      zones: null,
    }));
    const order = (list: typeof rows) => logic.visibleRows(list, 'ALL').map((row) => row.tenant.tenantId);
    expect(order(rows)).toEqual(['ca', 'fl', 'ny', 'tx', 'wa']);
    const deploying = rows.map((row) => (row.tenant.tenantId === 'tx' ? { ...row, tenant: { ...row.tenant, status: 'DEPLOYING' as const } } : row));
    expect(order(deploying)).toEqual(order(rows));
    expect(logic.visibleRows(rows, 'ACTIVE').map((row) => row.tenant.tenantId)).toEqual(['ca', 'tx']);
    expect(logic.visibleRows(rows, 'NEW').map((row) => row.tenant.tenantId)).toEqual(['fl']);
    expect(logic.visibleRows(rows, 'DELETED')).toEqual([]);
  });

  it('sorts by status, worst first, only when asked, and the other way on a second press', () => {
    const rows = [tenant('tx', 'ACTIVE'), tenant('ca', 'ACTIVE'), tenant('wa', 'DEGRADED'), tenant('ny', 'FAILED')].map((t) => ({ tenant: t, zones: null }));
    const byStatus = logic.nextSort({ column: 'name', direction: 'ascending' }, 'status');
    expect(byStatus).toEqual({ column: 'status', direction: 'ascending' });
    expect(logic.visibleRows(rows, 'ALL', byStatus).map((row) => row.tenant.tenantId)).toEqual(['ny', 'wa', 'ca', 'tx']);
    const reversed = logic.nextSort(byStatus, 'status');
    expect(reversed).toEqual({ column: 'status', direction: 'descending' });
    expect(logic.visibleRows(rows, 'ALL', reversed).map((row) => row.tenant.tenantId)).toEqual(['tx', 'ca', 'wa', 'ny']);
  });

  it('says how to fix each invalid field of a record: the value given, the rule, and the command', () => {
    const [count, name] = logic.recordFixes(
      'fl',
      [
        { field: 'desiredCount', given: 11, rule: 'must be at most 10' },
        { field: 'displayName', given: null, rule: 'must not be empty' },
      ],
      'prod',
    );
    expect(count).toMatchObject({ field: 'desiredCount', given: '11', rule: 'must be at most 10' });
    expect(count?.advice).toBe('Set desiredCount to 10, or another value that meets the rule (--count sets it in humangov tenant add):');
    expect(count?.command).toBe(
      `aws dynamodb update-item --table-name humangov-prod-tenants --key '{"tenantId":{"S":"fl"}}' --update-expression 'SET #field = :value' --expression-attribute-names '{"#field":"desiredCount"}' --expression-attribute-values '{":value":{"N":"10"}}'`,
    );
    expect(name?.given).toBe('nothing (the field is missing)');
    expect(logic.recordFixes('fl', [{ field: 'desiredCount', given: '3', rule: 'must be a whole number' }], 'local')[0]?.command).toContain(
      '--endpoint-url http://127.0.0.1:8000 --table-name humangov-local-tenants --key \'{"tenantId":{"S":"fl"}}\'',
    );
  });

  it('shows a reason only for FAILED and DEGRADED tenants that have one', () => {
    expect(logic.showsReason({ status: 'FAILED', statusReason: 'no capacity' })).toBe(true);
    expect(logic.showsReason({ status: 'DEGRADED', statusReason: '1 of 2 targets unhealthy' })).toBe(true);
    expect(logic.showsReason({ status: 'ACTIVE', statusReason: 'verified' })).toBe(false);
    expect(logic.showsReason({ status: 'FAILED', statusReason: null })).toBe(false);
  });

  it('takes zones from the summary when listed, else from a detail only when it is as new as the summary', () => {
    const fresh = tenant('ca', 'ACTIVE', { updatedAt: '2026-11-26T09:00:00.000Z', health: { healthy: 2, total: 2 } });
    const detail = { ...fresh, health: { healthy: 2, total: 2, zones: ['us-east-1a', 'us-east-1b'], checkedAt: null } } as unknown as TenantDetail;
    expect(logic.fleetRows([fresh], new Map([['ca', detail]]))[0]?.zones).toEqual(['us-east-1a', 'us-east-1b']);
    const moved = { ...fresh, updatedAt: '2026-11-26T09:05:00.000Z' };
    expect(logic.fleetRows([moved], new Map([['ca', detail]]))[0]?.zones).toBeNull();
    const listed = { ...fresh, health: { healthy: 2, total: 2, zones: ['us-east-1c'] } };
    expect(logic.fleetRows([listed], new Map([['ca', detail]]))[0]?.zones).toEqual(['us-east-1c']);
  });

  it('reads again only the details whose summaries changed, never of a tenant with no health to place in zones, and deployments still running or whose status moved', () => {
    const health = { healthy: 2, total: 2 };
    const ca = tenant('ca', 'ACTIVE', { updatedAt: 't1', health });
    const tx = tenant('tx', 'ACTIVE', { updatedAt: 't2', health });
    const details = new Map([
      ['ca', { updatedAt: 't1' } as TenantDetail],
      ['tx', { updatedAt: 't1' } as TenantDetail],
    ]);
    expect(logic.staleTenantDetails([ca, tx, tenant('fl', null), tenant('nv', 'FAILED')], details)).toEqual(['tx']);
    expect(logic.staleTenantDetails([{ ...tx, health: { healthy: 2, total: 2, zones: [] } }], details)).toEqual([]);

    const ended = new Map([
      ['d1', { status: 'SUCCEEDED' } as DeploymentDetail],
      ['d2', { status: 'IN_PROGRESS' } as DeploymentDetail],
      ['d3', { status: 'IN_PROGRESS' } as DeploymentDetail],
    ]);
    const listed = [
      { deploymentId: 'd1', status: 'SUCCEEDED' },
      { deploymentId: 'd2', status: 'IN_PROGRESS' },
      { deploymentId: 'd3', status: 'FAILED' },
      { deploymentId: 'd4', status: 'SUCCEEDED' },
    ];
    expect(logic.staleDeploymentDetails(listed, ended)).toEqual(['d2', 'd3', 'd4']);
  });

  it('announces the tenants whose status moved, and not tenants seen for the first time', () => {
    const before = new Map([
      ['ca', 'ACTIVE' as const],
      ['ny', 'PROVISIONING' as const],
    ]);
    const after = [tenant('ca', 'ACTIVE'), tenant('ny', 'FAILED', { displayName: 'New York' }), tenant('fl', null)];
    expect(logic.statusChanges(before, after)).toEqual(['New York is now Failed.']);
  });
});

describe('dashboard logic: formatting', () => {
  it('says how long ago in the largest whole unit, and "just now" for the last seconds or a clock slightly ahead', () => {
    const at = (seconds: number) => new Date(NOW - seconds * 1000).toISOString();
    expect(logic.relativeTime(at(0), NOW)).toBe('just now');
    expect(logic.relativeTime(at(-30), NOW)).toBe('just now');
    expect(logic.relativeTime(at(42), NOW)).toBe('42 s ago');
    expect(logic.relativeTime(at(5 * 60 + 59), NOW)).toBe('5 min ago');
    expect(logic.relativeTime(at(3 * 3600), NOW)).toBe('3 h ago');
    expect(logic.relativeTime(at(2 * 86_400 + 5), NOW)).toBe('2 d ago');
    expect(logic.relativeTime(null, NOW)).toBe('—');
    expect(logic.relativeTime('not a time', NOW)).toBe('—');
  });

  it('writes durations in two units at most, and absolute times in the viewer’s zone, named', () => {
    expect(logic.duration('2026-11-26T10:00:00Z', '2026-11-26T10:00:09Z')).toBe('9 s');
    expect(logic.duration('2026-11-26T10:00:00Z', '2026-11-26T10:04:12Z')).toBe('4 min 12 s');
    expect(logic.duration('2026-11-26T10:00:00Z', '2026-11-26T10:09:00Z')).toBe('9 min');
    expect(logic.duration('2026-11-26T10:00:00Z', '2026-11-26T11:05:30Z')).toBe('1 h 5 min');
    expect(logic.duration('2026-11-26T10:00:00Z', null)).toBe('—');
    expect(logic.absoluteTime('2026-11-26T10:04:05.123Z', 'UTC')).toBe('Nov 26, 2026, 10:04:05 AM UTC');
    expect(logic.absoluteTime('2026-11-26T10:04:05.123Z', 'America/Chicago')).toBe('Nov 26, 2026, 4:04:05 AM CST');
    expect(logic.absoluteTime(null)).toBe('—');
  });

  it('shortens a digest to 12 hex digits and labels an image by tag and short digest', () => {
    expect(logic.shortDigest(DIGEST)).toBe('0123456789ab');
    expect(logic.shortDigest('latest')).toBe('latest');
    expect(logic.shortDigest(null)).toBe('—');
    expect(logic.imageLabel({ repository: 'r', tag: 'v1.2.0', digest: DIGEST })).toBe('v1.2.0 @ 0123456789ab');
    expect(logic.imageLabel(null)).toBe('—');
  });

  it('labels health as healthy/total and zones as a list', () => {
    expect(logic.healthLabel({ healthy: 1, total: 2 })).toBe('1/2');
    expect(logic.healthLabel(null)).toBe('—');
    expect(logic.zonesLabel(['us-east-1a', 'us-east-1b'])).toBe('us-east-1a, us-east-1b');
    expect(logic.zonesLabel([])).toBe('—');
    expect(logic.humanize('IN_PROGRESS')).toBe('In progress');
  });

  it('makes links only of http(s) URLs, so an endpoint in the data cannot become a script link', () => {
    expect(logic.safeHttpUrl('https://ca.tenants.example.gov')).toBe('https://ca.tenants.example.gov/');
    expect(logic.safeHttpUrl('http://ca.localhost:8080')).toBe('http://ca.localhost:8080/');
    expect(logic.safeHttpUrl('javascript:alert(1)')).toBeNull();
    expect(logic.safeHttpUrl('data:text/html,<script>alert(1)</script>')).toBeNull();
    expect(logic.safeHttpUrl('/relative')).toBeNull();
    expect(logic.safeHttpUrl(null)).toBeNull();
  });
});

describe('dashboard logic: routes', () => {
  it('routes #/tenants/{id} and ?tenant={id} to a tenant page, the hash winning, anything else to the fleet', () => {
    expect(logic.parseRoute('#/tenants/ca', '')).toEqual({ view: 'tenant', tenantId: 'ca' });
    expect(logic.parseRoute('#/tenants/new-york/', '')).toEqual({ view: 'tenant', tenantId: 'new-york' });
    expect(logic.parseRoute('#/tenants/%3Cb%3E', '')).toEqual({ view: 'tenant', tenantId: '<b>' });
    expect(logic.parseRoute('', '?tenant=ny')).toEqual({ view: 'tenant', tenantId: 'ny' });
    expect(logic.parseRoute('#/', '?tenant=ny')).toEqual({ view: 'fleet', focus: 'tenants' });
    expect(logic.parseRoute('#/deployments', '')).toEqual({ view: 'fleet', focus: 'deployments' });
    expect(logic.parseRoute('#/tenants/%E0%A4%A', '')).toEqual({ view: 'tenant', tenantId: '%E0%A4%A' });
    expect(logic.parseRoute('#/nowhere', '')).toEqual({ view: 'fleet', focus: 'tenants' });
  });

  it('links to a tenant page with its id encoded', () => {
    expect(logic.tenantHref('ca')).toBe('#/tenants/ca');
    expect(logic.tenantHref('a/b?c')).toBe('#/tenants/a%2Fb%3Fc');
  });
});

describe('dashboard logic: rollouts and verification', () => {
  it('lays a rollout out as the canary then each wave, a tenant without a result yet as pending', () => {
    const stages = logic.rolloutStages({
      canaryTenantId: 'tx',
      waves: [['tx'], ['ca', 'ny']],
      tenants: [result('tx', 'SUCCEEDED'), result('ca', 'ROLLED_BACK', { error: '503' })],
    });
    expect(stages.map((stage) => [stage.label, stage.tenants.map((t) => `${t.tenantId}:${t.outcome}`)])).toEqual([
      ['Canary', ['tx:SUCCEEDED']],
      ['Wave 1', ['ca:ROLLED_BACK', 'ny:PENDING']],
    ]);
  });

  it('numbers waves from 1 when there is no canary, and keeps results outside the plan', () => {
    const stages = logic.rolloutStages({
      canaryTenantId: null,
      waves: [['ca', 'tx']],
      tenants: [result('ca', 'SUCCEEDED'), result('tx', 'NOOP'), result('zz', 'SKIPPED')],
    });
    expect(stages.map((stage) => [stage.label, stage.tenants.map((t) => t.tenantId)])).toEqual([
      ['Wave 1', ['ca', 'tx']],
      ['Other tenants', ['zz']],
    ]);
    expect(logic.rolloutStages({ canaryTenantId: null, waves: [], tenants: [] })).toEqual([]);
  });

  it('sums outcomes in words, leaving out those with no tenant', () => {
    expect(logic.outcomeSummary({ PENDING: 1, SUCCEEDED: 3, ROLLED_BACK: 1, FAILED: 0, SKIPPED: 2, NOOP: 0 })).toBe(
      '1 pending · 3 succeeded · 1 rolled back · 2 skipped',
    );
    expect(logic.outcomeSummary({})).toBe('no tenants yet');
  });

  it('judges the last target-health check by the rule verification applies', () => {
    const health = (healthy: number, total: number, zones: string[]) => ({ healthy, total, zones, checkedAt: null });
    expect(logic.verificationFindings({ desiredCount: 2, health: health(2, 2, ['us-east-1a', 'us-east-1b']) })).toEqual([]);
    expect(logic.verificationFindings({ desiredCount: 1, health: health(1, 1, ['us-east-1a']) })).toEqual([]);
    expect(logic.verificationFindings({ desiredCount: 2, health: health(1, 2, ['us-east-1a']) })).toEqual([
      '1 of 2 targets not healthy',
      '1 healthy targets, 2 wanted',
      'healthy targets span 1 zone(s); at least 2 are required',
    ]);
    expect(logic.verificationFindings({ desiredCount: 2, health: null })).toEqual(['not verified yet']);
  });

  it('orders deployments newest first by start, then by id', () => {
    const ids = logic
      .newestFirst([
        { deploymentId: 'a', startedAt: '2026-11-24T09:00:00Z' },
        { deploymentId: 'c', startedAt: '2026-11-26T09:00:00Z' },
        { deploymentId: 'b', startedAt: '2026-11-26T09:00:00Z' },
      ])
      .map((d) => d.deploymentId);
    expect(ids).toEqual(['c', 'b', 'a']);
  });
});

describe('the actions a tenant page offers', () => {
  const offer = (status: TenantSummary['status'], desiredState: 'ACTIVE' | 'DELETED', purgeData = false) =>
    logic.tenantActions({ tenantId: 'ca', displayName: 'California', status, desiredState, purgeData }).map((a) => a.label);

  it('retry for a failed or degraded tenant, saying which workflow runs again; restore for a removed one whose data was kept', () => {
    expect(offer('FAILED', 'ACTIVE')).toEqual(['Retry onboarding']);
    expect(offer('DEGRADED', 'ACTIVE')).toEqual(['Retry onboarding']);
    expect(offer('FAILED', 'DELETED')).toEqual(['Retry offboarding']);
    expect(offer('DELETED', 'DELETED')).toEqual(['Restore']);
    for (const [status, desired, purge] of [
      ['ACTIVE', 'ACTIVE', false],
      ['PROVISIONING', 'ACTIVE', false],
      ['DELETED', 'DELETED', true],
      ['DEPROVISIONING', 'DELETED', false],
    ] as const) {
      expect(offer(status, desired, purge)).toEqual([]);
    }
  });

  it('asks before a retry of an offboarding that purges, naming the data', () => {
    const [retry] = logic.tenantActions({ tenantId: 'ca', displayName: 'California', status: 'FAILED', desiredState: 'DELETED', purgeData: true });
    expect(retry?.confirm).toBe("Run the offboarding of California (ca) again? It removes the tenant's service, routing and role, and deletes its data.");
  });
});

describe('the change form', () => {
  const ca = { displayName: 'California', desiredCount: 2, canary: false };

  it('sends only what the person changed, a typed count as a number, and a count that is none as typed', () => {
    expect(logic.tenantChanges(ca, { displayName: 'California', desiredCount: '2', canary: false })).toEqual({});
    expect(logic.tenantChanges(ca, { displayName: ' California ', desiredCount: ' 3 ', canary: true })).toEqual({ desiredCount: 3, canary: true });
    expect(logic.tenantChanges(ca, { displayName: 'Golden State', desiredCount: 'two', canary: false })).toEqual({
      displayName: 'Golden State',
      desiredCount: 'two',
    });
    expect(logic.tenantChanges(ca, { displayName: '', desiredCount: '', canary: false })).toEqual({ displayName: '', desiredCount: '' });
  });

  it("puts each of the API's problems at its field in the form's words, and the rest on the form", () => {
    const refusal =
      'desiredCount: desiredCount must be at least 1; displayName: displayName must not be empty. PATCH takes displayName, desiredCount, canary, identityProvider (null for the default), e.g. {"desiredCount": 3}';
    expect(logic.changeProblems(refusal)).toEqual({
      fields: { desiredCount: 'Desired tasks must be at least 1', displayName: 'Display name must not be empty' },
      form: '',
    });
    expect(logic.changeProblems('tenant "ca" does not exist; list tenants with GET /tenants')).toEqual({
      fields: {},
      form: 'tenant "ca" does not exist; list tenants with GET /tenants',
    });
  });
});
