/** Option parsers and options shared by several commands. A bad value is a usage error (exit 2), said before anything is sent. */
import { InvalidArgumentError, Option, type Command } from 'commander';
import type { CliContext } from '../context.ts';

/** How a command's action gets the run's context (global options already applied). */
export type ContextFor = (command: Command) => CliContext;

export function positiveInteger(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new InvalidArgumentError(`"${value}" is not a whole number of at least 1`);
  return Number(value);
}

function seconds(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`"${value}" is not a number of seconds above 0`);
  return n;
}

/** --timeout for every --wait: the bound on how long to follow, not on the workflow (which carries on). */
export function timeoutOption(): Option {
  return new Option('--timeout <seconds>', 'give up waiting after this long (the workflow itself carries on)').argParser(seconds).default(600);
}
