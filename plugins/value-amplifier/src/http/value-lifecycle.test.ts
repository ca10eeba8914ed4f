/**
 * End to end with the real plugins (embedded PostgreSQL, real HTTP): a value model in value-architect, a commitment
 * at P80 in value-committer, proposed and signed; actuals over time in value-executor with an at-risk milestone that
 * is then missed; recommendations, what-it-takes and benchmarks from value-amplifier.
 */
import path from 'node:path';
import type { EventEnvelope } from '@valueverse/plugin-sdk';
import { createTestKernel, type TestKernel, type TestResponse } from '@valueverse/plugin-testing';
import { day } from '../__fixtures__/amplifier-commitments';

const plugins = path.resolve(__dirname, '../../..');

// NPV = users × hoursSaved × rate − license over one undiscounted period: 100 × 10 × 50 − 10,000 = 40,000 at the
// point values. One driver at a time it is linear, so its sensitivities are exact: users 500, hoursSaved 5,000,
// rate 1,000, license −1 (value per unit).
const model = {
  horizon: 1,
  discountRate: 0,
  drivers: [
    { name: 'users', unit: 'people', value: 100, distribution: { type: 'pert', min: 80, mode: 100, max: 130 } },
    { name: 'hoursSaved', unit: 'h/user', value: 10, distribution: { type: 'triangular', min: 5, mode: 10, max: 20 } },
    { name: 'rate', unit: 'USD/h', value: 50 },
    { name: 'license', unit: 'USD', value: 10000, low: 9000, high: 14000 },
  ],
  formulas: [{ name: 'savings', expression: 'users * hoursSaved * rate' }],
  benefit: 'savings',
  costs: { recurring: 'license' },
};

describe('value lifecycle across the real plugins', () => {
  let k: TestKernel;
  let commitmentId: string;
  const call = (method: string, p: string, body?: unknown, tenant?: string): Promise<TestResponse> => k.request(method, `/api/v1${p}`, { body, tenant });
  const ok = async (res: Promise<TestResponse>, status = 200): Promise<TestResponse> => {
    const r = await res;
    if (r.status !== status) throw new Error(`expected ${status}, got ${r.status}: ${JSON.stringify(r.body)}`);
    return r;
  };
  const eventsNamed = (name: string): EventEnvelope<Record<string, unknown>>[] =>
    (k.events as EventEnvelope<Record<string, unknown>>[]).filter((e) => e.name === name && e.payload?.commitmentId === commitmentId);

  beforeAll(async () => {
    k = await createTestKernel({
      plugins: ['calculation', 'value-architect', 'value-committer', 'value-executor', 'value-amplifier'].map((id) => ({ dir: path.join(plugins, id) })),
      tenants: ['acme', 'globex'],
    });
    const created = await ok(call('POST', '/value-models', { name: 'Helpdesk automation', industry: 'software', currency: 'USD', model }), 201);
    const commitment = await ok(
      call('POST', '/commitments', {
        modelId: created.body.id,
        confidence: 0.8,
        seed: 42,
        milestones: [
          { id: 'ms-users', title: 'Adoption', dueDate: day(20), metric: 'users', target: 100 },
          { id: 'ms-hours', title: 'Hours saved', dueDate: day(60), metric: 'hoursSaved', target: 10 },
        ],
      }),
      201,
    );
    commitmentId = commitment.body.id;
  }, 60_000);

  afterAll(async () => {
    await k?.close();
  });

  it('takes measurements only once the commitment is signed', async () => {
    const early = await call('POST', '/realization/measurements', { commitmentId, metric: 'users', value: 60, measuredAt: day(-40) });
    expect(early.status).toBe(409);
    await ok(call('POST', `/commitments/${commitmentId}/transitions`, { to: 'proposed' }));
    const signed = await ok(call('POST', `/commitments/${commitmentId}/transitions`, { to: 'signed' }));
    expect(signed.body.status).toBe('signed');
  });

  it('records actuals over time, flags the adoption milestone at risk once, then missed when its date passes', async () => {
    // users 60, 70, 80 at days −40, −20, 0: +0.5/day → 90 by day 20, below 100.
    for (const [value, at] of [
      [60, -40],
      [70, -20],
      [80, 0],
    ] as const) {
      await ok(call('POST', '/realization/measurements', { commitmentId, metric: 'users', value, measuredAt: day(at) }), 201);
    }
    await ok(
      call('POST', '/realization/imports', { csv: `commitmentId,metric,value,measuredAt\n${commitmentId},hoursSaved,12,${day(-1)}\n${commitmentId},license,11000,${day(-1)}` }),
      201,
    );
    const r = await ok(call('GET', `/realization/commitments/${commitmentId}`));
    expect(r.body.milestones.map((m: { milestoneId: string; status: string }) => [m.milestoneId, m.status])).toEqual([
      ['ms-users', 'at-risk'],
      ['ms-hours', 'achieved'],
    ]);
    expect(r.body.milestones[0].projected).toBeCloseTo(90, 6);
    // Overall: users 80 / 100 and hoursSaved 12 / 10 → (0.8 + 1.2) / 2.
    expect(r.body.overall).toBeCloseTo(1, 12);
    expect(eventsNamed('realization.at-risk').map((e) => e.payload.milestoneId)).toEqual(['ms-users']);
    expect(eventsNamed('milestone.achieved').map((e) => e.payload.milestoneId)).toEqual(['ms-hours']);

    const evaluated = await ok(call('POST', `/realization/commitments/${commitmentId}/evaluate`, { asOf: day(21) }));
    expect(evaluated.body.transitions).toEqual([{ milestoneId: 'ms-users', from: 'at-risk', to: 'missed', event: 'milestone.missed' }]);
    expect(eventsNamed('milestone.missed')).toHaveLength(1);
  });

  it('recommends closing the adoption gap first and shows hours saved as an expansion opportunity', async () => {
    const res = await ok(call('GET', `/amplify/commitments/${commitmentId}/recommendations`));
    expect(res.body.modelSource).toBe('value-model');
    // users −20 × 500 = −10,000; license +1,000 × −1 = −1,000; hoursSaved +2 × 5,000 = +10,000.
    expect(res.body.recommendations.map((r: { kind: string; driver: string; valueImpact: number }) => [r.kind, r.driver, Math.round(r.valueImpact)])).toEqual([
      ['under-realized', 'users', -10000],
      ['under-realized', 'license', -1000],
      ['expansion', 'hoursSaved', 10000],
    ]);
    expect(res.body.unmeasured).toEqual(['rate']);
  });

  it('says what adoption it would take to deliver the committed value', async () => {
    const commitment = (await ok(call('GET', `/commitments/${commitmentId}`))).body;
    const res = await ok(call('POST', `/amplify/commitments/${commitmentId}/what-it-takes`, { metric: 'users' }));
    // users × 12 × 50 − 11,000 = committed value.
    expect(res.body.targetValue).toBe(commitment.committedValue);
    expect(res.body.requiredValue).toBeCloseTo((commitment.committedValue + 11000) / 600, 6);
    expect(res.body.current.npv).toBeCloseTo(80 * 12 * 50 - 11000, 6);
  });

  it('benchmarks the portfolio by industry', async () => {
    const res = await ok(call('GET', '/amplify/benchmarks?industry=software'));
    expect(res.body.industries).toHaveLength(1);
    expect(res.body.industries[0]).toMatchObject({ industry: 'software', count: 1 });
    expect(res.body.industries[0].realization.p50).toBeCloseTo(1, 12);
  });

  it('keeps another tenant out, and disabling value-committer for it takes its dependants with it there only', async () => {
    expect((await call('GET', `/realization/commitments/${commitmentId}`, undefined, 'globex')).status).toBe(404);
    expect((await call('GET', `/amplify/commitments/${commitmentId}/recommendations`, undefined, 'globex')).status).toBe(404);
    await ok(k.setPlugin('globex', 'value-committer', { enabled: false }, true));
    for (const p of ['/commitments', '/realization/measurements', '/amplify/benchmarks']) {
      const res = await call('GET', p, undefined, 'globex');
      expect([p, res.status, res.body.code]).toEqual([p, 404, 'VV_PLUGIN_NOT_ENABLED']);
    }
    expect((await call('GET', `/amplify/commitments/${commitmentId}/recommendations`)).status).toBe(200);
  });
});
