import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { tempHome } from './data/testing.ts';
import { JsonStore } from './json-store.ts';

type Doc = { items: Record<string, number> };

describe('JsonStore', () => {
  let home: Awaited<ReturnType<typeof tempHome>>;
  let path: string;
  const onDisk = async () => JSON.parse(await readFile(path, 'utf8')) as Doc;

  beforeEach(async () => {
    home = await tempHome();
    path = join(home.home, 'state', 'doc.json');
  });

  afterEach(async () => {
    await home.remove();
  });

  describe('persist', () => {
    it('resolves each caller only once a document holding its change is on disk', async () => {
      const doc: Doc = { items: {} };
      const store = new JsonStore<Doc>(path, () => ({ items: {} }));
      const seen = await Promise.all(
        Array.from({ length: 20 }, async (_, i) => {
          doc.items[`k${i}`] = i;
          await store.persist(() => doc);
          return (await onDisk()).items[`k${i}`];
        }),
      );
      expect(seen).toEqual(Array.from({ length: 20 }, (_, i) => i));
    });

    it('writes a burst of changes once or twice, not once per change', async () => {
      const doc: Doc = { items: {} };
      const store = new JsonStore<Doc>(path, () => ({ items: {} }));
      let snapshots = 0;
      const snapshot = () => {
        snapshots += 1;
        return doc;
      };
      const saves = [];
      for (let i = 0; i < 50; i += 1) {
        doc.items[`k${i}`] = i;
        saves.push(store.persist(snapshot));
      }
      await Promise.all(saves);
      expect(snapshots).toBe(1);
      expect(Object.keys((await onDisk()).items)).toHaveLength(50);
    });

    it('writes again for a change made after a write started', async () => {
      const doc: Doc = { items: { a: 1 } };
      const store = new JsonStore<Doc>(path, () => ({ items: {} }));
      const first = store.persist(() => doc);
      await new Promise((resolve) => setImmediate(resolve)); // the first write has taken its snapshot
      doc.items.b = 2;
      await Promise.all([first, store.persist(() => doc)]);
      expect((await onDisk()).items).toEqual({ a: 1, b: 2 });
    });

    it('leaves no temporary file behind', async () => {
      const store = new JsonStore<Doc>(path, () => ({ items: {} }));
      await Promise.all([store.persist(() => ({ items: { a: 1 } })), store.persist(() => ({ items: { a: 1 } }))]);
      expect(await readdir(join(home.home, 'state'))).toEqual(['doc.json']);
    });
  });

  describe('update', () => {
    it('applies concurrent updates in call order and returns each its own result', async () => {
      const store = new JsonStore<Doc>(path, () => ({ items: {} }));
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          store.update((doc) => {
            doc.items.last = i;
            doc.items[`k${i}`] = i;
            return Object.keys(doc.items).length;
          }),
        ),
      );
      // Each change saw every earlier one.
      expect(results).toEqual(Array.from({ length: 10 }, (_, i) => i + 2));
      const written = await onDisk();
      expect(written.items.last).toBe(9);
      expect(Object.keys(written.items)).toHaveLength(11);
    });

    it('undoes a change that throws and writes the others', async () => {
      const store = new JsonStore<Doc>(path, () => ({ items: {} }));
      const failing = store.update((doc) => {
        doc.items.half = 1;
        throw new Error('refused');
      });
      const others = [store.update((doc) => void (doc.items.a = 1)), store.update((doc) => void (doc.items.b = 2))];
      await expect(failing).rejects.toThrow('refused');
      await Promise.all(others);
      expect((await onDisk()).items).toEqual({ a: 1, b: 2 });
    });

    it('writes nothing for a lone change that throws', async () => {
      const store = new JsonStore<Doc>(path, () => ({ items: {} }));
      await expect(store.update(() => Promise.reject(new Error('refused')))).rejects.toThrow('refused');
      await expect(readFile(path, 'utf8')).rejects.toMatchObject({ code: 'ENOENT' });
    });

    it('reads what an earlier update wrote', async () => {
      const store = new JsonStore<Doc>(path, () => ({ items: {} }));
      await store.update((doc) => void (doc.items.a = 1));
      expect(await new JsonStore<Doc>(path, () => ({ items: {} })).update((doc) => doc.items.a)).toBe(1);
    });
  });
});
