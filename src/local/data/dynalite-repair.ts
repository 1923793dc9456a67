import { existsSync } from 'node:fs';
import { create } from 'dynalite/db/index.js';
import { LocalServerError } from './listen.ts';

interface StoredTable {
  TableName: string;
  TableStatus: string;
  GlobalSecondaryIndexes?: { IndexStatus?: string }[];
}

/**
 * dynalite moves a table from CREATING/UPDATING to ACTIVE, and finishes a
 * delete, on a timer in memory. Stopped inside that window, the table stays
 * CREATING or DELETING on disk forever, and every later ensureTable would wait
 * on it. Before dynalite opens the store, finish what the timers would have
 * done: CREATING/UPDATING become ACTIVE; a DELETING table is removed along with
 * whatever of its items, indexes and tags remained.
 */
export async function repairInterruptedTables(path: string): Promise<{ activated: string[]; deleted: string[] }> {
  const repaired = { activated: [] as string[], deleted: [] as string[] };
  if (!existsSync(path)) return repaired;
  const { db } = create({ path });
  try {
    await db.open();
  } catch (error) {
    const locked = (error as { cause?: { code?: string } }).cause?.code === 'LEVEL_LOCKED';
    const why = locked ? 'another process holds it (is another "npm start" using the same HUMANGOV_HOME?)' : (error as Error).message;
    throw new LocalServerError(`the local DynamoDB store ${path} cannot be opened: ${why}`, { cause: error });
  }
  try {
    const tables: StoredTable[] = [];
    for await (const [, value] of db.iterator({ gte: 'table~', lt: 'table~\xff' })) tables.push(value as StoredTable);
    for (const table of tables) {
      if (table.TableStatus === 'CREATING' || table.TableStatus === 'UPDATING') {
        table.TableStatus = 'ACTIVE';
        for (const index of table.GlobalSecondaryIndexes ?? []) index.IndexStatus = 'ACTIVE';
        await db.put(`table~${table.TableName}`, table);
        repaired.activated.push(table.TableName);
      } else if (table.TableStatus === 'DELETING') {
        // Table names cannot contain "~", so these prefixes belong to this table alone.
        const prefixes = [`item-${table.TableName}~`, `tag-${table.TableName}~`, `index-global~${table.TableName}~`, `index-local~${table.TableName}~`];
        for (const prefix of prefixes) {
          const keys: string[] = [];
          for await (const [key] of db.iterator({ gte: prefix, lt: `${prefix}\xff` })) keys.push(key);
          for (const key of keys) await db.del(key);
        }
        await db.del(`table~${table.TableName}`);
        repaired.deleted.push(table.TableName);
      }
    }
  } finally {
    await db.close();
  }
  return repaired;
}
