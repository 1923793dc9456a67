import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * A JSON document on disk that survives restarts. Writes go to a temporary file
 * and are renamed into place, so a crash never leaves half a document; writes
 * through one store are serialised so the last one wins in call order.
 */
export class JsonStore<T> {
  readonly #path: string;
  readonly #initial: () => T;
  #chain: Promise<unknown> = Promise.resolve();

  constructor(path: string, initial: () => T) {
    this.#path = path;
    this.#initial = initial;
  }

  async read(): Promise<T> {
    try {
      return JSON.parse(await readFile(this.#path, 'utf8')) as T;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return this.#initial();
      throw error;
    }
  }

  /** Reads, applies `change`, writes; returns what `change` returned. */
  update<R>(change: (doc: T) => R | Promise<R>): Promise<R> {
    const run = this.#chain.then(async () => {
      const doc = await this.read();
      const result = await change(doc);
      await mkdir(dirname(this.#path), { recursive: true });
      const tmp = `${this.#path}.${process.pid}.tmp`;
      await writeFile(tmp, JSON.stringify(doc, null, 2));
      await rename(tmp, this.#path);
      return result;
    });
    this.#chain = run.catch(() => undefined);
    return run;
  }
}
