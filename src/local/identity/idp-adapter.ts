/**
 * The storage of a local identity provider, as oidc-provider's documented `adapter` option takes
 * it (https://github.com/panva/node-oidc-provider/blob/main/docs/README.md#adapter): one instance
 * per model name, with upsert / find / findByUid / findByUserCode / consume / destroy /
 * revokeByGrantId. Giving it one stops the library's warning that its own quick-start adapter
 * is for development only (the warning is the library telling us to choose; this is the choice).
 *
 * Sessions, codes and tokens live in this provider's memory and expire when the library says
 * (a restart signs everyone out, as the README says). Clients are not stored here: the `Client`
 * model is read from `clients`, so the load balancer's app clients are the ones the staff pool
 * holds, looked up at each request.
 */
import type { Adapter, AdapterPayload } from 'oidc-provider';

interface Entry {
  readonly payload: AdapterPayload;
  readonly expiresAt: number;
}

/** What the `Client` model is read from: a client's metadata by id, or undefined when there is none. */
export type ClientLookup = (clientId: string) => AdapterPayload | undefined;

/** The `adapter` option of one provider: its own stores, shared by the models of that provider only. */
export function idpAdapter(clients: ClientLookup, now: () => number = Date.now): new (name: string) => Adapter {
  const stores = new Map<string, Map<string, Entry>>();
  const storeOf = (name: string): Map<string, Entry> => {
    let store = stores.get(name);
    if (!store) stores.set(name, (store = new Map()));
    return store;
  };

  return class IdpAdapter implements Adapter {
    readonly #name: string;
    readonly #store: Map<string, Entry>;

    constructor(name: string) {
      this.#name = name;
      this.#store = storeOf(name);
    }

    async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
      this.#store.set(id, { payload: { ...payload }, expiresAt: expiresIn ? now() + expiresIn * 1000 : Number.POSITIVE_INFINITY });
    }

    async find(id: string): Promise<AdapterPayload | undefined> {
      if (this.#name === 'Client') return clients(id);
      return this.#live(id)?.payload;
    }

    async findByUid(uid: string): Promise<AdapterPayload | undefined> {
      for (const id of this.#store.keys()) {
        const payload = this.#live(id)?.payload;
        if (payload?.uid === uid) return payload;
      }
      return undefined;
    }

    async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
      for (const id of this.#store.keys()) {
        const payload = this.#live(id)?.payload;
        if (payload?.userCode === userCode) return payload;
      }
      return undefined;
    }

    async consume(id: string): Promise<void> {
      const entry = this.#live(id);
      if (entry) this.#store.set(id, { ...entry, payload: { ...entry.payload, consumed: Math.floor(now() / 1000) } });
    }

    async destroy(id: string): Promise<void> {
      this.#store.delete(id);
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      for (const store of stores.values()) {
        for (const [id, entry] of store) if (entry.payload.grantId === grantId) store.delete(id);
      }
    }

    #live(id: string): Entry | undefined {
      const entry = this.#store.get(id);
      if (entry && entry.expiresAt <= now()) {
        this.#store.delete(id);
        return undefined;
      }
      return entry;
    }
  };
}
