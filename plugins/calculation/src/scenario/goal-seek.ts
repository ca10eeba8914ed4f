import { VvError } from '@valueverse/plugin-sdk';
import { brentRoot } from '../numeric/brent-root';
import type { ModelTotals } from '../model/compiled-model';
import type { LoadedModel } from '../model/load-value-model';
import { metricOf, type ModelMetricName } from '../model/model-metric';
import { plausibleRange, withinRange, type PlausibleRange } from './plausible-range';

export interface GoalSeekOptions {
  readonly driver: string;
  readonly metric: ModelMetricName;
  readonly target: number;
  /** Search interval; default: expanding outward from the point value until the target is bracketed. */
  readonly min?: number;
  readonly max?: number;
}

export interface GoalSeekResult {
  readonly driver: string;
  /**
   * The driver value that reaches the target; null when that value lies outside the driver's physical `bounds`
   * (impossible: e.g. a rate of 105%). `unconstrainedValue` then says what the arithmetic alone would need.
   */
  readonly value: number | null;
  readonly unconstrainedValue: number;
  /** The driver's plausible range (see `plausibleRange`), null when nothing bounds it. */
  readonly range: PlausibleRange | null;
  /** True when the answer lies outside that range (or is impossible): read `note`, not just `value`. */
  readonly outsideRange: boolean;
  /** True when the only solution breaks the driver's physical bounds. */
  readonly impossible: boolean;
  /** Why to doubt `value`: outside the range, impossible, or unchecked (the driver declares no range). */
  readonly note?: string;
  readonly metric: ModelMetricName;
  readonly target: number;
  readonly achieved: { readonly npv: number; readonly roi: number | null };
  readonly bracket: readonly [number, number];
  readonly evaluations: number;
  readonly method: string;
}

const MAX_EXPANSIONS = 80;

/**
 * Goal seek: the value of one driver at which the metric reaches `target`, all other drivers at their point
 * values. The target is bracketed (the given interval, or one growing geometrically from the point value on both
 * sides, keeping the solution nearest the point value) and then solved with Brent's method.
 */
export function goalSeek(loaded: LoadedModel, options: GoalSeekOptions): GoalSeekResult {
  const { compiled } = loaded;
  const index = compiled.driverSlot(options.driver)!;
  const slots = compiled.baseSlots();
  const totals: ModelTotals = { npv: 0, totalBenefits: 0, totalCosts: 0 };
  let evaluations = 0;
  const gap = (x: number): number => {
    evaluations++;
    slots[index] = x;
    compiled.run(slots, totals);
    return metricOf(totals, options.metric) - options.target;
  };
  const solveIn = ([lo, hi, gLo, gHi]: [number, number, number, number]): number =>
    brentRoot(gap, lo, hi, { absoluteTolerance: 1e-12 * Math.max(1, Math.abs(lo), Math.abs(hi)) }, gLo, gHi);
  const differ = (a: number, b: number): boolean => Number.isFinite(a) && Number.isFinite(b) && (a === 0 || b === 0 || a > 0 !== b > 0);

  let bracket: [number, number, number, number] | undefined;
  if (options.min !== undefined && options.max !== undefined) {
    const gLow = gap(options.min);
    const gHigh = gap(options.max);
    if (differ(gLow, gHigh)) bracket = [options.min, options.max, gLow, gHigh];
  } else {
    const start = compiled.drivers[index]!.value;
    const gStart = gap(start);
    let step = Math.max(Math.abs(start) * 0.25, 1);
    let previousUp = start;
    let gPreviousUp = gStart;
    let previousDown = start;
    let gPreviousDown = gStart;
    for (let k = 0; k < MAX_EXPANSIONS && !bracket; k++, step *= 2) {
      const up = start + step;
      const gUp = gap(up);
      if (differ(gPreviousUp, gUp)) bracket = [previousUp, up, gPreviousUp, gUp];
      else if (Number.isFinite(gUp)) [previousUp, gPreviousUp] = [up, gUp];
      if (bracket) break;
      const down = start - step;
      const gDown = gap(down);
      if (differ(gDown, gPreviousDown)) bracket = [down, previousDown, gDown, gPreviousDown];
      else if (Number.isFinite(gDown)) [previousDown, gPreviousDown] = [down, gDown];
    }
  }
  const driver = compiled.drivers[index]!;
  const bounds = driver.bounds ?? {};
  const physical = { low: bounds.min ?? null, high: bounds.max ?? null };
  if (bracket && options.min === undefined && !withinRange(solveIn(bracket), physical) && physical.low !== null && physical.high !== null) {
    // The root nearest the point value breaks the physical bounds; another may lie inside them (non-monotone models).
    const gLow = gap(physical.low);
    const gHigh = gap(physical.high);
    if (differ(gLow, gHigh)) bracket = [physical.low, physical.high, gLow, gHigh];
  }
  if (!bracket) {
    const where = options.min !== undefined ? `between ${options.min} and ${options.max}` : 'at any value searched around the point value';
    const detail = `No value of driver "${options.driver}" ${where} brings ${options.metric.toUpperCase()} to ${options.target}`;
    throw new VvError('VV_NO_SOLUTION', { detail, params: { reason: detail } });
  }
  const [lo, hi] = bracket;
  const value = solveIn(bracket);
  gap(value);
  const range = plausibleRange(driver);
  const impossible = !withinRange(value, physical);
  const outsideRange = impossible || (range !== null && !withinRange(value, range));
  const show = (x: number | null, fallback: string): string => (x === null ? fallback : String(x));
  const rangeText = range ? `[${show(range.low, '−∞')}, ${show(range.high, '∞')}] (${range.basis})` : '';
  // A driver that declares nothing about its range cannot be checked: say so rather than let the answer read as checked.
  const note = impossible
    ? `outside the range: "${options.driver}" would have to be ${value}, beyond its physical bounds [${show(physical.low, '−∞')}, ${show(physical.high, '∞')}]; no possible value reaches the target`
    : outsideRange
      ? `outside the range: ${value} lies outside the plausible range ${rangeText} of "${options.driver}"`
      : range === null
        ? `unchecked: "${options.driver}" declares no plausible range (no distribution, low/high or bounds), so ${value} is not checked against one`
        : undefined;
  return {
    driver: options.driver,
    value: impossible ? null : value,
    unconstrainedValue: value,
    range,
    outsideRange,
    impossible,
    ...(note ? { note } : {}),
    metric: options.metric,
    target: options.target,
    achieved: { npv: totals.npv, roi: Number.isFinite(metricOf(totals, 'roi')) ? metricOf(totals, 'roi') : null },
    bracket: [lo, hi],
    evaluations,
    method: "bracketing, then Brent's method; other drivers at their point values",
  };
}
