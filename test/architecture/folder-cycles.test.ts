/**
 * The top-level folders of src/ form no import cycle: each can be read, tested and changed
 * from the folders it imports, never needing the ones that import it (kernel and cloud at the
 * bottom, the providers and workflows above them, api, cli and local at the top).
 */
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { cycles, folderGraph } from './folder-graph.ts';

const SRC = join(import.meta.dirname, '..', '..', 'src');

/**
 * Edges known to close a cycle, each with the one file that makes it and what removes it.
 * Each must still exist (so this list cannot go stale); removing the cause means removing the entry.
 */
const KNOWN = [
  {
    from: 'tenants',
    to: 'aws',
    file: 'tenants/repository.ts',
    why:
      'the tenants repository (its reads and conditional writes) wraps its DynamoDB client with controlPlaneTable (aws/errors.ts); ' +
      'it goes when the composition roots pass the wrapped client in, or the writes move to the providers',
  },
];

describe('the folders of src/', () => {
  it('import each other without a cycle', async () => {
    const graph = await folderGraph(SRC);
    for (const known of KNOWN) {
      expect(`${known.from} -> ${known.to} via ${graph.get(known.from)?.get(known.to)}`).toBe(`${known.from} -> ${known.to} via ${known.file}`);
      graph.get(known.from)?.delete(known.to);
    }
    const found = cycles(graph).map((folders) =>
      folders
        .map(
          (folder) =>
            `${folder} -> ${[...(graph.get(folder) ?? [])]
              .filter(([to]) => folders.includes(to))
              .map(([to, file]) => `${to} (${file})`)
              .join(', ')}`,
        )
        .join('; '),
    );
    expect(found).toEqual([]);
  });

  it('are read from real imports (a cycle made on purpose is found)', () => {
    const graph = new Map([
      ['a', new Map([['b', 'a/x.ts']])],
      ['b', new Map([['c', 'b/y.ts']])],
      ['c', new Map([['a', 'c/z.ts']])],
      ['d', new Map([['a', 'd/w.ts']])],
    ]);
    expect(cycles(graph)).toEqual([['a', 'b', 'c']]);
  });
});
