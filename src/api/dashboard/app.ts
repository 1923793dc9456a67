/// <reference lib="dom" />
/**
 * The dashboard's controller: reads the status API's JSON routes (relative
 * URLs, so it works wherever the page is served), keeps what it read, renders
 * the current route, and reads again every few seconds while the tab is
 * visible. Details are read only when their summary says they changed, so a
 * quiet fleet costs two requests a refresh. (Served as the factory's own text: see client.ts.)
 */
import type { DashboardDom } from './dom.ts';
import type { ChangeDraft, ChangeProblems, DashboardLogic } from './logic.ts';
import type { DeploymentsView } from './deployments-view.ts';
import type { FleetView } from './fleet-view.ts';
import type { TenantView } from './tenant-view.ts';
import type { DeploymentDetail, DeploymentSummary, FleetSort, InvalidField, ListPage, Route, StatusKey, TenantDetail, TenantSummary } from './types.ts';

export interface DashboardEnv {
  logic: DashboardLogic;
  dom: DashboardDom;
  fleet: FleetView;
  deployments: DeploymentsView;
  tenant: TenantView;
  window: Window;
  document: Document;
}

type JsonAnswer<T> = { ok: true; body: T } | { ok: false; status: number; message: string; invalidFields: InvalidField[] };

/** Why a tenant's page cannot show the tenant: the dashboard's own words, and the invalid fields of its record when that is why. */
interface TenantProblem {
  message: string;
  invalidFields: InvalidField[];
  /** The summary's updatedAt when the problem was read: read again only once the record changed. */
  updatedAt: string | null;
}

export function dashboardApp(env: DashboardEnv) {
  const { logic, window: win, document: doc } = env;
  const POLL_MS = 5000;
  /** Enough history to scan; older deployments are one GET /deployments away. */
  const SHOWN_DEPLOYMENTS = 8;
  /** A guard, not a limit anyone should reach: 100 items a page. */
  const MAX_PAGES = 50;

  function byId<T extends HTMLElement>(id: string): T {
    const element = doc.getElementById(id);
    if (!element) throw new Error(`the dashboard page has no #${id}; page.ts and app.ts disagree`);
    return element as T;
  }
  const ui = {
    main: byId('main'),
    overview: byId('overview'),
    tenantPage: byId('tenant-page'),
    counts: byId('status-counts'),
    filter: byId<HTMLSelectElement>('status-filter'),
    fleet: byId('fleet'),
    deployments: byId('deployments'),
    updated: byId('updated'),
    refresh: byId<HTMLButtonElement>('refresh'),
    announcer: byId('announcer'),
    connection: byId('connection'),
    nav: byId('dashboard-nav'),
    menuOpen: byId<HTMLButtonElement>('menu-open'),
    menuClose: byId<HTMLButtonElement>('menu-close'),
    overlay: doc.querySelector<HTMLElement>('.usa-overlay'),
  };

  const state = {
    route: logic.parseRoute(win.location.hash, win.location.search) as Route,
    tenants: [] as TenantSummary[],
    tenantDetails: new Map<string, TenantDetail>(),
    /** Why a tenant's page cannot be shown, by tenant id. */
    tenantProblems: new Map<string, TenantProblem>(),
    deployments: [] as DeploymentSummary[],
    deploymentDetails: new Map<string, DeploymentDetail>(),
    statuses: null as Map<string, StatusKey> | null,
    loadedAt: null as number | null,
    problem: null as string | null,
    /** When refreshing started to fail: since then, what is shown may be out of date. */
    problemSince: null as number | null,
    sort: { column: 'name', direction: 'ascending' } as FleetSort,
    /** The control plane's stage (GET /health), for the commands the dashboard suggests. */
    stage: null as string | null,
    /** What the last action on a tenant answered, by tenant id, shown on its page. */
    notices: new Map<string, { text: string; ok: boolean }>(),
    /** Why the API refused the last change, by tenant id. */
    changeProblems: new Map<string, ChangeProblems>(),
  };

  async function getJson<T>(path: string): Promise<JsonAnswer<T>> {
    const response = await win.fetch(path, { headers: { accept: 'application/json' }, cache: 'no-store' });
    const body: unknown = await response.json().catch(() => null);
    if (response.ok) return { ok: true, body: body as T };
    const error = (body as { error?: { message?: unknown; invalidFields?: unknown } } | null)?.error;
    const message = typeof error?.message === 'string' ? error.message : `HTTP ${response.status}`;
    const invalidFields = Array.isArray(error?.invalidFields) ? (error.invalidFields as InvalidField[]) : [];
    return { ok: false, status: response.status, message, invalidFields };
  }

  async function listAll<T>(path: string): Promise<T[]> {
    const items: T[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < MAX_PAGES; page++) {
      const answer: JsonAnswer<ListPage<T>> = await getJson<ListPage<T>>(`${path}?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      if (!answer.ok) throw new Error(`GET ${path}: ${answer.message}`);
      items.push(...answer.body.items);
      cursor = answer.body.nextCursor;
      if (!cursor) break;
    }
    return items;
  }

  async function loadTenant(tenantId: string, updatedAt: string | null): Promise<void> {
    const answer = await getJson<TenantDetail>(`tenants/${encodeURIComponent(tenantId)}`);
    if (answer.ok) {
      state.tenantDetails.set(tenantId, answer.body);
      state.tenantProblems.delete(tenantId);
    } else if (answer.status === 404) {
      state.tenantDetails.delete(tenantId);
      state.tenantProblems.set(tenantId, {
        message: `There is no tenant "${tenantId}": it may have been removed, or the link is mistyped.`,
        invalidFields: [],
        updatedAt,
      });
    } else if (answer.status === 400) {
      state.tenantDetails.delete(tenantId);
      state.tenantProblems.set(tenantId, { message: answer.message, invalidFields: answer.invalidFields, updatedAt });
    } else {
      throw new Error(`GET tenants/${tenantId}: ${answer.message}`);
    }
  }

  async function loadDeployment(deploymentId: string): Promise<void> {
    const answer = await getJson<DeploymentDetail>(`deployments/${encodeURIComponent(deploymentId)}`);
    if (!answer.ok) throw new Error(`GET deployments/${deploymentId}: ${answer.message}`);
    state.deploymentDetails.set(deploymentId, answer.body);
  }

  async function loadStage(): Promise<void> {
    const answer = await getJson<{ stage?: unknown }>('health');
    if (answer.ok && typeof answer.body.stage === 'string') state.stage = answer.body.stage;
  }

  async function load(): Promise<void> {
    const [tenants, deployments] = await Promise.all([
      listAll<TenantSummary>('tenants'),
      listAll<DeploymentSummary>('deployments'),
      state.stage === null ? loadStage() : null,
    ]);
    const recent = logic.newestFirst(deployments).slice(0, SHOWN_DEPLOYMENTS);
    const tenantIds = logic.staleTenantDetails(tenants, state.tenantDetails);
    const route = state.route;
    // The open tenant's page is read when it changed (or when the list does not have it: the API's answer says why).
    if (route.view === 'tenant' && !tenantIds.includes(route.tenantId)) {
      const summary = tenants.find((tenant) => tenant.tenantId === route.tenantId);
      const seen = state.tenantDetails.get(route.tenantId)?.updatedAt ?? state.tenantProblems.get(route.tenantId)?.updatedAt;
      if (!summary || seen === undefined || seen !== summary.updatedAt) tenantIds.push(route.tenantId);
    }
    const updatedAtOf = (tenantId: string) => tenants.find((tenant) => tenant.tenantId === tenantId)?.updatedAt ?? null;
    await Promise.all([
      ...tenantIds.map((tenantId) => loadTenant(tenantId, updatedAtOf(tenantId))),
      ...logic.staleDeploymentDetails(recent, state.deploymentDetails).map(loadDeployment),
    ]);
    announce(state.statuses ? logic.statusChanges(state.statuses, tenants).join(' ') : '');
    state.statuses = new Map(tenants.map((tenant) => [tenant.tenantId, logic.statusKey(tenant.status)]));
    state.tenants = tenants;
    state.deployments = recent;
  }

  function announce(text: string): void {
    if (text) ui.announcer.textContent = text;
  }

  function renderStatusLine(): void {
    const at = state.loadedAt === null ? null : logic.absoluteTime(new Date(state.loadedAt).toISOString());
    const paused = doc.visibilityState === 'hidden' ? ' Paused while this tab is hidden.' : ` Refreshes every ${POLL_MS / 1000} s.`;
    if (state.problem)
      ui.updated.textContent = at ? `Last read at ${at}. Retrying every ${POLL_MS / 1000} s.` : `Nothing read yet. Retrying every ${POLL_MS / 1000} s.`;
    else ui.updated.textContent = at ? `Updated ${at}.${paused}` : 'Loading…';
  }

  /** A banner no one can miss while the control plane does not answer, and what was read before marked as such. */
  function renderConnection(nowMs: number): void {
    const stale = state.problem !== null;
    for (const region of [ui.overview, ui.tenantPage]) region.classList.toggle('is-stale', stale && state.loadedAt !== null);
    if (!stale) {
      env.dom.replace(ui.connection);
      return;
    }
    const read =
      state.loadedAt === null
        ? 'Nothing has been read yet, so no tenant is shown.'
        : `Everything below was read at ${logic.absoluteTime(new Date(state.loadedAt).toISOString())} (${logic.relativeTime(new Date(state.loadedAt).toISOString(), nowMs)}) and may be out of date: statuses are shown in grey until it is read again.`;
    env.dom.replace(
      ui.connection,
      env.dom.h(
        'div',
        { class: 'usa-alert usa-alert--error', 'data-key': 'connection' },
        env.dom.h(
          'div',
          { class: 'usa-alert__body' },
          env.dom.h('h2', { class: 'usa-alert__heading' }, 'The control plane is not answering'),
          env.dom.h('p', { class: 'usa-alert__text' }, `${read} The dashboard tries again every ${POLL_MS / 1000} s (last error: ${state.problem}).`),
        ),
      ),
    );
  }

  /** The navigation marks where the person is. */
  function renderNavigation(): void {
    const route = state.route;
    const current = route.view === 'fleet' ? route.focus : 'tenants';
    for (const link of Array.from(ui.nav.querySelectorAll<HTMLAnchorElement>('a[data-view]'))) {
      const isCurrent = link.dataset.view === current;
      link.classList.toggle('usa-current', isCurrent);
      if (isCurrent) link.setAttribute('aria-current', 'page');
      else link.removeAttribute('aria-current');
    }
  }

  /** The USWDS header's menu on a narrow screen: opens over the page, closes with its button, the overlay, Escape or a choice. */
  function setMenu(open: boolean): void {
    ui.nav.classList.toggle('is-visible', open);
    ui.overlay?.classList.toggle('is-visible', open);
    doc.body.classList.toggle('usa-js-mobile-nav--active', open);
    ui.menuOpen.setAttribute('aria-expanded', String(open));
    if (open) ui.menuClose.focus();
  }

  function render(): void {
    const nowMs = Date.now();
    const route = state.route;
    const counts = logic.countByStatus(state.tenants);
    ui.overview.hidden = route.view !== 'fleet';
    ui.tenantPage.hidden = route.view !== 'tenant';
    env.fleet.filterOptions(ui.filter, counts, state.tenants.length);
    if (route.view === 'fleet') {
      env.fleet.counts(ui.counts, counts, state.tenants.length);
      if (state.loadedAt === null) {
        // Nothing read yet: an empty table would say "no tenants", which is not known.
        env.dom.replace(ui.fleet, env.dom.h('p', { class: 'meta' }, 'Loading…'));
        env.dom.replace(ui.deployments, env.dom.h('p', { class: 'meta' }, 'Loading…'));
      } else {
        const staleSince = state.problem !== null && state.loadedAt !== null ? new Date(state.loadedAt).toISOString() : null;
        env.fleet.table(ui.fleet, logic.fleetRows(state.tenants, state.tenantDetails), ui.filter.value, state.sort, nowMs, staleSince);
        env.deployments.list(ui.deployments, state.deployments, state.deploymentDetails, nowMs);
      }
      const attention = (['FAILED', 'DEGRADED'] as const)
        .filter((key) => counts[key] > 0)
        .map((key) => `${counts[key]} ${logic.statusText(key).label.toLowerCase()}`);
      doc.title = `HumanGov fleet${attention.length > 0 ? ` — ${attention.join(', ')}` : ''}`;
    } else {
      const detail = state.tenantDetails.get(route.tenantId);
      const problem = state.tenantProblems.get(route.tenantId);
      const shown = state.deployments.flatMap((deployment) => state.deploymentDetails.get(deployment.deploymentId) ?? []);
      const summary = state.tenants.find((tenant) => tenant.tenantId === route.tenantId);
      const typed = ui.tenantPage.querySelector<HTMLFormElement>('form[data-form="change"]');
      if (detail)
        env.tenant.page(ui.tenantPage, detail, shown, nowMs, state.notices.get(route.tenantId), {
          // A refresh redraws the page, and the form with what was typed in it.
          draft: typed?.dataset.tenant === route.tenantId ? readDraft(typed) : { ...detail, desiredCount: String(detail.desiredCount) },
          problems: state.changeProblems.get(route.tenantId),
        });
      else if (problem && problem.invalidFields.length > 0) env.tenant.invalid(ui.tenantPage, route.tenantId, summary, problem.invalidFields, state.stage);
      else env.tenant.missing(ui.tenantPage, route.tenantId, problem?.message ?? 'Loading…');
      doc.title = `${detail?.displayName ?? summary?.displayName ?? route.tenantId} — HumanGov fleet`;
    }
    renderStatusLine();
    renderConnection(nowMs);
    renderNavigation();
  }

  /** Moves focus to the new view's heading, as a page load would move a screen reader to the top. */
  function focusRoute(): void {
    const route = state.route;
    const id = route.view === 'tenant' ? 'tenant-heading' : route.focus === 'deployments' ? 'deployments-heading' : 'tenants-heading';
    doc.getElementById(id)?.focus();
  }

  let timer: number | undefined;
  let running: Promise<void> | null = null;
  let again = false;

  function schedule(): void {
    win.clearTimeout(timer);
    timer = doc.visibilityState === 'hidden' ? undefined : win.setTimeout(() => void refresh(), POLL_MS);
  }

  /** One read-and-render at a time; a refresh asked for meanwhile runs right after it. */
  async function refresh(): Promise<void> {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      try {
        await load();
        if (state.problem !== null) announce('The control plane answers again; the dashboard is up to date.');
        state.problem = null;
        state.problemSince = null;
        state.loadedAt = Date.now();
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        if (state.problem === null) announce(`The control plane is not answering (${message}); what is shown may be out of date.`);
        state.problem = message;
        state.problemSince ??= Date.now();
      }
      render();
    })();
    try {
      await running;
    } finally {
      running = null;
    }
    if (again) {
      again = false;
      return refresh();
    }
    schedule();
  }

  win.addEventListener('hashchange', () => {
    state.route = logic.parseRoute(win.location.hash, win.location.search);
    render();
    focusRoute();
    void refresh();
  });
  doc.addEventListener('visibilitychange', () => {
    if (doc.visibilityState === 'hidden') schedule();
    else void refresh();
    renderStatusLine();
  });
  ui.filter.addEventListener('change', render);
  ui.refresh.addEventListener('click', () => void refresh());
  ui.fleet.addEventListener('click', (event) => {
    const button = (event.target as Element | null)?.closest<HTMLButtonElement>('button[data-sort]');
    if (!button) return;
    state.sort = logic.nextSort(state.sort, button.dataset.sort as FleetSort['column']);
    render();
  });
  /**
   * Sends JSON, which no other site's page can send here unasked (it needs a CORS preflight the
   * API never grants): what came back, or a sentence saying nothing reached the control plane.
   */
  async function send(method: string, path: string, body: unknown): Promise<{ ok: boolean; status: number; text: string }> {
    try {
      const init = {
        method,
        headers: { accept: 'application/json', 'content-type': 'application/json' },
        body: JSON.stringify(body),
        cache: 'no-store' as const,
      };
      const response = await win.fetch(path, init);
      const message = ((await response.json().catch(() => null)) as { error?: { message?: unknown } } | null)?.error?.message;
      return { ok: response.ok, status: response.status, text: typeof message === 'string' ? message : `HTTP ${response.status}` };
    } catch (error) {
      return {
        ok: false,
        status: 0,
        text: `The control plane did not answer (${error instanceof Error ? error.message : String(error)}); nothing was changed.`,
      };
    }
  }
  async function done(tenantId: string, notice: { text: string; ok: boolean }): Promise<void> {
    state.notices.set(tenantId, notice);
    announce(notice.text);
    state.tenantDetails.delete(tenantId);
    await refresh();
  }
  /** An operator action, once confirmed, then a refresh that shows what it started. */
  async function act(tenantId: string, action: string): Promise<void> {
    const detail = state.tenantDetails.get(tenantId);
    const offer = detail ? logic.tenantActions(detail).find((candidate) => candidate.action === action) : undefined;
    if (!offer || !win.confirm(offer.confirm)) return;
    const answer = await send('POST', `tenants/${encodeURIComponent(tenantId)}/${action}`, {});
    await done(tenantId, answer.ok ? { text: offer.done, ok: true } : { text: answer.text, ok: false });
  }
  function readDraft(form: HTMLFormElement): ChangeDraft {
    const field = (name: string) => form.elements.namedItem(name) as HTMLInputElement | null;
    return { displayName: field('displayName')?.value ?? '', desiredCount: field('desiredCount')?.value ?? '', canary: field('canary')?.checked ?? false };
  }
  /** A change, sent as JSON like act's. Not destructive: no question first. */
  async function change(form: HTMLFormElement): Promise<void> {
    const tenantId = form.dataset.tenant ?? '';
    const detail = state.tenantDetails.get(tenantId);
    if (!detail) return;
    const draft = readDraft(form);
    const changes = logic.tenantChanges(detail, draft);
    const answer = Object.keys(changes).length > 0 ? await send('PATCH', `tenants/${encodeURIComponent(tenantId)}`, changes) : undefined;
    if (answer?.ok) {
      state.changeProblems.delete(tenantId);
      return done(tenantId, { text: `Changes to ${detail.displayName} (${tenantId}) saved; the control plane converges the tenant to them.`, ok: true });
    }
    const problems: ChangeProblems = !answer
      ? { fields: {}, form: 'Nothing to save: change a field first.' }
      : answer.status === 400
        ? logic.changeProblems(answer.text)
        : { fields: {}, form: answer.text };
    state.changeProblems.set(tenantId, problems);
    render();
    announce(['Not saved.', ...Object.values(problems.fields), problems.form].join(' '));
    const first = ui.tenantPage.querySelector<HTMLElement>('form[data-form="change"] [aria-invalid="true"], #change-problem');
    first?.focus();
  }
  ui.tenantPage.addEventListener('submit', (event) => {
    const form = (event.target as Element | null)?.closest<HTMLFormElement>('form[data-form="change"]');
    if (!form) return;
    event.preventDefault();
    void change(form);
  });
  ui.tenantPage.addEventListener('click', (event) => {
    const button = (event.target as Element | null)?.closest<HTMLButtonElement>('button[data-action]');
    if (!button?.dataset.tenant || !button.dataset.action) return;
    void act(button.dataset.tenant, button.dataset.action);
  });
  ui.menuOpen.addEventListener('click', () => setMenu(true));
  ui.menuClose.addEventListener('click', () => {
    setMenu(false);
    ui.menuOpen.focus();
  });
  ui.overlay?.addEventListener('click', () => setMenu(false));
  ui.nav.addEventListener('click', (event) => {
    if ((event.target as Element | null)?.closest('a')) setMenu(false);
  });
  doc.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && ui.nav.classList.contains('is-visible')) {
      setMenu(false);
      ui.menuOpen.focus();
    }
  });
  doc.querySelector('a.usa-skipnav')?.addEventListener('click', (event) => {
    // The skip link moves focus without touching the hash, which is the route.
    event.preventDefault();
    ui.main.focus();
  });

  render();
  if (state.route.view === 'fleet' && state.route.focus === 'deployments') focusRoute();
  void refresh();
  return { refresh };
}
