/// <reference lib="dom" />
/**
 * The dashboard's controller: reads the status API's JSON routes (relative
 * URLs, so it works wherever the page is served), keeps what it read, renders
 * the current route, and reads again every few seconds while the tab is
 * visible. Details are read only when their summary says they changed, so a
 * quiet fleet costs two requests a refresh. (Served as the factory's own text: see client.ts.)
 */
import type { DashboardDom } from './dom.ts';
import type { DashboardLogic } from './logic.ts';
import type { DeploymentsView } from './deployments-view.ts';
import type { FleetView } from './fleet-view.ts';
import type { TenantView } from './tenant-view.ts';
import type { DeploymentDetail, DeploymentSummary, ListPage, Route, StatusKey, TenantDetail, TenantSummary } from './types.ts';

export interface DashboardEnv {
  logic: DashboardLogic;
  dom: DashboardDom;
  fleet: FleetView;
  deployments: DeploymentsView;
  tenant: TenantView;
  window: Window;
  document: Document;
}

type JsonAnswer<T> = { ok: true; body: T } | { ok: false; status: number; message: string };

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
  };

  const state = {
    route: logic.parseRoute(win.location.hash, win.location.search) as Route,
    tenants: [] as TenantSummary[],
    tenantDetails: new Map<string, TenantDetail>(),
    /** Why a tenant's page cannot be shown (the API's own message), by tenant id. */
    tenantProblems: new Map<string, string>(),
    deployments: [] as DeploymentSummary[],
    deploymentDetails: new Map<string, DeploymentDetail>(),
    statuses: null as Map<string, StatusKey> | null,
    loadedAt: null as number | null,
    problem: null as string | null,
  };

  async function getJson<T>(path: string): Promise<JsonAnswer<T>> {
    const response = await win.fetch(path, { headers: { accept: 'application/json' }, cache: 'no-store' });
    const body: unknown = await response.json().catch(() => null);
    if (response.ok) return { ok: true, body: body as T };
    const message = (body as { error?: { message?: unknown } } | null)?.error?.message;
    return { ok: false, status: response.status, message: typeof message === 'string' ? message : `HTTP ${response.status}` };
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

  async function loadTenant(tenantId: string): Promise<void> {
    const answer = await getJson<TenantDetail>(`tenants/${encodeURIComponent(tenantId)}`);
    if (answer.ok) {
      state.tenantDetails.set(tenantId, answer.body);
      state.tenantProblems.delete(tenantId);
    } else if (answer.status === 404 || answer.status === 400) {
      state.tenantDetails.delete(tenantId);
      state.tenantProblems.set(tenantId, answer.message);
    } else {
      throw new Error(`GET tenants/${tenantId}: ${answer.message}`);
    }
  }

  async function loadDeployment(deploymentId: string): Promise<void> {
    const answer = await getJson<DeploymentDetail>(`deployments/${encodeURIComponent(deploymentId)}`);
    if (!answer.ok) throw new Error(`GET deployments/${deploymentId}: ${answer.message}`);
    state.deploymentDetails.set(deploymentId, answer.body);
  }

  async function load(): Promise<void> {
    const [tenants, deployments] = await Promise.all([listAll<TenantSummary>('tenants'), listAll<DeploymentSummary>('deployments')]);
    const recent = logic.newestFirst(deployments).slice(0, SHOWN_DEPLOYMENTS);
    const tenantIds = logic.staleTenantDetails(tenants, state.tenantDetails);
    const route = state.route;
    // A tenant's page is read even when the list does not have it: the API's answer says why.
    if (route.view === 'tenant' && !tenants.some((tenant) => tenant.tenantId === route.tenantId)) tenantIds.push(route.tenantId);
    await Promise.all([...tenantIds.map(loadTenant), ...logic.staleDeploymentDetails(recent, state.deploymentDetails).map(loadDeployment)]);
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
      ui.updated.textContent = `Could not refresh (${state.problem}); ${at ? `showing what was read at ${at}` : 'nothing read yet'}. Retrying.`;
    else ui.updated.textContent = at ? `Updated ${at}.${paused}` : 'Loading…';
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
        env.fleet.table(ui.fleet, logic.fleetRows(state.tenants, state.tenantDetails), ui.filter.value, nowMs);
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
      if (detail) env.tenant.page(ui.tenantPage, detail, shown, nowMs);
      else env.tenant.missing(ui.tenantPage, route.tenantId, problem ?? 'Loading…');
      doc.title = `${detail?.displayName ?? route.tenantId} — HumanGov fleet`;
    }
    renderStatusLine();
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
        state.problem = null;
        state.loadedAt = Date.now();
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        if (state.problem !== message) announce(`Could not refresh: ${message}`);
        state.problem = message;
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
  doc.querySelector('a.skip')?.addEventListener('click', (event) => {
    // The skip link moves focus without touching the hash, which is the route.
    event.preventDefault();
    ui.main.focus();
  });

  render();
  if (state.route.view === 'fleet' && state.route.focus === 'deployments') focusRoute();
  void refresh();
  return { refresh };
}
