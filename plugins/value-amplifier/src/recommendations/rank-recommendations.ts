import type { SensitivityResult } from '@valueverse/plugin-calculation/api';
import type { CommittedDriver } from '@valueverse/plugin-value-committer/api';
import type { DriverRealization } from '@valueverse/plugin-value-executor/api';

/** How much the value metric moves per unit of a driver, read off the tornado analysis. */
export interface DriverSlope {
  /** Δmetric / Δdriver between the driver's low and high input (exact for drivers that act linearly). */
  readonly perUnit: number;
  /** Where the low/high came from (the calculation plugin's `basis`). */
  readonly basis: string;
}

/** The secant slope of each tornado bar whose low and high both evaluate. */
export function slopesOf(result: SensitivityResult): Map<string, DriverSlope> {
  const slopes = new Map<string, DriverSlope>();
  for (const bar of result.bars) {
    const run = bar.high.input - bar.low.input;
    if (bar.low.value === null || bar.high.value === null || run === 0) continue;
    slopes.set(bar.driver, { perUnit: (bar.high.value - bar.low.value) / run, basis: bar.basis });
  }
  return slopes;
}

export interface Recommendation {
  /** 1 = act on this first. */
  readonly rank: number;
  /**
   * `under-realized`: the gap costs value (a benefit below plan, or a cost above it); `expansion`: a benefit driver
   * over-delivers, room to grow the deal; `cost-saving`: a cost driver runs below plan (value gained, but not an
   * expansion opportunity).
   */
  readonly kind: 'under-realized' | 'expansion' | 'cost-saving';
  /** `benefit` when raising the driver raises value (positive sensitivity), `cost` when it lowers it. */
  readonly role: 'benefit' | 'cost';
  /** Where the actual stands against the committed value. */
  readonly direction: 'above-plan' | 'below-plan';
  readonly driver: string;
  readonly label: string;
  readonly unit: string;
  readonly committed: number;
  readonly actual: number;
  /** actual − committed, in driver units. */
  readonly gap: number;
  /** gap ÷ committed, or null for a driver committed at 0. */
  readonly gapRatio: number | null;
  /** Value metric per driver unit (sensitivity). */
  readonly sensitivity: number;
  readonly sensitivityBasis: string;
  /** gap × sensitivity: value lost (negative) or gained (positive) in the metric's money. */
  readonly valueImpact: number;
  readonly action: string;
}

export interface RankedRecommendations {
  readonly recommendations: Recommendation[];
  /** Committed drivers without a measurement yet. */
  readonly unmeasured: string[];
  /** Measured drivers the value metric does not respond to (no slope, or a gap worth nothing). */
  readonly neutral: string[];
}

const round = (n: number, digits = 2): number => Number(n.toFixed(digits));

/**
 * An amount as people read it in the action text, "$300,564" (issue 19, bug 7: "300563.49 USD" stood beside the
 * console's "-$300,563"); a code Intl does not know is written after the number.
 */
export function money(amount: number, currency: string): string {
  const digits = Math.abs(amount) < 100 ? 2 : 0;
  try {
    return new Intl.NumberFormat('en-US', { style: 'currency', currency, minimumFractionDigits: digits, maximumFractionDigits: digits }).format(amount);
  } catch {
    return `${round(amount).toLocaleString('en-US')} ${currency}`;
  }
}

/**
 * Ranks drivers by the value their gap is worth: |gap × sensitivity|. Drivers whose gap costs value come first
 * (largest loss first), then drivers whose gap gains value (largest gain first): a benefit driver above plan is an
 * expansion opportunity, a cost driver below plan a cost saving. The sign of the sensitivity decides which is which,
 * so a cost driver running above plan is under-realized too.
 */
export function rankRecommendations(
  drivers: readonly DriverRealization[],
  committedDrivers: readonly CommittedDriver[],
  slopes: ReadonlyMap<string, DriverSlope>,
  currency: string,
): RankedRecommendations {
  const info = new Map(committedDrivers.map((d) => [d.key, d]));
  const unmeasured: string[] = [];
  const neutral: string[] = [];
  const under: Omit<Recommendation, 'rank'>[] = [];
  const expansion: Omit<Recommendation, 'rank'>[] = [];
  for (const d of drivers) {
    if (d.actual === null) {
      unmeasured.push(d.key);
      continue;
    }
    const slope = slopes.get(d.key);
    const gap = d.actual - d.committed;
    const valueImpact = slope ? gap * slope.perUnit : 0;
    if (!slope || valueImpact === 0) {
      neutral.push(d.key);
      continue;
    }
    const meta = info.get(d.key);
    const unit = meta?.unit ?? '';
    const worth = money(Math.abs(valueImpact), currency);
    const role = slope.perUnit > 0 ? ('benefit' as const) : ('cost' as const);
    const direction = gap > 0 ? ('above-plan' as const) : ('below-plan' as const);
    // The sign of the value impact alone says good or bad; the role says what kind of good (issue #11 item 11: a
    // cost running off plan is never an "expansion opportunity").
    const kind = valueImpact < 0 ? ('under-realized' as const) : role === 'benefit' ? ('expansion' as const) : ('cost-saving' as const);
    const label = meta?.label ?? d.key;
    const where = `${round(Math.abs(gap))} ${unit} ${gap > 0 ? 'above' : 'below'} commitment`;
    const item = {
      kind,
      role,
      direction,
      driver: d.key,
      label: meta?.label ?? d.key,
      unit,
      committed: d.committed,
      actual: d.actual,
      gap,
      gapRatio: d.committed === 0 ? null : gap / d.committed,
      sensitivity: slope.perUnit,
      sensitivityBasis: slope.basis,
      valueImpact,
      action: (kind === 'under-realized'
        ? `Move ${label} from ${round(d.actual)} to the committed ${round(d.committed)} ${unit}: ${worth} of value at stake`
        : kind === 'expansion'
          ? `${label} is ${where}, worth ${worth}: an expansion opportunity`
          : `${label} is ${where}, a cost saving worth ${worth}: keep it there`
      ).replace(/ {2,}/g, ' '),
    };
    (valueImpact < 0 ? under : expansion).push(item);
  }
  const byWorth = (a: { valueImpact: number; driver: string }, b: { valueImpact: number; driver: string }) =>
    Math.abs(b.valueImpact) - Math.abs(a.valueImpact) || a.driver.localeCompare(b.driver);
  const recommendations = [...under.sort(byWorth), ...expansion.sort(byWorth)].map((r, i) => ({ rank: i + 1, ...r }));
  return { recommendations, unmeasured, neutral };
}
