/// <reference lib="dom" />
/**
 * The fleet at a glance: how many tenants are in each status, and one table
 * row per tenant, worst first. (Served as the factory's own text: see client.ts.)
 */
import type { DashboardDom } from './dom.ts';
import type { DashboardLogic } from './logic.ts';
import type { FleetRow, StatusKey } from './types.ts';

export function fleetView(logic: DashboardLogic, dom: DashboardDom) {
  const { h } = dom;

  function counts(container: HTMLElement, byStatus: Record<StatusKey, number>, total: number): void {
    const items = logic.STATUSES.filter((key) => byStatus[key] > 0).map((key) =>
      h('li', { 'data-status': key }, dom.statusBadge(key), ' ', h('strong', { class: 'count' }, byStatus[key])),
    );
    dom.replace(container, h('li', { 'data-status': 'ALL' }, 'Total ', h('strong', { class: 'count' }, total)), ...items);
  }

  /**
   * Option labels follow the counts; the select itself is kept (not rebuilt), so
   * a refresh neither closes it under the user nor loses their choice.
   */
  function filterOptions(select: HTMLSelectElement, byStatus: Record<StatusKey, number>, total: number): void {
    if (select.options.length === 1) for (const key of logic.STATUSES) select.append(h('option', { value: key }));
    for (const option of Array.from(select.options)) {
      const key = option.value as StatusKey | 'ALL';
      option.textContent = key === 'ALL' ? `All statuses (${total})` : `${logic.statusText(key).label} (${byStatus[key]})`;
    }
  }

  function statusCell(row: FleetRow): HTMLTableCellElement {
    const { tenant } = row;
    const key = logic.statusKey(tenant.status);
    const wanted = tenant.desiredState === 'DELETED' && key !== 'DELETED' ? h('span', { class: 'meta' }, ' (offboarding)') : null;
    const reason = logic.showsReason(tenant) ? h('p', { class: 'reason' }, tenant.statusReason) : null;
    return h('td', {}, dom.statusBadge(key), wanted, reason);
  }

  function tableRow(row: FleetRow, nowMs: number): HTMLTableRowElement {
    const { tenant } = row;
    return h(
      'tr',
      { 'data-tenant': tenant.tenantId },
      h('th', { scope: 'row' }, dom.tenantLink(tenant.tenantId, tenant.displayName), h('span', { class: 'meta id' }, tenant.tenantId)),
      statusCell(row),
      h('td', {}, logic.humanize(tenant.desiredState)),
      h('td', { class: 'endpoint' }, dom.externalLink(tenant.endpoint)),
      h(
        'td',
        {},
        tenant.image ? `${tenant.image.tag} ` : '—',
        tenant.image ? h('code', { class: 'digest', title: tenant.image.digest }, logic.shortDigest(tenant.image.digest)) : null,
      ),
      h('td', { class: 'num' }, logic.healthLabel(tenant.health)),
      h('td', {}, logic.zonesLabel(row.zones)),
      h('td', {}, dom.time(tenant.updatedAt, nowMs)),
    );
  }

  function table(container: HTMLElement, rows: readonly FleetRow[], filter: string, nowMs: number): void {
    const visible = logic.visibleRows(rows, filter);
    const caption = filter === 'ALL' ? `${rows.length} tenants` : `${visible.length} of ${rows.length} tenants: ${logic.statusText(filter as StatusKey).label}`;
    const headings = ['Tenant', 'Status', 'Desired', 'Endpoint', 'Image', 'Healthy targets', 'Zones', 'Last change'];
    const body =
      visible.length > 0
        ? visible.map((row) => tableRow(row, nowMs))
        : [
            h(
              'tr',
              {},
              h(
                'td',
                { colspan: headings.length, class: 'empty' },
                rows.length === 0 ? 'No tenants yet: add one with POST /tenants or `humangov tenant add`.' : 'No tenant has this status.',
              ),
            ),
          ];
    dom.replace(
      container,
      h(
        'table',
        { class: 'fleet' },
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

  return { counts, filterOptions, table };
}

export type FleetView = ReturnType<typeof fleetView>;
