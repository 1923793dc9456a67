import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PermanentCloudError } from '../../cloud/errors.ts';
import type { LogsPort, Tags } from '../../cloud/ports.ts';
import { localPaths } from '../settings.ts';

/** The retention periods CloudWatch Logs accepts. https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html */
export const RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

/**
 * Log group names: 1 to 512 of a-z, A-Z, 0-9, '_', '-', '/', '.' and '#', not starting with "aws/".
 * https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogGroup.html
 */
const GROUP_NAME = /^(?!aws\/)[.\-_/#A-Za-z0-9]{1,512}$/;

export interface LocalLogGroup {
  name: string;
  retentionDays: number;
  tags: Tags;
}

/**
 * The directory of log group `name` under `<home>/logs`: "/" becomes "~" (which
 * no group name contains, so two groups never share a directory, and no group
 * nests inside another). `/humangov/local/tenants/ca` → `~humangov~local~tenants~ca`.
 * Local tasks write their log streams (files) here.
 */
export function logGroupDir(home: string, name: string): string {
  if (!GROUP_NAME.test(name) || /^\.+$/.test(name)) {
    throw new PermanentCloudError(`"${name}" is not a valid log group name (1 to 512 of letters, digits and ._-/#, not starting with "aws/")`);
  }
  return join(localPaths(home).logs, name.replaceAll('/', '~'));
}

/**
 * LogsPort on the file system: a log group is a directory with a retention.json
 * describing it. Deleting the group deletes its streams, as in CloudWatch.
 */
export class FileLogGroups implements LogsPort {
  readonly #home: string;

  constructor(options: { home: string }) {
    this.#home = options.home;
  }

  async ensureLogGroup(spec: { name: string; retentionDays: number; tags: Tags }): Promise<void> {
    if (!(RETENTION_DAYS as readonly number[]).includes(spec.retentionDays)) {
      throw new PermanentCloudError(`${spec.retentionDays} days is not a retention CloudWatch Logs accepts; use one of ${RETENTION_DAYS.join(', ')}`);
    }
    const dir = logGroupDir(this.#home, spec.name);
    await mkdir(dir, { recursive: true });
    const group: LocalLogGroup = { name: spec.name, retentionDays: spec.retentionDays, tags: { ...spec.tags } };
    // Written beside and renamed, so a reader never sees half a file.
    const tmp = join(dir, `.retention.${process.pid}.tmp`);
    await writeFile(tmp, JSON.stringify(group, null, 2));
    await rename(tmp, join(dir, 'retention.json'));
  }

  async deleteLogGroup(name: string): Promise<void> {
    await rm(logGroupDir(this.#home, name), { recursive: true, force: true });
  }

  /** The group as recorded, or undefined when it does not exist. */
  async describeLogGroup(name: string): Promise<LocalLogGroup | undefined> {
    try {
      return JSON.parse(await readFile(join(logGroupDir(this.#home, name), 'retention.json'), 'utf8')) as LocalLogGroup;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }
}
