import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

interface PendingChange<T> {
  change: (doc: T) => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/**
 * A JSON document on disk that survives restarts. Writes go to a temporary file
 * and are renamed into place, so a crash never leaves half a document; writes
 * through one store are serialised so the last one wins in call order. A store
 * is used either through `update` (the file is the truth) or through `persist`
 * (the owner's memory is), not both.
 */
export class JsonStore<T> {
  readonly #path: string;
  readonly #initial: () => T;
  #chain: Promise<unknown> = Promise.resolve();
  /** Updates queued behind the chain whose read has not started yet: later calls join them. */
  #queuedChanges: PendingChange<T>[] | undefined;
  /** The `persist` write queued behind the chain and not started yet: later calls join it. */
  #queuedPersist: Promise<void> | undefined;

  readonly #mode: number | undefined;

  /** `mode`: the file's permissions (e.g. 0o600 for secrets); the default is the process's umask. */
  constructor(path: string, initial: () => T, options: { mode?: number } = {}) {
    this.#path = path;
    this.#initial = initial;
    this.#mode = options.mode;
  }

  async read(): Promise<T> {
    try {
      return JSON.parse(await readFile(this.#path, 'utf8')) as T;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return this.#initial();
      throw error;
    }
  }

  /**
   * Reads, applies `change`, writes; returns what `change` returned. Updates
   * asked for while an earlier one is being written share the next read and
   * write: their changes are applied one after another, in call order, to one
   * read of the document. A change that throws is undone (its caller gets the
   * error, the others are written); a failed read or write fails them all.
   */
  update<R>(change: (doc: T) => R | Promise<R>): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      const pending: PendingChange<T> = { change, resolve: resolve as (value: unknown) => void, reject };
      if (this.#queuedChanges) {
        this.#queuedChanges.push(pending);
        return;
      }
      const group = [pending];
      this.#queuedChanges = group;
      const run = this.#chain.then(async () => {
        // From here on this group is closed: a later update waits for the next read.
        this.#queuedChanges = undefined;
        await this.#applyAll(group);
      });
      this.#chain = run.catch(() => undefined);
      run.catch((error: unknown) => {
        for (const p of group) p.reject(error);
      });
    });
  }

  async #applyAll(group: PendingChange<T>[]): Promise<void> {
    let doc: T = await this.read();
    const done: { pending: PendingChange<T>; result: unknown }[] = [];
    for (const pending of group) {
      const before = group.length > 1 ? JSON.stringify(doc) : undefined;
      try {
        done.push({ pending, result: await pending.change(doc) });
      } catch (error) {
        pending.reject(error);
        if (before === undefined) return; // nothing else to write
        doc = JSON.parse(before) as T;
      }
    }
    if (done.length === 0) return;
    await this.#write(JSON.stringify(doc, null, 2));
    for (const { pending, result } of done) pending.resolve(result);
  }

  /**
   * Writes the whole document `snapshot` returns, for an owner that keeps the
   * document in memory and writes it through after every change. The snapshot
   * is taken when the write starts, not when it is asked for, so calls made
   * while a write is queued share it: a burst of changes costs one write, not
   * one each, and every caller still resolves only once a document holding its
   * change is on disk. Every caller must pass a snapshot of the same state.
   */
  persist(snapshot: () => T): Promise<void> {
    if (this.#queuedPersist) return this.#queuedPersist;
    const run = this.#chain.then(async () => {
      // From here on the snapshot is taken: a change made after this needs a write of its own.
      this.#queuedPersist = undefined;
      await this.#write(JSON.stringify(snapshot(), null, 2));
    });
    this.#queuedPersist = run;
    this.#chain = run.catch(() => undefined);
    return run;
  }

  async #write(text: string): Promise<void> {
    await mkdir(dirname(this.#path), { recursive: true });
    const tmp = `${this.#path}.${process.pid}.tmp`;
    await writeFile(tmp, text, this.#mode === undefined ? undefined : { mode: this.#mode });
    await rename(tmp, this.#path);
  }
}
