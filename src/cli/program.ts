/**
 * The `humangov` command line: global options, the commands, and the one place
 * an error becomes a message and an exit code. `run` never throws and never
 * exits the process; bin/humangov.ts does that with what it returns.
 */
import { Command, CommanderError } from 'commander';
import { HumanGovError } from '../kernel/errors.ts';
import { CliContext, defaultApiUrl, type CliIo, type GlobalOptions } from './context.ts';
import { CliError } from './errors.ts';
import { colors } from './format.ts';
import { deploymentsCommand } from './commands/deployments.ts';
import { pushCommand } from './commands/push.ts';
import { tenantCommand } from './commands/tenant.ts';
import { upCommand } from './commands/up.ts';

export function processIo(): CliIo {
  return {
    stdout: {
      write: (text) => void process.stdout.write(text),
      isTTY: process.stdout.isTTY === true,
      get columns() {
        return process.stdout.columns;
      },
    },
    stderr: { write: (text) => void process.stderr.write(text), isTTY: process.stderr.isTTY === true },
    env: process.env,
    now: () => new Date(),
  };
}

function buildProgram(io: CliIo, contexts: CliContext[]): Command {
  const program = new Command('humangov')
    .description('HumanGov control plane: tenants (US states), image deployments, and the local provider')
    .option('--api <url>', `status API URL; an https://…execute-api… URL is a deployed stage, called with SigV4 (default ${defaultApiUrl(io.env)})`)
    .option('--region <region>', "AWS region to sign for, when the API's host does not name it (default AWS_REGION)")
    .option('--json', "machine output: the API's JSON, one document, no colours or progress")
    .option('--no-color', 'no colours, even on a terminal')
    .showHelpAfterError('(run with --help for usage)')
    // Usage errors exit 2 (see run); commander would exit 1 and end the process itself.
    .exitOverride()
    .configureOutput({ writeOut: (text) => io.stdout.write(text), writeErr: (text) => io.stderr.write(text) });

  const contextFor = (command: Command): CliContext => {
    const context = new CliContext(command.optsWithGlobals<GlobalOptions>(), io);
    contexts.push(context);
    return context;
  };
  tenantCommand(program, contextFor);
  deploymentsCommand(program, contextFor);
  pushCommand(program, contextFor);
  upCommand(program, contextFor);
  return program;
}

/** Runs one command line (without the `node` and script arguments) and returns the exit code. */
export async function run(args: readonly string[], io: CliIo = processIo()): Promise<number> {
  const contexts: CliContext[] = [];
  const program = buildProgram(io, contexts);
  try {
    await program.parseAsync([...args], { from: 'user' });
    return contexts.at(-1)?.exitCode ?? 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and --version end the run as asked; every other complaint of commander's is about the command line.
      return error.exitCode === 0 ? 0 : 2;
    }
    const context = contexts.at(-1);
    return report(
      error,
      io,
      context?.json ?? args.includes('--json'),
      context ? context.c.isColorSupported && io.stderr.isTTY : io.stderr.isTTY && !io.env.NO_COLOR,
    );
  }
}

/** Prints an error for a person (stderr) and, under --json, as the API's error document (stdout); returns the exit code. */
function report(error: unknown, io: CliIo, json: boolean, color: boolean): number {
  const known = error instanceof HumanGovError;
  const message = error instanceof Error ? error.message : String(error);
  const exitCode = error instanceof CliError ? error.exitCode : 1;
  const code = error instanceof CliError ? error.code : known ? 'ERROR' : 'INTERNAL_ERROR';
  if (json) io.stdout.write(`${JSON.stringify({ error: { code, message } }, null, 2)}\n`);
  const c = colors(!json && color);
  io.stderr.write(`${c.red('humangov:')} ${message}\n`);
  // Our own errors say what to do; anything else is a bug, and its stack is what a maintainer needs.
  if (!known && error instanceof Error && io.env.HUMANGOV_DEBUG) io.stderr.write(`${error.stack ?? ''}\n`);
  else if (!known) io.stderr.write('(an unexpected error: run again with HUMANGOV_DEBUG=1 to see where it came from)\n');
  return exitCode;
}
