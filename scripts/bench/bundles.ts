/**
 * npm run bench:bundles — how big each function's deployment package is and how
 * long a cold Node process takes to import it.
 *
 * Packages the stack exactly as a deploy would (`serverless package`, offline),
 * then for each function's zip: its size, and the median over 5 fresh `node`
 * processes of the time to import its handler module. Last line:
 *   bundles: largest <N> KB zipped, slowest import <M> ms
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { readZip } from './zip.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const RUNS = 5;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function importTime(entry: string): Promise<number> {
  const script = `const t = performance.now(); await import(${JSON.stringify(pathToFileURL(entry).href)}); process.stdout.write(String(performance.now() - t));`;
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, AWS_REGION: 'us-east-1' } });
  return Number(stdout);
}

const out = await mkdtemp(join(tmpdir(), 'humangov-bundles-'));
const scratch = await mkdtemp(join(tmpdir(), 'humangov-bundles-work-'));
try {
  execFileSync(join(root, 'node_modules/.bin/serverless'), ['package', '--stage', 'bench', '--param=insecure=true', '--package', out], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
    // The bundler leaves work folders in TMPDIR: keep them inside what is removed at the end.
    env: { ...process.env, TMPDIR: scratch, SLS_TELEMETRY_DISABLED: '1' },
  });
  const zips = (await readdir(out)).filter((f) => f.endsWith('.zip')).sort();
  const rows: { fn: string; kb: number; ms: number }[] = [];
  for (const zipName of zips) {
    const zipPath = join(out, zipName);
    const dir = join(out, zipName.replace(/\.zip$/, ''));
    const entries = await readZip(zipPath);
    for (const [name, content] of entries) {
      await mkdir(dirname(join(dir, name)), { recursive: true });
      await writeFile(join(dir, name), content);
    }
    const handler = [...entries.keys()].find((name) => name.endsWith('.mjs'));
    if (!handler) throw new Error(`${zipName} holds no .mjs handler bundle`);
    const times: number[] = [];
    for (let i = 0; i < RUNS; i++) times.push(await importTime(join(dir, handler)));
    rows.push({ fn: zipName.replace(/\.zip$/, ''), kb: (await stat(zipPath)).size / 1024, ms: median(times) });
  }

  console.log(`machine: ${process.platform} ${process.arch}, node ${process.version}, ${(await import('node:os')).cpus().length} cores`);
  console.log('function            zipped KB   import ms (median of 5)');
  for (const row of rows) console.log(`${row.fn.padEnd(20)}${row.kb.toFixed(1).padStart(9)}${row.ms.toFixed(1).padStart(12)}`);
  const largest = Math.max(...rows.map((r) => r.kb));
  const slowest = Math.max(...rows.map((r) => r.ms));
  console.log(`bundles: largest ${Math.round(largest)} KB zipped, slowest import ${Math.round(slowest)} ms`);
} finally {
  await rm(out, { recursive: true, force: true });
  await rm(scratch, { recursive: true, force: true });
}
