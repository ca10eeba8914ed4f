import { distributionQuantile } from '../monte-carlo/distributions';
import type { Driver } from '../model/value-model';

/** A driver's low and high values for sensitivity and risk adjustment, and where they came from. */
export interface DriverRange {
  readonly low: number;
  readonly high: number;
  readonly basis: string;
}

export interface RangeOptions {
  /** Explicit ranges from the request, by driver name (highest precedence). */
  readonly overrides?: Readonly<Record<string, { readonly low: number; readonly high: number }>>;
  /** Percentiles read from a driver's distribution (default P10 / P90). */
  readonly lowPercentile?: number;
  readonly highPercentile?: number;
  /** Relative swing around the point value for drivers with no range at all; undefined: such drivers have none. */
  readonly swing?: number;
}

const percent = (p: number): string => `P${Math.round(p * 1000) / 10}`;

/**
 * The range of a driver, by precedence: the request's explicit range; the driver's own `low`/`high`; the chosen
 * percentiles of its distribution; ±`swing` × |value|. Undefined when none applies.
 */
export function driverRange(driver: Driver, options: RangeOptions = {}): DriverRange | undefined {
  const explicit = options.overrides?.[driver.name];
  if (explicit) return { low: explicit.low, high: explicit.high, basis: 'request range' };
  if (driver.low !== undefined && driver.high !== undefined) return { low: driver.low, high: driver.high, basis: 'driver low/high' };
  const lowP = options.lowPercentile ?? 0.1;
  const highP = options.highPercentile ?? 0.9;
  if (driver.distribution) {
    return {
      low: distributionQuantile(driver.distribution, lowP),
      high: distributionQuantile(driver.distribution, highP),
      basis: `${driver.distribution.type} ${percent(lowP)}/${percent(highP)}`,
    };
  }
  if (options.swing !== undefined) {
    const delta = Math.abs(driver.value) * options.swing;
    return { low: driver.value - delta, high: driver.value + delta, basis: `point value ±${Math.round(options.swing * 1000) / 10}%` };
  }
  return undefined;
}
