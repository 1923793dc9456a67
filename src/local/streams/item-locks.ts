/**
 * Queues per item: `acquire(ids)` gives a turn that comes once every earlier
 * holder of any of those ids is done, so a write touching several items waits
 * for each of them, and one touching other items does not wait at all.
 */
export class ItemLocks {
  readonly #tails = new Map<string, Promise<void>>();

  acquire(ids: readonly string[]): { turn: Promise<void>; done: () => void } {
    const unique = [...new Set(ids)];
    const turn = Promise.all(unique.map((id) => this.#tails.get(id))).then(() => undefined);
    let release = () => undefined as void;
    const finished = new Promise<void>((resolve) => (release = resolve));
    const tail = turn.then(() => finished);
    for (const id of unique) this.#tails.set(id, tail);
    void tail.then(() => {
      for (const id of unique) if (this.#tails.get(id) === tail) this.#tails.delete(id);
    });
    return { turn, done: release };
  }

  /** How many items have a write queued or in flight (for tests). */
  get size(): number {
    return this.#tails.size;
  }
}
