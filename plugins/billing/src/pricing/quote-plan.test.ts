import { money } from './decimal-money';
import { quotePlan } from './quote-plan';

describe('quotePlan', () => {
  const plan = {
    currency: 'USD',
    amount: '49.00',
    charges: [
      { metric: 'api_calls', model: 'standard' as const, properties: { unitAmount: '0.015' } },
      { metric: 'storage_gb', model: 'standard' as const, properties: { unitAmount: '0.335' } },
    ],
  };

  it('rounds each line and sums the rounded lines; tax is the rounded share of the subtotal', () => {
    const quote = quotePlan(plan, { api_calls: 1, storage_gb: 3 }, { taxRate: '0.2' });
    expect(quote.lines.map((l) => [l.kind, l.metric, l.amountCents])).toEqual([
      ['base', undefined, 4900],
      ['usage', 'api_calls', 2],
      ['usage', 'storage_gb', 101],
    ]);
    // 5003 × 0.2 = 1000.6 → 1001.
    expect(quote).toMatchObject({ currency: 'USD', subtotalCents: 5003, taxCents: 1001, totalCents: 6004 });
  });

  it('bills a share of the recurring fee when told (proration), and none in a trial', () => {
    expect(quotePlan(plan, {}, { baseFactor: money(10).div(30) }).lines[0]).toMatchObject({ kind: 'base', amountCents: 1633 });
    expect(quotePlan(plan, {}, { baseFactor: money(0) }).lines.map((l) => l.kind)).toEqual(['usage', 'usage']);
  });
});
