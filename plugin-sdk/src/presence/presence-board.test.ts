import { PresenceBoard } from './presence-board';

describe('PresenceBoard', () => {
  const at = (ms: number) => new Date(ms).toISOString();

  it('lists people per tenant and object, forgets them when they leave or their announcement expires', () => {
    let now = 1_000_000;
    const board = new PresenceBoard({ ttlMs: 40_000, maxObjects: 10, maxPerObject: 10 }, () => now);
    board.apply('acme', { id: 'm1', userId: 'u1', email: 'ana@acme.test', activity: 'viewing', expiresAt: at(now + 40_000) });
    board.apply('acme', { id: 'm1', userId: 'u2', email: 'bo@acme.test', activity: 'editing', expiresAt: at(now + 10_000) });
    expect(board.list('acme', 'm1').map((p) => [p.email, p.activity])).toEqual([
      ['ana@acme.test', 'viewing'],
      ['bo@acme.test', 'editing'],
    ]);
    // Another tenant's object with the same id is another object.
    expect(board.list('globex', 'm1')).toEqual([]);
    now += 20_000;
    expect(board.list('acme', 'm1').map((p) => p.userId)).toEqual(['u1']);
    board.apply('acme', { id: 'm1', userId: 'u1', email: 'ana@acme.test', activity: 'left', expiresAt: at(now) });
    expect(board.list('acme', 'm1')).toEqual([]);
    expect(board.size).toBe(0);
  });

  it('stays bounded: the least recently announced object and the soonest-expiring person go first', () => {
    const now = 0;
    const board = new PresenceBoard({ ttlMs: 40_000, maxObjects: 2, maxPerObject: 2 }, () => now);
    for (const id of ['a', 'b', 'c']) board.apply('acme', { id, userId: 'u', email: 'u@x', activity: 'viewing', expiresAt: at(1000) });
    expect(board.size).toBe(2);
    expect(board.list('acme', 'a')).toEqual([]);
    board.apply('acme', { id: 'b', userId: 'u2', email: 'u2@x', activity: 'viewing', expiresAt: at(500) });
    board.apply('acme', { id: 'b', userId: 'u3', email: 'u3@x', activity: 'viewing', expiresAt: at(2000) });
    expect(board.list('acme', 'b').map((p) => p.userId)).toEqual(['u', 'u3']);
  });
});
