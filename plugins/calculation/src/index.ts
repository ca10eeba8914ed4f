export { plugin } from './plugin';
export { calculationRef } from './calculation-api';
export type {
  CalculationService,
  NpvRequest,
  NpvResponse,
  XnpvRequest,
  XnpvResponse,
  IrrRequest,
  IrrResponse,
  XirrRequest,
  XirrResponse,
  MirrRequest,
  PmtRequest,
  PvRequest,
  FvRequest,
  NperRequest,
  RateRequest,
  AnnuityResponse,
  PaybackRequest,
  PaybackResponse,
  RoiRequest,
  BreakEvenRequest,
  TcoRequest,
  ResultWithFormula,
  ModelRequest,
  ScenarioRequest,
  HeadlineRequest,
  RangeRequestOptions,
  SensitivityRequest,
  GoalSeekRequest,
  RiskAdjustmentRequest,
  SimulateRequest,
  SimulateContext,
  ComputeContext,
} from './calculation-api';
export { createCalculationService } from './create-calculation-service';
export type { ComputeOptions } from './compute/budgeted-model-operations';
export { ComputePool, type ComputePoolOptions } from './compute/compute-pool';
export { DEFAULT_COMPUTE_BUDGET_MS, MAX_COMPUTE_BUDGET_MS } from './compute/compute-budget';
export type { CalculationLimits } from './service/model-operations';
export type { NpvConvention } from './finance/npv';
export type { PaymentTiming } from './finance/annuity';
export type { PaybackMethod } from './finance/payback';
export type { RoiResult } from './finance/roi';
export type { BreakEvenResult } from './finance/break-even';
export type { TcoResult } from './finance/tco';
export type { ValueModel, Driver, Formula, RampUp, ModelCosts } from './model/value-model';
export type { Distribution, DistributionType } from './monte-carlo/distributions';
export type { ModelEvaluation, ModelMetrics, PeriodFigures } from './model/evaluate-model';
export type { ModelMetricName } from './model/model-metric';
export type { WhatIfScenario, WhatIfResult, ScenarioSummary } from './scenario/what-if';
export type { SensitivityResult, TornadoBar } from './scenario/sensitivity';
export type { GoalSeekResult } from './scenario/goal-seek';
export type { RiskAdjustmentResult, RiskCase } from './scenario/risk-adjustment';
export type { SimulationResult } from './monte-carlo/simulate';
export type { UncertainHeadline } from './monte-carlo/uncertain-headline';
export type { Dependence } from './monte-carlo/correlation-matrix';
export type { DriverCorrelation } from './model/value-model';
export type { SummaryStatistics, HistogramBin } from './monte-carlo/summary-statistics';
export { valueModelSchema } from './http/model-schemas';
