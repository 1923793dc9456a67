/**
 * The call log and failure script shared by every fake port: each port method
 * runs through `FakeScript.run`, which records the call, then throws whatever
 * the test scripted for that operation before (or after) the call takes effect.
 */
import { NotReadyError, PermanentCloudError, TransientCloudError } from '../../src/cloud/errors.ts';
import type { Cloud } from '../../src/cloud/ports.ts';

type PortName = Exclude<keyof Cloud, 'platform'>;
type AsyncMethodOf<P> = { [K in keyof P]: P[K] extends (...args: never[]) => Promise<unknown> ? K : never }[keyof P] & string;

/** `"compute.ensureService"`, `"tables.ensureTable"`...: one name per port method. */
export type FakeOperation = { [P in PortName]: `${P}.${AsyncMethodOf<NonNullable<Cloud[P]>>}` }[PortName];

export interface FakeCall {
  op: FakeOperation;
  args: unknown[];
  /** Whether the call returned (false: it threw, scripted or not). */
  ok?: boolean;
}

export type FailureKind = 'transient' | 'not-ready' | 'permanent';

export interface ScriptedFailure {
  /** What to throw: one of the provider error kinds, or an error of the test's making. */
  kind: FailureKind | (() => Error);
  /** How many consecutive calls fail (default 1; Infinity for "always"). */
  times?: number;
  message?: string;
  /**
   * Throw after the call took effect, as when a create succeeds but its response is
   * lost: the retry must find the resource and not create it twice.
   */
  after?: boolean;
}

/** Resources the fake counts creations and deletions of, to prove idempotency. */
export type ResourceKind =
  | 'table'
  | 'bucket'
  | 'taskRole'
  | 'logGroup'
  | 'taskDefinition'
  | 'service'
  | 'deployment'
  | 'targetGroup'
  | 'listenerRule'
  | 'secret'
  | 'userPoolClient'
  | 'staffGroup';

function makeError(failure: ScriptedFailure, op: FakeOperation): Error {
  if (typeof failure.kind === 'function') return failure.kind();
  const message = failure.message ?? `scripted ${failure.kind} failure of ${op}`;
  switch (failure.kind) {
    case 'transient':
      return new TransientCloudError(message);
    case 'not-ready':
      return new NotReadyError(message);
    case 'permanent':
      return new PermanentCloudError(message);
  }
}

export class FakeScript {
  readonly calls: FakeCall[] = [];
  readonly created: Record<ResourceKind, number> = zeroCounts();
  readonly deleted: Record<ResourceKind, number> = zeroCounts();
  readonly #failures = new Map<FakeOperation, (ScriptedFailure & { left: number })[]>();

  /** Scripts the next call(s) of `op` to fail; scripts for one operation run in the order given. */
  fail(op: FakeOperation, failure: ScriptedFailure): void {
    const queue = this.#failures.get(op) ?? [];
    queue.push({ ...failure, left: failure.times ?? 1 });
    this.#failures.set(op, queue);
  }

  /** Drops every scripted failure not yet thrown (of one operation, or all). */
  clearFailures(op?: FakeOperation): void {
    if (op) this.#failures.delete(op);
    else this.#failures.clear();
  }

  count(op: FakeOperation): number {
    return this.calls.filter((call) => call.op === op).length;
  }

  /** The operations called, in order (optionally only those of one port, e.g. "compute."). */
  ops(prefix = ''): FakeOperation[] {
    return this.calls.map((call) => call.op).filter((op) => op.startsWith(prefix));
  }

  async run<T>(op: FakeOperation, args: unknown[], impl: () => T): Promise<T> {
    const call: FakeCall = { op, args: structuredClone(args) };
    this.calls.push(call);
    // Like a network call, a port method never completes synchronously.
    await Promise.resolve();
    const failure = this.#take(op);
    try {
      if (failure && !failure.after) throw makeError(failure, op);
      const result = impl();
      if (failure?.after) throw makeError(failure, op);
      call.ok = true;
      return structuredClone(result);
    } catch (error) {
      call.ok = false;
      throw error;
    }
  }

  #take(op: FakeOperation): ScriptedFailure | undefined {
    const queue = this.#failures.get(op);
    const next = queue?.[0];
    if (!queue || !next) return undefined;
    next.left -= 1;
    if (next.left <= 0) queue.shift();
    return next;
  }
}

function zeroCounts(): Record<ResourceKind, number> {
  return {
    table: 0,
    bucket: 0,
    taskRole: 0,
    logGroup: 0,
    taskDefinition: 0,
    service: 0,
    deployment: 0,
    targetGroup: 0,
    listenerRule: 0,
    secret: 0,
    userPoolClient: 0,
    staffGroup: 0,
  };
}
