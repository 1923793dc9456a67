/**
 * The TablePort contract (src/cloud/ports.ts) as a workflow relies on it: ensureTable is
 * idempotent and answers NotReadyError until the table is ACTIVE; deleteTable treats a missing
 * table as done and waits (NotReadyError) for a table still being created; a key that differs
 * from the spec cannot be brought to it and is refused for good; an outage is transient;
 * describeTable reports the protections ensureTable puts on, and ensureTable turns back on what was turned off.
 */
import { describe, expect, it } from '@jest/globals';
import { NotReadyError, PermanentCloudError, TransientCloudError } from '../../src/cloud/errors.ts';
import type { TablePort, TableSpec } from '../../src/cloud/ports.ts';
import { closedAfterEach, untilReady, type Factory, type Subject } from './support.ts';

export interface TablesSubject extends Subject<TablePort> {
  /** The table's tags as the service holds them, or undefined when there is no such table. */
  tagsOf(name: string): Promise<Record<string, string> | undefined>;
  /** Turns point-in-time recovery and deletion protection off, as a person could in the console. */
  turnOffProtections(name: string): Promise<void>;
}

export function tableSpec(name: string, tags: Record<string, string> = { 'humangov:tenant': 'ca' }): TableSpec {
  return {
    name,
    definition: {
      AttributeDefinitions: [
        { AttributeName: 'id', AttributeType: 'S' },
        { AttributeName: 'entity', AttributeType: 'S' },
      ],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      GlobalSecondaryIndexes: [{ IndexName: 'byEntity', KeySchema: [{ AttributeName: 'entity', KeyType: 'HASH' }], Projection: { ProjectionType: 'ALL' } }],
    },
    tags,
  };
}

/** `outage`: the port on the same service while it throttles or does not answer, where the implementation has a service. */
export function tablesContract(implementation: string, make: Factory<TablesSubject>, outage?: Factory<Subject<TablePort>>): void {
  describe(`TablePort contract: ${implementation}`, () => {
    const using = closedAfterEach();
    const open = (): Promise<TablesSubject> => using(make());

    it('creates a table that is not ACTIVE at once, then ensures it idempotently with its ARN and tags', async () => {
      const { port, tagsOf } = await open();
      const spec = tableSpec('humangov-test-tenant-ca');

      await expect(port.ensureTable(spec)).rejects.toBeInstanceOf(NotReadyError);
      const state = await untilReady(() => port.ensureTable(spec));

      expect(state).toEqual({
        name: spec.name,
        arn: expect.stringMatching(/^arn:aws:dynamodb:[a-z0-9-]+:\d{12}:table\/humangov-test-tenant-ca$/),
        status: 'ACTIVE',
      });
      await expect(port.ensureTable(spec)).resolves.toEqual(state);
      const retagged = { ...spec, tags: { ...spec.tags, 'humangov:stage': 'test' } };
      await expect(port.ensureTable(retagged)).resolves.toEqual(state);
      expect(await tagsOf(spec.name)).toMatchObject(retagged.tags);
    });

    it('treats deleting a missing table, or deleting twice, as done, and creates the table again afterwards', async () => {
      const { port, tagsOf } = await open();
      const spec = tableSpec('humangov-test-tenant-ny');

      await expect(port.deleteTable('humangov-test-tenant-none')).resolves.toBeUndefined();
      await untilReady(() => port.ensureTable(spec));
      await port.deleteTable(spec.name);
      await expect(port.deleteTable(spec.name)).resolves.toBeUndefined();
      await untilReady(async () => {
        if ((await tagsOf(spec.name)) !== undefined) throw new NotReadyError('still deleting');
      });

      await expect(untilReady(() => port.ensureTable(spec))).resolves.toMatchObject({ name: spec.name, status: 'ACTIVE' });
    });

    it('answers NotReadyError when asked to delete a table still being created, and deletes it once it can', async () => {
      const { port, tagsOf } = await open();
      const spec = tableSpec('humangov-test-tenant-tx');

      await expect(port.ensureTable(spec)).rejects.toBeInstanceOf(NotReadyError);
      await expect(port.deleteTable(spec.name)).rejects.toBeInstanceOf(NotReadyError);
      await untilReady(() => port.deleteTable(spec.name));
      await untilReady(async () => {
        if ((await tagsOf(spec.name)) !== undefined) throw new NotReadyError('still deleting');
      });
    });

    it('describes no table for a missing one, and the protections of one made, which ensureTable turns back on once turned off', async () => {
      const { port, turnOffProtections } = await open();
      const spec = tableSpec('humangov-test-tenant-or');
      await expect(port.describeTable('humangov-test-tenant-none')).resolves.toBeUndefined();
      await untilReady(() => port.ensureTable(spec));
      const protectedTable = { name: spec.name, status: 'ACTIVE', deletionProtection: true, pointInTimeRecovery: true };
      expect(await port.describeTable(spec.name)).toEqual(protectedTable);

      await turnOffProtections(spec.name);
      expect(await port.describeTable(spec.name)).toEqual({ ...protectedTable, deletionProtection: false, pointInTimeRecovery: false });
      await untilReady(() => port.ensureTable(spec));

      expect(await port.describeTable(spec.name)).toEqual(protectedTable);
    });

    it('refuses for good a table whose key differs from the spec, saying what to do', async () => {
      const { port } = await open();
      const spec = tableSpec('humangov-test-tenant-wa');
      await untilReady(() => port.ensureTable(spec));

      const rekeyed: TableSpec = { ...spec, definition: { ...spec.definition, KeySchema: [{ AttributeName: 'entity', KeyType: 'HASH' }] } };
      const refusal = untilReady(() => port.ensureTable(rekeyed));

      await expect(refusal).rejects.toBeInstanceOf(PermanentCloudError);
      await expect(refusal).rejects.toThrow(/cannot change in place/);
    });

    if (outage) {
      it('answers TransientCloudError while the service throttles or does not answer', async () => {
        const { port } = await using(outage());

        await expect(port.ensureTable(tableSpec('humangov-test-tenant-or'))).rejects.toBeInstanceOf(TransientCloudError);
        await expect(port.deleteTable('humangov-test-tenant-or')).rejects.toBeInstanceOf(TransientCloudError);
        await expect(port.describeTable('humangov-test-tenant-or')).rejects.toBeInstanceOf(TransientCloudError);
      });
    }
  });
}
