/// <reference lib="dom" />
/**
 * One tenant's page: where it stands, its last verification, its history of
 * transitions with their reasons, what it got in recent rollouts, and the
 * resources the control plane made for it. (Served as the factory's own text: see client.ts.)
 */
import type { DashboardDom } from './dom.ts';
import type { ChangeDraft, ChangeField, ChangeProblems, DashboardLogic } from './logic.ts';
import type { DeploymentDetail, InvalidField, TenantDetail, TenantSummary } from './types.ts';

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

  /** A USWDS table that stacks into one block per row on a phone, each cell labelled with its column. */
  function table(caption: string, headings: string[], rows: (Node | string)[][], empty: string, className = ''): HTMLElement {
    const body =
      rows.length > 0
        ? rows.map((cells) =>
            h(
              'tr',
              {},
              cells.map((cell, i) => h(i === 0 ? 'th' : 'td', { scope: i === 0 ? 'row' : null, 'data-label': headings[i] ?? '' }, cell)),
            ),
          )
        : [h('tr', {}, h('td', { colspan: headings.length, class: 'empty' }, empty))];
    return h(
      'div',
      { class: 'scroll' },
      h(
        'table',
        { class: `usa-table usa-table--borderless usa-table--stacked-header ${className}`.trim() },
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
    return table('Transitions, newest first', ['When', 'From', 'To', 'Reason', 'Execution'], rows, 'No transitions yet.', 'history');
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

  /** The change form (USWDS), each problem the API found at its field; app.ts sends it as JSON. */
  function changeForm(tenant: TenantDetail, draft: ChangeDraft, problems: ChangeProblems | undefined): HTMLElement {
    const field = (name: ChangeField, control: Record<string, string | boolean>, hint: string | null, label: HTMLElement | null) => {
      const id = `change-${name}`;
      const problem = problems?.fields[name];
      const input = h('input', {
        ...control,
        id,
        name,
        'aria-describedby': [hint ? `${id}-hint` : '', problem ? `${id}-error` : ''].filter(Boolean).join(' ') || null,
        'aria-invalid': problem ? 'true' : null,
        'data-key': `change:${name}`,
      });
      if (problem && control.type === 'text') input.classList.add('usa-input--error');
      return h(
        'div',
        { class: `usa-form-group${problem ? ' usa-form-group--error' : ''}` },
        label,
        hint ? h('span', { class: 'usa-hint', id: `${id}-hint` }, hint) : null,
        problem ? h('span', { class: 'usa-error-message', id: `${id}-error` }, problem) : null,
        label
          ? input
          : h(
              'div',
              { class: 'usa-checkbox' },
              input,
              h('label', { class: 'usa-checkbox__label', for: id }, 'Canary: gets every release before the rest of the fleet'),
            ),
      );
    };
    const label = (name: ChangeField) => h('label', { class: 'usa-label', for: `change-${name}` }, logic.CHANGE_LABELS[name]);
    return h(
      'form',
      { class: 'usa-form', 'data-form': 'change', 'data-tenant': tenant.tenantId, 'aria-labelledby': 'change-heading', novalidate: true },
      h('h4', { id: 'change-heading' }, 'Change this tenant'),
      field('displayName', { class: 'usa-input', type: 'text', value: draft.displayName, autocomplete: 'off' }, null, label('displayName')),
      field(
        'desiredCount',
        { class: 'usa-input usa-input--small', type: 'text', inputmode: 'numeric', value: draft.desiredCount, autocomplete: 'off' },
        'Copies of the app that run: 1 to 10.',
        label('desiredCount'),
      ),
      field('canary', { class: 'usa-checkbox__input', type: 'checkbox', checked: draft.canary }, null, null),
      problems?.form ? h('p', { class: 'usa-error-message', id: 'change-problem', tabindex: '-1' }, problems.form) : null,
      h('button', { type: 'submit', class: 'usa-button', 'data-key': 'change:save' }, 'Save changes'),
    );
  }

  /** Operator actions, the last one's answer ("notice"), the change form unless the tenant is being removed. */
  function actions(
    tenant: TenantDetail,
    notice: { text: string; ok: boolean } | undefined,
    change: { draft: ChangeDraft; problems?: ChangeProblems } | undefined,
  ): HTMLElement | null {
    const offered = logic.tenantActions(tenant);
    const changeable = tenant.desiredState !== 'DELETED' && change;
    if (offered.length === 0 && !notice && !changeable) return null;
    return h(
      'section',
      { 'aria-labelledby': 'actions-heading' },
      h('h3', { id: 'actions-heading' }, 'Actions'),
      notice ? h('p', { class: notice.ok ? 'meta' : 'reason', role: notice.ok ? 'status' : 'alert' }, notice.text) : null,
      offered.length > 0
        ? h(
            'p',
            {},
            ...offered.map((offer) =>
              h(
                'button',
                {
                  type: 'button',
                  class: 'usa-button usa-button--outline',
                  'data-action': offer.action,
                  'data-tenant': tenant.tenantId,
                  'data-key': `action:${offer.action}`,
                },
                offer.label,
              ),
            ),
          )
        : null,
      changeable ? changeForm(tenant, change.draft, change.problems) : null,
    );
  }

  function page(
    container: HTMLElement,
    tenant: TenantDetail,
    deployments: readonly DeploymentDetail[],
    nowMs: number,
    notice?: { text: string; ok: boolean },
    change?: { draft: ChangeDraft; problems?: ChangeProblems },
  ): void {
    dom.replace(
      container,
      h('p', {}, h('a', { href: '#/', 'data-key': 'back' }, '← All tenants')),
      h('h2', { id: 'tenant-heading', tabindex: '-1', 'data-key': 'tenant-heading' }, tenant.displayName, ' ', dom.statusBadge(logic.statusKey(tenant.status))),
      tenant.statusReason ? h('p', { class: logic.showsReason(tenant) ? 'reason' : 'meta' }, tenant.statusReason) : null,
      facts(tenant, nowMs),
      actions(tenant, notice, change),
      verification(tenant, nowMs),
      h('section', { 'aria-labelledby': 'history-heading' }, h('h3', { id: 'history-heading' }, 'History'), history(tenant, nowMs)),
      h('section', { 'aria-labelledby': 'rollouts-heading' }, h('h3', { id: 'rollouts-heading' }, 'Deployments'), rollouts(tenant, deployments)),
      h('section', { 'aria-labelledby': 'resources-heading' }, h('h3', { id: 'resources-heading' }, 'Resources'), resources(tenant)),
    );
  }

  /** The page of a tenant the API does not know (deleted, or a mistyped link), in the dashboard's words. */
  function missing(container: HTMLElement, tenantId: string, message: string): void {
    dom.replace(
      container,
      h('p', {}, h('a', { href: '#/', 'data-key': 'back' }, '← All tenants')),
      h('h2', { id: 'tenant-heading', tabindex: '-1', 'data-key': 'tenant-heading' }, tenantId),
      h('p', { class: 'reason' }, message),
    );
  }

  /**
   * The page of a tenant whose stored record breaks a rule, so the control plane cannot act on
   * it: each invalid field, the value given, the rule, and the command that fixes it.
   */
  function invalid(container: HTMLElement, tenantId: string, summary: TenantSummary | undefined, fields: readonly InvalidField[], stage: string | null): void {
    const fixes = logic.recordFixes(tenantId, fields, stage);
    dom.replace(
      container,
      h('p', {}, h('a', { href: '#/', 'data-key': 'back' }, '← All tenants')),
      h('h2', { id: 'tenant-heading', tabindex: '-1', 'data-key': 'tenant-heading' }, summary?.displayName ?? tenantId, ' ', dom.statusBadge('FAILED')),
      h(
        'div',
        { class: 'usa-alert usa-alert--error' },
        h(
          'div',
          { class: 'usa-alert__body' },
          h('h3', { class: 'usa-alert__heading' }, `The tenant record of ${tenantId} is invalid`),
          h(
            'p',
            { class: 'usa-alert__text' },
            'The control plane does not act on it until it is fixed. Once it is, the tenant is onboarded or updated again by itself.',
          ),
        ),
      ),
      ...fixes.map((fix) =>
        h(
          'section',
          { class: 'usa-summary-box', 'aria-labelledby': `fix-${fix.field}`, 'data-field': fix.field },
          h(
            'div',
            { class: 'usa-summary-box__body' },
            h('h3', { class: 'usa-summary-box__heading', id: `fix-${fix.field}` }, fix.field),
            h(
              'dl',
              { class: 'facts' },
              h('dt', {}, 'Value given'),
              h('dd', {}, h('code', {}, fix.given)),
              h('dt', {}, 'Rule'),
              h('dd', {}, `${fix.field} ${fix.rule}`),
            ),
            h('div', { class: 'fix' }, h('p', {}, fix.advice), fix.command ? h('pre', {}, h('code', {}, fix.command)) : null),
          ),
        ),
      ),
    );
  }

  return { page, missing, invalid };
}

export type TenantView = ReturnType<typeof tenantView>;
