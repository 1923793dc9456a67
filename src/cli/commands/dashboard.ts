/**
 * `humangov dashboard`: the fleet dashboard in a browser. Locally it is the local status API's own
 * page; for a deployed stage, a loopback proxy that signs each request as the operator
 * (src/cli/dashboard-proxy.ts), which runs until Ctrl-C.
 */
import { InvalidArgumentError, Option, type Command } from 'commander';
import { startDashboardProxy } from '../dashboard-proxy.ts';
import type { ContextFor } from './options.ts';

interface DashboardOptions {
  port: number;
  open: boolean;
}

function port(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 65_535) throw new InvalidArgumentError(`"${value}" is not a port (0 to 65535)`);
  return n;
}

export function dashboardCommand(program: Command, contextFor: ContextFor): void {
  program
    .command('dashboard')
    .description("open the fleet dashboard: the local one, or a deployed stage's through a loopback proxy that signs as you (until Ctrl-C)")
    .addOption(new Option('--port <port>', 'loopback port of the proxy for a deployed stage (0: any free one)').argParser(port).default(8001))
    .option('--no-open', 'print the address without opening a browser')
    .action(async (options: DashboardOptions, command: Command) => {
      const ctx = contextFor(command);
      const open = (url: string) => {
        if (options.open) ctx.io.openUrl?.(url);
      };
      if (ctx.api.isLocal) {
        // Asked first, so a control plane that is not running is said as such.
        await ctx.api.health();
        const url = `${ctx.api.baseUrl.href.replace(/\/+$/, '')}/`;
        ctx.print(`The dashboard of the local control plane: ${url}`);
        return open(url);
      }
      const proxy = await startDashboardProxy({ upstream: ctx.api.baseUrl, sign: (request) => ctx.api.signFor(request), port: options.port });
      const url = `${proxy.url}/`;
      ctx.print(
        `The dashboard of ${ctx.api.baseUrl.origin} (${ctx.api.signingRegion}): ${url}\n` +
          'Each request is signed with your AWS credentials; only this machine can reach it. Ctrl-C to stop.',
      );
      open(url);
      await new Promise<void>((resolve) => {
        if (!ctx.io.signal) return;
        if (ctx.io.signal.aborted) return resolve();
        ctx.io.signal.addEventListener('abort', () => resolve(), { once: true });
      });
      await proxy.close();
    });
}
