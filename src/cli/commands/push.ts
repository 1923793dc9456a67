/** `humangov push --tag vX`: release a new version of app/ to the local control plane. */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { CliContext } from '../context.ts';
import { ApiUnreachableError, UsageError } from '../errors.ts';
import { Spinner } from '../progress.ts';
import { waitForDeployment } from '../watch.ts';
import { followDeployment } from './deployments.ts';
import { timeoutOption, type ContextFor } from './options.ts';

interface PushOptions {
  tag: string;
  context?: string;
  wait?: boolean;
  timeout: number;
}

export function pushCommand(program: Command, contextFor: ContextFor): void {
  program
    .command('push')
    .description(
      'build the release into the local registry and emit the ECR push event: tags starting with "v" roll out (local provider only). ' +
        'With a container engine it builds the Dockerfile and tasks run as containers; without one, app/ as a package run as processes',
    )
    .requiredOption('--tag <tag>', 'image tag; v1.2.3 deploys, other tags are only stored')
    .option('--context <dir>', 'directory to build: with a Dockerfile (container engine; default this repository), or a package.json (no engine; default app/)')
    .option('--wait', 'follow the deployment the push starts until it ends (exit 1 unless it SUCCEEDED)')
    .addOption(timeoutOption())
    .action(async (options: PushOptions, command: Command) => {
      const ctx = contextFor(command);
      if (!ctx.api.isLocal) {
        throw new UsageError(
          `push builds into the local registry of \`npm start\`; ${ctx.apiUrl} is a deployed stage: push the image to its ECR repository (docker push) instead`,
        );
      }
      // The release goes into the home of the control plane the CLI targets, not into whatever HUMANGOV_HOME this shell has.
      const target = await ctx.api.health().catch(() => undefined);
      if (!target && options.wait) {
        throw new ApiUnreachableError(
          `no control plane answers at ${ctx.apiUrl}, so --wait would wait for ever: start it with \`npm start\`, ` +
            'or point the CLI at the one that runs (`humangov use <api-url>`, HUMANGOV_API or --api)',
        );
      }
      const env = target?.home ? { ...ctx.io.env, HUMANGOV_HOME: target.home } : ctx.io.env;
      const { pushLocalImage, pushPlan } = await import('../local-push.ts');
      const { InvalidImageTagError } = await import('../../local/registry/errors.ts');
      const { runtime, defaultContext } = await pushPlan(env);
      // A --context is what the person typed, so relative to where they are; the default depends on the runtime.
      const contextDir = options.context === undefined ? defaultContext : resolve(options.context);

      const spinner = ctx.progress?.isTTY ? new Spinner(ctx.progress) : undefined;
      spinner?.update(`building ${contextDir}${runtime.kind === 'container' ? ` with ${runtime.engine.name}` : ''} and storing it as ${options.tag}`);
      let pushed: Awaited<ReturnType<typeof pushLocalImage>>;
      try {
        pushed = await pushLocalImage({ contextDir, tag: options.tag, env, runtime, log: (entry) => ctx.note(JSON.stringify(entry)) });
      } catch (error) {
        if (error instanceof InvalidImageTagError) throw new UsageError(error.message, { cause: error });
        throw error;
      } finally {
        spinner?.stop();
      }
      const { push, deploymentId } = pushed;

      if (ctx.json) {
        const deployment = options.wait && deploymentId ? await finalDeployment(ctx, deploymentId, options.timeout) : null;
        return ctx.document({ push, deploymentId, ...(options.wait ? { deployment } : {}) });
      }
      ctx.print([
        `${ctx.c.green('✓')} ${push.message}`,
        `  digest  ${push.digest}${push.stored ? '' : ' (same content as before: nothing copied)'}`,
        `  tasks   ${push.kind === 'container' ? `containers (${pushed.runtime.kind === 'container' ? pushed.runtime.engine.name : 'engine'})` : 'processes'}`,
      ]);
      if (!deploymentId) return ctx.print('  no rollout: only tags starting with "v" deploy');
      ctx.print(`  rollout deployment ${deploymentId}`);
      if (options.wait) return followDeployment(ctx, deploymentId, { timeoutMs: options.timeout * 1000, mayNotExistYet: true });
      if (target) return ctx.print(`  follow it with \`humangov deployments ${deploymentId} --wait\``);
      ctx.print(`  no control plane answers at ${ctx.apiUrl}: the push waits in ${pushed.home} and rolls out once \`npm start\` runs there`);
    });
}

async function finalDeployment(ctx: CliContext, deploymentId: string, timeoutSeconds: number) {
  const { deployment, verdict } = await waitForDeployment(ctx, deploymentId, { timeoutMs: timeoutSeconds * 1000, mayNotExistYet: true });
  if (verdict === 'ended-otherwise') ctx.exitCode = 1;
  return deployment;
}
