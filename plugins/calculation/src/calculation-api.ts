import { createServiceRef } from '@valueverse/plugin-sdk';
import type { PaymentTiming } from './finance/annuity';
import type { BreakEvenResult } from './finance/break-even';
import type { NpvConvention } from './finance/npv';
import type { PaybackMethod } from './finance/payback';
import type { RoiResult } from './finance/roi';
import type { TcoResult } from './finance/tco';
import type { ModelEvaluation } from './model/evaluate-model';
import type { ModelMetricName } from './model/model-metric';
import type { ValueModel } from './model/value-model';
import type { SimulationResult } from './monte-carlo/simulate';
import type { UncertainHeadline } from './monte-carlo/uncertain-headline';
import type { GoalSeekResult } from './scenario/goal-seek';
import type { RiskAdjustmentResult, RiskCase } from './scenario/risk-adjustment';
import type { SensitivityResult } from './scenario/sensitivity';
import type { WhatIfResult, WhatIfScenario } from './scenario/what-if';

// Requests use the argument names finance people know (Excel / numpy-financial), in camelCase. Rates are decimals
// per period (0.08 = 8%). Money paid out is negative, money received positive, as in Excel.

export interface NpvRequest {
  readonly rate: number;
  readonly cashFlows: readonly number[];
  /** Required: `t0` (first flow at t = 0, numpy-financial) or `excel` (first flow at t = 1, Excel NPV). */
  readonly convention: NpvConvention;
}
export interface XnpvRequest {
  readonly rate: number;
  readonly cashFlows: readonly number[];
  /** ISO dates `YYYY-MM-DD`, one per cash flow, ascending (equal dates allowed). */
  readonly dates: readonly string[];
}
export interface IrrRequest {
  readonly cashFlows: readonly number[];
  /** Picks the reported root among several (closest to guess); default 0.1. */
  readonly guess?: number;
}
export interface XirrRequest extends IrrRequest {
  readonly dates: readonly string[];
}
export interface MirrRequest {
  readonly cashFlows: readonly number[];
  readonly financeRate: number;
  readonly reinvestRate: number;
}
export interface PmtRequest {
  readonly rate: number;
  readonly nper: number;
  readonly pv: number;
  readonly fv?: number;
  readonly when?: PaymentTiming;
}
export interface PvRequest {
  readonly rate: number;
  readonly nper: number;
  readonly pmt: number;
  readonly fv?: number;
  readonly when?: PaymentTiming;
}
export interface FvRequest {
  readonly rate: number;
  readonly nper: number;
  readonly pmt: number;
  readonly pv?: number;
  readonly when?: PaymentTiming;
}
export interface NperRequest {
  readonly rate: number;
  readonly pmt: number;
  readonly pv: number;
  readonly fv?: number;
  readonly when?: PaymentTiming;
}
export interface RateRequest {
  readonly nper: number;
  readonly pmt: number;
  readonly pv: number;
  readonly fv?: number;
  readonly when?: PaymentTiming;
  readonly guess?: number;
}
export interface PaybackRequest {
  readonly cashFlows: readonly number[];
  /** `simple` (default) or `discounted` (needs `rate`). */
  readonly method?: PaybackMethod;
  readonly rate?: number;
}
export interface RoiRequest {
  /** Benefit per period, index t = period t (t = 0 undiscounted). */
  readonly benefits: readonly number[];
  /** Cost per period as positive amounts. */
  readonly costs: readonly number[];
  /** When given, ROI on present values. */
  readonly rate?: number;
}
export interface BreakEvenRequest {
  readonly fixedCosts: number;
  readonly pricePerUnit: number;
  readonly variableCostPerUnit: number;
}
export interface TcoRequest {
  readonly acquisition: number;
  /** Operating cost of periods 1..n, positive amounts. */
  readonly operatingCosts: readonly number[];
  readonly salvageValue?: number;
  readonly rate?: number;
}

export interface ResultWithFormula {
  readonly result: number;
  readonly formula: string;
}
export interface NpvResponse extends ResultWithFormula {
  readonly convention: NpvConvention;
}
export interface XnpvResponse extends ResultWithFormula {
  readonly dayCount: 'Actual/365';
}
export interface IrrResponse {
  readonly result: number;
  /** Every real root above −100%, ascending. */
  readonly roots: number[];
  readonly rule: string;
  readonly guess: number;
}
export interface XirrResponse extends IrrResponse {
  readonly dayCount: 'Actual/365';
}
export interface AnnuityResponse {
  readonly result: number;
  readonly when: PaymentTiming;
  readonly equation: string;
}
export interface PaybackResponse {
  /** Periods until payback, or null when it never pays back. */
  readonly result: number | null;
  readonly paysBack: boolean;
  readonly method: PaybackMethod;
  readonly firstCrossing?: number;
  readonly cumulative: number[];
  readonly rule: string;
}

export interface ModelRequest {
  readonly model: ValueModel;
}
export interface HeadlineRequest extends ModelRequest {
  /** Trials of the headline's simulation (default 10,000) and its seed (default 1, so a model's headline is stable). */
  readonly trials?: number;
  readonly seed?: number;
}
export interface ScenarioRequest extends ModelRequest {
  readonly scenarios: readonly WhatIfScenario[];
}
export interface RangeRequestOptions {
  /** Explicit low/high per driver name. */
  readonly ranges?: Readonly<Record<string, { readonly low: number; readonly high: number }>>;
  readonly lowPercentile?: number;
  readonly highPercentile?: number;
}
export interface SensitivityRequest extends ModelRequest, RangeRequestOptions {
  readonly metric?: ModelMetricName;
  readonly drivers?: readonly string[];
  /** Relative swing for drivers without any range (default 0.1 = ±10%). */
  readonly swing?: number;
}
export interface GoalSeekRequest extends ModelRequest {
  readonly driver: string;
  readonly metric?: ModelMetricName;
  readonly target: number;
  readonly min?: number;
  readonly max?: number;
}
export interface RiskAdjustmentRequest extends ModelRequest, RangeRequestOptions {
  /** Weights on the output's low / P50 / high percentiles (default Swanson's 0.3 / 0.4 / 0.3). */
  readonly weights?: Readonly<Record<RiskCase, number>>;
  /** Trials of the simulation the cases are read from (default 10,000) and its seed (default 1). */
  readonly trials?: number;
  readonly seed?: number;
}
export interface SimulateRequest extends ModelRequest {
  /** 1 to 1,000,000. */
  readonly trials: number;
  /** Unsigned 32-bit integer; a random one is chosen (and returned) when absent. */
  readonly seed?: number;
  readonly metric?: ModelMetricName;
  readonly target?: number;
  /** Histogram bins, 1 to 200 (default 20). */
  readonly bins?: number;
  /** Extra quantiles to report, fractions in [0, 1] (at most 99), e.g. `[0.2]` for P80's committed value. */
  readonly quantiles?: readonly number[];
  /** Wall-clock budget in ms (default and maximum set by the service limits). */
  readonly timeBudgetMs?: number;
}

/** Run-time options of a budgeted evaluation that do not travel in the request body. */
export interface ComputeContext {
  /** Stops the evaluation (a client that went away); a worker running it is stopped. */
  readonly signal?: AbortSignal;
  /** The tenant whose compute budget applies; default: the tenant of the request being served. */
  readonly tenantId?: string;
}

/** Run-time options of a simulation that do not travel in the request body. */
export type SimulateContext = ComputeContext;

/**
 * The calculation engine, in-process, for other plugins (committer, amplifier). Same functions, arguments and
 * results as the `/api/v1/calculate/*` routes. Invalid input throws `VvError('VV_VALIDATION')` with JSON pointers;
 * a model whose `correlations` cannot hold throws `VvError('VV_CORRELATION_INVALID')` (422); inputs without a
 * solution throw `VvError('VV_NO_SOLUTION')`. Every answer that simulates states its `dependence` assumption.
 *
 * @example
 * const { result, roots } = calc.irr({ cashFlows: [-100, 39, 59, 55, 20] }); // 0.2809..., [0.2809...]
 */
export interface CalculationService {
  npv(request: NpvRequest): NpvResponse;
  xnpv(request: XnpvRequest): XnpvResponse;
  irr(request: IrrRequest): IrrResponse;
  xirr(request: XirrRequest): XirrResponse;
  mirr(request: MirrRequest): ResultWithFormula;
  pmt(request: PmtRequest): AnnuityResponse;
  pv(request: PvRequest): AnnuityResponse;
  fv(request: FvRequest): AnnuityResponse;
  nper(request: NperRequest): AnnuityResponse;
  rate(request: RateRequest): AnnuityResponse;
  payback(request: PaybackRequest): PaybackResponse;
  roi(request: RoiRequest): RoiResult;
  breakEven(request: BreakEvenRequest): BreakEvenResult;
  tco(request: TcoRequest): TcoResult;
  // Value-model operations run under the tenant's compute budget (plugin config `computeBudgetMs`), off the event
  // loop in a worker thread unless tiny; over budget they reject with 422 VV_COMPUTE_BUDGET_EXCEEDED.
  evaluateModel(request: ModelRequest, context?: ComputeContext): Promise<ModelEvaluation>;
  /**
   * Expected NPV and P(NPV > 0) beside the point NPV, from a seeded simulation with the model's correlations, and a
   * warning when the point and expected NPV differ in sign; null when no driver is uncertain. Shown wherever a model
   * is evaluated as a headline (`/calculate/model`, stored-model evaluation).
   */
  headline(request: HeadlineRequest, context?: ComputeContext): Promise<UncertainHeadline | null>;
  scenario(request: ScenarioRequest, context?: ComputeContext): Promise<WhatIfResult>;
  sensitivity(request: SensitivityRequest, context?: ComputeContext): Promise<SensitivityResult>;
  goalSeek(request: GoalSeekRequest, context?: ComputeContext): Promise<GoalSeekResult>;
  /** Risk cases read off the simulated NPV (P10 / P50 / P90 by default) and their Swanson-weighted value. */
  riskAdjustment(request: RiskAdjustmentRequest, context?: ComputeContext): Promise<RiskAdjustmentResult>;
  simulate(request: SimulateRequest, context?: SimulateContext): Promise<SimulationResult>;
}

/** The `calculation` service ref other plugins depend on (manifest: `"requires": { "calculation": "^1.0.0" }`). */
export const calculationRef = createServiceRef<CalculationService>({ id: 'calculation' });

// What a dependant needs beside the service: the value model it passes and the results it gets back, and the
// model's JSON Schema for its own routes. Types are erased and the schema module loads only the model's limits, so
// `@valueverse/plugin-calculation/api` gives all of it without loading the plugin.
export type { ValueModel, Driver, Formula, RampUp, ModelCosts, DriverCorrelation } from './model/value-model';
export type { Distribution, DistributionType } from './monte-carlo/distributions';
export type { Dependence } from './monte-carlo/correlation-matrix';
export type { ModelEvaluation, ModelMetrics, PeriodFigures } from './model/evaluate-model';
export type { ModelMetricName } from './model/model-metric';
export type { WhatIfScenario, WhatIfResult, ScenarioSummary } from './scenario/what-if';
export type { SensitivityResult, TornadoBar } from './scenario/sensitivity';
export type { GoalSeekResult } from './scenario/goal-seek';
export type { RiskAdjustmentResult, RiskCase } from './scenario/risk-adjustment';
export type { SimulationResult } from './monte-carlo/simulate';
export type { UncertainHeadline } from './monte-carlo/uncertain-headline';
export type { SummaryStatistics, HistogramBin } from './monte-carlo/summary-statistics';
export { valueModelSchema } from './http/model-schemas';
