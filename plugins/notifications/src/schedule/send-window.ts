// Quiet hours and digest slots on a recipient's wall clock. Instants are UTC; the time zone's offset is found with
// Intl for each candidate instant, so a window that spans a daylight saving change opens at the right local time.

/** A daily window `start`–`end` ("HH:MM", end may be before start: across midnight) in an IANA time zone. */
export interface QuietHours {
  readonly start: string;
  readonly end: string;
  readonly timeZone: string;
}

const minutesOf = (hhmm: string): number => {
  const [h, m] = hhmm.split(':').map(Number) as [number, number];
  return h * 60 + m;
};

const formats = new Map<string, Intl.DateTimeFormat>();

/** The wall-clock date and minute of day of `at` in `timeZone`. */
export function wallClock(at: Date, timeZone: string): { date: string; minute: number } {
  let format = formats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    formats.set(timeZone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(at).map((p) => [p.type, p.value])) as Record<string, string>;
  return { date: `${parts.year}-${parts.month}-${parts.day}`, minute: Number(parts.hour) * 60 + Number(parts.minute) };
}

/**
 * The first instant at or after the wall-clock time `minute` on local `date` in `timeZone`. On a day the clocks
 * skip that time (spring forward), the first instant after the gap; on a day they repeat it, the first of the two.
 */
export function instantAt(date: string, minute: number, timeZone: string): Date {
  for (let wanted = minute; wanted < minute + 180 && wanted < 1440; wanted++) {
    const found = exactInstant(date, wanted, timeZone);
    if (found) return found;
  }
  throw new RangeError(`no instant reads ${date} minute ${minute} in ${timeZone}`);
}

function exactInstant(date: string, minute: number, timeZone: string): Date | undefined {
  const [y, mo, d] = date.split('-').map(Number) as [number, number, number];
  const naive = Date.UTC(y, mo - 1, d, Math.floor(minute / 60), minute % 60);
  // Offsets lie between -12 and +14 hours, on quarter hours: the earliest candidate whose wall clock reads the
  // wanted time is the answer.
  for (let offset = 14 * 4; offset >= -12 * 4; offset--) {
    const at = new Date(naive - offset * 900_000);
    const wall = wallClock(at, timeZone);
    if (wall.date === date && wall.minute === minute) return at;
  }
  return undefined;
}

/** Whether `at` falls inside the quiet hours. */
export function isQuiet(at: Date, quiet: QuietHours): boolean {
  const { minute } = wallClock(at, quiet.timeZone);
  const start = minutesOf(quiet.start);
  const end = minutesOf(quiet.end);
  if (start === end) return false;
  return start < end ? minute >= start && minute < end : minute >= start || minute < end;
}

/** When the quiet hours around `at` end (the next local `end`), or undefined when `at` is not in them. */
export function quietUntil(at: Date, quiet: QuietHours): Date | undefined {
  if (!isQuiet(at, quiet)) return undefined;
  const end = minutesOf(quiet.end);
  const { date, minute } = wallClock(at, quiet.timeZone);
  const day = minute < end ? date : nextDate(date);
  return instantAt(day, end, quiet.timeZone);
}

function nextDate(date: string): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + 1)).toISOString().slice(0, 10);
}
