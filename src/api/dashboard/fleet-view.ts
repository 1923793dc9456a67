/// <reference lib="dom" />
/**
 * The fleet at a glance: how many tenants are in each status, and one table
 * row per tenant, by name unless the person sorts by another column; the
 * table stacks into one block per tenant on a phone. (Served as the factory's own text: see client.ts.)
 */
import type { DashboardDom } from './dom.ts';
import type { DashboardLogic } from './logic.ts';
import type { FleetRow, FleetSort, StatusKey } from './types.ts';

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
    return h('td', { 'data-label': 'Status' }, dom.statusBadge(key), wanted, reason);
  }

  const COLUMNS: { label: string; sort?: FleetSort['column'] }[] = [
    { label: 'Tenant', sort: 'name' },
    { label: 'Status', sort: 'status' },
    { label: 'Desired' },
    { label: 'Endpoint' },
    { label: 'Image' },
    { label: 'Healthy targets' },
    { label: 'Zones' },
    { label: 'Last change', sort: 'updated' },
  ];

  function tableRow(row: FleetRow, nowMs: number): HTMLTableRowElement {
    const { tenant } = row;
    // data-label names each cell where the table stacks on a narrow screen.
    const cell = (index: number, attributes: Record<string, string>, ...children: (Node | string | null)[]) =>
      h('td', { ...attributes, 'data-label': COLUMNS[index]?.label ?? '' }, ...children);
    return h(
      'tr',
      { 'data-tenant': tenant.tenantId },
      h(
        'th',
        { scope: 'row', 'data-label': 'Tenant' },
        dom.tenantLink(tenant.tenantId, tenant.displayName),
        tenant.canary ? h('span', { class: 'usa-tag canary', title: 'Gets every release first' }, 'Canary') : null,
        h('span', { class: 'meta id' }, tenant.tenantId),
      ),
      statusCell(row),
      cell(2, {}, logic.humanize(tenant.desiredState)),
      cell(3, { class: 'endpoint' }, dom.externalLink(tenant.endpoint)),
      cell(
        4,
        {},
        tenant.image ? `${tenant.image.tag} ` : '—',
        tenant.image ? h('code', { class: 'digest', title: tenant.image.digest }, logic.shortDigest(tenant.image.digest)) : null,
      ),
      cell(5, { class: 'num' }, logic.healthLabel(tenant.health)),
      cell(6, {}, logic.zonesLabel(row.zones)),
      cell(7, {}, dom.time(tenant.updatedAt, nowMs)),
    );
  }

  /** A column header; a sortable one is a button that says what pressing it does, and aria-sort says how the rows are sorted now. */
  function header(column: (typeof COLUMNS)[number], sort: FleetSort): HTMLTableCellElement {
    if (!column.sort) return h('th', { scope: 'col' }, column.label);
    const active = sort.column === column.sort;
    const next = logic.nextSort(sort, column.sort);
    return h(
      'th',
      { scope: 'col', 'aria-sort': active ? sort.direction : null },
      h(
        'button',
        { type: 'button', class: 'sort-button', 'data-sort': column.sort, 'data-key': `sort:${column.sort}` },
        column.label,
        h('span', { 'aria-hidden': 'true' }, active ? (sort.direction === 'ascending' ? ' ▲' : ' ▼') : ' ↕'),
        h('span', { class: 'usa-sr-only' }, `, sort ${next.direction}`),
      ),
    );
  }

  function table(container: HTMLElement, rows: readonly FleetRow[], filter: string, sort: FleetSort, nowMs: number, staleSince: string | null): void {
    const visible = logic.visibleRows(rows, filter, sort);
    const count = filter === 'ALL' ? `${rows.length} tenants` : `${visible.length} of ${rows.length} tenants: ${logic.statusText(filter as StatusKey).label}`;
    const caption = staleSince ? `${count}, as read at ${logic.absoluteTime(staleSince)}; may be out of date` : count;
    const body =
      visible.length > 0
        ? visible.map((row) => tableRow(row, nowMs))
        : [
            h(
              'tr',
              {},
              h(
                'td',
                { colspan: COLUMNS.length, class: 'empty' },
                rows.length === 0
                  ? 'No tenants yet: add one with humangov tenant add <id> (for example, humangov tenant add ca).'
                  : 'No tenant has this status.',
              ),
            ),
          ];
    dom.replace(
      container,
      h(
        'table',
        { class: 'fleet usa-table usa-table--borderless usa-table--stacked-header' },
        h('caption', {}, caption),
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            COLUMNS.map((column) => header(column, sort)),
          ),
        ),
        h('tbody', {}, body),
      ),
    );
  }

  return { counts, filterOptions, table };
}

export type FleetView = ReturnType<typeof fleetView>;
