import { describe, expect, it } from '@jest/globals';
import { ItemLocks } from './item-locks.ts';

const settled = async (promise: Promise<unknown>) => {
  let done = false;
  void promise.then(() => (done = true));
  for (let i = 0; i < 5; i += 1) await new Promise((resolve) => setImmediate(resolve));
  return done;
};

describe('ItemLocks', () => {
  it('gives the turn on an item to one holder at a time, in order of acquisition', async () => {
    const locks = new ItemLocks();
    const first = locks.acquire(['a']);
    const second = locks.acquire(['a']);
    const third = locks.acquire(['a']);
    expect(await settled(first.turn)).toBe(true);
    expect(await settled(second.turn)).toBe(false);
    first.done();
    expect(await settled(second.turn)).toBe(true);
    expect(await settled(third.turn)).toBe(false);
    second.done();
    third.done();
    await third.turn;
    await settled(Promise.resolve());
    expect(locks.size).toBe(0);
  });

  it('does not make a holder of another item wait', async () => {
    const locks = new ItemLocks();
    locks.acquire(['a']);
    expect(await settled(locks.acquire(['b']).turn)).toBe(true);
  });

  it('makes a holder of several items wait for each of them', async () => {
    const locks = new ItemLocks();
    const a = locks.acquire(['a']);
    const b = locks.acquire(['b']);
    const both = locks.acquire(['a', 'b', 'a']);
    const laterB = locks.acquire(['b']);
    a.done();
    expect(await settled(both.turn)).toBe(false);
    b.done();
    expect(await settled(both.turn)).toBe(true);
    expect(await settled(laterB.turn)).toBe(false);
    both.done();
    expect(await settled(laterB.turn)).toBe(true);
  });
});
