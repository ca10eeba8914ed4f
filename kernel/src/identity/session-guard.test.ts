import { SessionGuard } from './session-guard';

describe('SessionGuard', () => {
  const versions = new Map<string, number>();
  const disabled = new Set<string>();
  let reads = 0;
  const source = async (userId: string) => {
    reads += 1;
    return { version: versions.get(userId) ?? 0, disabled: disabled.has(userId) };
  };
  beforeEach(() => {
    versions.clear();
    disabled.clear();
    reads = 0;
  });

  it('admits a token of the current version, reading the version once and then from memory', async () => {
    const guard = new SessionGuard(source);
    await guard.check({ sub: 'u1' });
    for (let i = 0; i < 5; i += 1) expect(guard.check({ sub: 'u1' })).toBeUndefined();
    expect(reads).toBe(1);
  });

  it('refuses a token older than the version, once the user is invalidated', async () => {
    const guard = new SessionGuard(source);
    await guard.check({ sub: 'u1', sv: 0 });
    versions.set('u1', 1);
    // Not heard of yet: the cached version still admits it (the change feed is what makes it stale).
    expect(guard.check({ sub: 'u1', sv: 0 })).toBeUndefined();
    guard.invalidateUser('u1');
    await expect(guard.check({ sub: 'u1', sv: 0 })).rejects.toMatchObject({ code: 'VV_UNAUTHENTICATED', status: 401 });
    expect(guard.check({ sub: 'u1', sv: 1 })).toBeUndefined();
  });

  it('does not cache a read that an invalidation overtook', async () => {
    let release!: (v: number) => void;
    const guard = new SessionGuard((userId) => (userId === 'slow' ? new Promise((r) => (release = (version: number) => r({ version, disabled: false }))) : source(userId)));
    const pending = guard.check({ sub: 'slow', sv: 0 });
    guard.invalidateUser('slow');
    release(0);
    await pending;
    // The old read was dropped: the next check reads again rather than trusting it.
    expect(guard.check({ sub: 'slow', sv: 0 })).toBeInstanceOf(Promise);
  });

  it('reads again when a token is newer than the cache (a change it has not heard of yet)', async () => {
    const guard = new SessionGuard(source);
    await guard.check({ sub: 'u2', sv: 0 });
    versions.set('u2', 3);
    expect(guard.check({ sub: 'u2', sv: 3 })).toBeUndefined();
    await expect(guard.check({ sub: 'u2', sv: 2 })).rejects.toMatchObject({ code: 'VV_UNAUTHENTICATED' });
  });

  it('refuses tokens of a signed-out session until they would have expired anyway', async () => {
    let now = 1_000_000;
    const guard = new SessionGuard(source, { tokenTtlSeconds: 60, now: () => now });
    await guard.check({ sub: 'u3', sid: 's1' });
    guard.signOut('s1');
    expect(() => guard.check({ sub: 'u3', sid: 's1' })).toThrow(expect.objectContaining({ code: 'VV_UNAUTHENTICATED' }));
    expect(guard.check({ sub: 'u3', sid: 's2' })).toBeUndefined();
    now += 61_000;
    expect(guard.check({ sub: 'u3', sid: 's1' })).toBeUndefined();
  });

  it('answers 503-class VV_DEPENDENCY_UNAVAILABLE when the version cannot be read, and reads again next time', async () => {
    let fail = true;
    const guard = new SessionGuard(async () => {
      if (fail) throw new Error('connection refused');
      return { version: 0, disabled: false };
    });
    await expect(guard.check({ sub: 'u4' })).rejects.toMatchObject({ code: 'VV_DEPENDENCY_UNAVAILABLE' });
    fail = false;
    await expect(guard.check({ sub: 'u4' })).resolves.toBeUndefined();
  });

  it('refuses every token of a disabled account', async () => {
    const guard = new SessionGuard(source);
    disabled.add('u5');
    await expect(guard.check({ sub: 'u5', sv: 7 })).rejects.toMatchObject({ code: 'VV_UNAUTHENTICATED', message: expect.stringContaining('disabled') });
  });
});
