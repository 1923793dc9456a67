/**
 * The dashboard's pure logic: formatting, grouping, filtering, relative time,
 * routing. No DOM, no clock, no network: everything it needs is an argument.
 *
 * Everything lives inside one factory because the browser gets this code as
 * the factory's own text (client.ts): it must not reference anything from the
 * module around it, only its arguments and the language's globals.
 */
import type { DeploymentDetail, FleetRow, FleetSort, ImageView, InvalidField, Route, StatusKey, TenantDetail, TenantOutcome, TenantSummary } from './types.ts';

export type Tone = 'bad' | 'warn' | 'busy' | 'good' | 'idle';

export function dashboardLogic() {
  /** Worst first: the order of the counts, and of the fleet table when sorted by status. */
  const STATUSES: readonly StatusKey[] = ['FAILED', 'DEGRADED', 'PROVISIONING', 'DEPLOYING', 'DEPROVISIONING', 'ACTIVE', 'NEW', 'DELETED'];
  const OUTCOMES: readonly TenantOutcome[] = ['PENDING', 'SUCCEEDED', 'ROLLED_BACK', 'FAILED', 'SKIPPED', 'NOOP'];

  const STATUS_TEXT: Record<StatusKey, { label: string; symbol: string; tone: Tone }> = {
    FAILED: { label: 'Failed', symbol: '✕', tone: 'bad' },
    DEGRADED: { label: 'Degraded', symbol: '!', tone: 'warn' },
    PROVISIONING: { label: 'Provisioning', symbol: '↻', tone: 'busy' },
    DEPLOYING: { label: 'Deploying', symbol: '↻', tone: 'busy' },
    DEPROVISIONING: { label: 'Deprovisioning', symbol: '↻', tone: 'busy' },
    ACTIVE: { label: 'Active', symbol: '✓', tone: 'good' },
    NEW: { label: 'New', symbol: '•', tone: 'idle' },
    DELETED: { label: 'Deleted', symbol: '–', tone: 'idle' },
  };
  const OUTCOME_TEXT: Record<TenantOutcome, { label: string; symbol: string; tone: Tone }> = {
    PENDING: { label: 'pending', symbol: '…', tone: 'idle' },
    SUCCEEDED: { label: 'succeeded', symbol: '✓', tone: 'good' },
    ROLLED_BACK: { label: 'rolled back', symbol: '↩', tone: 'warn' },
    FAILED: { label: 'failed', symbol: '✕', tone: 'bad' },
    SKIPPED: { label: 'skipped', symbol: '–', tone: 'idle' },
    NOOP: { label: 'already current', symbol: '=', tone: 'good' },
  };
  const DEPLOYMENT_TONE: Record<DeploymentDetail['status'], Tone> = { IN_PROGRESS: 'busy', SUCCEEDED: 'good', FAILED: 'bad', SUPERSEDED: 'idle' };

  function statusKey(status: TenantSummary['status']): StatusKey {
    return status ?? 'NEW';
  }

  function statusText(key: StatusKey) {
    return STATUS_TEXT[key];
  }

  function outcomeText(outcome: TenantOutcome) {
    return OUTCOME_TEXT[outcome];
  }

  function deploymentTone(status: DeploymentDetail['status']): Tone {
    return DEPLOYMENT_TONE[status];
  }

  /** "IN_PROGRESS" → "In progress". */
  function humanize(code: string): string {
    const words = code.toLowerCase().replaceAll('_', ' ');
    return words.charAt(0).toUpperCase() + words.slice(1);
  }

  /** A reason is worth a line of its own only when someone has to act on it. */
  function showsReason(tenant: Pick<TenantSummary, 'status' | 'statusReason'>): boolean {
    return (tenant.status === 'FAILED' || tenant.status === 'DEGRADED') && !!tenant.statusReason;
  }

  function countByStatus(tenants: readonly Pick<TenantSummary, 'status'>[]): Record<StatusKey, number> {
    const counts = Object.fromEntries(STATUSES.map((key) => [key, 0])) as Record<StatusKey, number>;
    for (const tenant of tenants) counts[statusKey(tenant.status)] += 1;
    return counts;
  }

  /**
   * `filter` is a StatusKey or "ALL". By name unless the person sorts by another column: rows
   * must not move under the reader while a rollout changes statuses. Ties go by name, then id.
   */
  function visibleRows<T extends { tenant: Pick<TenantSummary, 'status' | 'displayName' | 'tenantId' | 'updatedAt'> }>(
    rows: readonly T[],
    filter: string,
    sort: FleetSort = { column: 'name', direction: 'ascending' },
  ): T[] {
    const rank = (row: T) => STATUSES.indexOf(statusKey(row.tenant.status));
    const byName = (a: T, b: T) => a.tenant.displayName.localeCompare(b.tenant.displayName) || a.tenant.tenantId.localeCompare(b.tenant.tenantId);
    const byColumn = (a: T, b: T) =>
      sort.column === 'status' ? rank(a) - rank(b) : sort.column === 'updated' ? (a.tenant.updatedAt ?? '').localeCompare(b.tenant.updatedAt ?? '') : 0;
    const sign = sort.direction === 'ascending' ? 1 : -1;
    return rows.filter((row) => filter === 'ALL' || statusKey(row.tenant.status) === filter).sort((a, b) => sign * (byColumn(a, b) || byName(a, b)));
  }

  /** Zones from the summary when the API lists them, else from the tenant's detail when it is as new as the summary. */
  function fleetRows(tenants: readonly TenantSummary[], details: ReadonlyMap<string, TenantDetail>): FleetRow[] {
    return tenants.map((tenant) => {
      const detail = details.get(tenant.tenantId);
      const zones = tenant.health?.zones ?? (detail && detail.updatedAt === tenant.updatedAt ? (detail.health?.zones ?? null) : null);
      return { tenant, zones };
    });
  }

  /**
   * Tenants whose detail is missing or older than their summary: the only ones worth another
   * request. Only zones are read from a detail, and a tenant with no health has none.
   */
  function staleTenantDetails(tenants: readonly TenantSummary[], details: ReadonlyMap<string, TenantDetail>): string[] {
    return tenants
      .filter((tenant) => tenant.health !== null && tenant.health.zones === undefined)
      .filter((tenant) => details.get(tenant.tenantId)?.updatedAt !== tenant.updatedAt)
      .map((tenant) => tenant.tenantId);
  }

  /** Ended deployments never change again; running ones, and ones whose status moved since we read them, are read again. */
  function staleDeploymentDetails(ids: readonly { deploymentId: string; status: string }[], details: ReadonlyMap<string, DeploymentDetail>): string[] {
    return ids
      .filter(({ deploymentId, status }) => status === 'IN_PROGRESS' || details.get(deploymentId)?.status !== status)
      .map(({ deploymentId }) => deploymentId);
  }

  function newestFirst<T extends { deploymentId: string; startedAt: string }>(deployments: readonly T[]): T[] {
    return [...deployments].sort((a, b) => b.startedAt.localeCompare(a.startedAt) || b.deploymentId.localeCompare(a.deploymentId));
  }

  /** "just now", "42 s ago", "5 min ago", "3 h ago", "2 d ago"; a time a little ahead of this clock (skew) is "just now". */
  function relativeTime(iso: string | null, nowMs: number): string {
    if (!iso) return '—';
    const then = Date.parse(iso);
    if (Number.isNaN(then)) return '—';
    const seconds = Math.floor((nowMs - then) / 1000);
    if (seconds < 5) return 'just now';
    if (seconds < 60) return `${seconds} s ago`;
    if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
    if (seconds < 86_400) return `${Math.floor(seconds / 3600)} h ago`;
    return `${Math.floor(seconds / 86_400)} d ago`;
  }

  /** "4 min 12 s", "1 h 5 min", "9 s". */
  function duration(fromIso: string | null, toIso: string | null): string {
    const ms = Date.parse(toIso ?? '') - Date.parse(fromIso ?? '');
    if (Number.isNaN(ms) || ms < 0) return '—';
    const seconds = Math.round(ms / 1000);
    if (seconds < 60) return `${seconds} s`;
    const minutes = Math.floor(seconds / 60);
    if (minutes < 60) return seconds % 60 ? `${minutes} min ${seconds % 60} s` : `${minutes} min`;
    return minutes % 60 ? `${Math.floor(minutes / 60)} h ${minutes % 60} min` : `${Math.floor(minutes / 60)} h`;
  }

  /**
   * "Nov 26, 2026, 10:04:05 AM EST": in the viewer's zone (`timeZone` undefined) and naming it,
   * so two operators in two zones on a call still read the same instant.
   */
  function absoluteTime(iso: string | null, timeZone?: string): string {
    if (!iso || Number.isNaN(Date.parse(iso))) return '—';
    const options: Intl.DateTimeFormatOptions = {
      year: 'numeric',
      month: 'short',
      day: 'numeric',
      hour: 'numeric',
      minute: '2-digit',
      second: '2-digit',
      timeZoneName: 'short',
      timeZone,
    };
    return new Intl.DateTimeFormat('en-US', options).format(new Date(iso));
  }

  /** The next sort when a column's header is pressed: that column ascending, or the other way when it already is. */
  function nextSort(current: FleetSort, column: FleetSort['column']): FleetSort {
    if (current.column !== column) return { column, direction: 'ascending' };
    return { column, direction: current.direction === 'ascending' ? 'descending' : 'ascending' };
  }

  /** What each CLI flag of `humangov tenant add` sets: the words an operator fixes a record in. */
  const CLI_FLAGS: Record<string, string> = { displayName: '--name', desiredCount: '--count', canary: '--canary' };

  /** A value that meets the rule, near the one given, or null when only a person can choose one. */
  function suggestedValue(field: string, given: unknown): string | number | boolean | null {
    if (field === 'desiredCount') {
      const count = Math.round(Number(given));
      return Number.isFinite(count) ? Math.min(10, Math.max(1, count)) : 2;
    }
    if (field === 'canary' || field === 'purgeData') return given === true || given === 'true';
    if (field === 'desiredState') return String(given).toUpperCase() === 'DELETED' ? 'DELETED' : 'ACTIVE';
    if (field === 'displayName' && typeof given === 'string' && given.trim()) return given.trim().slice(0, 80);
    return null;
  }

  /**
   * How to fix each invalid field of a stored tenant record: the field, the value given, the
   * rule, and the command that writes a valid value. The CLI has no command that changes an
   * existing tenant yet, so the command is the AWS CLI's UpdateItem on the tenants table (an
   * update of a user field, which the control plane acts on); locally the table is at the
   * DynamoDB endpoint `npm start` prints. When `humangov tenant update` exists, this is the one
   * place to make the fix `humangov tenant update <id> <flag> <value>` (CLI_FLAGS).
   */
  function recordFixes(tenantId: string, fields: readonly InvalidField[], stage: string | null) {
    return fields.map((invalid) => {
      const value = suggestedValue(invalid.field, invalid.given);
      const given = invalid.given === null ? 'nothing (the field is missing)' : JSON.stringify(invalid.given);
      if (invalid.field === 'tenantId') {
        return { ...invalid, given, command: null, advice: 'A tenant id cannot be changed: remove this record and add the tenant again under a valid id.' };
      }
      const typed = typeof value === 'number' ? { N: String(value) } : typeof value === 'boolean' ? { BOOL: value } : { S: value ?? '<value>' };
      const table = `humangov-${stage ?? '<stage>'}-tenants`;
      const command = [
        'aws dynamodb update-item',
        stage === 'local' ? '--endpoint-url http://127.0.0.1:8000' : null,
        `--table-name ${table}`,
        `--key '${JSON.stringify({ tenantId: { S: tenantId } })}'`,
        "--update-expression 'SET #field = :value'",
        `--expression-attribute-names '${JSON.stringify({ '#field': invalid.field })}'`,
        `--expression-attribute-values '${JSON.stringify({ ':value': typed })}'`,
      ]
        .filter((part) => part !== null)
        .join(' ');
      const flag = CLI_FLAGS[invalid.field];
      const where = flag ? ` (${flag} sets it in humangov tenant add)` : '';
      const advice =
        value === null
          ? `Write a ${invalid.field} that meets the rule${where}, in place of <value> here:`
          : `Set ${invalid.field} to ${JSON.stringify(value)}, or another value that meets the rule${where}:`;
      return { ...invalid, given, command, advice };
    });
  }

  /** The first 12 hex digits, as `docker images` shows them; anything else is shown as is. */
  function shortDigest(digest: string | null | undefined): string {
    if (!digest) return '—';
    const hex = /^sha256:([a-f0-9]{12})/.exec(digest)?.[1];
    return hex ?? digest;
  }

  function imageLabel(image: ImageView | null): string {
    return image ? `${image.tag} @ ${shortDigest(image.digest)}` : '—';
  }

  function healthLabel(health: { healthy: number; total: number } | null): string {
    return health ? `${health.healthy}/${health.total}` : '—';
  }

  function zonesLabel(zones: readonly string[] | null): string {
    return zones && zones.length > 0 ? zones.join(', ') : '—';
  }

  /** Only http(s) links are made from data: an endpoint of "javascript:…" is shown as text, never as a link. */
  function safeHttpUrl(value: string | null | undefined): string | null {
    if (!value) return null;
    try {
      const url = new URL(value);
      return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
    } catch {
      return null;
    }
  }

  function tenantHref(tenantId: string): string {
    return `#/tenants/${encodeURIComponent(tenantId)}`;
  }

  /** `#/tenants/ca` (or `?tenant=ca` when there is no hash route) is a tenant's page; anything else is the fleet. */
  function parseRoute(hash: string, search: string): Route {
    const tenantInHash = /^#\/tenants\/([^/?#]+)\/?$/.exec(hash)?.[1];
    if (tenantInHash) return { view: 'tenant', tenantId: safeDecode(tenantInHash) };
    if (hash === '#/deployments') return { view: 'fleet', focus: 'deployments' };
    const tenantInQuery = new URLSearchParams(search).get('tenant');
    if (!hash.startsWith('#/') && tenantInQuery) return { view: 'tenant', tenantId: tenantInQuery };
    return { view: 'fleet', focus: 'tenants' };
  }

  function safeDecode(text: string): string {
    try {
      return decodeURIComponent(text);
    } catch {
      return text;
    }
  }

  /** The rollout as a person scans it: the canary, then each wave, each tenant with its outcome. */
  function rolloutStages(deployment: Pick<DeploymentDetail, 'waves' | 'tenants' | 'canaryTenantId'>) {
    const results = new Map(deployment.tenants.map((result) => [result.tenantId, result]));
    const placed = new Set<string>();
    const stages = deployment.waves.map((wave, index) => {
      const isCanary = index === 0 && deployment.canaryTenantId !== null && wave.length === 1 && wave[0] === deployment.canaryTenantId;
      wave.forEach((tenantId) => placed.add(tenantId));
      return {
        label: isCanary ? 'Canary' : `Wave ${deployment.canaryTenantId === null ? index + 1 : index}`,
        tenants: wave.map((tenantId) => results.get(tenantId) ?? { tenantId, outcome: 'PENDING' as const, error: null, reason: null }),
      };
    });
    const unplanned = deployment.tenants.filter((result) => !placed.has(result.tenantId));
    if (unplanned.length > 0) stages.push({ label: 'Other tenants', tenants: unplanned });
    return stages;
  }

  /** "3 succeeded · 1 rolled back · 2 skipped", outcomes with no tenant left out. */
  function outcomeSummary(counts: Partial<Record<TenantOutcome, number>>): string {
    const parts = OUTCOMES.filter((outcome) => (counts[outcome] ?? 0) > 0).map((outcome) => `${counts[outcome]} ${OUTCOME_TEXT[outcome].label}`);
    return parts.length > 0 ? parts.join(' · ') : 'no tenants yet';
  }

  /** Sentences for the live region: one per tenant whose status moved between two reads. */
  function statusChanges(before: ReadonlyMap<string, StatusKey>, after: readonly TenantSummary[]): string[] {
    return after
      .filter((tenant) => before.has(tenant.tenantId) && before.get(tenant.tenantId) !== statusKey(tenant.status))
      .map((tenant) => `${tenant.displayName} is now ${STATUS_TEXT[statusKey(tenant.status)].label}.`);
  }

  /**
   * The operator's actions a tenant's page offers, each with the question asked before it is sent
   * (what it will do to the tenant): retry for a tenant whose last attempt failed, restore for a
   * removed one whose data was kept. The API refuses the same cases (src/api/operator-routes.ts).
   */
  function tenantActions(tenant: Pick<TenantDetail, 'tenantId' | 'displayName' | 'status' | 'desiredState' | 'purgeData'>) {
    const actions: { action: 'retry' | 'restore'; label: string; confirm: string; done: string }[] = [];
    const name = `${tenant.displayName} (${tenant.tenantId})`;
    if (tenant.status === 'FAILED' || tenant.status === 'DEGRADED') {
      const removing = tenant.desiredState === 'DELETED';
      actions.push({
        action: 'retry',
        label: removing ? 'Retry offboarding' : 'Retry onboarding',
        confirm: removing
          ? `Run the offboarding of ${name} again? It removes the tenant's service, routing and role${tenant.purgeData ? ', and deletes its data' : ''}.`
          : `Run the onboarding of ${name} again? It creates or repairs the tenant's resources and restarts its service.`,
        done: `Retry of ${name} requested; the control plane runs its workflow again.`,
      });
    }
    if (tenant.status === 'DELETED' && tenant.desiredState === 'DELETED' && !tenant.purgeData) {
      actions.push({
        action: 'restore',
        label: 'Restore',
        confirm: `Restore ${name}? It is onboarded again on the table and bucket its removal kept, and serves again.`,
        done: `Restore of ${name} requested; the control plane onboards it again.`,
      });
    }
    return actions;
  }

  /** The change form's fields, in its words. */
  const CHANGE_LABELS: Record<ChangeField, string> = { displayName: 'Display name', desiredCount: 'Desired tasks', canary: 'Canary' };

  /** The PATCH body: fields that differ; a count that is no whole number as typed, for the API to judge. */
  function tenantChanges(tenant: Pick<TenantDetail, 'displayName' | 'desiredCount' | 'canary'>, draft: ChangeDraft): Partial<Record<ChangeField, unknown>> {
    const changes: Partial<Record<ChangeField, unknown>> = {};
    if (draft.displayName.trim() !== tenant.displayName) changes.displayName = draft.displayName;
    const count = draft.desiredCount.trim();
    const desiredCount = /^[0-9]+$/.test(count) ? Number(count) : count;
    if (desiredCount !== tenant.desiredCount) changes.desiredCount = desiredCount;
    if (draft.canary !== tenant.canary) changes.canary = draft.canary;
    return changes;
  }

  /** The API's refusal in the form's words: "desiredCount: desiredCount must be…" becomes "Desired tasks must be…" at its field. */
  function changeProblems(message: string): ChangeProblems {
    const fields: ChangeProblems['fields'] = {};
    const rest = (message.split('. PATCH takes ')[0] ?? message).split('; ').filter((part) => {
      const [, field, text] = /^([A-Za-z]+): (.*)$/.exec(part) ?? [];
      if (!field || !text || !Object.hasOwn(CHANGE_LABELS, field)) return true;
      fields[field as ChangeField] ??= text.replace(new RegExp(`^${field}\\b`), CHANGE_LABELS[field as ChangeField]);
      return false;
    });
    return { fields, form: rest.join('; ') };
  }

  /**
   * What the last target-health check says against the verification rule (all
   * targets healthy, at least the desired count, two zones when two or more
   * tasks are wanted). The digest probe is not stored, so it is not judged here.
   */
  function verificationFindings(tenant: Pick<TenantDetail, 'health' | 'desiredCount'>): string[] {
    const health = tenant.health;
    if (!health) return ['not verified yet'];
    const findings: string[] = [];
    if (health.healthy < health.total) findings.push(`${health.total - health.healthy} of ${health.total} targets not healthy`);
    if (health.healthy < tenant.desiredCount) findings.push(`${health.healthy} healthy targets, ${tenant.desiredCount} wanted`);
    if (tenant.desiredCount >= 2 && health.zones.length < 2) findings.push(`healthy targets span ${health.zones.length} zone(s); at least 2 are required`);
    return findings;
  }

  return {
    STATUSES,
    OUTCOMES,
    statusKey,
    statusText,
    outcomeText,
    deploymentTone,
    humanize,
    showsReason,
    countByStatus,
    visibleRows,
    fleetRows,
    staleTenantDetails,
    staleDeploymentDetails,
    newestFirst,
    relativeTime,
    duration,
    absoluteTime,
    nextSort,
    recordFixes,
    shortDigest,
    imageLabel,
    healthLabel,
    zonesLabel,
    safeHttpUrl,
    tenantHref,
    parseRoute,
    rolloutStages,
    outcomeSummary,
    statusChanges,
    verificationFindings,
    tenantActions,
    CHANGE_LABELS,
    tenantChanges,
    changeProblems,
  };
}

export type DashboardLogic = ReturnType<typeof dashboardLogic>;

/** What the change form edits: the user fields an operator changes from the dashboard. */
export type ChangeField = 'displayName' | 'desiredCount' | 'canary';

/** The change form's values as typed (the count as text, so "abc" reaches the API and is refused in its words). */
export interface ChangeDraft {
  displayName: string;
  desiredCount: string;
  canary: boolean;
}

/** Why the API refused a change: per field, in the form's words, and for the form as a whole ('' when nothing is). */
export interface ChangeProblems {
  fields: Partial<Record<ChangeField, string>>;
  form: string;
}
