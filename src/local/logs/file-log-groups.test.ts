import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { PermanentCloudError } from '../../cloud/errors.ts';
import { tenantResourceNames } from '../../tenants/names.ts';
import { tempHome } from '../data/testing.ts';
import { localPaths } from '../settings.ts';
import { FileLogGroups, logGroupDir } from './file-log-groups.ts';

describe('FileLogGroups', () => {
  let home: Awaited<ReturnType<typeof tempHome>>;
  let logs: FileLogGroups;
  const group = tenantResourceNames('local', 'new-york', '000000000000').logGroup;

  beforeEach(async () => {
    home = await tempHome();
    logs = new FileLogGroups({ home: home.home });
  });
  afterEach(() => home.remove());

  it('makes a directory per group with its retention, idempotently', async () => {
    await logs.ensureLogGroup({ name: group, retentionDays: 30, tags: { 'humangov:tenant': 'new-york' } });
    await logs.ensureLogGroup({ name: group, retentionDays: 14, tags: { 'humangov:tenant': 'new-york' } });
    expect(logGroupDir(home.home, group)).toBe(join(localPaths(home.home).logs, '~humangov~local~tenants~new-york'));
    expect(await readdir(logGroupDir(home.home, group))).toEqual(['retention.json']);
    expect(await logs.describeLogGroup(group)).toEqual({ name: group, retentionDays: 14, tags: { 'humangov:tenant': 'new-york' } });
  });

  it('keeps groups apart, and inside the logs directory, whatever their names', () => {
    expect(logGroupDir(home.home, '../escape')).toBe(join(localPaths(home.home).logs, '..~escape'));
    expect(logGroupDir(home.home, '/a/b')).not.toBe(logGroupDir(home.home, '/a'));
    expect(logGroupDir(home.home, '/a/b').startsWith(logGroupDir(home.home, '/a') + '/')).toBe(false);
    expect(logGroupDir(home.home, 'a')).not.toBe(logGroupDir(home.home, '/a'));
  });

  it('deletes the group with its streams, and treats a missing group as deleted', async () => {
    await logs.ensureLogGroup({ name: group, retentionDays: 30, tags: {} });
    await writeFile(join(logGroupDir(home.home, group), 'task-1.log'), 'started\n');
    await logs.deleteLogGroup(group);
    expect(await logs.describeLogGroup(group)).toBeUndefined();
    await expect(logs.deleteLogGroup(group)).resolves.toBeUndefined();
  });

  it('refuses what CloudWatch Logs would refuse', async () => {
    await expect(logs.ensureLogGroup({ name: group, retentionDays: 10, tags: {} })).rejects.toThrow(PermanentCloudError);
    await expect(logs.ensureLogGroup({ name: 'no spaces', retentionDays: 30, tags: {} })).rejects.toThrow(/not a valid log group name/);
    await expect(logs.ensureLogGroup({ name: '..', retentionDays: 30, tags: {} })).rejects.toThrow(/not a valid log group name/);
  });
});
