/**
 * The import graph between the top-level folders of src/ (api, aws, cloud, kernel, local, ...),
 * read from the sources' import and export-from statements (type-only imports count too: they
 * couple the folders just the same). Test files are left out: a test may reach anywhere.
 */
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';

const IMPORT = /^\s*(?:import|export)\s[^;]*?\sfrom\s+'([^']+)'/gms;

async function sources(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map(async (entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return entry.name === 'fixtures' ? [] : sources(path);
      return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
    }),
  );
  return nested.flat();
}

/** Folder → the folders it imports from, each with one file that does it (for the message). */
export type FolderGraph = Map<string, Map<string, string>>;

export async function folderGraph(srcRoot: string): Promise<FolderGraph> {
  const graph: FolderGraph = new Map();
  const folderOf = (path: string) => relative(srcRoot, path).split(sep)[0] ?? '';
  for (const file of await sources(srcRoot)) {
    const from = folderOf(file);
    const edges = graph.get(from) ?? new Map<string, string>();
    graph.set(from, edges);
    for (const [, specifier] of (await readFile(file, 'utf8')).matchAll(IMPORT)) {
      if (!specifier?.startsWith('.')) continue;
      const target = resolve(dirname(file), specifier);
      if (relative(srcRoot, target).startsWith('..')) continue;
      const to = folderOf(target);
      if (to !== from && !edges.has(to)) edges.set(to, relative(srcRoot, file));
    }
  }
  return graph;
}

/** Every cycle's folders (strongly connected components of more than one folder), Tarjan's algorithm. */
export function cycles(graph: FolderGraph): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (node: string) => {
    index.set(node, counter);
    low.set(node, counter);
    counter += 1;
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node)?.keys() ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) low.set(node, Math.min(low.get(node)!, index.get(next)!));
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = [];
      let member: string | undefined;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return found;
}
