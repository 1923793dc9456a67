/**
 * What every port contract shares: the subject a suite runs against, and the retry a
 * workflow's Retry rule would do around NotReadyError.
 */
import { afterEach } from '@jest/globals';
import { NotReadyError } from '../../src/cloud/errors.ts';

/** One implementation of a port, made fresh for one test, with what the suite may inspect. */
export interface Subject<P> {
  port: P;
  /** Releases servers and files the implementation holds. */
  close(): Promise<void>;
}

export type Factory<S> = () => Promise<S>;

/**
 * Call inside a suite's describe: what it returns opens a subject (awaits the factory's promise)
 * and has it closed after the test that opened it.
 */
export function closedAfterEach(): <S extends { close(): Promise<void> }>(made: Promise<S>) => Promise<S> {
  const opened: { close(): Promise<void> }[] = [];
  afterEach(async () => {
    for (const subject of opened.splice(0)) await subject.close();
  });
  return async (made) => {
    const subject = await made;
    opened.push(subject);
    return subject;
  };
}

/** Calls `call` until it stops answering NotReadyError, as the workflows' Retry does (bounded: 200 attempts, 10 ms apart). */
export async function untilReady<T>(call: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (!(error instanceof NotReadyError) || attempt >= 200) throw error;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}

/** The tags as a record, from AWS's `[{Key, Value}]` lists. */
export function tagRecord(tags: { Key?: string; Value?: string }[] | undefined): Record<string, string> {
  return Object.fromEntries((tags ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));
}
