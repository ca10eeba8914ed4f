import { evaluateModel, type ModelEvaluation } from '../model/evaluate-model';
import type { LoadedModel } from '../model/load-value-model';

/**
 * The figures of one scenario. `irr` and the paybacks are per period, as the model's flows are; `irrAnnual` and the
 * `…Years` figures restate them a year with the model's `periodsPerYear` (issue #11 item 9: a monthly model's IRR
 * 0.048 is 75.5% a year, and nothing in a scenario answer said so).
 */
export interface ScenarioSummary {
  readonly npv: number;
  readonly irr: number | null;
  readonly irrAnnual: number | null;
  readonly roi: number | null;
  readonly payback: number | null;
  readonly paybackYears: number | null;
  readonly discountedPayback: number | null;
  readonly discountedPaybackYears: number | null;
  readonly periodsPerYear: number;
  readonly totalBenefits: number;
  readonly totalCosts: number;
  readonly cashFlows: number[];
}

export interface WhatIfScenario {
  readonly name: string;
  /** Driver name → value replacing the driver's point value. */
  readonly overrides: Readonly<Record<string, number>>;
  /** Optional probability of the scenario; when every scenario has one, they must add up to 1. */
  readonly probability?: number;
}

export interface WhatIfResult {
  readonly base: ScenarioSummary;
  readonly scenarios: Array<{
    readonly name: string;
    readonly overrides: Readonly<Record<string, number>>;
    readonly probability?: number;
    readonly result: ScenarioSummary;
    /** Scenario minus base; null where either side has no value. */
    readonly delta: { readonly npv: number; readonly roi: number | null; readonly irr: number | null };
  }>;
  /** Present when every scenario carries a probability. */
  readonly probabilityWeighted?: { readonly npv: number; readonly roi: number | null; readonly rule: string };
}

export function summarize(evaluation: ModelEvaluation): ScenarioSummary {
  const { metrics } = evaluation;
  return {
    npv: metrics.npv.value,
    irr: metrics.irr.value,
    irrAnnual: metrics.irr.annual,
    roi: metrics.roi.value,
    payback: metrics.payback.value,
    paybackYears: metrics.payback.years,
    discountedPayback: metrics.discountedPayback.value,
    discountedPaybackYears: metrics.discountedPayback.years,
    periodsPerYear: metrics.irr.periodsPerYear,
    totalBenefits: metrics.roi.totalBenefits,
    totalCosts: metrics.roi.totalCosts,
    cashFlows: evaluation.cashFlows,
  };
}

/** Slots with the model's point values, then `overrides` applied (names must be drivers: checked by the caller). */
export function slotsWithOverrides(loaded: LoadedModel, overrides: Readonly<Record<string, number>>): Float64Array {
  const slots = loaded.compiled.baseSlots();
  for (const [name, value] of Object.entries(overrides)) slots[loaded.compiled.driverSlot(name)!] = value;
  return slots;
}

const diff = (a: number | null, b: number | null): number | null => (a === null || b === null ? null : a - b);

/** What-if: recomputes the model for each set of driver overrides and compares it with the base case. */
export function runWhatIf(loaded: LoadedModel, scenarios: readonly WhatIfScenario[]): WhatIfResult {
  const base = summarize(evaluateModel(loaded.compiled, loaded.parsed));
  const results = scenarios.map((s) => {
    const result = summarize(evaluateModel(loaded.compiled, loaded.parsed, slotsWithOverrides(loaded, s.overrides)));
    return {
      name: s.name,
      overrides: s.overrides,
      ...(s.probability === undefined ? {} : { probability: s.probability }),
      result,
      delta: { npv: result.npv - base.npv, roi: diff(result.roi, base.roi), irr: diff(result.irr, base.irr) },
    };
  });
  if (scenarios.length === 0 || scenarios.some((s) => s.probability === undefined)) return { base, scenarios: results };
  const npv = results.reduce((sum, r) => sum + r.probability! * r.result.npv, 0);
  const roi = results.some((r) => r.result.roi === null) ? null : results.reduce((sum, r) => sum + r.probability! * r.result.roi!, 0);
  return {
    base,
    scenarios: results,
    probabilityWeighted: { npv, roi, rule: 'Σ probability_i × metric_i over the scenarios (IRR is not averaged: it is not additive)' },
  };
}
