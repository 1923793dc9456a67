/** `humangov use [api-url]`: remember the control plane every later command talks to, or say which one it is. */
import type { Command } from 'commander';
import { saveTarget } from '../target.ts';
import type { ContextFor } from './options.ts';

export function useCommand(program: Command, contextFor: ContextFor): void {
  program
    .command('use')
    .description('remember the status API every later command talks to (a deployed stage or a local one); without a URL, show the current one')
    .argument('[api-url]', 'the status API, e.g. https://abc123.execute-api.us-east-1.amazonaws.com or http://127.0.0.1:3000')
    .action((url: string | undefined, _options: unknown, command: Command) => {
      const ctx = contextFor(command);
      if (url === undefined) {
        if (ctx.json) return ctx.document(ctx.target);
        const why = { '--api': 'from --api', HUMANGOV_API: 'from HUMANGOV_API', 'humangov use': 'saved by `humangov use`', default: 'the local default' }[
          ctx.target.source
        ];
        return ctx.print(`${ctx.target.url} (${why})`);
      }
      const saved = saveTarget(url, ctx.io.env);
      if (ctx.json) return ctx.document({ url: saved, source: 'humangov use' });
      ctx.print(`commands now talk to ${saved}`);
      if (ctx.io.env.HUMANGOV_API) ctx.note(`note: HUMANGOV_API=${ctx.io.env.HUMANGOV_API} is set in this shell and wins over the saved target`);
    });
}
