/**
 * `humangov push` for the local provider, from a process of its own: build the
 * image (the Dockerfile with a container engine, else app/ as a package) into
 * the local registry under HUMANGOV_HOME, and hand the ECR
 * push event to the `npm start` process through the event spool (that process
 * runs the rollout). The deployment id is known here already: it is derived
 * from the event's id and time, exactly as the workflow derives it.
 */
import { deploymentIdFor } from '../deployments/event.ts';
import { LocalEventBus, type BusEvent } from '../local/events/event-bus.ts';
import { EventSpool } from '../local/events/spool.ts';
import type { LogFn } from '../local/logs/json-log.ts';
import { selectTaskRuntime, type TaskRuntime } from '../local/compute/task-runtime.ts';
import { REPO_ROOT } from '../local/registry/contexts.ts';
import { LocalRegistry, type PushResult } from '../local/registry/registry.ts';
import { localSettingsFromEnv } from '../local/settings.ts';

export { REPO_ROOT };

/** A spool that remembers what it wrote, so the pusher knows the event it handed over. */
class RecordingSpool extends EventSpool {
  readonly written: BusEvent[] = [];

  override async write(event: BusEvent): Promise<void> {
    await super.write(event);
    this.written.push(event);
  }
}

export interface LocalPush {
  push: PushResult;
  /** The deployment the push starts, or null when its tag deploys nothing. */
  deploymentId: string | null;
  /** Where the image and the spooled event are: the control plane must use the same HUMANGOV_HOME. */
  home: string;
  runtime: TaskRuntime;
}

/** The runtime a push would use with this environment, and what it builds by default (for the CLI's progress line). */
export async function pushPlan(env: NodeJS.ProcessEnv): Promise<{ runtime: TaskRuntime; defaultContext: string }> {
  const runtime = await selectTaskRuntime(env);
  const { APP_DIR } = await import('../local/registry/contexts.ts');
  return { runtime, defaultContext: runtime.kind === 'container' ? REPO_ROOT : APP_DIR };
}

/** `contextDir` undefined: this repository's Dockerfile (container runtime) or app/ (process runtime). */
export async function pushLocalImage(request: {
  contextDir?: string;
  tag: string;
  env: NodeJS.ProcessEnv;
  log: LogFn;
  runtime?: TaskRuntime;
}): Promise<LocalPush> {
  const runtime = request.runtime ?? (await selectTaskRuntime(request.env));
  // A relative HUMANGOV_HOME is relative to the repository, where `npm start` always runs, not to wherever the CLI was called.
  const settings = localSettingsFromEnv(request.env, REPO_ROOT);
  const spool = new RecordingSpool(settings.home);
  const bus = await LocalEventBus.fromServerless({
    stage: settings.stage,
    region: settings.region,
    accountId: settings.accountId,
    publishTo: spool,
    log: request.log,
  });
  try {
    const registry = new LocalRegistry({ home: settings.home, repository: settings.imageRepository, events: bus, runtime, log: request.log });
    const push = await registry.push({ contextDir: request.contextDir, tag: request.tag });
    const event = spool.written[0];
    return { push, deploymentId: push.triggered.length > 0 && event ? deploymentIdFor(event) : null, home: settings.home, runtime };
  } finally {
    await bus.close();
  }
}
