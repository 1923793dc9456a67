/** `humangov tenant logs <id> [--follow]`: a tenant's task logs, from CloudWatch Logs in AWS or the task log files locally. */
import { InvalidArgumentError, Option, type Command } from 'commander';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { CliContext } from '../context.ts';
import { logGroupDir } from '../../local/logs/file-log-groups.ts';
import { tenantLogGroupName } from '../../tenants/names.ts';
import { CloudWatchTenantLogs, LocalTaskLogs, NoTenantLogsError, parseSince, printLogs, type LogLine, type LogReader } from '../tenant-logs.ts';
import type { ContextFor } from './options.ts';

interface LogsOptions {
  follow?: boolean;
  since: number;
}

function since(value: string): number {
  const ms = parseSince(value);
  if (ms === undefined) throw new InvalidArgumentError(`"${value}" is not a duration such as 30s, 10m, 2h or 1d`);
  return ms;
}

export function tenantLogsCommand(tenant: Command, contextFor: ContextFor): void {
  tenant
    .command('logs')
    .description("print a tenant's task logs (CloudWatch Logs in AWS, the task log files locally)")
    .argument('<id>', 'tenant id')
    .option('-f, --follow', 'keep printing new lines until Ctrl-C')
    .addOption(
      new Option('--since <duration>', 'in AWS, start this far back (30s, 10m, 2h, 1d); locally every line is printed')
        .argParser(since)
        .default(3_600_000, '1h'),
    )
    .action(async (id: string, options: LogsOptions, command: Command) => {
      const ctx = contextFor(command);
      // Asked first, so an unknown id is said as such (404), not as a missing log group.
      await ctx.api.getTenant(id);
      const reader = await readerFor(ctx, id, options);
      await printLogs(reader, printer(ctx), { follow: options.follow === true, pollMs: ctx.pollMs, signal: ctx.io.signal });
    });
}

async function readerFor(ctx: CliContext, id: string, options: LogsOptions): Promise<LogReader> {
  const { stage, home } = await ctx.api.health();
  const group = tenantLogGroupName(stage, id);
  if (home === undefined) {
    const client = new CloudWatchLogsClient({ region: ctx.api.signingRegion });
    return new CloudWatchTenantLogs({ client, logGroupName: group, startTime: ctx.io.now().getTime() - options.since, tenantId: id });
  }
  const local = new LocalTaskLogs(logGroupDir(home, group));
  if (!(await local.exists())) {
    const why = `tenant ${id} has no task logs yet (no log group ${group} in ${home}): its tasks have not started, or it was removed with --purge`;
    if (!options.follow) throw new NoTenantLogsError(`${why}; see \`humangov tenant show ${id}\`, or add --follow to wait for them`);
    ctx.note(`${why}; waiting for them (Ctrl-C to stop)`);
  }
  return local;
}

/** A line per log line: `<time> <task> <message>` for a person, one JSON object a line under --json. */
function printer(ctx: CliContext): (line: LogLine) => void {
  return (line) => {
    if (ctx.json) return ctx.io.stdout.write(`${JSON.stringify(line)}\n`);
    const task = line.stream.split('/').at(-1)?.slice(0, 8) ?? line.stream;
    const time = line.timestamp === undefined ? '' : `${ctx.c.dim(new Date(line.timestamp).toISOString())} `;
    ctx.io.stdout.write(`${time}${ctx.c.cyan(task)} ${line.message}\n`);
  };
}
