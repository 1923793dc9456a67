// Types for the parts of dynalite and s3rver the local provider uses; neither ships its own.

declare module 'dynalite' {
  import type { Server } from 'node:http';
  interface DynaliteOptions {
    /** LevelDB directory; in memory when absent. */
    path?: string;
    createTableMs?: number;
    deleteTableMs?: number;
    updateTableMs?: number;
    maxItemSizeKb?: number;
  }
  export default function dynalite(options?: DynaliteOptions): Server;
}

declare module 'dynalite/db/index.js' {
  interface LevelLike {
    open(): Promise<void>;
    close(): Promise<void>;
    iterator(range: { gte: string; lt: string }): AsyncIterable<[string, unknown]>;
    put(key: string, value: unknown): Promise<void>;
    del(key: string): Promise<void>;
  }
  export function create(options: { path: string }): { db: LevelLike };
}

declare module 's3rver' {
  import type { RequestListener } from 'node:http';
  import type { AddressInfo } from 'node:net';
  interface S3rverOptions {
    address?: string;
    port?: number;
    silent?: boolean;
    directory?: string;
    resetOnClose?: boolean;
    allowMismatchedSignatures?: boolean;
    vhostBuckets?: boolean;
  }
  export default class S3rver {
    constructor(options: S3rverOptions);
    run(): Promise<AddressInfo>;
    close(): Promise<void>;
    /** s3rver is a Koa application. */
    callback(): RequestListener;
    logger: { close(): void };
  }
}

declare module 's3rver/lib/models/account.js' {
  interface Account {
    readonly id: number;
  }
  const AWSAccount: {
    registry: Map<string, Account>;
    DUMMY_ACCOUNT: Account;
  };
  export default AWSAccount;
}
