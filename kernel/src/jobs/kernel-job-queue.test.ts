import { isVvError, type JobSchedule, type PluginManifest } from '@valueverse/plugin-sdk';
import { checkSchedule, nextSlot } from './kernel-job-queue';

const manifest: PluginManifest = { id: 'billing', version: '1.0.0', displayName: 'billing', kernel: '^1.0.0', main: 'dist/index.js', permissions: ['jobs'] };

/** What `checkSchedule` refuses `schedule` with: the code, the message and the field problems. */
const refusal = (schedule: unknown) => {
  try {
    checkSchedule(manifest, 'invoice', schedule as JobSchedule);
  } catch (error) {
    if (isVvError(error)) return { code: error.code, message: error.message, errors: error.errors };
    throw error;
  }
  return 'accepted';
};

describe('checkSchedule', () => {
  it('fills in the defaults of a period and of a cron schedule', () => {
    expect(checkSchedule(manifest, 'invoice', { everyMs: 1000 })).toEqual({ everyMs: 1000, offsetMs: 0, perTenant: false });
    expect(checkSchedule(manifest, 'invoice', { cron: '0 0 1 * *', perTenant: true })).toEqual({
      cron: expect.objectContaining({ expression: '0 0 1 * *', timezone: 'UTC', minutes: [0], hours: [0], daysOfMonth: [1] }),
      perTenant: true,
    });
    expect(checkSchedule(manifest, 'invoice', { cron: '0 9 * * 1', timezone: 'Europe/Berlin' })).toMatchObject({ cron: { timezone: 'Europe/Berlin' } });
  });

  it('computes the next slot of either kind', () => {
    expect(nextSlot(Date.parse('2026-01-15T10:00:00Z'), checkSchedule(manifest, 'invoice', { cron: '0 0 1 * *', timezone: 'Europe/Berlin' }))).toBe(
      Date.parse('2026-01-31T23:00:00Z'),
    );
    expect(nextSlot(1250, checkSchedule(manifest, 'invoice', { everyMs: 1000, offsetMs: 200 }))).toBe(2200);
  });

  it('takes exactly one of everyMs and cron in TypeScript too (JobSchedule is a discriminated union)', () => {
    const refused: unknown[] = [
      // @ts-expect-error -- both kinds at once
      { everyMs: 60_000, cron: '* * * * *' } satisfies JobSchedule,
      // @ts-expect-error -- neither kind
      { perTenant: true } satisfies JobSchedule,
      // @ts-expect-error -- offsetMs belongs to a period
      { cron: '0 2 * * *', offsetMs: 0 } satisfies JobSchedule,
      // @ts-expect-error -- timezone belongs to a cron schedule
      { everyMs: 60_000, timezone: 'Europe/Berlin' } satisfies JobSchedule,
    ];
    expect(refused.map((schedule) => (refusal(schedule) as { code: string }).code)).toEqual(['VV_VALIDATION', 'VV_VALIDATION', 'VV_VALIDATION', 'VV_VALIDATION']);
  });

  it.each<[string, unknown, { pointer: string; message: string }[], string]>([
    ['neither everyMs nor cron', {}, [{ pointer: '', message: 'needs everyMs (a period) or cron (a cron expression)' }], 'needs everyMs (a period) or cron (a cron expression)'],
    ['no schedule at all', undefined, [{ pointer: '', message: 'needs everyMs (a period) or cron (a cron expression)' }], 'needs everyMs (a period) or cron (a cron expression)'],
    [
      'both everyMs and cron',
      { everyMs: 60_000, cron: '* * * * *' },
      [{ pointer: '/cron', message: 'cannot be given with everyMs: a schedule is either a period (everyMs, offsetMs) or a cron expression (cron, timezone)' }],
      'cron cannot be given with everyMs: a schedule is either a period (everyMs, offsetMs) or a cron expression (cron, timezone)',
    ],
    [
      'cron with offsetMs',
      { cron: '0 2 * * *', offsetMs: 0 },
      [{ pointer: '/cron', message: 'cannot be given with offsetMs: a schedule is either a period (everyMs, offsetMs) or a cron expression (cron, timezone)' }],
      'cron cannot be given with offsetMs: a schedule is either a period (everyMs, offsetMs) or a cron expression (cron, timezone)',
    ],
    [
      'a cron that is not a string',
      { cron: 5 },
      [{ pointer: '/cron', message: "must be a string: a 5-field cron expression such as '0 2 * * *'" }],
      "cron must be a string: a 5-field cron expression such as '0 2 * * *'",
    ],
    ['a bad cron field', { cron: '61 * * * *' }, [{ pointer: '/cron', message: "minute field '61' is out of range 0-59" }], "cron minute field '61' is out of range 0-59"],
    [
      'an unknown time zone',
      { cron: '0 9 * * 1', timezone: 'Europe/Atlantis' },
      [{ pointer: '/timezone', message: "'Europe/Atlantis' is not an IANA time zone name such as 'Europe/Berlin'" }],
      "timezone 'Europe/Atlantis' is not an IANA time zone name such as 'Europe/Berlin'",
    ],
    [
      'a time zone on a period',
      { everyMs: 60_000, timezone: 'Europe/Berlin' },
      [{ pointer: '/timezone', message: 'applies only to a cron schedule: everyMs slots are counted from the Unix epoch' }],
      'timezone applies only to a cron schedule: everyMs slots are counted from the Unix epoch',
    ],
    [
      'a bad cron and a bad perTenant, both reported',
      { cron: '0 0 30 2 *', perTenant: 'yes' },
      [
        { pointer: '/cron', message: "day-of-month field '30' never occurs in month field '2', so it would never run" },
        { pointer: '/perTenant', message: 'must be a boolean' },
      ],
      "cron day-of-month field '30' never occurs in month field '2', so it would never run; perTenant must be a boolean",
    ],
  ])('refuses %s with VV_VALIDATION naming the job, plugin, field and problem', (_, schedule, errors, reason) => {
    expect(refusal(schedule)).toEqual({ code: 'VV_VALIDATION', message: `Schedule of job "invoice" of plugin "billing": ${reason}`, errors });
  });
});
