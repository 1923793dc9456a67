/**
 * What `humangov tenant logs` reads: a tenant's task logs, where its control plane keeps them.
 *
 * - In AWS, the tenant's CloudWatch Logs group (`/humangov/<stage>/tenants/<id>`, one stream per
 *   task, `app/app/<task id>` as the awslogs driver names it), read with FilterLogEvents, which
 *   interleaves every stream by time and pages with nextToken
 *   (https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_FilterLogEvents.html).
 *   Following asks again from the newest event seen; events are told apart by eventId, as several
 *   can share a millisecond.
 * - Locally, the same group is a directory of the control plane's state, each task's stream a
 *   file there (src/local/logs/file-log-groups.ts); following reads what each file grew by.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { FilterLogEventsCommand, ResourceNotFoundException, type CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { CliError } from './errors.ts';

export interface LogLine {
  /** The stream (task) it came from: `app/app/<task id>`. */
  stream: string;
  message: string;
  /** Milliseconds since the epoch, when the source records it (CloudWatch does; local files do not). */
  timestamp?: number;
}

export interface LogReader {
  /** Lines not returned before, oldest first; `[]` when nothing is new. */
  next(): Promise<LogLine[]>;
}

/** The tenant has no log group (yet, or any more). */
export class NoTenantLogsError extends CliError {
  override name = 'NoTenantLogsError';
  override readonly code = 'NO_LOGS';
}

/** Every task log file of one local log group, each read from where the last read stopped. */
export class LocalTaskLogs implements LogReader {
  readonly #dir: string;
  /** Per file: bytes already read, and a last line not yet ended by a newline. */
  readonly #read = new Map<string, { offset: number; partial: string }>();

  constructor(dir: string) {
    this.#dir = dir;
  }

  async exists(): Promise<boolean> {
    return stat(this.#dir).then(
      (found) => found.isDirectory(),
      () => false,
    );
  }

  async next(): Promise<LogLine[]> {
    const lines: LogLine[] = [];
    for (const file of await this.#files()) {
      const seen = this.#read.get(file) ?? { offset: 0, partial: '' };
      const content = await readFile(file).catch(() => undefined);
      // A file that shrank was replaced (a new task of the same id cannot happen; a cleared file can): read it again.
      if (!content || content.length === seen.offset) continue;
      const from = content.length < seen.offset ? 0 : seen.offset;
      const text = (from === 0 ? '' : seen.partial) + content.subarray(from).toString('utf8');
      const parts = text.split('\n');
      const partial = parts.pop() ?? '';
      const stream = relative(this.#dir, file)
        .replace(/\.log$/, '')
        .split(sep)
        .join('/');
      for (const message of parts) lines.push({ stream, message });
      this.#read.set(file, { offset: content.length, partial });
    }
    return lines;
  }

  async #files(): Promise<string[]> {
    const entries = await readdir(this.#dir, { withFileTypes: true, recursive: true }).catch(() => []);
    return entries
      .filter((entry) => entry.isFile() && entry.name.endsWith('.log'))
      .map((entry) => join(entry.parentPath, entry.name))
      .sort();
  }
}

export interface CloudWatchTenantLogsOptions {
  client: Pick<CloudWatchLogsClient, 'send'>;
  logGroupName: string;
  /** Events from this time on (milliseconds since the epoch). */
  startTime: number;
  /** For the message when the group is missing. */
  tenantId: string;
}

/** One tenant's CloudWatch Logs group, every stream, by time. */
export class CloudWatchTenantLogs implements LogReader {
  readonly #options: CloudWatchTenantLogsOptions;
  #from: number;
  /** The ids of the events at `#from`, the newest timestamp returned: asked again, they are not repeated. */
  #atFrom = new Set<string>();

  constructor(options: CloudWatchTenantLogsOptions) {
    this.#options = options;
    this.#from = options.startTime;
  }

  async next(): Promise<LogLine[]> {
    const { client, logGroupName, tenantId } = this.#options;
    const lines: LogLine[] = [];
    let nextToken: string | undefined;
    const atFrom = this.#atFrom;
    let newest = this.#from;
    let atNewest = new Set(atFrom);
    do {
      let page;
      try {
        page = await client.send(new FilterLogEventsCommand({ logGroupName, startTime: this.#from, nextToken }));
      } catch (error) {
        if (error instanceof ResourceNotFoundException || (error as Error).name === 'ResourceNotFoundException') {
          throw new NoTenantLogsError(
            `tenant ${tenantId} has no log group ${logGroupName}: its tasks have not started yet, or it was removed with --purge (see \`humangov tenant show ${tenantId}\`)`,
            { cause: error },
          );
        }
        throw error;
      }
      for (const event of page.events ?? []) {
        const id = event.eventId ?? `${event.logStreamName}/${event.timestamp}/${event.message}`;
        const timestamp = event.timestamp ?? 0;
        if (timestamp === this.#from && atFrom.has(id)) continue;
        lines.push({ stream: event.logStreamName ?? '', message: (event.message ?? '').replace(/\n$/, ''), timestamp });
        if (timestamp > newest) {
          newest = timestamp;
          atNewest = new Set();
        }
        if (timestamp === newest) atNewest.add(id);
      }
      nextToken = page.nextToken;
    } while (nextToken);
    this.#from = newest;
    this.#atFrom = atNewest;
    return lines.sort((a, b) => (a.timestamp ?? 0) - (b.timestamp ?? 0));
  }
}

/** Prints what the reader has, then (following) what it gains every `pollMs`, until `signal` aborts. */
export async function printLogs(
  reader: LogReader,
  print: (line: LogLine) => void,
  options: { follow: boolean; pollMs: number; signal?: AbortSignal },
): Promise<void> {
  for (const line of await reader.next()) print(line);
  while (options.follow && !options.signal?.aborted) {
    await sleep(options.pollMs, options.signal);
    if (options.signal?.aborted) return;
    for (const line of await reader.next()) print(line);
  }
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** `10m`, `2h`, `1d`, `30s`: how far back to start, in milliseconds. */
export function parseSince(value: string): number | undefined {
  const match = /^(\d+)([smhd])$/.exec(value.trim());
  if (!match) return undefined;
  return Number(match[1]) * { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] as 's' | 'm' | 'h' | 'd'];
}
