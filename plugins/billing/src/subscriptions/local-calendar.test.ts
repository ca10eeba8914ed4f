import { addDays, calendarPeriod, daysBetween, localDate, localMidnight } from './local-calendar';

describe('local calendar', () => {
  it('finds local midnight across zones and DST', () => {
    expect(localMidnight('2026-01-15', 'UTC').toISOString()).toBe('2026-01-15T00:00:00.000Z');
    expect(localMidnight('2026-01-15', 'America/New_York').toISOString()).toBe('2026-01-15T05:00:00.000Z');
    expect(localMidnight('2026-07-15', 'America/New_York').toISOString()).toBe('2026-07-15T04:00:00.000Z');
    expect(localMidnight('2026-03-01', 'Asia/Kolkata').toISOString()).toBe('2026-02-28T18:30:00.000Z');
    expect(localMidnight('2026-11-01', 'Pacific/Auckland').toISOString()).toBe('2026-10-31T11:00:00.000Z');
  });

  it('reads the local date of an instant', () => {
    expect(localDate(new Date('2026-01-01T03:00:00Z'), 'America/New_York')).toBe('2025-12-31');
    expect(localDate(new Date('2026-01-01T03:00:00Z'), 'Europe/Berlin')).toBe('2026-01-01');
  });

  it('gives calendar periods and day counts', () => {
    expect(calendarPeriod('2026-02-14', 'month')).toEqual({ start: '2026-02-01', end: '2026-03-01' });
    expect(calendarPeriod('2026-12-31', 'month')).toEqual({ start: '2026-12-01', end: '2027-01-01' });
    expect(calendarPeriod('2028-06-30', 'year')).toEqual({ start: '2028-01-01', end: '2029-01-01' });
    expect(daysBetween('2028-02-01', '2028-03-01')).toBe(29);
    expect(daysBetween('2028-01-01', '2029-01-01')).toBe(366);
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
  });
});
