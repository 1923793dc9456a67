import { CloudWatchLogsClient, FilterLogEventsCommand, ResourceNotFoundException } from '@aws-sdk/client-cloudwatch-logs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from '@jest/globals';
import { appendFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { CloudWatchTenantLogs, LocalTaskLogs, parseSince } from './tenant-logs.ts';

const logs = mockClient(CloudWatchLogsClient);
const logGroupName = '/humangov/prod/tenants/ca';
const reader = () =>
  new CloudWatchTenantLogs({ client: new CloudWatchLogsClient({ region: 'us-gov-west-1' }), logGroupName, startTime: 1_000, tenantId: 'ca' });
const event = (eventId: string, timestamp: number, stream = 'app/app/aaaa1111') => ({ eventId, timestamp, logStreamName: stream, message: `${eventId}\n` });

afterEach(() => {
  logs.reset();
});

describe('CloudWatchTenantLogs', () => {
  it("reads every page of the tenant's group from the start time, each event once, by time", async () => {
    logs
      .on(FilterLogEventsCommand, { logGroupName, startTime: 1_000, nextToken: undefined })
      .resolves({ events: [event('a', 1_000), event('c', 1_200, 'app/app/bbbb2222')], nextToken: 'page-2' })
      .on(FilterLogEventsCommand, { logGroupName, startTime: 1_000, nextToken: 'page-2' })
      .resolves({ events: [event('b', 1_100)] });
    const tenant = reader();

    expect(await tenant.next()).toEqual([
      { stream: 'app/app/aaaa1111', message: 'a', timestamp: 1_000 },
      { stream: 'app/app/aaaa1111', message: 'b', timestamp: 1_100 },
      { stream: 'app/app/bbbb2222', message: 'c', timestamp: 1_200 },
    ]);
  });

  it('following, asks again from the newest event seen and leaves out the events already printed at that time', async () => {
    logs.on(FilterLogEventsCommand, { startTime: 1_000 }).resolves({ events: [event('a', 1_000), event('b', 2_000)] });
    // Asked again from 2000, CloudWatch returns b again (same millisecond) beside what is new, c at the same time and d.
    logs.on(FilterLogEventsCommand, { startTime: 2_000 }).resolves({ events: [event('b', 2_000), event('c', 2_000), event('d', 3_000)] });
    const tenant = reader();

    expect((await tenant.next()).map((l) => l.message)).toEqual(['a', 'b']);
    expect((await tenant.next()).map((l) => l.message)).toEqual(['c', 'd']);
    expect(logs.commandCalls(FilterLogEventsCommand).map((call) => call.args[0].input.startTime)).toEqual([1_000, 2_000]);
  });

  it('says the tenant has no log group yet, or was removed with --purge, when CloudWatch has none', async () => {
    logs.on(FilterLogEventsCommand).rejects(new ResourceNotFoundException({ message: 'The specified log group does not exist.', $metadata: {} }));

    await expect(reader().next()).rejects.toThrow(
      'tenant ca has no log group /humangov/prod/tenants/ca: its tasks have not started yet, or it was removed with --purge (see `humangov tenant show ca`)',
    );
  });
});

describe('--since', () => {
  it('takes seconds, minutes, hours or days, and nothing else', () => {
    expect([parseSince('30s'), parseSince('10m'), parseSince('2h'), parseSince('1d')]).toEqual([30_000, 600_000, 7_200_000, 86_400_000]);
    expect([parseSince('10'), parseSince('1w'), parseSince('-1h'), parseSince('1.5h')]).toEqual([undefined, undefined, undefined, undefined]);
  });
});

describe('LocalTaskLogs', () => {
  it('returns a line only once its task has ended it, and each line once', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'humangov-task-logs-'));
    try {
      const file = join(dir, 'app', 'app', '11111111aaaa.log');
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, 'one\ntw');
      const task = new LocalTaskLogs(dir);

      expect(await task.next()).toEqual([{ stream: 'app/app/11111111aaaa', message: 'one' }]);
      expect(await task.next()).toEqual([]);
      await appendFile(file, 'o\nthree');
      expect((await task.next()).map((line) => line.message)).toEqual(['two']);
      await appendFile(file, '\n');
      expect((await task.next()).map((line) => line.message)).toEqual(['three']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
