import { isVvError, type FieldProblem } from '@valueverse/plugin-sdk';
import { nextCronRun, parseCronSchedule } from './cron-schedule';

/** The next run after `after` (ISO), as ISO. */
const next = (cron: string, after: string, timezone?: string): string => new Date(nextCronRun(parseCronSchedule(cron, timezone), Date.parse(after))).toISOString();

/** The runs after `after`, as ISO. */
const runs = (cron: string, after: string, count: number, timezone?: string): string[] => {
  const schedule = parseCronSchedule(cron, timezone);
  const found: string[] = [];
  let at = Date.parse(after);
  while (found.length < count) {
    at = nextCronRun(schedule, at);
    found.push(new Date(at).toISOString());
  }
  return found;
};

/** The one problem `parseCronSchedule` reports. */
const problemOf = (cron: string, timezone?: string): FieldProblem | string => {
  try {
    parseCronSchedule(cron, timezone);
  } catch (error) {
    if (isVvError(error) && error.code === 'VV_VALIDATION' && error.errors.length === 1) return error.errors[0]!;
    throw error;
  }
  return 'no error';
};

describe('parseCronSchedule', () => {
  it('reads every field: lists, ranges, steps, names in any case, 7 as Sunday, and whether a day field starts with *', () => {
    expect(parseCronSchedule('*/15 9-17 * * MON-FRI')).toEqual({
      expression: '*/15 9-17 * * MON-FRI',
      timezone: 'UTC',
      minutes: [0, 15, 30, 45],
      hours: [9, 10, 11, 12, 13, 14, 15, 16, 17],
      daysOfMonth: Array.from({ length: 31 }, (_, i) => i + 1),
      months: Array.from({ length: 12 }, (_, i) => i + 1),
      daysOfWeek: [1, 2, 3, 4, 5],
      dayOfMonthStar: true,
      dayOfWeekStar: false,
    });
    expect(parseCronSchedule('0,30 9-17/4 1,15-16 jan,Jul-AUG sun,7,FRI-7', 'Europe/Berlin')).toMatchObject({
      timezone: 'Europe/Berlin',
      minutes: [0, 30],
      hours: [9, 13, 17],
      daysOfMonth: [1, 15, 16],
      months: [1, 7, 8],
      daysOfWeek: [0, 5, 6],
      dayOfMonthStar: false,
      dayOfWeekStar: false,
    });
    expect(parseCronSchedule('  5\t4  */10 */5 */2 ')).toMatchObject({
      minutes: [5],
      hours: [4],
      daysOfMonth: [1, 11, 21, 31],
      months: [1, 6, 11],
      daysOfWeek: [0, 2, 4, 6],
      dayOfMonthStar: true,
      dayOfWeekStar: true,
    });
    expect(parseCronSchedule('*/60 */24 * * 0-7').daysOfWeek).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it.each<[string, string, string | undefined]>([
    ['', "must have 5 fields (minute hour day-of-month month day-of-week), not 0: ''", undefined],
    ['* * * *', "must have 5 fields (minute hour day-of-month month day-of-week), not 4: '* * * *'", undefined],
    ['0 0 0 * * *', "must have 5 fields (minute hour day-of-month month day-of-week), not 6: '0 0 0 * * *'", undefined],
    ['@daily', "must have 5 fields (minute hour day-of-month month day-of-week), not 1: '@daily'", undefined],
    ['61 * * * *', "minute field '61' is out of range 0-59", undefined],
    ['* 24 * * *', "hour field '24' is out of range 0-23", undefined],
    ['* * 0 * *', "day-of-month field '0' is out of range 1-31", undefined],
    ['* * 32 * *', "day-of-month field '32' is out of range 1-31", undefined],
    ['* * * 13 *', "month field '13' is out of range 1-12", undefined],
    ['* * * * 8', "day-of-week field '8' is out of range 0-7", undefined],
    ['1-70 * * * *', "minute field '1-70': '70' is out of range 0-59", undefined],
    ['0,5,99 * * * *', "minute field '0,5,99': '99' is out of range 0-59", undefined],
    ['x * * * *', "minute field 'x' is not a number", undefined],
    ['* JAN * * *', "hour field 'JAN' is not a number", undefined],
    ['* * * FOO *', "month field 'FOO' is not a number or a month name (JAN-DEC)", undefined],
    ['* * * * MONDAY', "day-of-week field 'MONDAY' is not a number or a day name (SUN-SAT)", undefined],
    ['* * L * *', "day-of-month field 'L' is not a number", undefined],
    ['? * * * *', "minute field '?' is not a number", undefined],
    ['-5 * * * *', "minute field '-5' is not a number", undefined],
    ['1- * * * *', "minute field '1-' is not a number", undefined],
    ['1-2-3 * * * *', "minute field '1-2-3': '2-3' is not a number", undefined],
    ['1,,2 * * * *', "minute field '1,,2' has an empty list item", undefined],
    ['5, * * * *', "minute field '5,' has an empty list item", undefined],
    ['30-10 * * * *', "minute field '30-10' is a range that runs backwards: write the lower bound first", undefined],
    ['* * * DEC-JAN *', "month field 'DEC-JAN' is a range that runs backwards: write the lower bound first", undefined],
    ['* * * * FRI-SUN', "day-of-week field 'FRI-SUN' is a range that runs backwards: write the lower bound first (Sunday is 7 at the end of a range)", undefined],
    ['*/0 * * * *', "minute field '*/0' has step '0': a step must be a whole number from 1 to 60", undefined],
    ['*/61 * * * *', "minute field '*/61' has step '61': a step must be a whole number from 1 to 60", undefined],
    ['* */x * * *', "hour field '*/x' has step 'x': a step must be a whole number from 1 to 24", undefined],
    ['* * * */ *', "month field '*/' has step '': a step must be a whole number from 1 to 12", undefined],
    ['* * * * 1-5/8', "day-of-week field '1-5/8' has step '8': a step must be a whole number from 1 to 7", undefined],
    ['5/15 * * * *', "minute field '5/15' steps from a single value: write '5-59/15' to step from it to the end", undefined],
    ['0 0 30 2 *', "day-of-month field '30' never occurs in month field '2', so it would never run", undefined],
    ['0 0 31 4,6,9,11 *', "day-of-month field '31' never occurs in month field '4,6,9,11', so it would never run", undefined],
    ['0 0 30,31 FEB */2', "day-of-month field '30,31' never occurs in month field 'FEB', so it would never run", undefined],
  ])('refuses %j: %s', (cron, message, timezone) => {
    expect(problemOf(cron, timezone)).toEqual({ pointer: '/cron', message });
  });

  it('refuses a time zone Intl does not know, naming it, before looking at the expression', () => {
    expect(problemOf('0 9 * * 1', 'Mars/Olympus')).toEqual({ pointer: '/timezone', message: "'Mars/Olympus' is not an IANA time zone name such as 'Europe/Berlin'" });
    expect(problemOf('61 * * * *', '')).toEqual({ pointer: '/timezone', message: "'' is not an IANA time zone name such as 'Europe/Berlin'" });
    expect(problemOf('0 9 * * 1', 42 as unknown as string)).toEqual({ pointer: '/timezone', message: "value is not an IANA time zone name such as 'Europe/Berlin'" });
  });

  it('accepts what can still run: a day of month when day-of-week also matches, Feb 29, and day 31 in some month', () => {
    for (const cron of ['0 0 30 2 MON', '0 0 29 2 *', '0 0 31 2,3 *', '0 0 1-31/30 * *']) expect(problemOf(cron)).toBe('no error');
  });

  it('says in the VvError message which field is wrong', () => {
    expect(() => parseCronSchedule('61 * * * *')).toThrow("/cron: minute field '61' is out of range 0-59");
  });
});

describe('nextCronRun', () => {
  it.each<[string, string | undefined, string, string]>([
    // daily at 02:00, strictly after
    ['0 2 * * *', undefined, '2026-01-15T10:00:00.000Z', '2026-01-16T02:00:00.000Z'],
    ['0 2 * * *', undefined, '2026-01-15T01:59:59.999Z', '2026-01-15T02:00:00.000Z'],
    ['0 2 * * *', undefined, '2026-01-15T02:00:00.000Z', '2026-01-16T02:00:00.000Z'],
    ['0 2 * * *', undefined, '2026-12-31T02:00:00.000Z', '2027-01-01T02:00:00.000Z'],
    // monthly invoice run
    ['0 0 1 * *', undefined, '2026-01-31T12:00:00.000Z', '2026-02-01T00:00:00.000Z'],
    ['0 0 1 * *', undefined, '2026-12-01T00:00:00.000Z', '2027-01-01T00:00:00.000Z'],
    // office hours: 2026-01-16 is a Friday
    ['*/15 9-17 * * MON-FRI', undefined, '2026-01-14T08:00:00.000Z', '2026-01-14T09:00:00.000Z'],
    ['*/15 9-17 * * MON-FRI', undefined, '2026-01-16T17:44:00.000Z', '2026-01-16T17:45:00.000Z'],
    ['*/15 9-17 * * MON-FRI', undefined, '2026-01-16T17:45:00.000Z', '2026-01-19T09:00:00.000Z'],
    ['*/15 9-17 * * MON-FRI', undefined, '2026-01-17T12:00:00.000Z', '2026-01-19T09:00:00.000Z'],
    ['*/15 9-17 * * MON-FRI', undefined, '2026-01-14T12:07:30.000Z', '2026-01-14T12:15:00.000Z'],
    // leap days only; 2100 is not a leap year
    ['0 0 29 2 *', undefined, '2026-03-01T00:00:00.000Z', '2028-02-29T00:00:00.000Z'],
    ['0 0 29 2 *', undefined, '2028-02-29T00:00:00.000Z', '2032-02-29T00:00:00.000Z'],
    ['0 0 29 2 *', undefined, '2096-03-01T00:00:00.000Z', '2104-02-29T00:00:00.000Z'],
    // the day-of-month / day-of-week rule: both restricted is EITHER (2026-01-02 is a Friday)
    ['0 0 13 * FRI', undefined, '2026-01-01T00:00:00.000Z', '2026-01-02T00:00:00.000Z'],
    ['0 0 13 * FRI', undefined, '2026-01-09T00:00:00.000Z', '2026-01-13T00:00:00.000Z'],
    ['0 0 1 * MON', undefined, '2025-12-30T00:00:00.000Z', '2026-01-01T00:00:00.000Z'],
    // ... and one starting with * is BOTH: odd days that are Mondays (the 5th, not the 12th, then the 19th)
    ['0 0 */2 * MON', undefined, '2026-01-05T00:00:00.000Z', '2026-01-19T00:00:00.000Z'],
    ['0 0 13 * */1', undefined, '2026-01-01T00:00:00.000Z', '2026-01-13T00:00:00.000Z'],
    // 0, 7 and SUN are Sunday
    ['0 6 * * 7', undefined, '2026-01-01T00:00:00.000Z', '2026-01-04T06:00:00.000Z'],
    ['0 6 * * sun', undefined, '2026-01-01T00:00:00.000Z', '2026-01-04T06:00:00.000Z'],
    // months by name, year rollover
    ['30 12 15 jun,DEC *', undefined, '2026-06-15T12:30:00.000Z', '2026-12-15T12:30:00.000Z'],
    ['30 12 15 jun,DEC *', undefined, '2026-12-15T12:30:00.000Z', '2027-06-15T12:30:00.000Z'],
    // time zones: 09:00 on Mondays in Berlin is 08:00Z in winter, 07:00Z in summer
    ['0 9 * * 1', 'Europe/Berlin', '2026-01-01T00:00:00.000Z', '2026-01-05T08:00:00.000Z'],
    ['0 9 * * 1', 'Europe/Berlin', '2026-03-23T08:00:00.000Z', '2026-03-30T07:00:00.000Z'],
    ['0 9 * * 1', 'Europe/Berlin', '2026-10-19T07:00:00.000Z', '2026-10-26T08:00:00.000Z'],
    ['30 9 * * MON', 'Asia/Kolkata', '2030-01-01T00:00:00.000Z', '2030-01-07T04:00:00.000Z'],
    // a day in the zone is not the day in UTC: midnight on the 1st in Berlin is the evening before in UTC
    ['0 0 1 * *', 'Europe/Berlin', '2026-01-15T00:00:00.000Z', '2026-01-31T23:00:00.000Z'],
    ['0 0 1 * *', 'America/New_York', '2026-01-15T00:00:00.000Z', '2026-02-01T05:00:00.000Z'],
  ])('%s (%s) after %s: %s', (cron, timezone, after, expected) => {
    expect(next(cron, after, timezone)).toBe(expected);
  });

  it('skips the months without a 31st', () => {
    expect(runs('0 0 31 * *', '2026-01-31T00:00:00.000Z', 6)).toEqual([
      '2026-03-31T00:00:00.000Z',
      '2026-05-31T00:00:00.000Z',
      '2026-07-31T00:00:00.000Z',
      '2026-08-31T00:00:00.000Z',
      '2026-10-31T00:00:00.000Z',
      '2026-12-31T00:00:00.000Z',
    ]);
  });

  it('keeps 09:00 Berlin time across both daylight saving switches', () => {
    expect(runs('0 9 * * 1', '2026-03-16T00:00:00.000Z', 3, 'Europe/Berlin')).toEqual(['2026-03-16T08:00:00.000Z', '2026-03-23T08:00:00.000Z', '2026-03-30T07:00:00.000Z']);
    expect(runs('0 9 * * 1', '2026-10-12T00:00:00.000Z', 3, 'Europe/Berlin')).toEqual(['2026-10-12T07:00:00.000Z', '2026-10-19T07:00:00.000Z', '2026-10-26T08:00:00.000Z']);
  });

  it('runs a local time skipped by the spring-forward gap at the first instant after it, once', () => {
    // Berlin, 2026-03-29: 02:00 CET becomes 03:00 CEST at 01:00Z.
    expect(runs('30 2 * * *', '2026-03-28T00:00:00.000Z', 3, 'Europe/Berlin')).toEqual(['2026-03-28T01:30:00.000Z', '2026-03-29T01:00:00.000Z', '2026-03-30T00:30:00.000Z']);
    // An interval job (a step in the minute field) skips the times the gap removes: after 01:45 CET comes 03:00 CEST.
    expect(runs('*/15 1-3 29 3 *', '2026-03-29T00:40:00.000Z', 3, 'Europe/Berlin')).toEqual(['2026-03-29T00:45:00.000Z', '2026-03-29T01:00:00.000Z', '2026-03-29T01:15:00.000Z']);
    // A fixed-time list keeps its one run in the gap: 02:30 (skipped) runs at 03:00 CEST, then 03:30 as usual.
    expect(runs('30 2,3 * * *', '2026-03-28T12:00:00.000Z', 3, 'Europe/Berlin')).toEqual(['2026-03-29T01:00:00.000Z', '2026-03-29T01:30:00.000Z', '2026-03-30T00:30:00.000Z']);
    // New York, 2026-03-08: 02:00 EST becomes 03:00 EDT at 07:00Z.
    expect(next('0 2 * * *', '2026-03-07T12:00:00.000Z', 'America/New_York')).toBe('2026-03-08T07:00:00.000Z');
    // Lord Howe Island moves its clocks by 30 minutes: 02:00 becomes 02:30 on 2026-10-04 (15:30Z the day before).
    expect(next('15 2 * * *', '2026-10-03T12:00:00.000Z', 'Australia/Lord_Howe')).toBe('2026-10-03T15:30:00.000Z');
  });

  it('runs a local time repeated by the fall-back hour once, at its first occurrence', () => {
    // Berlin, 2026-10-25: 03:00 CEST becomes 02:00 CET at 01:00Z, so 02:30 happens at 00:30Z and 01:30Z.
    expect(runs('30 2 * * *', '2026-10-24T12:00:00.000Z', 2, 'Europe/Berlin')).toEqual(['2026-10-25T00:30:00.000Z', '2026-10-26T01:30:00.000Z']);
    // Computed from inside the repeated hour (02:10 CET, after the 02:30 CEST run), it does not run again.
    expect(next('30 2 * * *', '2026-10-25T01:10:00.000Z', 'Europe/Berlin')).toBe('2026-10-26T01:30:00.000Z');
    // A list or range of fixed hours is fixed-time too: 02:30 and 03:30 once each (Vixie's rule).
    expect(runs('30 2,3 * * *', '2026-10-24T12:00:00.000Z', 3, 'Europe/Berlin')).toEqual(['2026-10-25T00:30:00.000Z', '2026-10-25T02:30:00.000Z', '2026-10-26T01:30:00.000Z']);
    // Lord Howe: 02:00 (+11) becomes 01:30 (+10:30) on 2026-04-05, so 01:45 happens twice.
    expect(runs('45 1 * * *', '2026-04-04T12:00:00.000Z', 2, 'Australia/Lord_Howe')).toEqual(['2026-04-04T14:45:00.000Z', '2026-04-05T15:15:00.000Z']);
  });

  it("keeps an interval job's interval in real time through the repeated hour: every minute and every hour still run", () => {
    // Berlin, 2026-10-25: 02:00-02:59 happens twice (00:00Z-00:59Z CEST, 01:00Z-01:59Z CET); both are real minutes.
    expect(runs('* * * * *', '2026-10-25T00:58:00.000Z', 3, 'Europe/Berlin')).toEqual(['2026-10-25T00:59:00.000Z', '2026-10-25T01:00:00.000Z', '2026-10-25T01:01:00.000Z']);
    expect(runs('0 * * * *', '2026-10-24T23:30:00.000Z', 4, 'Europe/Berlin')).toEqual([
      '2026-10-25T00:00:00.000Z',
      '2026-10-25T01:00:00.000Z',
      '2026-10-25T02:00:00.000Z',
      '2026-10-25T03:00:00.000Z',
    ]);
    // New York, 2026-11-01: 02:00 EDT becomes 01:00 EST at 06:00Z; hourly runs at 05:00Z and 06:00Z (01:00 twice).
    expect(runs('0 * * * *', '2026-11-01T04:30:00.000Z', 3, 'America/New_York')).toEqual(['2026-11-01T05:00:00.000Z', '2026-11-01T06:00:00.000Z', '2026-11-01T07:00:00.000Z']);
    // ... and skips the hour the spring gap removes (2026-03-08, 02:00 EST becomes 03:00 EDT at 07:00Z).
    expect(runs('0 * * * *', '2026-03-08T05:30:00.000Z', 3, 'America/New_York')).toEqual(['2026-03-08T06:00:00.000Z', '2026-03-08T07:00:00.000Z', '2026-03-08T08:00:00.000Z']);
  });

  it('reads wall clocks in zones far from UTC and in zones without daylight saving time', () => {
    // Auckland is UTC+13 in January: 08:00 on the 1st is 19:00Z on the 31st of the month before.
    expect(next('0 8 1 * *', '2026-01-05T00:00:00.000Z', 'Pacific/Auckland')).toBe('2026-01-31T19:00:00.000Z');
    // Kathmandu is UTC+05:45 all year.
    expect(runs('0 0 * * *', '2026-06-01T00:00:00.000Z', 2, 'Asia/Kathmandu')).toEqual(['2026-06-01T18:15:00.000Z', '2026-06-02T18:15:00.000Z']);
    // Sydney's daylight saving time runs October to April: 09:00 is 22:00Z in January, 23:00Z in July.
    expect(next('0 9 15 1 *', '2026-01-01T00:00:00.000Z', 'Australia/Sydney')).toBe('2026-01-14T22:00:00.000Z');
    expect(next('0 9 15 7 *', '2026-01-01T00:00:00.000Z', 'Australia/Sydney')).toBe('2026-07-14T23:00:00.000Z');
    // Sydney's own fall-back (2026-04-05, 03:00 AEDT becomes 02:00 AEST at 16:00Z): 02:30 runs once, at 15:30Z.
    expect(runs('30 2 * * *', '2026-04-04T12:00:00.000Z', 2, 'Australia/Sydney')).toEqual(['2026-04-04T15:30:00.000Z', '2026-04-05T16:30:00.000Z']);
  });

  it('reads every accepted expression as the parser does: the runs are the minutes whose fields are in its value sets', () => {
    const expressions = [
      '*/15 9-17 * * MON-FRI',
      '0,30 9-17/4 1,15-16 jan,Jul-AUG sun,7,FRI-7',
      '5 4 */10 */5 */2',
      '*/7 */5 13 * FRI',
      '0 0 */2 * MON',
      '0 0 13 * */1',
      '10-50/20 1-23/11 * * 0-7',
    ];
    const from = Date.parse('2026-01-25T00:00:00.000Z');
    const until = Date.parse('2026-02-14T00:00:00.000Z');
    for (const expression of expressions) {
      const schedule = parseCronSchedule(expression);
      const matches = (at: Date): boolean => {
        const dayOfMonth = schedule.daysOfMonth.includes(at.getUTCDate());
        const dayOfWeek = schedule.daysOfWeek.includes(at.getUTCDay());
        const day = schedule.dayOfMonthStar || schedule.dayOfWeekStar ? dayOfMonth && dayOfWeek : dayOfMonth || dayOfWeek;
        return day && schedule.months.includes(at.getUTCMonth() + 1) && schedule.hours.includes(at.getUTCHours()) && schedule.minutes.includes(at.getUTCMinutes());
      };
      const expected: number[] = [];
      for (let at = from + 60_000; at < until; at += 60_000) if (matches(new Date(at))) expected.push(at);
      const found: number[] = [];
      for (let at = nextCronRun(schedule, from); at < until; at = nextCronRun(schedule, at)) found.push(at);
      expect(expected.length).toBeGreaterThan(0);
      expect({ expression, runs: found }).toEqual({ expression, runs: expected });
    }
  });

  it('gives every caller the same slot for the same period, wherever it starts counting from', () => {
    const schedule = parseCronSchedule('0 0 1 * *', 'Europe/Berlin');
    const slots = new Set(
      [Date.parse('2026-01-01T00:00:00Z'), Date.parse('2026-01-20T13:37:11.123Z'), Date.parse('2026-01-31T22:59:59.999Z')].map((after) => nextCronRun(schedule, after)),
    );
    expect([...slots]).toEqual([Date.parse('2026-01-31T23:00:00.000Z')]);
  });

  it('jumps by fields: a hundred leap-day lookups across the non-leap year 2100 take well under a second', () => {
    const schedule = parseCronSchedule('0 0 29 2 *');
    const started = Date.now();
    for (let i = 0; i < 100; i += 1) expect(nextCronRun(schedule, Date.parse('2096-03-01T00:00:00Z'))).toBe(Date.parse('2104-02-29T00:00:00Z'));
    // Stepping minute by minute would visit 4 million minutes per lookup.
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
