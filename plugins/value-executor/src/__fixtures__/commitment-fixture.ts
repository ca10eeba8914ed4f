import type { Commitment } from '@valueverse/plugin-value-committer/api';

/**
 * A signed commitment whose realization is easy to compute by hand: hours_saved has a Q1 milestone (300 by
 * 2026-03-31) and a year-end one (1200 by 2026-12-31); tickets_deflected one (500 by 2026-06-30).
 */
export function commitmentFixture(overrides: Partial<Commitment> = {}): Commitment {
  return {
    id: 'c-1',
    tenantId: 'acme',
    version: 1,
    previousVersionId: null,
    title: 'Helpdesk automation',
    modelId: 'm-1',
    modelVersion: 1,
    industry: 'software',
    status: 'signed',
    confidence: 0.8,
    baseValue: 100_000,
    committedValue: 80_000,
    currency: 'USD',
    drivers: [
      { key: 'hours_saved', label: 'Hours saved', unit: 'h', value: 1200 },
      { key: 'tickets_deflected', label: 'Tickets deflected', unit: 'tickets', value: 500 },
    ],
    milestones: [
      { id: 'ms-q1', title: 'Q1 hours', dueDate: '2026-03-31', metric: 'hours_saved', target: 300 },
      { id: 'ms-year', title: 'Year hours', dueDate: '2026-12-31', metric: 'hours_saved', target: 1200 },
      { id: 'ms-tickets', title: 'Tickets', dueDate: '2026-06-30', metric: 'tickets_deflected', target: 500 },
    ],
    successCriteria: [],
    createdBy: 'user-1',
    createdAt: '2025-12-01T00:00:00.000Z',
    signedAt: '2025-12-15T00:00:00.000Z',
    ...overrides,
  };
}
