/** `humangov deployments [id]`: the rollouts of pushed images, and one rollout tenant by tenant. */
import type { Command } from 'commander';
import { duration } from '../format.ts';
import { deploymentDetailLines, deploymentTable } from '../views.ts';
import type { CliContext } from '../context.ts';
import { waitForDeployment } from '../watch.ts';
import { CliError, UsageError } from '../errors.ts';
import { timeoutOption, type ContextFor } from './options.ts';

export function deploymentsCommand(program: Command, contextFor: ContextFor): void {
  program
    .command('deployments')
    .description("list image deployments, or show one deployment's progress per tenant")
    .argument('[id]', 'a deployment id (from the list; any unique start of one will do), or "latest" for the newest')
    .option('--wait', 'with an id: follow the deployment until it ends (exit 1 unless it SUCCEEDED)')
    .addOption(timeoutOption())
    .action(async (id: string | undefined, options: { wait?: boolean; timeout: number }, command: Command) => {
      const ctx = contextFor(command);
      if (id === undefined) {
        const deployments = await ctx.api.listDeployments();
        if (ctx.json) return ctx.document({ items: deployments, nextCursor: null });
        return ctx.print(deploymentTable(deployments, ctx.c, ctx.io.now()));
      }
      const deploymentId = await resolveDeploymentId(ctx, id);
      if (options.wait) return followDeployment(ctx, deploymentId, { timeoutMs: options.timeout * 1000, mayNotExistYet: false });
      const detail = await ctx.api.getDeployment(deploymentId);
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

/**
 * `latest`, a whole id, or the start of one, as git takes a commit's prefix.
 * A prefix that fits several ids names them, so the person can type one more character.
 */
export async function resolveDeploymentId(ctx: CliContext, given: string): Promise<string> {
  const deployments = await ctx.api.listDeployments();
  if (given === 'latest') {
    const newest = [...deployments].sort((a, b) => b.startedAt.localeCompare(a.startedAt))[0];
    if (!newest) throw new CliError('there are no deployments yet: push an image tagged v… to start one');
    return newest.deploymentId;
  }
  if (deployments.some((d) => d.deploymentId === given)) return given;
  const matches = deployments.filter((d) => d.deploymentId.startsWith(given));
  if (matches.length === 1) return (matches[0] as (typeof matches)[number]).deploymentId;
  if (matches.length === 0) throw new CliError(`no deployment id starts with "${given}"; list them with \`humangov deployments\``);
  throw new UsageError(
    `"${given}" starts ${matches.length} deployment ids (${matches
      .slice(0, 5)
      .map((d) => d.deploymentId)
      .join(', ')}${matches.length > 5 ? ', …' : ''}); give more of the id`,
  );
}
