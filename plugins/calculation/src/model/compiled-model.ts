import { compileExpression, type CompiledExpression } from './compile-expression';
import { buildModelGraph, type ModelGraph } from './model-graph';
import type { ParsedModel } from './parse-value-model';
import type { Driver, Formula, RampUp, ValueModel } from './value-model';

interface Step {
  readonly slot: number;
  readonly fn: CompiledExpression;
}

/** What one evaluation of the model produced, period by period (index t = 0..horizon). */
export interface ModelTrace {
  readonly benefits: Float64Array;
  readonly costs: Float64Array;
  readonly cashFlows: Float64Array;
  /** Values of formulas that change per period: formula index → values for t = 1..horizon (index t). */
  readonly periodicValues: Map<number, Float64Array>;
}

/** Totals of one evaluation. */
export interface ModelTotals {
  npv: number;
  totalBenefits: number;
  totalCosts: number;
}

/** Ramp-up share of the full benefit in each period t = 1..horizon (index 0 unused). */
export function rampUpFactors(rampUp: RampUp | undefined, horizon: number): Float64Array {
  const factors = new Float64Array(horizon + 1).fill(1);
  factors[0] = 0;
  if (rampUp === undefined) return factors;
  if (Array.isArray(rampUp)) {
    const list = rampUp as readonly number[];
    for (let t = 1; t <= horizon && t <= list.length; t++) factors[t] = list[t - 1]!;
    return factors;
  }
  const { shape, periods } = rampUp as { shape: 'linear' | 's-curve'; periods: number };
  for (let t = 1; t <= horizon && t < periods; t++) {
    const u = t / periods;
    factors[t] = shape === 'linear' ? u : u * u * (3 - 2 * u);
  }
  return factors;
}

/**
 * A value model compiled once for many evaluations (Monte Carlo trials, sensitivity bars, goal-seek iterations).
 * Variables live in a Float64Array of slots: drivers first, then formulas, then `period` and `horizon`. Formulas
 * that do not depend on `period` are evaluated once per evaluation, the others once per period.
 */
export class CompiledModel {
  readonly model: ValueModel;
  readonly parsed: ParsedModel;
  readonly graph: ModelGraph;
  readonly drivers: readonly Driver[];
  readonly formulas: readonly Formula[];
  readonly horizon: number;
  readonly slotCount: number;
  readonly periodSlot: number;
  /** Index t: share of the benefit realised in period t. */
  readonly rampUp: Float64Array;
  /** Index t: 1/(1+rate)^t (`t0`) or 1/(1+rate)^(t+1) (`excel`). */
  readonly discountFactors: Float64Array;
  readonly periodic: readonly boolean[];
  private readonly staticSteps: Step[];
  private readonly periodSteps: Step[];
  private readonly benefit: CompiledExpression;
  private readonly upfront: CompiledExpression;
  private readonly recurring: CompiledExpression;
  private readonly driverSlots: Map<string, number>;
  private readonly slots: Map<string, number>;
  private readonly baseline: Float64Array;

  constructor(parsed: ParsedModel) {
    const graph = buildModelGraph(parsed);
    const { model } = parsed;
    this.model = model;
    this.parsed = parsed;
    this.graph = graph;
    this.drivers = model.drivers;
    this.formulas = model.formulas ?? [];
    this.horizon = model.horizon;
    this.periodic = graph.periodic;
    const slots = new Map<string, number>();
    this.drivers.forEach((d, i) => slots.set(d.name, i));
    this.formulas.forEach((f, i) => slots.set(f.name, this.drivers.length + i));
    this.periodSlot = this.drivers.length + this.formulas.length;
    slots.set('period', this.periodSlot);
    slots.set('horizon', this.periodSlot + 1);
    this.slotCount = this.periodSlot + 2;
    this.driverSlots = new Map(this.drivers.map((d, i) => [d.name, i]));
    this.slots = slots;
    const slotOf = (name: string): number => slots.get(name)!;

    this.staticSteps = [];
    this.periodSteps = [];
    for (const i of graph.order) {
      const step = { slot: this.drivers.length + i, fn: compileExpression(parsed.formulaAsts[i]!, slotOf) };
      (graph.periodic[i] ? this.periodSteps : this.staticSteps).push(step);
    }
    this.benefit = compileExpression(parsed.benefitAst, slotOf);
    this.upfront = compileExpression(parsed.upfrontAst, slotOf);
    this.recurring = compileExpression(parsed.recurringAst, slotOf);

    this.rampUp = rampUpFactors(model.rampUp, this.horizon);
    const shift = model.convention === 'excel' ? 1 : 0;
    this.discountFactors = new Float64Array(this.horizon + 1);
    for (let t = 0; t <= this.horizon; t++) this.discountFactors[t] = 1 / Math.pow(1 + model.discountRate, t + shift);

    this.baseline = new Float64Array(this.slotCount);
    this.drivers.forEach((d, i) => (this.baseline[i] = d.value));
    this.baseline[this.periodSlot + 1] = this.horizon;
  }

  /** Slot of any name formulas may read (driver, formula, `period`, `horizon`). */
  slotOf(name: string): number {
    return this.slots.get(name)!;
  }

  /** Slot of a driver, or undefined for an unknown name. */
  driverSlot(name: string): number | undefined {
    return this.driverSlots.get(name);
  }

  /** A fresh slot table with every driver at its point value. */
  baseSlots(): Float64Array {
    return Float64Array.from(this.baseline);
  }

  /**
   * Evaluates the model with the driver values in `slots` (formula slots are overwritten). Fills `totals` and, when
   * given, `trace`. This is the Monte Carlo inner loop: no allocation, no lookups.
   */
  run(slots: Float64Array, totals: ModelTotals, trace?: ModelTrace): void {
    const staticSteps = this.staticSteps;
    const periodSteps = this.periodSteps;
    const df = this.discountFactors;
    const ramp = this.rampUp;
    const periodSlot = this.periodSlot;
    slots[periodSlot] = 0;
    for (let k = 0; k < staticSteps.length; k++) {
      const step = staticSteps[k]!;
      slots[step.slot] = step.fn(slots);
    }
    if (this.graph.upfrontPeriodic) {
      for (let k = 0; k < periodSteps.length; k++) {
        const step = periodSteps[k]!;
        slots[step.slot] = step.fn(slots);
      }
    }
    const upfront = this.upfront(slots);
    let npv = -upfront * df[0]!;
    let totalBenefits = 0;
    let totalCosts = upfront;
    if (trace) {
      trace.benefits[0] = 0;
      trace.costs[0] = upfront;
      trace.cashFlows[0] = 0 - upfront; // not -upfront: no upfront cost is 0, not -0
    }
    for (let t = 1; t <= this.horizon; t++) {
      slots[periodSlot] = t;
      for (let k = 0; k < periodSteps.length; k++) {
        const step = periodSteps[k]!;
        slots[step.slot] = step.fn(slots);
      }
      const benefit = ramp[t]! * this.benefit(slots);
      const cost = this.recurring(slots);
      npv += (benefit - cost) * df[t]!;
      totalBenefits += benefit;
      totalCosts += cost;
      if (trace) {
        trace.benefits[t] = benefit;
        trace.costs[t] = cost;
        trace.cashFlows[t] = benefit - cost;
        for (const [i, values] of trace.periodicValues) values[t] = slots[this.drivers.length + i]!;
      }
    }
    totals.npv = npv;
    totals.totalBenefits = totalBenefits;
    totals.totalCosts = totalCosts;
  }

  /** An empty trace sized for this model. */
  createTrace(): ModelTrace {
    const n = this.horizon + 1;
    const periodicValues = new Map<number, Float64Array>();
    this.periodic.forEach((p, i) => {
      if (p) periodicValues.set(i, new Float64Array(n));
    });
    return { benefits: new Float64Array(n), costs: new Float64Array(n), cashFlows: new Float64Array(n), periodicValues };
  }
}
