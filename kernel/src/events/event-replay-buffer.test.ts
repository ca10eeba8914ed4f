import { EventReplayBuffer, type ReplayLimits } from './event-replay-buffer';

const frame = (id: string, size = 0) => `id: ${id}\ndata: ${'x'.repeat(size)}\n\n`;

function buffer(limits: Partial<ReplayLimits> = {}) {
  let now = 1_000_000;
  const replay = new EventReplayBuffer(limits, () => now);
  return {
    replay,
    add: (tenantId: string, ...ids: string[]) => ids.forEach((id) => replay.add(tenantId, id, frame(id))),
    /** The ids `after` would replay, or undefined. */
    ids: (tenantId: string, lastEventId: string) => replay.after(tenantId, lastEventId)?.map((f) => /^id: (.*)$/m.exec(f)![1]),
    tick: (ms: number) => (now += ms),
  };
}

describe('EventReplayBuffer', () => {
  it('replays the frames after a known id, in order; nothing after the newest; undefined for an unknown id', () => {
    const b = buffer();
    b.add('acme', 'a1', 'a2', 'a3');
    expect(b.ids('acme', 'a1')).toEqual(['a2', 'a3']);
    expect(b.ids('acme', 'a3')).toEqual([]);
    expect(b.ids('acme', 'nope')).toBeUndefined();
    expect(b.replay.after('acme', 'a2')).toEqual([frame('a3')]);
  });

  it("never answers with another tenant's frames, even for that tenant's ids", () => {
    const b = buffer();
    b.add('acme', 'a1');
    b.add('globex', 'g1', 'g2');
    b.add('acme', 'a2');
    expect(b.ids('acme', 'a1')).toEqual(['a2']);
    expect(b.ids('acme', 'g1')).toBeUndefined();
    expect(b.ids('globex', 'a1')).toBeUndefined();
    expect(b.ids('initech', 'a1')).toBeUndefined();
  });

  it('keeps the newest maxEventsPerTenant events, and the id before them as a place to resume from', () => {
    const b = buffer({ maxEventsPerTenant: 3 });
    b.add('acme', 'e1', 'e2', 'e3', 'e4', 'e5');
    expect(b.ids('acme', 'e1')).toBeUndefined();
    expect(b.ids('acme', 'e2')).toEqual(['e3', 'e4', 'e5']);
    expect(b.ids('acme', 'e4')).toEqual(['e5']);
  });

  it('drops events older than maxAgeMs, on use and on a periodic sweep of quiet tenants', () => {
    const b = buffer({ maxAgeMs: 60_000 });
    b.add('acme', 'e1', 'e2');
    b.tick(30_000);
    b.add('acme', 'e3');
    b.tick(30_000);
    // e1 and e2 are a minute old: e2 stays only as the place to resume from.
    expect(b.ids('acme', 'e1')).toBeUndefined();
    expect(b.ids('acme', 'e2')).toEqual(['e3']);
    b.tick(10 * 60_000);
    // All expired: the newest id still means "missed nothing", an older one does not.
    expect(b.ids('acme', 'e3')).toEqual([]);
    expect(b.ids('acme', 'e2')).toBeUndefined();

    const quiet = buffer({ maxAgeMs: 60_000 });
    quiet.replay.add('globex', 'big', frame('big', 100_000));
    const before = quiet.replay.bytes;
    quiet.tick(61_000);
    quiet.add('acme', 'a1');
    expect(quiet.replay.bytes).toBeLessThan(before - 99_000);
  });

  it('keeps at most maxBytesPerTenant; a frame bigger than that is kept as a position only', () => {
    const b = buffer({ maxBytesPerTenant: 10_000, maxBytes: 100_000 });
    for (const id of ['e1', 'e2', 'e3', 'e4', 'e5']) b.replay.add('acme', id, frame(id, 3000));
    // Three frames of 3 kB fit in 10 kB.
    expect(b.ids('acme', 'e1')).toBeUndefined();
    expect(b.ids('acme', 'e2')).toEqual(['e3', 'e4', 'e5']);
    b.replay.add('acme', 'huge', frame('huge', 20_000));
    // Nobody from before "huge" can be replayed without it: they are told to reset.
    expect(b.ids('acme', 'e5')).toBeUndefined();
    expect(b.ids('acme', 'huge')).toEqual([]);
    b.add('acme', 'e6');
    expect(b.ids('acme', 'huge')).toEqual(['e6']);
    expect(b.replay.bytes).toBeLessThan(1000);
  });

  it('stays under maxBytes by forgetting the least recently active tenants whole', () => {
    const b = buffer({ maxBytesPerTenant: 10_000, maxBytes: 25_000 });
    for (const tenant of ['t1', 't2', 't3', 't4', 't5']) {
      b.replay.add(tenant, `${tenant}-1`, frame(`${tenant}-1`, 5000));
      b.replay.add(tenant, `${tenant}-2`, frame(`${tenant}-2`, 1000));
      // t1 stays active, so t2 and t3 go first.
      b.replay.after('t1', 't1-1');
      expect(b.replay.bytes).toBeLessThanOrEqual(25_000);
    }
    expect(b.ids('t1', 't1-1')).toEqual(['t1-2']);
    expect(b.ids('t2', 't2-1')).toBeUndefined();
    expect(b.ids('t3', 't3-1')).toBeUndefined();
    expect(b.ids('t5', 't5-1')).toEqual(['t5-2']);
    expect(b.replay.tenants).toBe(3);
  });

  it('gives a position to resume from: the newest id, or a new one for a tenant with none', () => {
    const b = buffer();
    b.add('acme', 'a1');
    expect(b.replay.position('acme')).toBe('a1');
    const fresh = b.replay.position('globex');
    expect(fresh).toMatch(/^[0-9a-f-]{36}$/);
    expect(b.replay.position('globex')).toBe(fresh);
    b.add('globex', 'g1', 'g2');
    expect(b.ids('globex', fresh)).toEqual(['g1', 'g2']);
  });

  it('rejects limits that cannot hold', () => {
    expect(() => new EventReplayBuffer({ maxEventsPerTenant: 0 })).toThrow(TypeError);
    expect(() => new EventReplayBuffer({ maxBytes: 10, maxBytesPerTenant: 100 })).toThrow(/maxBytes >= maxBytesPerTenant/);
  });
});
