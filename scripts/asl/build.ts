/**
 * npm run build:asl: renders statemachines/<name>.asl.json from the sources in
 * statemachines/src/. With --check, writes nothing and exits 1 naming every
 * file that differs (a test runs the same comparison).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { MACHINES } from '../../statemachines/src/index.ts';
import { render } from '../../statemachines/src/asl.ts';

const check = process.argv.includes('--check');
const stale: string[] = [];
for (const [name, machine] of Object.entries(MACHINES)) {
  const path = fileURLToPath(new URL(`../../statemachines/${name}.asl.json`, import.meta.url));
  const text = render(machine);
  const current = await readFile(path, 'utf8').catch(() => '');
  if (current === text) continue;
  if (check) stale.push(`statemachines/${name}.asl.json`);
  else {
    await writeFile(path, text);
    console.log(`wrote statemachines/${name}.asl.json (${text.split('\n').length - 1} lines)`);
  }
}
if (stale.length > 0) {
  console.error(`${stale.join(', ')} differ from statemachines/src/: run npm run build:asl and commit the result`);
  process.exitCode = 1;
}
