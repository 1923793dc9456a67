/// <reference lib="dom" />
/**
 * One tenant's page: where it stands, its last verification, its history of
 * transitions with their reasons, what it got in recent rollouts, and the
 * resources the control plane made for it. (Served as the factory's own text: see client.ts.)
 */
import type { DashboardDom } from './dom.ts';
import type { DashboardLogic } from './logic.ts';
import type { DeploymentDetail, TenantDetail } from './types.ts';

export function tenantView(logic: DashboardLogic, dom: DashboardDom) {
  const { h } = dom;

  function facts(tenant: TenantDetail, nowMs: number): HTMLElement {
    const rows: [string, ...(Node | string)[]][] = [
      ['Tenant id', h('code', {}, tenant.tenantId)],
      ['Desired state', logic.humanize(tenant.desiredState), tenant.purgeData ? ' (data purged on delete)' : ''],
      ['Observed status', dom.statusBadge(logic.statusKey(tenant.status))],
      ['Endpoint', dom.externalLink(tenant.endpoint) ?? '—'],
      ['Image', tenant.image ? `${tenant.image.tag} ` : '—', tenant.image ? h('code', { class: 'digest' }, tenant.image.digest) : ''],
      ['Desired tasks', String(tenant.desiredCount), tenant.canary ? ' (canary: gets every release first)' : ''],
      ['Created', dom.time(tenant.createdAt, nowMs)],
      ['Last change', dom.time(tenant.updatedAt, nowMs)],
    ];
    return h('dl', { class: 'facts' }, rows.map(([term, ...values]) => [h('dt', {}, term), h('dd', {}, ...values)]).flat());
  }

  function verification(tenant: TenantDetail, nowMs: number): HTMLElement {
    const health = tenant.health;
    const findings = logic.verificationFindings(tenant);
    const checked = health
      ? h('p', {}, 'Checked ', dom.time(health.checkedAt, nowMs), `: ${logic.healthLabel(health)} targets healthy in ${logic.zonesLabel(health.zones)}.`)
      : null;
    const verdict =
      findings.length === 0
        ? h('p', {}, dom.pill('good', '✓', 'Meets the target-health rule'))
        : h(
            'ul',
            { class: 'problems' },
            findings.map((finding) => h('li', {}, finding)),
          );
    return h('section', { 'aria-labelledby': 'verification-heading' }, h('h3', { id: 'verification-heading' }, 'Last verification'), checked, verdict);
  }

  function table(caption: string, headings: string[], rows: (Node | string)[][], empty: string): HTMLElement {
    const body =
      rows.length > 0
        ? rows.map((cells) =>
            h(
              'tr',
              {},
              cells.map((cell, i) => (i === 0 ? h('th', { scope: 'row' }, cell) : h('td', {}, cell))),
            ),
          )
        : [h('tr', {}, h('td', { colspan: headings.length, class: 'empty' }, empty))];
    return h(
      'div',
      { class: 'scroll' },
      h(
        'table',
        {},
        h('caption', {}, caption),
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            headings.map((text) => h('th', { scope: 'col' }, text)),
          ),
        ),
        h('tbody', {}, body),
      ),
    );
  }

  function history(tenant: TenantDetail, nowMs: number): HTMLElement {
    const rows = [...tenant.history]
      .reverse()
      .map((entry) => [
        h('span', {}, dom.time(entry.at, nowMs), h('span', { class: 'meta id' }, logic.absoluteTime(entry.at))),
        entry.from ? logic.statusText(entry.from).label : 'New',
        dom.statusBadge(entry.to),
        entry.reason ?? '—',
        entry.executionId ? h('code', {}, entry.executionId) : '—',
      ]);
    return table('Transitions, newest first', ['When', 'From', 'To', 'Reason', 'Execution'], rows, 'No transitions yet.');
  }

  function rollouts(tenant: TenantDetail, deployments: readonly DeploymentDetail[]): HTMLElement {
    const rows = deployments.flatMap((deployment) => {
      const result = deployment.tenants.find((candidate) => candidate.tenantId === tenant.tenantId);
      if (!result) return [];
      const text = logic.outcomeText(result.outcome);
      return [
        [
          deployment.image ? logic.imageLabel(deployment.image) : deployment.deploymentId,
          dom.pill(text.tone, text.symbol, text.label),
          result.error ?? result.reason ?? '—',
        ],
      ];
    });
    return table('This tenant in recent deployments, newest first', ['Image', 'Outcome', 'Why'], rows, 'In none of the recent deployments.');
  }

  function resources(tenant: TenantDetail): HTMLElement {
    const rows = Object.entries(tenant.resources).map(([name, value]) => [name, value ? h('code', {}, value) : '—']);
    return table('What the control plane made for this tenant', ['Resource', 'Name or ARN'], rows, 'None yet.');
  }

  function page(container: HTMLElement, tenant: TenantDetail, deployments: readonly DeploymentDetail[], nowMs: number): void {
    dom.replace(
      container,
      h('p', {}, h('a', { href: '#/', 'data-key': 'back' }, '← All tenants')),
      h('h2', { id: 'tenant-heading', tabindex: '-1', 'data-key': 'tenant-heading' }, tenant.displayName, ' ', dom.statusBadge(logic.statusKey(tenant.status))),
      tenant.statusReason ? h('p', { class: logic.showsReason(tenant) ? 'reason' : 'meta' }, tenant.statusReason) : null,
      facts(tenant, nowMs),
      verification(tenant, nowMs),
      h('section', { 'aria-labelledby': 'history-heading' }, h('h3', { id: 'history-heading' }, 'History'), history(tenant, nowMs)),
      h('section', { 'aria-labelledby': 'rollouts-heading' }, h('h3', { id: 'rollouts-heading' }, 'Deployments'), rollouts(tenant, deployments)),
      h('section', { 'aria-labelledby': 'resources-heading' }, h('h3', { id: 'resources-heading' }, 'Resources'), resources(tenant)),
    );
  }

  /** The page of a tenant the API does not know (deleted, or a mistyped link). */
  function missing(container: HTMLElement, tenantId: string, message: string): void {
    dom.replace(
      container,
      h('p', {}, h('a', { href: '#/', 'data-key': 'back' }, '← All tenants')),
      h('h2', { id: 'tenant-heading', tabindex: '-1', 'data-key': 'tenant-heading' }, tenantId),
      h('p', { class: 'reason' }, message),
    );
  }

  return { page, missing };
}

export type TenantView = ReturnType<typeof tenantView>;
