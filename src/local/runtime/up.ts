import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeRuntime, selectTaskRuntime, type TaskRuntime } from '../compute/task-runtime.ts';
import { LOCAL_STAFF_PASSWORD } from '../identity/staff.ts';
import { localSettingsFromEnv } from '../settings.ts';
import { startLocalControlPlane, type LocalControlPlane } from './control-plane.ts';
import { keepRunningWhenOutputCloses } from '../../kernel/closed-output.ts';
import { logFor } from '../logs/json-log.ts';

export interface UpOptions {
  env?: NodeJS.ProcessEnv;
  /** Where the banner goes (stdout); logs go to stderr, as lines for a person on a terminal, else JSON lines. */
  print?: (line: string) => void;
  /** JSON log lines even on a terminal (--json-logs). */
  jsonLogs?: boolean;
}

function banner(plane: LocalControlPlane, runtime: TaskRuntime): string[] {
  const { urls, settings } = plane;
  // The CLI finds the API at its default address by itself; anywhere else it must be told, from any shell.
  const cli = urls.api === `http://127.0.0.1:${localSettingsFromEnv({}).apiPort}` ? 'npx humangov' : `npx humangov --api ${urls.api}`;
  return [
    '',
    'HumanGov control plane is running on this machine (local provider).',
    '',
    `  status API and dashboard   ${urls.api}`,
    `  load balancer              ${urls.loadBalancer}   (tenant by host: http://<tenantId>.localhost:${new URL(urls.loadBalancer).port})`,
    `  DynamoDB endpoint          ${urls.dynamodb}   (tenants table: humangov-${settings.stage}-tenants)`,
    `  S3 endpoint                ${urls.s3}`,
    `  identity provider          ${urls.identityProvider}   (staff sign in here: maria.ca, sam.tx, ... password ${LOCAL_STAFF_PASSWORD})`,
    `  state                      ${settings.home}`,
    `  tasks run as               ${describeRuntime(runtime)}`,
    '',
    'Onboard a state (the app in app/ is the current release):',
    `  ${cli} tenant add ca --wait`,
    `  (or insert {"tenantId": {"S": "ca"}} into humangov-${settings.stage}-tenants at ${urls.dynamodb})`,
    'Release a new version of app/:',
    `  ${cli} push --tag v1.0.1`,
    '',
    'Ctrl-C stops everything; the next start resumes where this one left off.',
    '',
  ];
}

const APP_DIR = fileURLToPath(new URL('../../../app/', import.meta.url));

/**
 * `npm start` / `humangov up`: starts the local control plane, prints where
 * everything is, and on Ctrl-C or SIGTERM stops every child process and server
 * before exiting. Resolves when stopped.
 */
export async function runUp(options: UpOptions = {}): Promise<void> {
  // Ctrl-C reaches a pipe's reader too (`npm start | tee log`): with it gone, stopping the tasks still comes first.
  keepRunningWhenOutputCloses();
  const print =
    options.print ??
    ((line: string) => {
      if (!process.stdout.destroyed) process.stdout.write(`${line}\n`);
    });
  const settings = localSettingsFromEnv(options.env ?? process.env);
  let plane: LocalControlPlane;
  let runtime: TaskRuntime;
  try {
    runtime = await selectTaskRuntime(options.env ?? process.env);
    // A fresh control plane has no release and onboarding needs one: the app in this repository
    // becomes the first, as `humangov push` would make it, so a tenant can be inserted right away.
    const { version } = JSON.parse(await readFile(join(APP_DIR, 'package.json'), 'utf8')) as { version: string };
    const log = logFor({
      isTTY: process.stderr.isTTY === true,
      jsonLogs: options.jsonLogs === true,
      color: !process.env.NO_COLOR,
      write: (line) => process.stderr.write(`${line}\n`),
    });
    plane = await startLocalControlPlane(settings, {
      log,
      taskRuntime: runtime,
      firstRelease: {
        tag: `v${version}`,
        onPushed: (digest) =>
          print(`No release yet: built ${runtime.kind === 'container' ? 'the Dockerfile' : 'app/'} and released it as v${version} (${digest}).`),
      },
    });
  } catch (error) {
    process.stderr.write(`humangov up: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
    return;
  }
  for (const line of banner(plane, runtime)) print(line);

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
