import { isVvError, type VvError } from '@valueverse/plugin-sdk';
import { irr } from '../finance/irr';
import { npv } from '../finance/npv';
import { sampleModel } from './__fixtures__/sample-model';
import { rampUpFactors } from './compiled-model';
import { evaluateModel } from './evaluate-model';
import { loadValueModel } from './load-value-model';
import type { ValueModel } from './value-model';
import { VectorModel } from './vector-model';

function evaluate(model: unknown) {
  const loaded = loadValueModel(model);
  return evaluateModel(loaded.compiled, loaded.parsed);
}

function validationErrors(model: unknown): VvError['errors'] {
  try {
    evaluate(model);
  } catch (error) {
    if (isVvError(error) && error.code === 'VV_VALIDATION') return error.errors;
    throw error;
  }
  throw new Error('model was accepted');
}

describe('evaluateModel', () => {
  it('builds cash flows from benefit, ramp-up and costs, and the metrics from them', () => {
    const result = evaluate(sampleModel);
    expect(result.cashFlows).toEqual([-60000, 15000, 40000, 40000]);
    expect(result.metrics.npv.value).toBeCloseTo(npv(0.1, [-60000, 15000, 40000, 40000], 't0'), 9);
    expect(result.metrics.npv.formula).toContain('(1+discountRate)^t');
    expect(result.metrics.irr.value).toBeCloseTo(irr([-60000, 15000, 40000, 40000]).result, 12);
    expect(result.metrics.roi.value).toBeCloseTo((125000 - 90000) / 90000, 12);
    expect(result.metrics.roi).toMatchObject({ totalBenefits: 125000, totalCosts: 90000 });
    // Cumulative: -60000, -45000, -5000, 35000 → pays back 5000/40000 into period 3.
    expect(result.metrics.payback.value).toBeCloseTo(2.125, 12);
    expect(result.metrics.discountedPayback.value).toBeGreaterThan(2.125);
    expect(result.formulas).toEqual({ savings: 50000 });
    expect(result.periods[1]).toMatchObject({ period: 1, rampUp: 0.5, benefit: 25000, cost: 10000, cashFlow: 15000 });
    expect(result.periods[3]!.cumulativePresentValue).toBeCloseTo(result.metrics.npv.value, 9);
  });

  it('evaluates period-dependent formulas every period and reports them per period', () => {
    const model: ValueModel = {
      ...sampleModel,
      formulas: [
        { name: 'savings', expression: 'users * hoursSaved * hourlyRate * growth' },
        { name: 'growth', expression: '1.05 ^ (period - 1)' },
        { name: 'yearsLeft', expression: 'horizon - period' },
      ],
      rampUp: undefined,
    };
    const result = evaluate(model);
    expect(result.formulas['growth']).toEqual([1, 1.05, 1.05 * 1.05]);
    expect(result.formulas['yearsLeft']).toEqual([2, 1, 0]);
    expect(result.cashFlows[3]).toBeCloseTo(50000 * 1.1025 - 10000, 9);
  });

  it('names the convention: excel discounts every flow one more period', () => {
    const t0 = evaluate(sampleModel).metrics.npv.value;
    const excel = evaluate({ ...sampleModel, convention: 'excel' }).metrics.npv;
    expect(excel.value).toBeCloseTo(t0 / 1.1, 9);
    expect(excel.convention).toMatch(/^excel/);
  });

  it('reports a formula cycle with its chain', () => {
    const errors = validationErrors({
      ...sampleModel,
      formulas: [
        { name: 'savings', expression: 'users * perUser' },
        { name: 'perUser', expression: 'adjusted / 2' },
        { name: 'adjusted', expression: 'savings * 0.9' },
      ],
    });
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toBe('formula cycle: savings → perUser → adjusted → savings (used by benefit)');
    expect(errors[0]!.pointer).toBe('/model/formulas/0/expression');
  });

  it('reports unknown names with the chain that uses them, and every one of them', () => {
    const errors = validationErrors({
      ...sampleModel,
      formulas: [
        { name: 'savings', expression: 'users * perUser' },
        { name: 'perUser', expression: 'hoursSaved * hourlyRat' },
      ],
      costs: { upfront: 'setupFee', recurring: 'license' },
    });
    expect(errors).toEqual([
      { pointer: '/model/costs/upfront', message: 'unknown name "setupFee" at column 1 (costs.upfront → setupFee)', in: 'body' },
      {
        pointer: '/model/formulas/1/expression',
        message: 'unknown name "hourlyRat" at column 14 (benefit → savings → perUser → hourlyRat)',
        in: 'body',
      },
    ]);
  });

  it('rejects bad fields with JSON pointers: NaN strings, syntax errors, duplicates, reserved names, bad distributions', () => {
    const errors = validationErrors({
      ...sampleModel,
      horizon: 0,
      drivers: [
        { name: 'users', value: 'NaN' },
        { name: 'users', value: 1 },
        { name: 'period', value: 1 },
        { name: 'x', value: 1, distribution: { type: 'triangular', min: 5, mode: 1, max: 10 } },
        { name: 'y', value: 1, distribution: { type: 'normal', mean: 1, sd: -1 } },
      ],
      formulas: [{ name: 'savings', expression: 'users * (2' }],
    });
    expect(errors.map((e) => e.pointer)).toEqual([
      '/model/horizon',
      '/model/drivers/0/value',
      '/model/drivers/1/name',
      '/model/drivers/2/name',
      '/model/drivers/3/distribution/mode',
      '/model/drivers/4/distribution/sd',
      '/model/formulas/0/expression',
    ]);
    expect(errors[1]!.message).toBe('must be a finite number, got the string "NaN"');
    expect(errors[6]!.message).toContain('at column 11');
  });

  it('names the formula behind a division by zero instead of answering Infinity', () => {
    const errors = validationErrors({ ...sampleModel, formulas: [{ name: 'savings', expression: 'users / (hourlyRate - 50)' }] });
    expect(errors[0]!.pointer).toBe('/model/formulas/0/expression');
  });

  it('reports no IRR as null with a note when the flows never change sign', () => {
    const result = evaluate({ ...sampleModel, costs: undefined });
    expect(result.metrics.irr.value).toBeNull();
    expect(result.metrics.irr.note).toContain('no internal rate of return');
    expect(result.metrics.roi.value).toBeNull();
  });

  it('ramp-up curves: explicit shares (then full benefit), linear and s-curve', () => {
    expect(Array.from(rampUpFactors([0.2, 0.6], 4))).toEqual([0, 0.2, 0.6, 1, 1]);
    expect(Array.from(rampUpFactors({ shape: 'linear', periods: 4 }, 5))).toEqual([0, 0.25, 0.5, 0.75, 1, 1]);
    const s = Array.from(rampUpFactors({ shape: 's-curve', periods: 4 }, 4));
    expect(s[2]).toBeCloseTo(0.5, 12);
    expect(s[1]!).toBeLessThan(0.25);
    expect(s[3]!).toBeGreaterThan(0.75);
  });
});

describe('VectorModel', () => {
  it('gives every trial of a slice the bit-identical result of a scalar evaluation with the same drivers', () => {
    const model: ValueModel = {
      ...sampleModel,
      drivers: [...sampleModel.drivers, { name: 'growth', value: 0.03, distribution: { type: 'uniform', min: 0, max: 0.1 } }],
      formulas: [
        { name: 'savings', expression: 'users * hoursSaved * hourlyRate * (1 + growth) ^ (period - 1)' },
        { name: 'cap', expression: 'min(users, 120, hoursSaved * 11) + max(-users, 1) + if(users > 100, 1, 2) + round(growth * 100) + sqrt(users) + -hoursSaved' },
        {
          name: 'scaled',
          expression:
            'cap / 2 - 1.5 ^ growth + 2 ^ (period / 3) + ln(users) * exp(growth) + clamp(users, 90, 110) + abs(-hoursSaved) + floor(growth * 7) + ceil(growth) + pow(users, 0.5)',
        },
      ],
      costs: { upfront: '60000 + scaled', recurring: 'license * (1 + growth) ^ period' },
    };
    const loaded = loadValueModel(model);
    const drawn = [0, 1, 4]; // users, hoursSaved, growth
    const vector = new VectorModel(loaded.compiled, drawn, 8);
    const values = [
      [100, 10, 0.03],
      [85.5, 7.25, 0],
      [129, 19.5, 0.099],
      [80, 5, 0.05],
      [101, 12, 0.001],
    ];
    values.forEach((row, k) => row.forEach((v, d) => (vector.driverColumns[d]![k] = v)));
    const totals = vector.run(values.length);
    const scalar = { npv: 0, totalBenefits: 0, totalCosts: 0 };
    values.forEach((row, k) => {
      const slots = loaded.compiled.baseSlots();
      row.forEach((v, d) => (slots[drawn[d]!] = v));
      loaded.compiled.run(slots, scalar);
      expect(totals.npv[k]).toBe(scalar.npv);
      expect(totals.totalBenefits[k]).toBe(scalar.totalBenefits);
      expect(totals.totalCosts[k]).toBe(scalar.totalCosts);
    });
  });
});

describe('evaluateModel limits', () => {
  it('names a period-dependent formula that breaks in a later period', () => {
    const errors = validationErrors({
      ...sampleModel,
      formulas: [
        { name: 'savings', expression: 'users * hoursSaved * hourlyRate' },
        { name: 'unused', expression: '1 / (period - 2)' },
      ],
    });
    expect(errors[0]).toMatchObject({ pointer: '/model/formulas/1/expression' });
    expect(errors[0]!.message).toContain('in period 2');
  });
});

describe('evaluateModel names', () => {
  it('treats names such as __proto__ and constructor as ordinary drivers and formulas', () => {
    const result = evaluate({
      horizon: 1,
      discountRate: 0,
      drivers: [
        { name: '__proto__', value: 2 },
        { name: 'constructor', value: 3 },
      ],
      formulas: [{ name: 'toString', expression: '__proto__ * constructor' }],
      benefit: 'toString',
    });
    expect(Object.keys(result.drivers)).toEqual(['__proto__', 'constructor']);
    expect(result.drivers['__proto__']).toBe(2);
    expect(result.formulas['toString']).toBe(6);
    expect(result.cashFlows).toEqual([0, 6]);
  });
});

describe('periodsPerYear (issue #11 item 9)', () => {
  // Worked by hand (annuity equation, not the IRR solver): 1,000 paid now and 12 monthly payments of
  // 50 / (1 − 1.05^−12) = 112.8254 have an IRR of exactly 5% a month; a year is 1.05^12 − 1 = 79.5856%. Simple payback
  // with equal flows is 1,000 / 112.8254 = 8.8633 months = 0.73861 years.
  const payment = 50 / (1 - Math.pow(1.05, -12));
  const monthly = { horizon: 12, discountRate: 0.01, periodsPerYear: 12, drivers: [{ name: 'p', value: payment }], benefit: 'p', costs: { upfront: 1000 } };

  it('annualises IRR as (1 + r)^12 − 1 and gives payback in years, keeping the per-period figures', () => {
    const { irr, payback, discountedPayback } = evaluate(monthly).metrics;
    expect(irr.value).toBeCloseTo(0.05, 10);
    expect(irr.perPeriod).toBe(irr.value);
    expect(irr.annual).toBeCloseTo(0.795856326, 8);
    expect(irr.periodsPerYear).toBe(12);
    expect(payback.value).toBeCloseTo(8.86325, 4);
    expect(payback.years).toBeCloseTo(0.738604, 5);
    expect(discountedPayback.years).toBeCloseTo(discountedPayback.value! / 12, 12);
  });

  it('defaults to yearly periods: annual = per period, years = periods', () => {
    const { irr, payback } = evaluate(sampleModel).metrics;
    expect(irr.annual).toBe(irr.perPeriod);
    expect(payback.years).toBe(payback.value);
  });

  it('refuses a non-positive periodsPerYear', () => {
    expect(validationErrors({ ...monthly, periodsPerYear: 0 }).map((e) => e.pointer)).toEqual(['/model/periodsPerYear']);
  });
});
