/**
 * `humangov tenant update|retry|restore`: the operator's actions on one
 * tenant besides add and remove, and the confirmation `remove --purge` asks for.
 */
import type { Command } from 'commander';
import type { TenantChanges, TenantDetail } from '../api-client.ts';
import type { CliContext } from '../context.ts';
import { CliError, UsageError } from '../errors.ts';
import { positiveInteger, timeoutOption, type ContextFor } from './options.ts';

type FinishWait = (ctx: CliContext, id: string, wait: { want: 'ACTIVE' | 'DELETED'; before: TenantDetail; timeoutMs: number }) => Promise<void>;

interface UpdateOptions {
  name?: string;
  count?: number;
  canary?: boolean;
}

export function tenantActions(tenant: Command, contextFor: ContextFor, finishWait: FinishWait): void {
  tenant
    .command('update')
    .description("change a tenant's display name, task count or canary mark; the control plane converges it")
    .argument('<id>', 'tenant id')
    .option('--name <displayName>', 'display name')
    .option('--count <n>', 'tasks to run (1-10)', positiveInteger)
    .option('--canary', 'make it the tenant every release reaches first')
    .option('--no-canary', 'no longer the canary')
    .action(async (id: string, options: UpdateOptions, command: Command) => {
      const ctx = contextFor(command);
      const changes: TenantChanges = {
        ...(options.name === undefined ? {} : { displayName: options.name }),
        ...(options.count === undefined ? {} : { desiredCount: options.count }),
        ...(options.canary === undefined ? {} : { canary: options.canary }),
      };
      if (Object.keys(changes).length === 0) throw new UsageError(`nothing to change: give --name, --count, --canary or --no-canary`);
      const updated = await ctx.api.updateTenant(id, changes);
      if (ctx.json) return ctx.document(updated);
      ctx.print(
        `tenant ${id} updated: ${updated.displayName}, ${updated.desiredCount} task${updated.desiredCount === 1 ? '' : 's'}${updated.canary ? ', canary' : ''}. ` +
          `Follow it with \`humangov tenant show ${id}\``,
      );
    });

  tenant
    .command('retry')
    .description('run the workflow of a FAILED or DEGRADED tenant again (onboarding, or offboarding if it is being removed)')
    .argument('<id>', 'tenant id')
    .option('--wait', 'follow the attempt to its end')
    .addOption(timeoutOption())
    .action(async (id: string, options: { wait?: boolean; timeout: number }, command: Command) => {
      const ctx = contextFor(command);
      const answer = await ctx.api.retryTenant(id);
      const want = answer.desiredState === 'DELETED' ? 'DELETED' : 'ACTIVE';
      if (options.wait) return finishWait(ctx, id, { want, before: answer, timeoutMs: options.timeout * 1000 });
      if (ctx.json) return ctx.document(answer);
      ctx.print(`tenant ${id} is being tried again (it was ${answer.status}); follow it with \`humangov tenant show ${id}\` or add --wait`);
    });

  tenant
    .command('restore')
    .description('bring back a removed (DELETED) tenant whose data was kept: onboarding reattaches its table and bucket')
    .argument('<id>', 'tenant id')
    .option('--wait', 'follow onboarding until the tenant is ACTIVE')
    .addOption(timeoutOption())
    .action(async (id: string, options: { wait?: boolean; timeout: number }, command: Command) => {
      const ctx = contextFor(command);
      const answer = await ctx.api.restoreTenant(id);
      if (options.wait) return finishWait(ctx, id, { want: 'ACTIVE', before: answer, timeoutMs: options.timeout * 1000 });
      if (ctx.json) return ctx.document(answer);
      ctx.print(`tenant ${id} is being restored with its kept data; follow it with \`humangov tenant show ${id}\` or add --wait`);
    });
}

/**
 * `remove --purge` deletes a state's records and documents for good: the
 * person types the tenant id to go on; a script says --yes. Without a terminal
 * and without --yes nothing is sent.
 */
export async function confirmPurge(ctx: CliContext, id: string, yes: boolean | undefined): Promise<void> {
  if (yes) return;
  if (!ctx.io.ask) {
    throw new UsageError(`--purge deletes the table, bucket and logs of tenant ${id} for good, and there is no terminal to confirm on: add --yes to go ahead`);
  }
  const answer = await ctx.io.ask(`--purge deletes the table, bucket and logs of tenant ${id} for good. Type "${id}" to go ahead: `);
  if (answer.trim() !== id) throw new CliError(`tenant ${id} is not removed (the answer was not "${id}"); nothing was changed`);
}
