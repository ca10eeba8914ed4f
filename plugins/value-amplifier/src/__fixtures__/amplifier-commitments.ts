import type { ValueModel } from '@valueverse/plugin-calculation/api';
import type { Commitment, CommittedDriver, Milestone } from '@valueverse/plugin-value-committer/api';

const DAY_MS = 86_400_000;
/** The ISO date `offset` days from today (UTC). */
export function day(offset: number): string {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()) + offset * DAY_MS).toISOString().slice(0, 10);
}

const driver = (key: string, value: number, unit = 'u'): CommittedDriver => ({ key, label: key.toUpperCase(), unit, value });
const milestone = (metric: string, target: number): Milestone => ({ id: `ms-${metric}`, title: metric, dueDate: day(90), metric, target });

export function commitment(id: string, overrides: Partial<Commitment> = {}): Commitment {
  return {
    id,
    tenantId: 'acme',
    version: 1,
    previousVersionId: null,
    title: id,
    modelId: `model-${id}`,
    modelVersion: 1,
    industry: 'software',
    status: 'signed',
    confidence: 0.8,
    baseValue: 1000,
    committedValue: 900,
    currency: 'USD',
    drivers: [],
    milestones: [],
    successCriteria: [],
    createdBy: 'user-1',
    createdAt: '2026-01-01T00:00:00.000Z',
    signedAt: '2026-01-02T00:00:00.000Z',
    ...overrides,
  };
}

/**
 * A linear model whose sensitivities are its coefficients: NPV = 10·a + 2·b + 5·c − license (one period, no
 * discounting); z moves nothing. At the committed values 1000 + 2000 + 250 − 200 = 3050.
 */
export const linearModel: ValueModel = {
  name: 'Linear',
  horizon: 1,
  discountRate: 0,
  drivers: [
    { name: 'a', value: 1 },
    { name: 'b', value: 1 },
    { name: 'c', value: 1 },
    { name: 'license', value: 1 },
    { name: 'z', value: 5 },
  ],
  formulas: [{ name: 'benefit', expression: 'a * 10 + b * 2 + c * 5 + z * 0' }],
  benefit: 'benefit',
  costs: { recurring: 'license' },
};

export const linearCommitment = commitment('c-linear', {
  baseValue: 3050,
  committedValue: 2800,
  drivers: [driver('a', 100), driver('b', 1000), driver('c', 50), driver('license', 200, 'USD'), driver('z', 5)],
  milestones: [milestone('a', 100)],
});

/** No model version in the architect: the amplifier falls back to 1000 × (a / 100) × (b / 1000). */
export const surrogateCommitment = commitment('c-surrogate', {
  modelId: 'deleted-model',
  drivers: [driver('a', 100), driver('b', 1000)],
  milestones: [milestone('a', 100)],
});

/**
 * Tenant initech's portfolio, for benchmarks. Realization = latest a ÷ 100: bm-1 0.5, bm-2 0.8, bm-3 1.1, bm-4 0 (no
 * measurement), bm-5 1.0 (manufacturing, EUR). bm-6 is a draft and bm-7 was amended into bm-3: neither counts.
 */
export const benchmarkCommitments: Commitment[] = [
  commitment('bm-1', { tenantId: 'initech', committedValue: 100, milestones: [milestone('a', 100)] }),
  commitment('bm-2', { tenantId: 'initech', committedValue: 200, milestones: [milestone('a', 100)] }),
  commitment('bm-3', { tenantId: 'initech', committedValue: 400, milestones: [milestone('a', 100)], previousVersionId: 'bm-7', version: 2 }),
  commitment('bm-4', { tenantId: 'initech', committedValue: 300, milestones: [milestone('a', 100)] }),
  commitment('bm-5', { tenantId: 'initech', committedValue: 1000, currency: 'EUR', industry: 'Manufacturing', milestones: [milestone('a', 100)] }),
  commitment('bm-6', { tenantId: 'initech', committedValue: 5000, status: 'draft', milestones: [milestone('a', 100)] }),
  commitment('bm-7', { tenantId: 'initech', committedValue: 9000, milestones: [milestone('a', 100)] }),
];

/**
 * A rate with a plausible range (PERT 0.15–0.32) and physical bounds 0..1: value = rate × 100,000 (one period, no
 * discounting, no costs). NPV 78,800 needs rate 0.788 (implausible); 105,000 needs 1.05 (impossible).
 */
export const boundedModel: ValueModel = {
  name: 'Bounded',
  horizon: 1,
  discountRate: 0,
  drivers: [{ name: 'rate', value: 0.25, distribution: { type: 'pert', min: 0.15, mode: 0.25, max: 0.32 }, bounds: { min: 0, max: 1 } }],
  benefit: 'rate * 100000',
};

export const boundedCommitment = commitment('c-bounded', { baseValue: 25000, committedValue: 25000, drivers: [driver('rate', 0.25, 'share')] });
