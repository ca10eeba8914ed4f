/**
 * The periodic evaluation through a real kernel (test harness, embedded PostgreSQL, in-process job queue) with a
 * 300 ms period instead of a day: nobody measures or calls the API, and the missed milestones are announced anyway,
 * for every tenant that has the executor enabled and only for those.
 */
import type { EventEnvelope } from '@valueverse/plugin-sdk';
import { createTestKernel, type TestKernel } from '@valueverse/plugin-testing';
import type { Commitment } from '@valueverse/plugin-value-committer/api';
import manifest from '../../plugin.json';
import { commitmentFixture } from '../__fixtures__/commitment-fixture';
import { fakeCommitter } from '../__fixtures__/fake-committer';
import { day } from '../__fixtures__/relative-days';
import { createValueExecutorPlugin } from '../plugin';
import { dailyEvaluation } from './periodic-evaluation';

const hours = (id: string, dueDate: string, target: number) => ({ id, title: id, dueDate, metric: 'hours_saved', target });
const commitment = (id: string, overrides: Partial<Commitment> = {}): Commitment => commitmentFixture({ id, ...overrides });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const committer = fakeCommitter([
  commitment('c-acme', { milestones: [hours('ms-yesterday', day(-1), 100), hours('ms-later', day(60), 500)] }),
  commitment('c-globex', { tenantId: 'globex', status: 'active', milestones: [hours('ms-last-week', day(-7), 10)] }),
  commitment('c-draft', { status: 'draft', milestones: [hours('ms-draft', day(-1), 10)] }),
]);

describe('periodic evaluation (every 300 ms here, daily by default)', () => {
  let k: TestKernel;
  const missed = (): EventEnvelope<Record<string, unknown>>[] => (k.events as EventEnvelope<Record<string, unknown>>[]).filter((e) => e.name === 'milestone.missed');

  async function eventually<T>(read: () => T, done: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
    const started = Date.now();
    for (;;) {
      const value = read();
      if (done(value)) return value;
      if (Date.now() - started > timeoutMs) throw new Error(`not within ${timeoutMs} ms: ${JSON.stringify(value)}`);
      await sleep(20);
    }
  }

  beforeAll(async () => {
    k = await createTestKernel({
      plugins: [committer, { manifest, plugin: createValueExecutorPlugin({ evaluation: { everyMs: 300 } }) }],
      tenants: ['acme', 'globex', 'initech'],
    });
    // initech turns the executor off before it has anything to evaluate.
    expect((await k.setPlugin('initech', 'value-executor', { enabled: false })).status).toBe(200);
    // Two periods: a run for initech that a slot queued before the change has finished.
    await sleep(700);
    committer.put(commitment('c-initech', { tenantId: 'initech', milestones: [hours('ms-initech', day(-1), 10)] }));
  }, 60_000);

  afterAll(async () => {
    await k?.close();
  });

  it('publishes milestone.missed for a due date that passed, in each tenant with the executor enabled, without any request', async () => {
    await eventually(missed, (events) => events.length >= 2);
    expect(
      missed()
        .map((e) => [e.tenantId, e.source, e.payload.commitmentId, e.payload.milestoneId, e.payload.previousStatus])
        .sort(),
    ).toEqual([
      ['acme', 'value-executor', 'c-acme', 'ms-yesterday', null],
      ['globex', 'value-executor', 'c-globex', 'ms-last-week', null],
    ]);
    expect(missed().find((e) => e.tenantId === 'acme')!.payload).toMatchObject({ dueDate: day(-1), target: 100, actual: null });
  });

  it('publishes each transition once however many periods pass, and leaves alone drafts and tenants without the executor', async () => {
    await sleep(1000);
    expect(missed()).toHaveLength(2);
    const ids = (k.events as EventEnvelope<Record<string, unknown>>[]).map((e) => e.payload?.commitmentId);
    expect(ids).not.toContain('c-draft');
    expect(ids).not.toContain('c-initech');
    // The API agrees that the scheduled runs already evaluated acme: nothing is left to transition.
    const res = await k.request('POST', '/api/v1/realization/evaluate', { tenant: 'acme', body: {} });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ evaluated: 1, commitments: [{ commitmentId: 'c-acme', transitions: [] }] });
  });

  it('picks up a commitment signed later at the next period', async () => {
    committer.put(commitment('c-acme-2', { milestones: [hours('ms-two-days-ago', day(-2), 50)] }));
    const [event] = await eventually(
      () => missed().filter((e) => e.payload.commitmentId === 'c-acme-2'),
      (events) => events.length === 1,
    );
    expect(event).toMatchObject({ tenantId: 'acme', payload: { milestoneId: 'ms-two-days-ago' } });
  });

  it('runs daily at 00:05 UTC by default', () => {
    expect(dailyEvaluation).toEqual({ everyMs: 24 * 3600 * 1000, offsetMs: 5 * 60 * 1000 });
  });
});
