import { VvError } from '@valueverse/plugin-sdk';
import type { Charge, PriceTier } from './charge-model';
import { toMinorUnits } from './decimal-money';
import { priceCharge } from './price-charge';

// Conformance with the worked examples of the anchors' documentation. Each case names the page it comes from; the
// amounts are the pages' own figures (or, where a page gives the tiers and the rule but no total, the total its rule
// gives, marked "by the page's rule").

const cents = (charge: Charge, usage: Parameters<typeof priceCharge>[1], currency = 'USD') => toMinorUnits(priceCharge(charge, usage, '/usage/m').amount, currency);

// https://docs.stripe.com/subscriptions/pricing-models/tiered-pricing — Typographic's fonts: 1-5 at 7 USD,
// 6-10 at 6.5 USD, 11+ at 6 USD (inclusive upper bounds).
const typographic: PriceTier[] = [
  { upTo: 5, unitAmount: '7' },
  { upTo: 10, unitAmount: '6.5' },
  { upTo: null, unitAmount: '6' },
];

describe('Stripe: tiered pricing (docs.stripe.com/subscriptions/pricing-models/tiered-pricing)', () => {
  const volume: Charge = { metric: 'fonts', model: 'volume', properties: { tiers: typographic } };
  const graduated: Charge = { metric: 'fonts', model: 'graduated', properties: { tiers: typographic } };

  it.each([
    [1, 700],
    [5, 3500],
    [6, 3900],
    [20, 12000],
    [25, 15000],
  ])("volume-based: %i fonts cost the table's total (%i cents): every unit at the tier the total falls in", (fonts, expected) => {
    expect(cents(volume, fonts)).toBe(expected);
  });

  it.each([
    [1, 700],
    [5, 3500], // "5 fonts result in the same charge as volume-based pricing: 35 USD"
    [6, 4150], // by the page's rule: 5 × 7 + 1 × 6.5
    [20, 12750], // by the page's rule: 5 × 7 + 5 × 6.5 + 10 × 6
    [25, 15750],
  ])('graduated: %i fonts cost %i cents: each unit in its own tier', (fonts, expected) => {
    expect(cents(graduated, fonts)).toBe(expected);
  });

  it('graduated breakdown lists each entered tier with its units, and no tier the usage did not reach', () => {
    const priced = priceCharge(graduated, 7, '/usage/fonts');
    expect(priced.tiers?.map((t) => [t.upTo, t.units, t.amount.toString()])).toEqual([
      [5, '5', '35'],
      [10, '2', '13'],
    ]);
  });

  it('inclusive upTo: the 5th unit is still in the first tier, the 6th is not (volume)', () => {
    expect(priceCharge(volume, 5, '/u').tiers?.[0]?.upTo).toBe(5);
    expect(priceCharge(volume, 6, '/u').tiers?.[0]?.upTo).toBe(10);
  });

  it("flat amounts: graduated charges a tier's flat amount once when usage enters it; volume only the tier the total falls in", () => {
    // Stripe's tier object: "flat_amount: the flat billing amount for an entire tier, regardless of the number of units in the tier".
    const tiers: PriceTier[] = [
      { upTo: 10, unitAmount: '1', flatAmount: '5' },
      { upTo: null, unitAmount: '0.5', flatAmount: '20' },
    ];
    expect(cents({ metric: 'm', model: 'graduated', properties: { tiers } }, 10)).toBe(1500);
    expect(cents({ metric: 'm', model: 'graduated', properties: { tiers } }, 12)).toBe(1500 + 100 + 2000);
    expect(cents({ metric: 'm', model: 'volume', properties: { tiers } }, 12)).toBe(600 + 2000);
    expect(cents({ metric: 'm', model: 'graduated', properties: { tiers } }, 0)).toBe(0);
    expect(cents({ metric: 'm', model: 'volume', properties: { tiers } }, 0)).toBe(0);
  });
});

describe('Lago: charge models (getlago.com/docs/guide/plans/charges)', () => {
  it('standard: "$0.05 x 1,000 API calls = $50" (guide/plans/charges, standard charge model)', () => {
    expect(cents({ metric: 'api_calls', model: 'standard', properties: { unitAmount: '0.05' } }, 1000)).toBe(5000);
  });

  it('graduated: $1 for the first 100, $0.50 for the next 100, $0.10 beyond; 250 calls cost 155 USD (guide/plans/charges/charge-models/graduated; v2 rate-cards/pricing-models/graduated)', () => {
    const charge: Charge = {
      metric: 'api_calls',
      model: 'graduated',
      properties: {
        tiers: [
          { upTo: 100, unitAmount: '1' },
          { upTo: 200, unitAmount: '0.50' },
          { upTo: null, unitAmount: '0.10' },
        ],
      },
    };
    expect(cents(charge, 250)).toBe(15500);
  });

  it('volume: 65,000 API calls cost 65,000 × $0.0006 + $10 = $49 (guide/plans/charges/charge-models/volume)', () => {
    const charge: Charge = {
      metric: 'api_calls',
      model: 'volume',
      properties: {
        tiers: [
          { upTo: 10000, unitAmount: '0.0010', flatAmount: '10' },
          { upTo: 50000, unitAmount: '0.0008', flatAmount: '10' },
          { upTo: 100000, unitAmount: '0.0006', flatAmount: '10' },
          { upTo: null, unitAmount: '0.0004', flatAmount: '10' },
        ],
      },
    };
    expect(cents(charge, 65000)).toBe(4900);
  });

  it('package: $5 per 100 units with the first 100 free; 201 units cost $0 + $5 + $5 = $10 (guide/plans/charges/charge-models/package)', () => {
    expect(cents({ metric: 'api_calls', model: 'package', properties: { packageSize: 100, amount: '5', freeUnits: 100 } }, 201)).toBe(1000);
    expect(cents({ metric: 'api_calls', model: 'package', properties: { packageSize: 100, amount: '5', freeUnits: 100 } }, 100)).toBe(0);
  });

  it('package: 2,000 calls in packages of 100 at 1 USD cost 20 USD; with 50 free calls, 200 calls cost 2 USD (v2 rate-cards/pricing-models/package)', () => {
    expect(cents({ metric: 'calls', model: 'package', properties: { packageSize: 100, amount: '1' } }, 2000)).toBe(2000);
    expect(cents({ metric: 'calls', model: 'package', properties: { packageSize: 100, amount: '1', freeUnits: 50 } }, 200)).toBe(200);
  });

  it("percentage: 1.2 % on the transactions' total plus $0.10 per transaction, first 3 events free of the fixed fee (guide/plans/charges/charge-models/percentage)", () => {
    // The page's parameters (1.2 %, $0.10, "the first 3 events ... are free"); 5 transactions totalling $10,000:
    // 10,000 × 0.012 + (5 − 3) × 0.10 = 120.20.
    const charge: Charge = { metric: 'transfers', model: 'percentage', properties: { rate: '0.012', fixedAmount: '0.10', freeUnits: 3 } };
    expect(cents(charge, { sum: '10000', count: 5 })).toBe(12020);
    expect(cents(charge, { sum: '10000', count: 2 })).toBe(12000);
  });
});

describe('decimal arithmetic: lines round half away from zero to the minor unit', () => {
  const standard = (unitAmount: string): Charge => ({ metric: 'm', model: 'standard', properties: { unitAmount } });

  it('"0.015" × 1 is 2 cents ((0.015).toFixed(2) is "0.01" in binary floating point)', () => {
    expect(cents(standard('0.015'), 1)).toBe(2);
  });

  it('"0.335" × 3 = 1.005 is 101 cents (Math.round(1.005 * 100) is 100 in binary floating point)', () => {
    expect(cents(standard('0.335'), 3)).toBe(101);
  });

  it('"0.0004" × 12,345,678 sub-cent prices stay exact: 4,938.2712 → 493,827 cents', () => {
    expect(cents(standard('0.0004'), 12345678)).toBe(493827);
  });

  it('"0.1" × 3 is exactly 30 cents, and halves round away from zero: "0.005" → 1 cent', () => {
    expect(cents(standard('0.1'), 3)).toBe(30);
    expect(cents(standard('0.005'), 1)).toBe(1);
    expect(cents(standard('0.0049999'), 1)).toBe(0);
  });

  it('uses the currency\'s minor unit: JPY has none ("0.5" → ¥1), KWD has three ("0.0005" → 1 fils)', () => {
    expect(cents(standard('0.5'), 1, 'JPY')).toBe(1);
    expect(cents(standard('0.0005'), 1, 'KWD')).toBe(1);
    expect(cents(standard('0.0004'), 1, 'KWD')).toBe(0);
  });

  it('decimal quantities (a sum metric) price exactly: 2.5 GB × "0.13" = 32.5 → 33 cents', () => {
    expect(cents(standard('0.13'), '2.5')).toBe(33);
  });
});

// No anchor prices outcomes (Stripe, Lago and OpenMeter bill usage only); these are worked examples of the rule in
// docs/billing.md: rate × value realized in the period, never below zero, at most the cap.
describe('outcome: a share of the value realized', () => {
  const outcome = (rate: string, cap?: string): Charge => ({ metric: 'value_share', model: 'outcome', properties: { commitmentId: 'c-1', rate, ...(cap && { cap }) } });

  it('10 % of 48,250.50 realized is 4,825.05', () => {
    expect(cents(outcome('0.1'), '48250.50')).toBe(482505);
  });

  it('caps the share: 20 % of 100,000 capped at 5,000 is 5,000', () => {
    expect(cents(outcome('0.2', '5000'), 100_000)).toBe(500_000);
    expect(cents(outcome('0.2', '5000'), 20_000)).toBe(400_000);
  });

  it('a period that lost ground owes nothing', () => {
    expect(cents(outcome('0.1'), -1200)).toBe(0);
    expect(cents(outcome('0.1'), '-0.01')).toBe(0);
  });

  it('decimal: 1.5 % of 0.7 (0.0105) is 1 cent, and 3 % of 16.75 (0.5025) is 50 cents, where binary doubles land elsewhere', () => {
    expect(cents(outcome('0.015'), '0.7')).toBe(1);
    expect(cents(outcome('0.03'), '16.75')).toBe(50);
    expect(cents(outcome('0.335'), 3)).toBe(101);
  });

  it('takes the value realized, not {sum, count}', () => {
    expect(() => priceCharge(outcome('0.1'), { sum: 1, count: 1 }, '/usage/value_share')).toThrow(/usage\/value_share/);
  });
});

describe('shapes', () => {
  it('a percentage charge needs {sum, count}, the others a quantity, with a pointer to the usage entry', () => {
    const percentage: Charge = { metric: 'm', model: 'percentage', properties: { rate: '0.01' } };
    expect(() => priceCharge(percentage, 5, '/usage/m')).toThrow(VvError);
    expect(() => priceCharge({ metric: 'm', model: 'standard', properties: { unitAmount: '1' } }, { sum: 1, count: 1 }, '/usage/m')).toThrow(/usage\/m/);
  });

  it('no usage prices at zero for every model', () => {
    for (const charge of [
      { metric: 'm', model: 'standard', properties: { unitAmount: '1' } },
      { metric: 'm', model: 'graduated', properties: { tiers: typographic } },
      { metric: 'm', model: 'volume', properties: { tiers: typographic } },
      { metric: 'm', model: 'package', properties: { packageSize: 10, amount: '1' } },
      { metric: 'm', model: 'percentage', properties: { rate: '0.5', fixedAmount: '1' } },
      { metric: 'm', model: 'outcome', properties: { metric: 'dollars_saved', rate: '0.5' } },
    ] as Charge[]) {
      expect(cents(charge, undefined)).toBe(0);
    }
  });
});
