import { Injectable, inject } from '@angular/core';
import { ApiClient } from '../api/api-client';
import type { ApiRequestBody } from '../api/api-types';

/** The calculation plugin's value model, as `POST /api/v1/calculate/model` declares it (generated, api-types.ts). */
export type ValueModel = ApiRequestBody<'/api/v1/calculate/model', 'post'>['model'];
export type Driver = ValueModel['drivers'][number];
export type Distribution = NonNullable<Driver['distribution']>;
export type Formula = NonNullable<ValueModel['formulas']>[number];

export interface PeriodFigures {
  readonly period: number;
  readonly benefit: number;
  readonly cost: number;
  readonly cashFlow: number;
  readonly presentValue: number;
  readonly cumulativeCashFlow: number;
  readonly cumulativePresentValue: number;
}

export interface ModelEvaluation {
  readonly drivers: Record<string, number>;
  readonly periods: readonly PeriodFigures[];
  readonly cashFlows: readonly number[];
  readonly metrics: {
    readonly npv: { readonly value: number; readonly formula: string };
    readonly irr: { readonly value: number | null };
    readonly roi: { readonly value: number | null; readonly totalBenefits: number; readonly totalCosts: number };
    readonly payback: { readonly value: number | null; readonly paysBack: boolean };
    readonly discountedPayback: { readonly value: number | null; readonly paysBack: boolean };
  };
}

/** One bar of the calculation plugin's tornado (`POST /calculate/sensitivity`). */
export interface TornadoBar {
  readonly driver: string;
  readonly unit?: string;
  readonly low: { readonly input: number; readonly value: number | null };
  readonly high: { readonly input: number; readonly value: number | null };
  readonly swing: number | null;
}

export interface SensitivityResult {
  readonly metric: string;
  readonly base: number | null;
  readonly bars: readonly TornadoBar[];
}

export interface HistogramBin {
  readonly from: number;
  readonly to: number;
  readonly count: number;
}

export interface SimulationResult {
  readonly metric: 'npv' | 'roi';
  readonly trials: number;
  readonly seed: number;
  readonly mean: number;
  readonly standardDeviation: number;
  readonly min: number;
  readonly max: number;
  readonly percentiles: { readonly p5: number; readonly p10: number; readonly p50: number; readonly p90: number; readonly p95: number };
  readonly probabilityAboveTarget: number;
  readonly target: number;
  readonly histogram: readonly HistogramBin[];
  readonly stochasticDrivers: readonly string[];
}

/** POST /api/v1/calculate/* (the calculation plugin). */
@Injectable({ providedIn: 'root' })
export class CalculationApi {
  private readonly api = inject(ApiClient);

  evaluate(model: ValueModel, signal?: AbortSignal): Promise<ModelEvaluation> {
    return this.api.post('/api/v1/calculate/model', { model }, undefined, signal);
  }

  /** Tornado sensitivity of NPV: each driver alone at its low and high value, widest swing first. */
  sensitivity(model: ValueModel, signal?: AbortSignal): Promise<SensitivityResult> {
    return this.api.post('/api/v1/calculate/sensitivity', { model, metric: 'npv' }, undefined, signal);
  }

  simulate(model: ValueModel, options: { trials: number; seed: number; bins?: number }, signal?: AbortSignal): Promise<SimulationResult> {
    return this.api.post('/api/v1/calculate/simulate', { model, ...options }, undefined, signal);
  }
}

/** The model with some drivers set to other values (what-if). */
export function withDriverValues(model: ValueModel, values: Readonly<Record<string, number>>): ValueModel {
  return { ...model, drivers: model.drivers.map((d) => (d.name in values ? { ...d, value: values[d.name]! } : d)) };
}

/** Slider bounds for a driver: its low/high, else its distribution's range, else ±50 % of its value. */
/** A model's currency: the ISO code its formulas' units start with (`USD/year`), else USD. */
export function modelCurrency(model: ValueModel): string {
  for (const f of model.formulas ?? []) {
    const code = /^([A-Z]{3})\b/.exec(f.unit ?? '')?.[1];
    if (code) return code;
  }
  return 'USD';
}

export function driverRange(driver: Driver): { min: number; max: number; step: number } {
  let min = driver.low ?? driver.distribution?.min;
  let max = driver.high ?? driver.distribution?.max;
  if (min === undefined || max === undefined || !(max > min)) {
    const v = driver.value;
    [min, max] = v === 0 ? [0, 100] : v > 0 ? [v * 0.5, v * 1.5] : [v * 1.5, v * 0.5];
  }
  min = Math.min(min, driver.value);
  max = Math.max(max, driver.value);
  const raw = (max - min) / 100;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? raw;
  return { min, max, step };
}
