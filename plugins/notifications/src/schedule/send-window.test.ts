import { instantAt, isQuiet, quietUntil, wallClock } from './send-window';

// Europe/Berlin: clocks went forward on 2026-03-29 at 02:00 (to 03:00) and go back on 2026-10-25 at 03:00 (to 02:00).
const berlin = { start: '22:00', end: '07:00', timeZone: 'Europe/Berlin' };

describe('quiet hours on the recipient’s wall clock', () => {
  it('reads the wall clock in the zone', () => {
    expect(wallClock(new Date('2026-03-28T21:30:00Z'), 'Europe/Berlin')).toEqual({ date: '2026-03-28', minute: 22 * 60 + 30 });
  });

  it('opens at 07:00 local on the night the clocks go forward (05:00 UTC, not 06:00)', () => {
    const at = new Date('2026-03-28T22:30:00Z'); // 23:30 CET
    expect(isQuiet(at, berlin)).toBe(true);
    expect(quietUntil(at, berlin)!.toISOString()).toBe('2026-03-29T05:00:00.000Z');
  });

  it('opens at 07:00 local on the night the clocks go back (06:00 UTC)', () => {
    const at = new Date('2026-10-25T00:30:00Z'); // 02:30 CEST, before the change
    expect(quietUntil(at, berlin)!.toISOString()).toBe('2026-10-25T06:00:00.000Z');
  });

  it('is not quiet in the afternoon, and a window with start = end is never quiet', () => {
    expect(quietUntil(new Date('2026-03-29T13:00:00Z'), berlin)).toBeUndefined();
    expect(isQuiet(new Date('2026-03-29T13:00:00Z'), { ...berlin, start: '09:00', end: '09:00' })).toBe(false);
  });

  it('maps a skipped local time to the first instant after the gap, a repeated one to its first occurrence', () => {
    expect(instantAt('2026-03-29', 2 * 60 + 30, 'Europe/Berlin').toISOString()).toBe('2026-03-29T01:00:00.000Z'); // 03:00 CEST
    expect(instantAt('2026-10-25', 2 * 60 + 30, 'Europe/Berlin').toISOString()).toBe('2026-10-25T00:30:00.000Z'); // 02:30 CEST
  });

  it('handles a window within one day in New York across its change (2026-03-08)', () => {
    const ny = { start: '00:00', end: '08:00', timeZone: 'America/New_York' };
    expect(quietUntil(new Date('2026-03-08T06:00:00Z'), ny)!.toISOString()).toBe('2026-03-08T12:00:00.000Z'); // 08:00 EDT
    expect(quietUntil(new Date('2026-03-07T06:00:00Z'), ny)!.toISOString()).toBe('2026-03-07T13:00:00.000Z'); // 08:00 EST
  });
});
