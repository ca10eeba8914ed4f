import type { CalculationService, ValueModel } from '@valueverse/plugin-calculation/api';
import { assumptionsOf, type LibraryDriver, type LibraryIndustry } from '../library/driver-library';
import { assumptionToModel } from '../library/model-from-library';
import { estimateAnnualValue } from './estimate-annual-value';
import type { HypothesisConfidence, ValueHypothesis } from './value-hypothesis';

/**
 * Narrow ranges are well established; wide ones are guesses. Spread = (max − min) / typical; the library's drivers
 * spread from 1 to about 1.6.
 */
export function confidenceOfRange(range: { min: number; typical: number; max: number }): HypothesisConfidence {
  const spread = range.typical === 0 ? Infinity : (range.max - range.min) / Math.abs(range.typical);
  return spread <= 1 ? 'high' : spread <= 1.3 ? 'medium' : 'low';
}

function matchesFocus(driver: LibraryDriver, words: readonly string[]): boolean {
  const text = `${driver.key} ${driver.label} ${driver.description}`.toLowerCase();
  return words.some((w) => text.includes(w));
}

const number = (n: number) => Number(n.toPrecision(6)).toLocaleString('en-US');

/**
 * The library-based generator: the industry's drivers the model does not have yet, each valued at its typical
 * figure with the model's own inputs where it has them (the library's assumptions otherwise), highest annual value
 * first; drivers matching a word of `focus` come before the rest.
 */
export async function libraryHypotheses(
  calc: CalculationService,
  model: ValueModel,
  industry: LibraryIndustry,
  options: { count: number; focus?: string },
): Promise<ValueHypothesis[]> {
  const present = new Set(model.drivers.map((d) => d.name));
  const words = (options.focus ?? '')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length > 2);
  const missing = industry.drivers.filter((d) => !present.has(d.key));
  const values = await Promise.all(missing.map((d) => estimateWithLibrary(calc, model, industry, d)));
  const candidates = missing
    .map((d, i) => ({ driver: d, value: values[i], focused: words.length > 0 && matchesFocus(d, words) }))
    .filter((c): c is { driver: LibraryDriver; value: number; focused: boolean } => c.value !== undefined)
    .sort((a, b) => Number(b.focused) - Number(a.focused) || b.value - a.value);
  return candidates.slice(0, options.count).map(({ driver, value }) => ({
    title: driver.label,
    statement: `${driver.label}: about ${number(driver.range.typical)} ${driver.unit} (typically ${number(driver.range.min)} to ${number(driver.range.max)}), worth about ${number(Math.round(value))} a year.`,
    driver: { key: driver.key, label: driver.label, unit: driver.unit, range: { ...driver.range } },
    formula: driver.formula,
    rationale: driver.description,
    confidence: confidenceOfRange(driver.range),
    estimatedAnnualValue: value,
  }));
}

function estimateWithLibrary(calc: CalculationService, model: ValueModel, industry: LibraryIndustry, driver: LibraryDriver): Promise<number | undefined> {
  return estimateAnnualValue(calc, model, { name: driver.key, value: driver.range.typical }, driver.formula, assumptionsOf(industry, driver).map(assumptionToModel));
}
