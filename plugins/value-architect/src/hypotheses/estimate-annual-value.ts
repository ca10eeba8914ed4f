import { isVvError } from '@valueverse/plugin-sdk';
import type { CalculationService, Driver, ValueModel } from '@valueverse/plugin-calculation/api';

const RESULT = '_hypothesis_value';

/**
 * Evaluates a hypothesis formula for one year through the calculation engine, in the context of `base`: its drivers
 * and formulas are readable, `driver` (at its typical value) replaces any driver of the same name, and `fallbacks`
 * fill names the model lacks. Returns undefined when the formula does not evaluate (unknown name, syntax, NaN).
 */
export async function estimateAnnualValue(
  calc: CalculationService,
  base: ValueModel,
  driver: Driver,
  formula: string,
  fallbacks: readonly Driver[] = [],
): Promise<number | undefined> {
  const known = new Set([...base.drivers.map((d) => d.name), ...(base.formulas ?? []).map((f) => f.name), driver.name]);
  const model: ValueModel = {
    horizon: 1,
    discountRate: 0,
    drivers: [...base.drivers.filter((d) => d.name !== driver.name), { name: driver.name, value: driver.value }, ...fallbacks.filter((d) => !known.has(d.name))],
    formulas: [...(base.formulas ?? []).filter((f) => f.name !== RESULT && f.name !== driver.name), { name: RESULT, expression: formula }],
    benefit: RESULT,
  };
  try {
    // Period 0 carries only the upfront cost; period 1 holds one year of benefit.
    const value = (await calc.evaluateModel({ model })).periods.find((p) => p.period === 1)?.benefit;
    return value !== undefined && Number.isFinite(value) ? value : undefined;
  } catch (error) {
    if (isVvError(error)) return undefined;
    throw error;
  }
}
