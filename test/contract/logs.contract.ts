/**
 * The LogsPort contract (src/cloud/ports.ts): ensureLogGroup is idempotent and brings the
 * retention and tags to the spec; deleting a missing group is done; a name or retention
 * CloudWatch Logs refuses is refused for good; an outage is transient.
 */
import { describe, expect, it } from '@jest/globals';
import { PermanentCloudError, TransientCloudError } from '../../src/cloud/errors.ts';
import type { LogsPort } from '../../src/cloud/ports.ts';
import { closedAfterEach, type Factory, type Subject } from './support.ts';

export interface LogsSubject extends Subject<LogsPort> {
  /** The group's retention and tags as the service holds them, or undefined when there is no such group. */
  describe(name: string): Promise<{ retentionDays: number; tags: Record<string, string> } | undefined>;
}

const group = '/humangov/test/tenants/ca';

export function logsContract(implementation: string, make: Factory<LogsSubject>, outage?: Factory<Subject<LogsPort>>): void {
  describe(`LogsPort contract: ${implementation}`, () => {
    const using = closedAfterEach();
    const open = (): Promise<LogsSubject> => using(make());

    it('creates the group, and ensures it again idempotently with the new retention and tags', async () => {
      const { port, describe: describeGroup } = await open();

      await port.ensureLogGroup({ name: group, retentionDays: 30, tags: { 'humangov:tenant': 'ca' } });
      expect(await describeGroup(group)).toEqual({ retentionDays: 30, tags: { 'humangov:tenant': 'ca' } });
      await port.ensureLogGroup({ name: group, retentionDays: 14, tags: { 'humangov:tenant': 'ca', 'humangov:stage': 'test' } });

      expect(await describeGroup(group)).toEqual({ retentionDays: 14, tags: { 'humangov:tenant': 'ca', 'humangov:stage': 'test' } });
    });

    it('treats deleting a missing group, or deleting twice, as done, and creates the group again afterwards', async () => {
      const { port, describe: describeGroup } = await open();

      await expect(port.deleteLogGroup('/humangov/test/tenants/none')).resolves.toBeUndefined();
      await port.ensureLogGroup({ name: group, retentionDays: 30, tags: {} });
      await port.deleteLogGroup(group);
      await expect(port.deleteLogGroup(group)).resolves.toBeUndefined();
      expect(await describeGroup(group)).toBeUndefined();

      await port.ensureLogGroup({ name: group, retentionDays: 30, tags: {} });
      expect(await describeGroup(group)).toEqual({ retentionDays: 30, tags: {} });
    });

    it('refuses for good a retention or a group name CloudWatch Logs does not accept', async () => {
      const { port } = await open();

      await expect(port.ensureLogGroup({ name: group, retentionDays: 10, tags: {} })).rejects.toBeInstanceOf(PermanentCloudError);
      await expect(port.ensureLogGroup({ name: '/humangov/no spaces', retentionDays: 30, tags: {} })).rejects.toBeInstanceOf(PermanentCloudError);
    });

    if (outage) {
      it('answers TransientCloudError while the service throttles', async () => {
        const { port } = await using(outage());

        await expect(port.ensureLogGroup({ name: group, retentionDays: 30, tags: {} })).rejects.toBeInstanceOf(TransientCloudError);
        await expect(port.deleteLogGroup(group)).rejects.toBeInstanceOf(TransientCloudError);
      });
    }
  });
}
