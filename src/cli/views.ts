/**
 * Tenants and deployments as a person reads them in a terminal. The JSON the
 * API answers is shown as is under --json; this is the other rendering.
 */
import type { DeploymentDetail, DeploymentSummary, TenantDetail, TenantSummary } from './api-client.ts';
import { ago, duration, fields, shortDigest, statusText, table, type Colors } from './format.ts';

function healthCell(health: { healthy: number; total: number } | null): string {
  return health ? `${health.healthy}/${health.total}` : '';
}

function imageCell(image: { tag: string; digest: string } | null): string {
  return image ? image.tag : '';
}

/** `tenant list`: zones come from each tenant's detail (GET /tenants lists no zones), hence the optional map. */
export function tenantTable(tenants: readonly TenantSummary[], zones: ReadonlyMap<string, readonly string[]>, c: Colors, now: Date): string[] {
  if (tenants.length === 0) return ['no tenants yet; add one with `humangov tenant add <id> --wait`'];
  return table(
    tenants,
    [
      { header: 'TENANT', value: (t) => t.tenantId },
      { header: 'NAME', value: (t) => t.displayName },
      { header: 'STATUS', value: (t) => statusText(t.status, c) + (t.desiredState === 'DELETED' && t.status !== 'DELETED' ? c.dim(' (removing)') : '') },
      { header: 'HEALTHY', value: (t) => healthCell(t.health), align: 'right' },
      { header: 'ZONES', value: (t) => (zones.get(t.tenantId) ?? []).join(',') },
      { header: 'IMAGE', value: (t) => imageCell(t.image) },
      { header: 'ENDPOINT', value: (t) => t.endpoint ?? '' },
      { header: 'CHANGED', value: (t) => ago(t.updatedAt, now) },
    ],
    c,
  );
}

/** `tenant show`: what it is, how it is, what it owns, and how it got there. */
export function tenantDetailLines(t: TenantDetail, c: Colors, now: Date): string[] {
  const desired = [
    `${t.desiredState}`,
    `${t.desiredCount} task${t.desiredCount === 1 ? '' : 's'}`,
    t.canary ? 'canary' : undefined,
    t.purgeData ? 'purge data on removal' : undefined,
  ];
  const health = t.health
    ? `${t.health.healthy}/${t.health.total} healthy in ${t.health.zones.join(', ') || 'no zone'}${t.health.checkedAt ? ` (checked ${ago(t.health.checkedAt, now)})` : ''}`
    : undefined;
  const lines = fields(
    [
      ['tenant', `${c.bold(t.tenantId)} (${t.displayName})`],
      ['status', statusText(t.status, c)],
      ['reason', t.statusReason ?? undefined],
      ['desired', desired.filter(Boolean).join(', ')],
      ['endpoint', t.endpoint ?? undefined],
      ['image', t.image ? `${t.image.repository}:${t.image.tag} (${t.image.digest})` : undefined],
      ['health', health],
      ['created', t.createdAt ? `${t.createdAt} (${ago(t.createdAt, now)})` : undefined],
      ['updated', t.updatedAt ? `${t.updatedAt} (${ago(t.updatedAt, now)})` : undefined],
    ],
    c,
  );
  const resources = Object.entries(t.resources).filter((entry): entry is [string, string] => entry[1] !== null);
  if (resources.length > 0) lines.push('', c.bold('resources'), ...fields(resources, c).map((line) => `  ${line}`));
  lines.push('', c.bold('history'));
  if (t.history.length === 0) lines.push('  no transitions yet');
  else {
    const rows = [...t.history].reverse();
    lines.push(
      ...table(
        rows,
        [
          { header: 'WHEN', value: (h) => `${h.at} (${ago(h.at, now)})` },
          { header: 'FROM', value: (h) => (h.from ? statusText(h.from, c) : '') },
          { header: 'TO', value: (h) => statusText(h.to, c) },
          { header: 'REASON', value: (h) => h.reason ?? '' },
          // The execution that made the transition: the correlation_id of its log lines.
          { header: 'CORRELATION ID', value: (h) => h.executionId ?? '' },
        ],
        c,
      ).map((line) => `  ${line}`),
    );
  }
  return lines;
}

function countsCell(d: DeploymentSummary): string {
  const { SUCCEEDED, ROLLED_BACK, FAILED, PENDING, SKIPPED, NOOP } = d.counts;
  const parts = [`${SUCCEEDED} ok`];
  if (ROLLED_BACK) parts.push(`${ROLLED_BACK} rolled back`);
  if (FAILED) parts.push(`${FAILED} failed`);
  if (PENDING) parts.push(`${PENDING} pending`);
  if (SKIPPED + NOOP) parts.push(`${SKIPPED + NOOP} unchanged`);
  return parts.join(', ');
}

function took(d: DeploymentSummary, now: Date): string {
  const end = d.endedAt ? Date.parse(d.endedAt) : now.getTime();
  return duration(end - Date.parse(d.startedAt)) + (d.endedAt ? '' : ' so far');
}

/** `deployments`: newest first, as the API lists them. */
export function deploymentTable(deployments: readonly DeploymentSummary[], c: Colors, now: Date): string[] {
  if (deployments.length === 0) return ['no deployments yet; a push of a tag starting with "v" starts one (`humangov push --tag v1.0.0`)'];
  return table(
    deployments,
    [
      { header: 'DEPLOYMENT', value: (d) => d.deploymentId },
      { header: 'STATUS', value: (d) => statusText(d.status, c) },
      { header: 'IMAGE', value: (d) => `${d.image?.tag ?? '?'} ${c.dim(shortDigest(d.image?.digest))}` },
      { header: 'TENANTS', value: (d) => countsCell(d) },
      { header: 'STARTED', value: (d) => ago(d.startedAt, now) },
      { header: 'TOOK', value: (d) => took(d, now) },
    ],
    c,
  );
}

/** `deployments <id>`: the rollout's plan and each tenant's outcome, the canary first. */
export function deploymentDetailLines(d: DeploymentDetail, c: Colors, now: Date): string[] {
  const lines = fields(
    [
      ['deployment', c.bold(d.deploymentId)],
      ['status', statusText(d.status, c)],
      ['reason', d.reason ?? undefined],
      ['image', d.image ? `${d.image.repository}:${d.image.tag} (${d.image.digest})` : undefined],
      ['canary', d.canaryTenantId ?? undefined],
      ['plan', d.waves.length > 0 ? d.waves.map((wave, i) => `wave ${i}: ${wave.length} tenant${wave.length === 1 ? '' : 's'}`).join('; ') : undefined],
      ['limits', `at most ${d.maxConcurrency} at a time; stops after ${d.failureThreshold} failure${d.failureThreshold === 1 ? '' : 's'}`],
      ['stopped', d.stop ? `${d.stop.kind}: ${d.stop.reason}` : undefined],
      ['superseded by', d.supersededBy ?? undefined],
      ['started', `${d.startedAt} (${ago(d.startedAt, now)})`],
      ['took', took(d, now)],
    ],
    c,
  );
  lines.push('', c.bold('tenants'));
  if (d.tenants.length === 0) lines.push('  none');
  else {
    lines.push(
      ...table(
        d.tenants,
        [
          { header: 'TENANT', value: (t) => t.tenantId + (t.tenantId === d.canaryTenantId ? c.dim(' (canary)') : '') },
          { header: 'OUTCOME', value: (t) => statusText(t.outcome, c) },
          { header: 'TOOK', value: (t) => (t.startedAt && t.endedAt ? duration(Date.parse(t.endedAt) - Date.parse(t.startedAt)) : '') },
          { header: 'DETAIL', value: (t) => t.error ?? t.reason ?? '' },
        ],
        c,
      ).map((line) => `  ${line}`),
    );
  }
  return lines;
}
