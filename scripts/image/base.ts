/**
 * `npm run image:base`: makes sure the base image the Dockerfile builds FROM is in the container
 * engine's store: already there, pulled, or (with no registry reachable) built here as a stand-in
 * of the same name (src/local/registry/base-image.ts says how). Idempotent: a second run is
 * a no-op that says so. The Dockerfile is read, never changed.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { containerEngine, describeEngine } from '../../src/local/compute/container-engine.ts';
import { baseImagesOf, ensureBaseImage } from '../../src/local/registry/base-image.ts';
import { HumanGovError } from '../../src/kernel/errors.ts';

const DOCKERFILE = fileURLToPath(new URL('../../Dockerfile', import.meta.url));

async function main(): Promise<number> {
  const { engine, tried } = await containerEngine();
  if (!engine) {
    console.error(
      `image:base: no container engine answers (${tried.join('; ')}); install podman (Debian: apt-get install podman runc debootstrap) or start docker`,
    );
    return 1;
  }
  const bases = baseImagesOf(await readFile(DOCKERFILE, 'utf8'));
  for (const name of bases) {
    const started = Date.now();
    const { source, reference } = await ensureBaseImage({ engine, name, log: (line) => console.log(`  ${line}`) });
    console.log(`${reference}: ${source} (${describeEngine(engine)}, ${((Date.now() - started) / 1000).toFixed(1)} s)`);
  }
  return 0;
}

try {
  process.exitCode = await main();
} catch (error) {
  if (!(error instanceof HumanGovError)) throw error;
  console.error(`image:base: ${error.message}`);
  process.exitCode = 1;
}
