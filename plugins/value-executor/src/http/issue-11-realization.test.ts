/**
 * Issue #11 items 1–5 through a real kernel (test harness, embedded PostgreSQL, real HTTP): the realization cases a
 * quantitative review found wrong, as a client sees them. The stand-in committer declares the metrics as
 * value-committer does (`metrics` on the commitment).
 */
import path from 'node:path';
import { createTestKernel, type TestKernel, type TestResponse } from '@valueverse/plugin-testing';
import type { Commitment } from '@valueverse/plugin-value-committer/api';
import { commitmentFixture } from '../__fixtures__/commitment-fixture';
import { fakeCommitter } from '../__fixtures__/fake-committer';
import { day } from '../__fixtures__/relative-days';

const metrics: Commitment['metrics'] = [
  { key: 'tickets_deflected', kind: 'cumulative', unit: 'tickets', min: 0, max: null, valueAtStake: 60_000 },
  { key: 'deflection_rate', kind: 'level', unit: 'share of tickets', min: 0, max: 1, valueAtStake: 20_000 },
];
const helpdesk = (id: string, overrides: Partial<Commitment> = {}): Commitment =>
  commitmentFixture({ id, drivers: [], metrics, createdAt: '2026-11-20T00:00:00.000Z', signedAt: '2026-11-30T00:00:00.000Z', ...overrides });

const committer = fakeCommitter([
  helpdesk('c-tickets', { milestones: [{ id: 'ms-tickets', title: 'Tickets', dueDate: '2027-11-26', metric: 'tickets_deflected', target: 8000 }] }),
  // Signed 31 days ago; the rate is due 180 days after that (the unit test's Jan 1 → Jun 30 on today's clock).
  helpdesk('c-rate', {
    signedAt: `${day(-31)}T00:00:00.000Z`,
    milestones: [{ id: 'ms-rate', title: 'Rate', dueDate: day(149), metric: 'deflection_rate', target: 0.25 }],
    successCriteria: [{ id: 'sc-rate', metric: 'deflection_rate', operator: '>=', threshold: 0.25, windowDays: 30 }],
  }),
  helpdesk('c-fall', { milestones: [{ id: 'ms-fall', title: 'Tickets', dueDate: '2027-11-26', metric: 'tickets_deflected', target: 8000 }] }),
  helpdesk('c-both', {
    milestones: [
      { id: 'ms-t', title: 'Tickets', dueDate: '2027-11-26', metric: 'tickets_deflected', target: 8000 },
      { id: 'ms-r', title: 'Rate', dueDate: '2027-06-30', metric: 'deflection_rate', target: 0.25 },
    ],
  }),
]);

describe('issue #11: realization that can be trusted, over HTTP', () => {
  let k: TestKernel;
  const post = (p: string, body: unknown): Promise<TestResponse> => k.request('POST', `/api/v1/realization${p}`, { body });
  const get = (p: string): Promise<TestResponse> => k.request('GET', `/api/v1/realization${p}`);
  const measure = (commitmentId: string, metric: string, value: number, measuredAt: string, extra: Record<string, unknown> = {}) =>
    post('/measurements', { commitmentId, metric, value, measuredAt, ...extra });

  beforeAll(async () => {
    k = await createTestKernel({ plugins: [committer, { dir: path.resolve(__dirname, '../..') }] });
  }, 60_000);

  afterAll(async () => {
    await k?.close();
  });

  it('case 1: 300 then 900 a day apart, 8,000 due in a year → insufficient-data, not projected 216,300 on track', async () => {
    expect((await measure('c-tickets', 'tickets_deflected', 300, '2026-12-01')).status).toBe(201);
    expect((await measure('c-tickets', 'tickets_deflected', 900, '2026-12-02')).status).toBe(201);
    const r = (await get('/commitments/c-tickets?asOf=2026-12-03')).body;
    expect(r.milestones[0]).toMatchObject({ status: 'insufficient-data', actual: 900, projected: null, trendPerDay: null, projection: null });
    expect(r.milestones[0].insufficientDataReason).toBe('needs at least 3 readings; has 2');
    expect(r.atRisk).toBe(false);
    // Nor is the commitment as a whole called on track on two readings.
    expect(r.outlook).toBe('insufficient-data');
  });

  it('case 2: rates 0.12, 0.17, 0.26 (one day), 0.19, 0.20 against 0.25 → judged on the trailing average, not achieved', async () => {
    for (const [value, at] of [
      [0.12, -28],
      [0.17, -21],
      [0.26, -14],
      [0.19, -7],
      [0.2, 0],
    ] as const) {
      expect((await measure('c-rate', 'deflection_rate', value, day(at))).status).toBe(201);
    }
    const r = (await get('/commitments/c-rate')).body;
    const [rate] = r.milestones;
    expect(rate).toMatchObject({ status: 'on-track', kind: 'level', basis: 'trailing-average', latestReading: 0.2, projected: null });
    expect(rate.actual).toBeCloseTo(0.188, 12);
    // Theil–Sen 3/1400 a day from 0.145 at day −28, capped at day 0 + 2 × 28 = day 56: 0.325 (see compute-realization.test.ts).
    expect(rate.projection).toMatchObject({ at: day(56), capped: true, low: 0 });
    expect(rate.projection.value).toBeCloseTo(0.325, 9);
    expect(r.successCriteria).toEqual([expect.objectContaining({ criterionId: 'sc-rate', status: 'not-met', basis: 'average', readings: 5, value: expect.closeTo(0.188, 12) })]);
    // Never an `achieved` milestone.achieved event from the one-day 0.26.
    expect(k.events.filter((e) => e.name === 'milestone.achieved' && (e.payload as { commitmentId?: string }).commitmentId === 'c-rate')).toEqual([]);
  });

  it('a reading outside the physical bounds is 400 VV_VALIDATION at /value, alone or in a batch', async () => {
    const res = await measure('c-rate', 'deflection_rate', 1.05, day(0));
    expect([res.status, res.body.code]).toEqual([400, 'VV_VALIDATION']);
    expect(res.body.errors).toEqual([{ pointer: '/value', message: 'must be within the physical bounds of deflection_rate: 0 to 1 share of tickets' }]);
    const batch = await post('/measurements/batch', { measurements: [{ commitmentId: 'c-tickets', metric: 'tickets_deflected', value: -5, measuredAt: '2026-12-03' }] });
    expect(batch.body.errors).toEqual([{ pointer: '/measurements/0/value', message: 'must be within the physical bounds of tickets_deflected: 0 to ∞ tickets' }]);
  });

  it('case 3: a cumulative 900 → 500 is refused with 422 VV_READING_DECREASED, nothing stored', async () => {
    expect((await measure('c-fall', 'tickets_deflected', 300, '2026-12-01')).status).toBe(201);
    const high = await measure('c-fall', 'tickets_deflected', 900, '2026-12-02');
    const res = await measure('c-fall', 'tickets_deflected', 500, '2026-12-03');
    expect([res.status, res.body.code]).toEqual([422, 'VV_READING_DECREASED']);
    expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(res.body.detail).toBe('tickets_deflected is cumulative: 500 is below the previous reading 900 on 2026-12-02; send a higher reading, or a correction with a reason');
    expect(res.body.errors).toEqual([{ pointer: '/value', message: res.body.detail }]);
    // A batch is all or nothing, with a pointer at the reading that falls.
    const batch = await post('/measurements/batch', {
      measurements: [
        { commitmentId: 'c-fall', metric: 'tickets_deflected', value: 950, measuredAt: '2026-12-03' },
        { commitmentId: 'c-fall', metric: 'tickets_deflected', value: 940, measuredAt: '2026-12-04' },
      ],
    });
    expect([batch.status, batch.body.errors.map((e: { pointer: string }) => e.pointer)]).toEqual([422, ['/measurements/1/value']]);
    expect((await get('/measurements?commitmentId=c-fall')).body.items.map((m: { value: number }) => m.value)).toEqual([900, 300]);
    // A correction must say why.
    const noReason = await measure('c-fall', 'tickets_deflected', 500, '2026-12-03', { correction: {} });
    expect(noReason.status).toBe(400);

    // … or recorded as a correction with a reason: the 900 stops counting and stays on file, pointing at it.
    const corrected = await measure('c-fall', 'tickets_deflected', 500, '2026-12-03', { correction: { reason: 'the 900 counted each ticket twice' } });
    expect(corrected.status).toBe(201);
    expect(corrected.body).toMatchObject({ value: 500, correctionReason: 'the 900 counted each ticket twice', supersededBy: null });
    expect((await get(`/measurements/${high.body.id}`)).body).toMatchObject({ value: 900, supersededBy: corrected.body.id });
    const r = (await get('/commitments/c-fall?asOf=2026-12-04')).body;
    expect(r.milestones[0]).toMatchObject({ actual: 500, measurements: 2, status: 'insufficient-data' });
    // The kernel prefixes a plugin's audit actions with its id.
    const audit = await k.request('GET', '/api/v1/admin/audit?action=value-executor.measurement.corrected');
    expect(audit.status).toBe(200);
    expect(audit.body.items).toEqual([
      expect.objectContaining({
        action: 'value-executor.measurement.corrected',
        tenantId: 'acme',
        target: corrected.body.id,
        before: { superseded: [{ id: high.body.id, value: 900, measuredAt: '2026-12-02T00:00:00.000Z' }] },
        after: expect.objectContaining({ value: 500, reason: 'the 900 counted each ticket twice' }),
      }),
    ]);
    // From then on the series counts from 500.
    expect((await measure('c-fall', 'tickets_deflected', 600, '2026-12-04')).status).toBe(201);
  });

  it('a CSV row that would make the series fall is a row error; the rest is stored', async () => {
    const csv = ['commitmentId,metric,value,measuredAt', 'c-fall,tickets_deflected,550,2026-12-05', 'c-fall,tickets_deflected,700,2026-12-05T12:00:00Z'].join('\n');
    const res = await post('/imports', { csv });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ accepted: 1, rejected: 1 });
    expect(res.body.errors).toEqual([
      {
        row: 2,
        column: 'value',
        pointer: '/rows/2/value',
        message: 'tickets_deflected is cumulative: 550 is below the previous reading 600 on 2026-12-04; send a higher reading, or a correction with a reason',
      },
    ]);
  });

  it('item 5: overall weighted by value at stake over the measured metrics, unmeasured shown as such, beside the plan', async () => {
    expect((await measure('c-both', 'tickets_deflected', 500, '2026-12-03')).status).toBe(201);
    const only = (await get('/commitments/c-both?asOf=2026-12-04')).body;
    // Tickets alone (60,000 of 80,000 at stake): 500/8000 — the unmeasured rate is not a 0.
    expect(only.overall).toBeCloseTo(500 / 8000, 12);
    expect(only).toMatchObject({ weighting: 'value-at-stake', unmeasured: ['deflection_rate'], coverage: 0.75 });
    // Plan to date: 0 on Nov 30 → 8,000 on 2027-11-26 (361 days), 4 days in.
    expect(only.plannedToDate).toBeCloseTo(4 / 361, 12);
    for (const [value, at] of [
      ['0.19', '2026-12-01'],
      ['0.2', '2026-12-02'],
      ['0.21', '2026-12-03'],
    ] as const) {
      expect((await measure('c-both', 'deflection_rate', Number(value), at)).status).toBe(201);
    }
    const both = (await get('/commitments/c-both?asOf=2026-12-04')).body;
    // Rate: trailing average (0.19 + 0.20 + 0.21)/3 = 0.20 of 0.25 = 0.8, weight 0.25.
    expect(both.overall).toBeCloseTo(0.75 * (500 / 8000) + 0.25 * 0.8, 12);
    expect(both.coverage).toBeCloseTo(1, 12);
    expect(both.metrics.map((m: { metric: string; weight: number; measured: boolean }) => [m.metric, m.weight, m.measured])).toEqual([
      ['tickets_deflected', 0.75, true],
      ['deflection_rate', 0.25, true],
    ]);
  });
});
