import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { logger } from '../../../functions/lib/step-handler.ts';
import { localSettingsFromEnv } from '../settings.ts';
import { startLocalControlPlane, type LocalControlPlane } from './control-plane.ts';

export interface UpOptions {
  env?: NodeJS.ProcessEnv;
  /** Where the banner goes (stdout); logs go to stderr as JSON lines. */
  print?: (line: string) => void;
}

function banner(plane: LocalControlPlane): string[] {
  const { urls, settings } = plane;
  return [
    '',
    'HumanGov control plane is running on this machine (local provider).',
    '',
    `  status API and dashboard   ${urls.api}`,
    `  load balancer              ${urls.loadBalancer}   (tenant by host: http://<tenantId>.localhost:${new URL(urls.loadBalancer).port})`,
    `  DynamoDB endpoint          ${urls.dynamodb}   (tenants table: humangov-${settings.stage}-tenants)`,
    `  S3 endpoint                ${urls.s3}`,
    `  state                      ${settings.home}`,
    '',
    'Onboard a state (the app in app/ is the current release):',
    '  npx humangov tenant add ca --wait',
    `  (or insert {"tenantId": {"S": "ca"}} into humangov-${settings.stage}-tenants at ${urls.dynamodb})`,
    'Release a new version of app/:',
    '  npx humangov push --tag v1.0.1',
    '',
    'Ctrl-C stops everything; the next start resumes where this one left off.',
    '',
  ];
}

const APP_DIR = fileURLToPath(new URL('../../../app/', import.meta.url));

/**
 * A fresh control plane has no release, and onboarding needs one: the app in
 * this repository becomes the first, as `humangov push` would make it, so a
 * newcomer can insert a tenant right away.
 */
async function ensureFirstRelease(plane: LocalControlPlane, print: (line: string) => void): Promise<void> {
  if (await plane.deployments.currentRelease()) return;
  const { version } = JSON.parse(await readFile(join(APP_DIR, 'package.json'), 'utf8')) as { version: string };
  print(`No release yet: building app/ and pushing it as v${version}...`);
  const pushed = await plane.registry.push({ contextDir: APP_DIR, tag: `v${version}` });
  await plane.idle();
  print(`Release v${version} is ${pushed.digest}.`);
}

/**
 * `npm start` / `humangov up`: starts the local control plane, prints where
 * everything is, and on Ctrl-C or SIGTERM stops every child process and server
 * before exiting. Resolves when stopped.
 */
export async function runUp(options: UpOptions = {}): Promise<void> {
  const print = options.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const settings = localSettingsFromEnv(options.env ?? process.env);
  // The functions' per-step logs are for CloudWatch; on a terminal only their warnings are worth reading.
  if (!process.env.POWERTOOLS_LOG_LEVEL) logger.setLogLevel('WARN');
  let plane: LocalControlPlane;
  try {
    plane = await startLocalControlPlane(settings);
  } catch (error) {
    process.stderr.write(`humangov up: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
    return;
  }
  try {
    await ensureFirstRelease(plane, print);
  } catch (error) {
    print(`Could not build app/ as the first release (${error instanceof Error ? error.message : String(error)}); push one with: npx humangov push --tag v1.0.0`);
  }
  for (const line of banner(plane)) print(line);

  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) return;
      stopping = true;
      print(`\n${signal}: stopping tenants' tasks and local servers...`);
      void plane.stop().then(() => {
        print('stopped.');
        resolve();
      });
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
