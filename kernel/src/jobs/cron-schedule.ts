import { VvError } from '@valueverse/plugin-sdk';

/**
 * A parsed 5-field cron expression and the time zone whose wall clock it is read on. The value sets are sorted;
 * day-of-week is 0 (Sunday) to 6, a 7 in the expression being stored as 0.
 */
export interface CronSchedule {
  /** The expression as given. */
  readonly expression: string;
  /** The IANA time zone as given. */
  readonly timezone: string;
  readonly minutes: readonly number[];
  readonly hours: readonly number[];
  readonly daysOfMonth: readonly number[];
  readonly months: readonly number[];
  readonly daysOfWeek: readonly number[];
  /**
   * Whether the day-of-month and day-of-week fields start with `*` (`*` or `*` with a step). Vixie cron's rule, which
   * the other crons follow: when neither does, a day runs if EITHER field matches it; otherwise it must match both.
   */
  readonly dayOfMonthStar: boolean;
  readonly dayOfWeekStar: boolean;
}

interface FieldSpec {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  /** Names for `min`, `min + 1`, ... (case-insensitive). */
  readonly names?: readonly string[];
  /** How the names are described in errors. */
  readonly namesHint?: string;
  /** The largest step that still means something. */
  readonly maxStep: number;
}

const fieldSpecs: readonly FieldSpec[] = [
  { name: 'minute', min: 0, max: 59, maxStep: 60 },
  { name: 'hour', min: 0, max: 23, maxStep: 24 },
  { name: 'day-of-month', min: 1, max: 31, maxStep: 31 },
  { name: 'month', min: 1, max: 12, maxStep: 12, names: ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'], namesHint: 'a month name (JAN-DEC)' },
  { name: 'day-of-week', min: 0, max: 7, maxStep: 7, names: ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'], namesHint: 'a day name (SUN-SAT)' },
];

/** Longest each month can be (February in a leap year). */
const longestMonth = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

const MINUTE = 60_000;
const DAY = 86_400_000;

/** A problem with one part of a field, reported by `parseCronSchedule` with the field around it. */
class CronFieldError extends Error {
  constructor(
    readonly part: string,
    readonly problem: string,
  ) {
    super(problem);
  }
}

/**
 * Parses a standard 5-field cron expression (minute hour day-of-month month day-of-week) read in `timezone`. Each
 * field is a list (`a,b`) of `*`, a value, a range `a-b`, or either of those with a step (`*\/n`, `a-b/n`); months
 * and days of week may be named (JAN-DEC, SUN-SAT, any case), and day-of-week 7 is Sunday like 0.
 *
 * Throws `VV_VALIDATION` whose one problem has pointer `/cron` or `/timezone` and says which field is wrong and why,
 * e.g. "minute field '61' is out of range 0-59". An expression that can never run (`0 0 30 2 *`) is refused too.
 */
export function parseCronSchedule(expression: string, timezone = 'UTC'): CronSchedule {
  if (typeof timezone !== 'string' || !isTimeZone(timezone)) {
    throw invalid('/timezone', `${typeof timezone === 'string' ? `'${timezone}'` : 'value'} is not an IANA time zone name such as 'Europe/Berlin'`);
  }
  const fields = expression.trim().split(/\s+/).filter((field) => field !== '');
  if (fields.length !== 5) {
    throw invalid('/cron', `must have 5 fields (minute hour day-of-month month day-of-week), not ${fields.length}: '${expression}'`);
  }
  const [minutes, hours, daysOfMonth, months, daysOfWeek] = fields.map((field, index) => {
    const spec = fieldSpecs[index]!;
    try {
      return parseField(spec, field);
    } catch (error) {
      if (!(error instanceof CronFieldError)) throw error;
      const where = error.part === field ? `'${field}'` : `'${field}': '${error.part}'`;
      throw invalid('/cron', `${spec.name} field ${where} ${error.problem}`);
    }
  }) as [number[], number[], number[], number[], number[]];
  const schedule: CronSchedule = {
    expression,
    timezone,
    minutes,
    hours,
    daysOfMonth,
    months,
    daysOfWeek,
    dayOfMonthStar: fields[2]!.startsWith('*'),
    dayOfWeekStar: fields[4]!.startsWith('*'),
  };
  // When a day must match day-of-month (a day field starts with `*`, so the two are ANDed), some listed month has to
  // have one of the listed days; otherwise the schedule would silently never run. Any (month, day) that exists
  // recurs on every weekday within 400 years, so day-of-week cannot make it impossible.
  const needsDayOfMonth = schedule.dayOfMonthStar || schedule.dayOfWeekStar;
  if (needsDayOfMonth && !months.some((month) => daysOfMonth[0]! <= longestMonth[month - 1]!)) {
    throw invalid('/cron', `day-of-month field '${fields[2]}' never occurs in month field '${fields[3]}', so it would never run`);
  }
  return schedule;
}

/**
 * The first run of `schedule` strictly after `afterMs` (epoch ms): the first minute whose wall-clock time in the
 * schedule's time zone matches. Daylight saving time: a local time that a spring-forward gap skips runs at the first
 * instant after the gap (so `30 2 * * *` in Berlin runs at 03:00 CEST that day), and a local time that the fall-back
 * hour repeats runs once, at its first occurrence. Any `afterMs` between two runs gives the later one, so every
 * instance computes the same slot.
 *
 * It jumps field by field (month, day, hour, minute) instead of stepping through minutes, so `0 0 29 2 *` finds the
 * next leap day in a few dozen steps.
 */
export function nextCronRun(schedule: CronSchedule, afterMs: number): number {
  const zone = zoneOf(schedule.timezone);
  let from = Math.floor(wallAt(zone, afterMs) / MINUTE) * MINUTE + MINUTE;
  for (;;) {
    const wall = nextMatchingWall(schedule, from);
    const at = firstInstantAt(zone, wall);
    // Only in a repeated hour can the first occurrence of a later wall time be earlier than `afterMs`.
    if (at > afterMs) return at;
    from = wall + MINUTE;
  }
}

function invalid(pointer: '/cron' | '/timezone', message: string): VvError {
  return VvError.validation([{ pointer, message }]);
}

function parseField(spec: FieldSpec, field: string): number[] {
  const values = new Set<number>();
  for (const item of field.split(',')) {
    if (item === '') throw new CronFieldError(field, 'has an empty list item');
    const slash = item.indexOf('/');
    const range = slash < 0 ? item : item.slice(0, slash);
    let low: number;
    let high: number;
    if (range === '*') {
      low = spec.min;
      high = spec.max;
    } else {
      const dash = range.indexOf('-', 1);
      low = valueOf(spec, dash < 0 ? range : range.slice(0, dash), item);
      high = dash < 0 ? low : valueOf(spec, range.slice(dash + 1), item);
      if (dash < 0 && slash >= 0) {
        throw new CronFieldError(item, `steps from a single value: write '${range}-${spec.max}${item.slice(slash)}' to step from it to the end`);
      }
      if (low > high) {
        const sunday = spec.name === 'day-of-week' && high === 0 ? ' (Sunday is 7 at the end of a range)' : '';
        throw new CronFieldError(item, `is a range that runs backwards: write the lower bound first${sunday}`);
      }
    }
    let step = 1;
    if (slash >= 0) {
      const text = item.slice(slash + 1);
      step = /^\d+$/.test(text) ? Number(text) : NaN;
      if (!(step >= 1 && step <= spec.maxStep)) throw new CronFieldError(item, `has step '${text}': a step must be a whole number from 1 to ${spec.maxStep}`);
    }
    for (let value = low; value <= high; value += step) values.add(spec.name === 'day-of-week' && value === 7 ? 0 : value);
  }
  return [...values].sort((a, b) => a - b);
}

function valueOf(spec: FieldSpec, token: string, item: string): number {
  if (/^\d+$/.test(token)) {
    const value = Number(token);
    if (value < spec.min || value > spec.max) throw new CronFieldError(token, `is out of range ${spec.min}-${spec.max}`);
    return value;
  }
  const named = spec.names?.indexOf(token.toUpperCase()) ?? -1;
  if (named >= 0) return spec.min + named;
  // An empty token (`-5`, `1-`) says nothing useful on its own: the item does.
  throw new CronFieldError(token === '' ? item : token, `is not a number${spec.namesHint ? ` or ${spec.namesHint}` : ''}`);
}

/** The smallest of the sorted `values` that is at least `from`. */
function firstAtLeast(values: readonly number[], from: number): number | undefined {
  return values.find((value) => value >= from);
}

function dayMatches(schedule: CronSchedule, year: number, month: number, day: number): boolean {
  const dayOfMonth = schedule.daysOfMonth.includes(day);
  const dayOfWeek = schedule.daysOfWeek.includes(new Date(Date.UTC(year, month - 1, day)).getUTCDay());
  return schedule.dayOfMonthStar || schedule.dayOfWeekStar ? dayOfMonth && dayOfWeek : dayOfMonth || dayOfWeek;
}

/**
 * The first wall-clock minute at or after `from` that the schedule matches, as "wall ms" (the wall time's fields
 * read as UTC). When a field has no value left, the next larger field moves on and the smaller ones start over.
 */
function nextMatchingWall(schedule: CronSchedule, from: number): number {
  const start = new Date(from);
  let year = start.getUTCFullYear();
  let month = start.getUTCMonth() + 1;
  let day = start.getUTCDate();
  let hour = start.getUTCHours();
  let minute = start.getUTCMinutes();
  // Every (month, day, weekday) that exists recurs within the 400-year Gregorian cycle.
  const lastYear = year + 400;
  while (year <= lastYear) {
    const nextMonth = firstAtLeast(schedule.months, month);
    if (nextMonth === undefined) {
      [year, month, day, hour, minute] = [year + 1, 1, 1, 0, 0];
      continue;
    }
    if (nextMonth !== month) [month, day, hour, minute] = [nextMonth, 1, 0, 0];
    const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
    let nextDay = day;
    while (nextDay <= daysInMonth && !dayMatches(schedule, year, month, nextDay)) nextDay += 1;
    if (nextDay > daysInMonth) {
      [year, month, day, hour, minute] = month === 12 ? [year + 1, 1, 1, 0, 0] : [year, month + 1, 1, 0, 0];
      continue;
    }
    if (nextDay !== day) [day, hour, minute] = [nextDay, 0, 0];
    const nextHour = firstAtLeast(schedule.hours, hour);
    if (nextHour === undefined) {
      // Past the month's last day, the day search above moves to the next month.
      [day, hour, minute] = [day + 1, 0, 0];
      continue;
    }
    if (nextHour !== hour) [hour, minute] = [nextHour, 0];
    const nextMinute = firstAtLeast(schedule.minutes, minute);
    if (nextMinute === undefined) {
      [hour, minute] = [hour + 1, 0];
      continue;
    }
    return Date.UTC(year, month - 1, day, hour, nextMinute);
  }
  // parseCronSchedule refuses expressions that never match, so this is a bug, not a user error.
  throw new Error(`cron '${schedule.expression}' has no run within 400 years of ${new Date(from).toISOString()}`);
}

/**
 * The instant a wall-clock time happens in `zone`: its first occurrence, or for a time that a gap skips, the first
 * instant after the gap. Candidates are the wall time minus the offsets a day before and after (as Temporal's
 * `GetPossibleEpochNanoseconds` does); transitions are never closer together than that.
 */
function firstInstantAt(zone: Intl.DateTimeFormat, wall: number): number {
  const before = wall - offsetAt(zone, wall - DAY);
  const after = wall - offsetAt(zone, wall + DAY);
  const exact = [before, after].filter((at) => wallAt(zone, at) === wall);
  if (exact.length > 0) return Math.min(...exact);
  // In the gap: the wall clock jumps from below `wall` to above it at the transition, between `after` and `before`.
  // Offsets and transitions are whole seconds, so a binary search on seconds finds it.
  let low = Math.min(before, after);
  let high = Math.max(before, after);
  while (high - low > 1000) {
    const middle = low + Math.floor((high - low) / 2000) * 1000;
    if (wallAt(zone, middle) > wall) high = middle;
    else low = middle;
  }
  return high;
}

/** The wall-clock time at `at` in `zone`, to the second, as "wall ms" (its fields read as UTC). */
function wallAt(zone: Intl.DateTimeFormat, at: number): number {
  const parts: Record<string, number> = {};
  for (const part of zone.formatToParts(at)) if (part.type !== 'literal') parts[part.type] = Number(part.value);
  return Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!);
}

/** How far the zone's wall clock is ahead of UTC at `at`. */
function offsetAt(zone: Intl.DateTimeFormat, at: number): number {
  const second = Math.floor(at / 1000) * 1000;
  return wallAt(zone, second) - second;
}

const zones = new Map<string, Intl.DateTimeFormat>();

function zoneOf(timezone: string): Intl.DateTimeFormat {
  let zone = zones.get(timezone);
  if (!zone) {
    // `h23`: some ICU versions write midnight as hour 24 with `hour12: false`.
    zone = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    zones.set(timezone, zone);
  }
  return zone;
}

function isTimeZone(timezone: string): boolean {
  if (timezone === '') return false;
  try {
    zoneOf(timezone);
    return true;
  } catch {
    // RangeError: Intl does not know the zone.
    return false;
  }
}
