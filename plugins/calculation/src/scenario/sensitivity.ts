import type { ModelTotals } from '../model/compiled-model';
import type { LoadedModel } from '../model/load-value-model';
import { metricOf, type ModelMetricName } from '../model/model-metric';
import { driverRange, type RangeOptions } from './driver-range';

export interface TornadoBar {
  readonly driver: string;
  readonly unit?: string;
  readonly basis: string;
  /** `value` is null when the metric is undefined there (e.g. ROI with no costs, a division by zero). */
  readonly low: { readonly input: number; readonly value: number | null };
  readonly high: { readonly input: number; readonly value: number | null };
  /** |value at high − value at low| (null when either is): the bars are sorted by it, widest first. */
  readonly swing: number | null;
}

export interface SensitivityResult {
  readonly metric: ModelMetricName;
  readonly base: number | null;
  readonly bars: TornadoBar[];
  readonly rule: string;
}

export interface SensitivityOptions extends RangeOptions {
  readonly metric: ModelMetricName;
  /** Only these drivers (default: all). */
  readonly drivers?: readonly string[];
}

/**
 * Tornado analysis: each driver moved alone to its low and then its high value (every other driver at its point
 * value), the metric recomputed, the bars sorted by swing.
 */
export function sensitivity(loaded: LoadedModel, options: SensitivityOptions): SensitivityResult {
  const { compiled } = loaded;
  const slots = compiled.baseSlots();
  const totals: ModelTotals = { npv: 0, totalBenefits: 0, totalCosts: 0 };
  const measure = (): number | null => {
    compiled.run(slots, totals);
    const value = metricOf(totals, options.metric);
    return Number.isFinite(value) ? value : null;
  };
  const base = measure();
  const wanted = options.drivers ? new Set(options.drivers) : undefined;
  const bars: TornadoBar[] = [];
  compiled.drivers.forEach((driver, i) => {
    if (wanted && !wanted.has(driver.name)) return;
    const range = driverRange(driver, { swing: 0.1, ...options });
    if (!range) return;
    slots[i] = range.low;
    const low = measure();
    slots[i] = range.high;
    const high = measure();
    slots[i] = driver.value;
    bars.push({
      driver: driver.name,
      ...(driver.unit === undefined ? {} : { unit: driver.unit }),
      basis: range.basis,
      low: { input: range.low, value: low },
      high: { input: range.high, value: high },
      swing: low === null || high === null ? null : Math.abs(high - low),
    });
  });
  bars.sort((a, b) => (b.swing ?? -1) - (a.swing ?? -1) || a.driver.localeCompare(b.driver));
  return {
    metric: options.metric,
    base,
    bars,
    rule: 'one driver at a time at its low and high (request range > driver low/high > distribution percentiles > ±swing of the point value), others at point values; sorted by |high − low|',
  };
}
