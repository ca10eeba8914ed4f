import { VvError } from '@valueverse/plugin-sdk';
import { Cron } from 'croner';

// croner computes the runs: time zones, daylight saving time, the day-of-month/day-of-week rule. The parser below
// stays because croner cannot do what it does for the API's callers: say which field and which part of it is wrong
// and why, under the `/cron` pointer ("minute field '1-70': '70' is out of range 0-59"; croner says only that the
// pattern is invalid), refuse what standard 5-field cron does not have (croner also takes seconds, years, `L`, `W`,
// `#`, `?` and nicknames, which BullMQ's own scheduler would read differently), and refuse a schedule that can never
// run (`0 0 30 2 *`). Its grammar is a subset of croner's, read the same way (cron-schedule.test.ts checks this).

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
  const fields = expression
    .trim()
    .split(/\s+/)
    .filter((field) => field !== '');
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
 * The first run of `schedule` strictly after `afterMs` (epoch ms), computed by croner on the schedule's wall clock.
 * Daylight saving time, as Vixie cron does it: a fixed-time job (minute and hour fields without `*` or a step, e.g.
 * `30 2 * * *`) whose local time a spring-forward gap skips runs at the first instant after the gap (03:00 CEST that
 * day in Berlin), and one whose local time the fall-back hour repeats runs once, at its first occurrence; an interval
 * job (`* * * * *`, `0 * * * *`, `*\/15 9-17 * * *`) keeps its interval in real time, so it runs in both occurrences
 * of a repeated hour and skips the times a gap removes. Any `afterMs` between two runs gives the later one, so every
 * instance computes the same slot.
 */
export function nextCronRun(schedule: CronSchedule, afterMs: number): number {
  const next = cronOf(schedule).nextRun(new Date(afterMs));
  // parseCronSchedule refuses expressions that never match, so this is a bug, not a user error.
  if (!next) throw new Error(`cron '${schedule.expression}' has no run after ${new Date(afterMs).toISOString()}`);
  return next.getTime();
}

const crons = new WeakMap<CronSchedule, Cron>();

/** The croner pattern of a parsed schedule, made once per schedule. Without a function croner starts no timer. */
function cronOf(schedule: CronSchedule): Cron {
  let cron = crons.get(schedule);
  if (!cron) {
    cron = new Cron(schedule.expression.trim().split(/\s+/).join(' '), {
      timezone: schedule.timezone,
      mode: '5-part',
      // Vixie's rule for the two day fields (see `dayOfMonthStar`): OR only when neither starts with `*`.
      domAndDow: schedule.dayOfMonthStar || schedule.dayOfWeekStar,
      fixedTimeRule: 'no-wildcard',
    });
    crons.set(schedule, cron);
  }
  return cron;
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

function isTimeZone(timezone: string): boolean {
  if (timezone === '') return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
    return true;
  } catch {
    // RangeError: Intl does not know the zone.
    return false;
  }
}
