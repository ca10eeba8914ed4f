import { lockMsAfter, MemoryAttemptStore, type AttemptRule } from './attempt-store';

const rule: AttemptRule = { free: 3, baseLockMs: 1000, maxLockMs: 10_000, forgetAfterMs: 60_000 };

describe('lockMsAfter', () => {
  it('allows the free failures, then doubles from the base up to the cap', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 50, 5000].map((n) => lockMsAfter(n, rule))).toEqual([0, 0, 0, 1000, 2000, 4000, 8000, 10_000, 10_000, 10_000]);
  });
});

describe('MemoryAttemptStore', () => {
  it('counts failures per key, locks by the rule, and forgets after the quiet period', async () => {
    const store = new MemoryAttemptStore();
    let now = 0;
    for (let i = 0; i < 3; i += 1) expect(await store.fail('a', rule, now)).toEqual({ failures: i + 1, lockedUntil: 0 });
    expect(await store.fail('a', rule, now)).toEqual({ failures: 4, lockedUntil: 1000 });
    expect(await store.get(['a', 'b'], now)).toEqual([
      { failures: 4, lockedUntil: 1000 },
      { failures: 0, lockedUntil: 0 },
    ]);
    now = 1000 + 60_000;
    expect(await store.get(['a'], now)).toEqual([{ failures: 0, lockedUntil: 0 }]);
  });

  it('resets a key, and stays within its size by dropping the oldest key', async () => {
    const store = new MemoryAttemptStore(2);
    await store.fail('a', rule, 0);
    await store.reset('a');
    expect(await store.get(['a'], 0)).toEqual([{ failures: 0, lockedUntil: 0 }]);
    await store.fail('x', rule, 0);
    await store.fail('y', rule, 0);
    await store.fail('z', rule, 0);
    expect((await store.get(['x', 'y', 'z'], 0)).map((s) => s.failures)).toEqual([0, 1, 1]);
  });
});
