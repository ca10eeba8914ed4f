import { isVvError } from '@valueverse/plugin-sdk';
import { sampleModel } from '../model/__fixtures__/sample-model';
import { evaluateModel } from '../model/evaluate-model';
import { loadValueModel } from '../model/load-value-model';
import { distributionQuantile } from '../monte-carlo/distributions';
import { goalSeek } from './goal-seek';
import { riskAdjust } from './risk-adjustment';
import { sensitivity } from './sensitivity';
import { runWhatIf, slotsWithOverrides } from './what-if';

const loaded = loadValueModel(sampleModel);
const npvWith = (overrides: Record<string, number>): number =>
  evaluateModel(loaded.compiled, loaded.parsed, slotsWithOverrides(loaded, overrides)).metrics.npv.value;

describe('what-if', () => {
  it('recomputes with overridden drivers and reports deltas against the base case', () => {
    const result = runWhatIf(loaded, [{ name: 'more users', overrides: { users: 120 } }]);
    expect(result.scenarios[0]!.result.cashFlows).toEqual([-60000, 20000, 50000, 50000]);
    expect(result.scenarios[0]!.delta.npv).toBeCloseTo(result.scenarios[0]!.result.npv - result.base.npv, 9);
    expect(result.probabilityWeighted).toBeUndefined();
  });

  it('weights scenarios by probability when every scenario has one', () => {
    const result = runWhatIf(loaded, [
      { name: 'low', overrides: { users: 80 }, probability: 0.25 },
      { name: 'high', overrides: { users: 130 }, probability: 0.75 },
    ]);
    expect(result.probabilityWeighted!.npv).toBeCloseTo(0.25 * npvWith({ users: 80 }) + 0.75 * npvWith({ users: 130 }), 9);
  });
});

describe('sensitivity (tornado)', () => {
  it('moves each driver alone to its low and high, sorted by swing, with the basis of each range', () => {
    const result = sensitivity(loaded, { metric: 'npv' });
    expect(result.bars.map((b) => b.driver)).toEqual(['hoursSaved', 'users', 'hourlyRate', 'license']);
    for (let i = 1; i < result.bars.length; i++) expect(result.bars[i - 1]!.swing!).toBeGreaterThanOrEqual(result.bars[i]!.swing!);
    const license = result.bars.find((b) => b.driver === 'license')!;
    expect(license).toMatchObject({ basis: 'driver low/high', low: { input: 9000 }, high: { input: 14000 } });
    expect(license.high.value).toBeCloseTo(npvWith({ license: 14000 }), 9);
    const hours = result.bars.find((b) => b.driver === 'hoursSaved')!;
    expect(hours.basis).toBe('triangular P10/P90');
    expect(hours.low.input).toBeCloseTo(distributionQuantile({ type: 'triangular', min: 5, mode: 10, max: 20 }, 0.1), 12);
    expect(result.bars.find((b) => b.driver === 'hourlyRate')!).toMatchObject({ basis: 'point value ±10%', low: { input: 45 }, high: { input: 55 } });
    expect(result.base).toBeCloseTo(npvWith({}), 9);
  });
});

describe('goal seek', () => {
  it('finds the driver value that brings NPV to the target', () => {
    const result = goalSeek(loaded, { driver: 'users', metric: 'npv', target: 0 });
    expect(npvWith({ users: result.value })).toBeCloseTo(0, 6);
    expect(result.achieved.npv).toBeCloseTo(0, 6);
    expect(result.value).toBeGreaterThan(0);
    expect(result.value).toBeLessThan(100);
  });

  it('reaches an ROI target within a given interval', () => {
    const result = goalSeek(loaded, { driver: 'hourlyRate', metric: 'roi', target: 1, min: 0, max: 1000 });
    expect(result.achieved.roi).toBeCloseTo(1, 9);
  });

  it('answers VV_NO_SOLUTION when no value in the interval reaches the target', () => {
    let caught: unknown;
    try {
      goalSeek(loaded, { driver: 'users', metric: 'npv', target: 1e12, min: 0, max: 1000 });
    } catch (error) {
      caught = error;
    }
    expect(isVvError(caught) && caught.code).toBe('VV_NO_SOLUTION');
  });
});

describe('risk adjustment', () => {
  it('takes the NPV-lowering end of each range for the conservative case, so costs go high and benefits low', () => {
    const result = riskAdjust(loaded);
    expect(result.cases.conservative.drivers['license']).toBe(14000);
    expect(result.cases.optimistic.drivers['license']).toBe(9000);
    expect(result.cases.conservative.drivers['users']).toBeLessThan(100);
    expect(result.cases.probable.drivers).toEqual({ users: 100, hoursSaved: 10, hourlyRate: 50, license: 10000 });
    // hourlyRate has no range: it stays at its point value in every case.
    expect(result.cases.optimistic.drivers['hourlyRate']).toBe(50);
    const { conservative, probable, optimistic } = result.cases;
    expect(conservative.result.npv).toBeLessThan(probable.result.npv);
    expect(optimistic.result.npv).toBeGreaterThan(probable.result.npv);
    expect(result.weights).toEqual({ conservative: 0.3, probable: 0.4, optimistic: 0.3 });
    expect(result.probabilityWeighted.npv).toBeCloseTo(0.3 * conservative.result.npv + 0.4 * probable.result.npv + 0.3 * optimistic.result.npv, 9);
  });
});
