/**
 * --wait for tenants and deployments: what counts as the end of each, and how
 * its progress reads. The polling and display are progress.ts's.
 */
import type { DeploymentDetail, TenantDetail } from './api-client.ts';
import type { CliContext } from './context.ts';
import { ApiResponseError } from './errors.ts';
import { follow, interruptible, type Verdict } from './progress.ts';

type HistoryView = TenantDetail['history'][number];

/** Identifies a transition, to tell a status the wait caused from one the tenant already had. */
function transitionKey(entry: HistoryView | undefined): string {
  return entry ? `${entry.at}|${entry.to}` : '';
}

/** A removed tenant whose record is gone altogether (a 404) has been deleted as surely as one marked DELETED. */
export type TenantState = TenantDetail | { gone: true };

export interface TenantWait {
  want: 'ACTIVE' | 'DELETED';
  /** The tenant as the request answered it: a FAILED status already there then is not this request's outcome. */
  before: TenantDetail;
  /**
   * The request asked for something the record did not say yet, so work starts now: the
   * wanted status the tenant already had (DELETED, before a removal with --purge) is an older
   * request's outcome, and only a transition after `before` ends the wait.
   */
  changed?: boolean;
  /** Removal with its data: a DELETED tenant still naming its table or bucket is not there yet. */
  purge?: boolean;
  timeoutMs: number;
}

export function tenantVerdict(state: TenantState, wait: Pick<TenantWait, 'want' | 'before' | 'changed' | 'purge'>): Verdict {
  if ('gone' in state) return wait.want === 'DELETED' ? 'ended-as-wanted' : 'ended-otherwise';
  const moved = transitionKey(state.history.at(-1)) !== transitionKey(wait.before.history.at(-1));
  if (state.status === wait.want) {
    if (wait.changed && !moved) return 'pending';
    if (wait.purge && (state.resources.tableName !== null || state.resources.bucketName !== null)) return 'pending';
    return 'ended-as-wanted';
  }
  if (moved && (state.status === 'FAILED' || state.status === 'DEGRADED')) return 'ended-otherwise';
  return 'pending';
}

export function describeTenant(state: TenantState, ctx: Pick<CliContext, 'c'>): string {
  if ('gone' in state) return 'removed';
  if (state.status === null) return 'waiting for the control plane to pick the tenant up';
  const health = state.health ? `, ${state.health.healthy}/${state.health.total} healthy` : '';
  return `${ctx.c.bold(state.status)}${state.statusReason ? `: ${state.statusReason}` : ''}${health}`;
}

export async function waitForTenant(
  ctx: CliContext,
  tenantId: string,
  wait: TenantWait,
): Promise<{ state: TenantState; verdict: Exclude<Verdict, 'pending'> }> {
  const poll = async (): Promise<TenantState> => {
    try {
      return await ctx.api.getTenant(tenantId);
    } catch (error) {
      if (error instanceof ApiResponseError && error.status === 404 && wait.want === 'DELETED') return { gone: true };
      throw error;
    }
  };
  const { value, verdict } = await interruptible((signal) =>
    follow({
      poll,
      verdict: (state) => tenantVerdict(state, wait),
      describe: (state) => describeTenant(state, ctx),
      what: `tenant "${tenantId}"`,
      lookAgain: `humangov tenant show ${tenantId}`,
      timeoutMs: wait.timeoutMs,
      intervalMs: ctx.pollMs,
      out: ctx.progress,
      signal,
    }),
  );
  return { state: value, verdict };
}

/** A push's deployment appears once the control plane has taken the push event. */
export type DeploymentState = DeploymentDetail | { notYet: true };

export function deploymentVerdict(state: DeploymentState): Verdict {
  if ('notYet' in state || state.status === 'IN_PROGRESS') return 'pending';
  return state.status === 'SUCCEEDED' ? 'ended-as-wanted' : 'ended-otherwise';
}

export function describeDeployment(state: DeploymentState, ctx: Pick<CliContext, 'c'>): string {
  if ('notYet' in state) return 'waiting for the control plane to take the push (is `npm start` running?)';
  const status = ctx.c.bold(state.status);
  if (state.waves.length === 0 && state.status === 'IN_PROGRESS') return `${status}: planning the rollout`;
  const done = state.tenants.filter((t) => t.outcome !== 'PENDING').length;
  const running = state.tenants.filter((t) => t.outcome === 'PENDING' && t.startedAt !== null).map((t) => t.tenantId);
  const failed = state.counts.FAILED + state.counts.ROLLED_BACK;
  const parts = [`${done}/${state.tenants.length} tenants done`];
  if (failed > 0) parts.push(`${failed} failed`);
  if (running.length > 0) parts.push(`deploying to ${running.slice(0, 5).join(', ')}${running.length > 5 ? ', …' : ''}`);
  return `${status}: ${parts.join(', ')}`;
}

export async function waitForDeployment(
  ctx: CliContext,
  deploymentId: string,
  options: { timeoutMs: number; mayNotExistYet: boolean },
): Promise<{ deployment: DeploymentDetail; verdict: Exclude<Verdict, 'pending'> }> {
  const poll = async (): Promise<DeploymentState> => {
    try {
      return await ctx.api.getDeployment(deploymentId);
    } catch (error) {
      if (error instanceof ApiResponseError && error.status === 404 && options.mayNotExistYet) return { notYet: true };
      throw error;
    }
  };
  const { value, verdict } = await interruptible((signal) =>
    follow({
      poll,
      verdict: deploymentVerdict,
      describe: (state) => describeDeployment(state, ctx),
      what: `deployment ${deploymentId}`,
      lookAgain: `humangov deployments ${deploymentId}`,
      timeoutMs: options.timeoutMs,
      intervalMs: ctx.pollMs,
      out: ctx.progress,
      signal,
    }),
  );
  // Only a deployment that exists can have ended: deploymentVerdict keeps { notYet } pending.
  return { deployment: value as DeploymentDetail, verdict };
}
