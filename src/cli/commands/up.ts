/** `humangov up`: the local control plane in this process, exactly what `npm start` runs. */
import type { Command } from 'commander';
import type { ContextFor } from './options.ts';

export function upCommand(program: Command, contextFor: ContextFor): void {
  program
    .command('up')
    .description('run the whole control plane on this machine (the local provider; same as `npm start`)')
    .option('--json-logs', 'log JSON lines even on a terminal (they are JSON whenever stderr is not a terminal)')
    .action(async (options: { jsonLogs?: boolean }, command: Command) => {
      const ctx = contextFor(command);
      // Loaded here only: it starts servers and pulls in every handler, which no other command needs.
      const { runUp } = await import('../../local/runtime/up.ts');
      await runUp({ env: ctx.io.env, jsonLogs: options.jsonLogs === true });
      // runUp reports a failed start itself and says so through process.exitCode.
      ctx.exitCode = Number(process.exitCode ?? 0);
    });
}
