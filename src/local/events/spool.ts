import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { errorMessage, logJson, type LogFn } from '../logs/json-log.ts';
import { localPaths } from '../settings.ts';
import type { BusEvent } from './event-bus.ts';

/**
 * Events handed from one process to another through `<home>/state/events`:
 * `humangov push` runs in its own process, while the rule targets (the
 * workflows) run in the `npm start` process. The pusher writes each accepted
 * event as a file (written beside, renamed into place: never read half-written);
 * the control plane takes them in name order (time, then id) and removes each
 * before delivering it. Events written while `npm start` is down wait for it,
 * as EventBridge keeps retrying a target that is down.
 */
export class EventSpool {
  readonly dir: string;

  constructor(home: string) {
    this.dir = join(localPaths(home).state, 'events');
  }

  async write(event: BusEvent): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const name = `${String(Date.now()).padStart(15, '0')}-${event.id}.json`;
    const tmp = join(this.dir, `.tmp-${randomUUID()}`);
    await writeFile(tmp, JSON.stringify(event));
    await rename(tmp, join(this.dir, name));
  }

  /** Takes every waiting event, oldest first, removing each as it is taken. */
  async take(): Promise<BusEvent[]> {
    let names: string[];
    try {
      names = (await readdir(this.dir)).filter((name) => name.endsWith('.json')).sort();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const events: BusEvent[] = [];
    for (const name of names) {
      const path = join(this.dir, name);
      const text = await readFile(path, 'utf8');
      try {
        events.push(JSON.parse(text) as BusEvent);
      } catch {
        // Not ours or damaged: set aside for a person to look at, and go on with the rest.
        await rename(path, join(this.dir, `.unreadable-${name}`));
        continue;
      }
      await rm(path, { force: true });
    }
    return events;
  }

  /**
   * Polls for events and hands each to `deliver` until stopped. Polling, not
   * fs.watch: it behaves the same on every file system, and a push waits at most `intervalMs`.
   */
  watch(deliver: (event: BusEvent) => void, options: { intervalMs?: number; log?: LogFn } = {}): { stop(): Promise<void> } {
    const log = options.log ?? logJson;
    let stopped = false;
    let timer: NodeJS.Timeout | undefined;
    let running: Promise<void> = Promise.resolve();
    const tick = () => {
      running = this.take()
        .then((events) => events.forEach(deliver))
        .catch((error: unknown) => log({ level: 'ERROR', message: 'could not read spooled events', dir: this.dir, error: errorMessage(error) }))
        .finally(() => {
          if (!stopped) timer = setTimeout(tick, options.intervalMs ?? 200);
        });
    };
    tick();
    return {
      async stop() {
        stopped = true;
        clearTimeout(timer);
        await running;
      },
    };
  }
}
