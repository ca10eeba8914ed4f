import type { NpvConvention } from '../finance/npv';
import type { Distribution } from '../monte-carlo/distributions';

/** A named input of a value model: a point value, optionally a distribution and an explicit low/high range. */
export interface Driver {
  /** Identifier used in formulas: letters, digits and `_`, not starting with a digit. */
  readonly name: string;
  /** Unit for people (e.g. "hours/week", "USD"); formulas do not check units. */
  readonly unit?: string;
  /** The point (most likely) value, used by deterministic evaluation. */
  readonly value: number;
  /** Uncertainty for Monte Carlo, sensitivity and risk adjustment. */
  readonly distribution?: Distribution;
  /** Explicit low / high values for sensitivity and risk adjustment (take precedence over the distribution). */
  readonly low?: number;
  readonly high?: number;
  /**
   * Physical bounds: values the driver cannot take whatever the evidence (a rate in 0..1, a count ≥ 0). Goal seek
   * and what-it-takes never answer a value outside them. Either end may be absent.
   */
  readonly bounds?: { readonly min?: number; readonly max?: number };
  readonly description?: string;
}

/** Spearman rank correlation `rho` (−1..1) between the draws of drivers `a` and `b` (issue #11, "Names to keep"). */
export interface DriverCorrelation {
  readonly a: string;
  readonly b: string;
  readonly rho: number;
}

/** A named expression over drivers, other formulas and the built-ins `period` and `horizon`. */
export interface Formula {
  readonly name: string;
  readonly expression: string;
  readonly unit?: string;
  readonly description?: string;
}

/**
 * The share of the full benefit realised in each period: a list for periods 1..k (periods after k get 1, the full
 * benefit), or a shape reaching 1 at `periods`: `linear` (t/periods) or `s-curve` (smoothstep 3u² − 2u³, u = t/periods).
 */
export type RampUp = readonly number[] | { readonly shape: 'linear' | 's-curve'; readonly periods: number };

/** Costs as numbers or expressions: `upfront` at t = 0 (where `period` is 0), `recurring` in each period 1..horizon. */
export interface ModelCosts {
  readonly upfront?: number | string;
  readonly recurring?: number | string;
}

/**
 * A value model. Per period t = 1..horizon: cash flow = rampUp(t) × benefit(t) − recurring(t); at t = 0 the cash
 * flow is −upfront. `discountRate` is per period (annual for yearly periods).
 *
 * @example
 * {
 *   horizon: 5, discountRate: 0.1,
 *   drivers: [{ name: 'users', unit: 'people', value: 200, distribution: { type: 'pert', min: 150, mode: 200, max: 260 } },
 *             { name: 'hoursSaved', unit: 'h/year', value: 40 }, { name: 'rate', unit: 'USD/h', value: 55 }],
 *   formulas: [{ name: 'savings', expression: 'users * hoursSaved * rate' }],
 *   benefit: 'savings', costs: { upfront: 150000, recurring: '20000 * 1.03^(period-1)' }, rampUp: [0.5, 0.8],
 * }
 */
export interface ValueModel {
  readonly name?: string;
  readonly horizon: number;
  readonly discountRate: number;
  /** How NPV places the flows; default `t0` (upfront cost at t = 0, undiscounted). */
  readonly convention?: NpvConvention;
  readonly drivers: readonly Driver[];
  readonly formulas?: readonly Formula[];
  /** Expression (usually a formula name) for the full benefit of period t. */
  readonly benefit: string;
  readonly costs?: ModelCosts;
  readonly rampUp?: RampUp;
  /** Periods in a year (12 for a monthly model; default 1): answers add IRR a year and payback in years. */
  readonly periodsPerYear?: number;
  /** Rank correlations between drivers with distributions; absent: drivers are drawn independently (and answers say so). */
  readonly correlations?: readonly DriverCorrelation[];
}

/** Names every formula may read besides drivers and formulas. */
export const builtinNames = ['period', 'horizon'] as const;

// Size limits keep every request bounded: a sensitivity run evaluates the model twice per driver, so the worst
// case is about 2 × drivers × horizon × formulas closure calls (2 × 200 × 600 × 500 = 1.2e8, well under a second).
/** Most periods: 50 years of monthly periods. */
export const MAX_HORIZON = 600;
export const MAX_DRIVERS = 200;
export const MAX_FORMULAS = 500;
/** Most correlation pairs: every pair of 30 correlated drivers. */
export const MAX_CORRELATIONS = 435;
/** Most periods in a year: daily periods. */
export const MAX_PERIODS_PER_YEAR = 366;
