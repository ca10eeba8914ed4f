// Billing periods are calendar days in the customer's time zone: a period is [start, end) of local dates
// (yyyy-mm-dd), and its instants are the local midnights of those dates.

const dayMs = 86_400_000;
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The local wall-clock time of an instant, as if it were UTC (ms). */
function wallClock(instant: number, timeZone: string): number {
  const parts = Object.fromEntries(
    formatter(timeZone)
      .formatToParts(new Date(instant))
      .map((p) => [p.type, p.value]),
  );
  return Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
}

/** The local date (yyyy-mm-dd) of an instant in a time zone. */
export function localDate(instant: Date, timeZone: string): string {
  return new Date(wallClock(instant.getTime(), timeZone)).toISOString().slice(0, 10);
}

/** The instant local midnight of `date` begins in `timeZone` (the first instant of that date, across DST changes). */
export function localMidnight(date: string, timeZone: string): Date {
  const target = Date.parse(`${date}T00:00:00Z`);
  // Two corrections: the offset at the first guess may differ from the offset at the answer across a DST change.
  let instant = target - (wallClock(target, timeZone) - target);
  instant -= wallClock(instant, timeZone) - target;
  // A midnight skipped by DST (it does happen: America/Santiago) starts the day at the first instant after it.
  if (localDate(new Date(instant), timeZone) !== date) instant += 3_600_000;
  return new Date(instant);
}

export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * dayMs).toISOString().slice(0, 10);
}

/** Whole days from `from` to `to` (local dates). */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / dayMs);
}

export type Interval = 'month' | 'year';

/** The calendar period (month or year) holding `date`: [start, end) as local dates. */
export function calendarPeriod(date: string, interval: Interval): { start: string; end: string } {
  const [y, m] = date.split('-').map(Number) as [number, number];
  if (interval === 'year') return { start: `${y}-01-01`, end: `${y + 1}-01-01` };
  const next = m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, '0')}-01`;
  return { start: `${y}-${String(m).padStart(2, '0')}-01`, end: next };
}

export function minDate(a: string, b: string): string {
  return a < b ? a : b;
}

export function maxDate(a: string, b: string): string {
  return a > b ? a : b;
}
