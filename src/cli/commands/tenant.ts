/**
 * `humangov tenant add|list|show|remove`: the tenants of the status API, and
 * --wait to follow onboarding or offboarding to its end.
 */
import type { Command } from 'commander';
import type { TenantSummary } from '../api-client.ts';
import type { CliContext } from '../context.ts';
import { duration } from '../format.ts';
import { tenantDetailLines, tenantTable } from '../views.ts';
import { waitForTenant, type TenantState, type TenantWait } from '../watch.ts';
import { positiveInteger, timeoutOption, type ContextFor } from './options.ts';
import { confirmPurge, tenantActions } from './tenant-actions.ts';
import { tenantLogsCommand } from './tenant-logs.ts';

interface AddOptions {
  name?: string;
  count?: number;
  canary?: boolean;
  wait?: boolean;
  timeout: number;
}

interface RemoveOptions {
  purge?: boolean;
  yes?: boolean;
  wait?: boolean;
  timeout: number;
}

export function tenantCommand(program: Command, contextFor: ContextFor): void {
  const tenant = program.command('tenant').description('onboard, list, inspect and offboard tenants (US states)');

  tenant
    .command('add')
    .description('onboard a tenant: its own table, bucket, role and service behind the load balancer')
    .argument('<id>', 'tenant id: 2-20 lowercase letters, digits and hyphens (e.g. ca, new-york)')
    .option('--name <displayName>', "display name (default: the state's name, else the id)")
    .option('--count <n>', 'tasks to run (1-10, default 2)', positiveInteger)
    .option('--canary', 'make it the tenant every release reaches first')
    .option('--wait', 'follow onboarding until the tenant is ACTIVE (exit 1 if it ends FAILED or DEGRADED)')
    .addOption(timeoutOption())
    .action(async (id: string, options: AddOptions, command: Command) => {
      const ctx = contextFor(command);
      const created = await ctx.api.addTenant({
        tenantId: id,
        ...(options.name === undefined ? {} : { displayName: options.name }),
        ...(options.count === undefined ? {} : { desiredCount: options.count }),
        ...(options.canary ? { canary: true } : {}),
      });
      if (!options.wait) {
        if (ctx.json) return ctx.document(created);
        return ctx.print(
          `tenant ${created.tenantId} (${created.displayName}) added; onboarding starts now. Follow it with \`humangov tenant show ${created.tenantId}\` or add --wait`,
        );
      }
      await finishWait(ctx, id, { want: 'ACTIVE', before: created, timeoutMs: options.timeout * 1000 });
    });

  tenant
    .command('list')
    .description('every tenant with its status, health, zones, image and endpoint')
    .action(async (_options: unknown, command: Command) => {
      const ctx = contextFor(command);
      const tenants = await ctx.api.listTenants();
      if (ctx.json) return ctx.document({ items: tenants, nextCursor: null });
      ctx.print(tenantTable(tenants, await zonesOf(ctx, tenants), ctx.c, ctx.io.now()));
    });

  tenant
    .command('show')
    .description('one tenant in detail, with the history of its transitions and their reasons')
    .argument('<id>', 'tenant id')
    .action(async (id: string, _options: unknown, command: Command) => {
      const ctx = contextFor(command);
      const detail = await ctx.api.getTenant(id);
      if (ctx.json) return ctx.document(detail);
      ctx.print(tenantDetailLines(detail, ctx.c, ctx.io.now()));
    });

  tenant
    .command('remove')
    .description('offboard a tenant: its service, routing and role go; its data stays unless --purge')
    .argument('<id>', 'tenant id')
    .option('--purge', 'also delete its table, bucket and logs (asks first; --yes does not)')
    .option('--yes', 'with --purge: do not ask (for scripts)')
    .option('--wait', 'follow offboarding until the tenant is DELETED (exit 1 if it ends FAILED)')
    .addOption(timeoutOption())
    .action(async (id: string, options: RemoveOptions, command: Command) => {
      const ctx = contextFor(command);
      if (options.purge) await confirmPurge(ctx, id, options.yes);
      // What the record asked for before: --wait then knows whether this request starts new work (a DELETED tenant asked to purge).
      const prior = options.wait ? await ctx.api.getTenant(id).catch(() => undefined) : undefined;
      const answer = await ctx.api.removeTenant(id, { purge: options.purge });
      if (!options.wait) {
        if (ctx.json) return ctx.document(answer);
        return ctx.print(
          `tenant ${id} is being removed${options.purge ? ' with its data' : ' (its data is kept)'}; follow it with \`humangov tenant show ${id}\` or add --wait`,
        );
      }
      const changed = prior?.desiredState !== answer.desiredState || prior.purgeData !== answer.purgeData;
      await finishWait(ctx, id, { want: 'DELETED', before: answer, changed, purge: answer.purgeData, timeoutMs: options.timeout * 1000 });
    });

  tenantActions(tenant, contextFor, finishWait);
  tenantLogsCommand(tenant, contextFor);
}

/** Follows the tenant, then says how it ended: the final record under --json, a summary line otherwise. */
async function finishWait(ctx: CliContext, id: string, wait: TenantWait): Promise<void> {
  const started = Date.now();
  const { state, verdict } = await waitForTenant(ctx, id, wait);
  if (verdict === 'ended-otherwise') ctx.exitCode = 1;
  if (ctx.json) return ctx.document('gone' in state ? { tenantId: id, status: 'DELETED', removed: true } : state);
  const took = ` (${duration(Date.now() - started)})`;
  ctx.print(summary(id, state, verdict === 'ended-as-wanted', ctx) + took);
}

function summary(id: string, state: TenantState, asWanted: boolean, ctx: CliContext): string {
  const { c } = ctx;
  if ('gone' in state) return `${c.green('✓')} tenant ${id} is removed`;
  if (!asWanted) return `${c.red('✗')} tenant ${id} ended ${c.red(state.status ?? 'NEW')}: ${state.statusReason ?? 'no reason given'}`;
  if (state.status === 'DELETED') return `${c.green('✓')} tenant ${id} is ${c.green('DELETED')}: ${state.statusReason ?? ''}`;
  const health = state.health ? `, ${state.health.healthy}/${state.health.total} healthy in ${state.health.zones.join(', ')}` : '';
  return `${c.green('✓')} tenant ${id} is ${c.green('ACTIVE')} at ${state.endpoint ?? '?'} (image ${state.image?.tag ?? '?'}${health})`;
}

/**
 * GET /tenants lists health without zones, so they come from each tenant's
 * detail: a few requests at a time, only for tenants that have tasks.
 */
async function zonesOf(ctx: CliContext, tenants: readonly TenantSummary[]): Promise<Map<string, readonly string[]>> {
  const zones = new Map<string, readonly string[]>();
  const queue = tenants.filter((t) => t.health !== null && t.status !== 'DELETED').map((t) => t.tenantId);
  const worker = async () => {
    for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
      const detail = await ctx.api.getTenant(id).catch(() => undefined);
      if (detail?.health) zones.set(id, detail.health.zones);
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  return zones;
}
