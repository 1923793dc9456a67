/** `humangov deployments [id]`: the rollouts of pushed images, and one rollout tenant by tenant. */
import type { Command } from 'commander';
import { duration } from '../format.ts';
import { deploymentDetailLines, deploymentTable } from '../views.ts';
import type { CliContext } from '../context.ts';
import { waitForDeployment } from '../watch.ts';
import { timeoutOption, type ContextFor } from './options.ts';

export function deploymentsCommand(program: Command, contextFor: ContextFor): void {
  program
    .command('deployments')
    .description("list image deployments, or show one deployment's progress per tenant")
    .argument('[id]', 'a deployment id (from the list) to show in detail')
    .option('--wait', 'with an id: follow the deployment until it ends (exit 1 unless it SUCCEEDED)')
    .addOption(timeoutOption())
    .action(async (id: string | undefined, options: { wait?: boolean; timeout: number }, command: Command) => {
      const ctx = contextFor(command);
      if (id === undefined) {
        const deployments = await ctx.api.listDeployments();
        if (ctx.json) return ctx.document({ items: deployments, nextCursor: null });
        return ctx.print(deploymentTable(deployments, ctx.c, ctx.io.now()));
      }
      if (options.wait) return followDeployment(ctx, id, { timeoutMs: options.timeout * 1000, mayNotExistYet: false });
      const detail = await ctx.api.getDeployment(id);
      if (ctx.json) return ctx.document(detail);
      ctx.print(deploymentDetailLines(detail, ctx.c, ctx.io.now()));
    });
}

/**
 * Follows a deployment to its end and shows it: exit 0 when it SUCCEEDED, 1
 * when it FAILED or was SUPERSEDED (the detail then says which tenants and why).
 * Also what `push --wait` does, before the push's deployment exists.
 */
export async function followDeployment(ctx: CliContext, id: string, options: { timeoutMs: number; mayNotExistYet: boolean }): Promise<void> {
  const started = Date.now();
  const { deployment: state, verdict } = await waitForDeployment(ctx, id, options);
  if (verdict === 'ended-otherwise') ctx.exitCode = 1;
  if (ctx.json) return ctx.document(state);
  const { c } = ctx;
  const took = `(${duration(Date.now() - started)})`;
  if (verdict === 'ended-as-wanted') {
    const count = state.tenants.length;
    return ctx.print(
      `${c.green('✓')} deployment ${id} ${c.green('SUCCEEDED')}: ${state.image?.tag ?? '?'} on ${count} tenant${count === 1 ? '' : 's'}${state.reason ? ` (${state.reason})` : ''} ${took}`,
    );
  }
  ctx.print([
    `${c.red('✗')} deployment ${id} ended ${c.red(state.status)}: ${state.reason ?? state.stop?.reason ?? 'no reason given'} ${took}`,
    '',
    ...deploymentDetailLines(state, c, ctx.io.now()),
  ]);
}
