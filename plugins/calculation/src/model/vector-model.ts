import type { CompiledModel } from './compiled-model';
import { compileVectorExpression, type VectorNode, type VectorStore } from './compile-vector-expression';
import { referencedNames } from './expression-parser';

/** Per-trial totals of one slice, index k = trial k of the slice. */
export interface SliceTotals {
  readonly npv: Float64Array;
  readonly totalBenefits: Float64Array;
  readonly totalCosts: Float64Array;
}

/**
 * A value model evaluated for a whole slice of Monte Carlo trials at once: the drivers drawn per trial are columns
 * (Float64Array, filled by the samplers in place), every other driver is a scalar, and each formula is a column
 * exactly when it depends on a drawn driver. Per trial the arithmetic is the same as `CompiledModel.run`, in the same
 * order, so a trial's result is bit-identical to a scalar evaluation with the same driver values.
 */
export class VectorModel {
  /** Column each drawn driver is sampled into, in the order of `drawnSlots`. */
  readonly driverColumns: Float64Array[];
  readonly totals: SliceTotals;
  private readonly store: VectorStore;
  private readonly staticFormulas: Array<{ slot: number; node: VectorNode }> = [];
  private readonly periodFormulas: Array<{ slot: number; node: VectorNode }> = [];
  private readonly benefit: VectorNode;
  private readonly upfront: VectorNode;
  private readonly recurring: VectorNode;
  private readonly spreadBenefit: Float64Array;
  private readonly spreadCost: Float64Array;

  constructor(
    private readonly compiled: CompiledModel,
    /** Slots of the drivers drawn per trial. */
    readonly drawnSlots: readonly number[],
    readonly capacity: number,
  ) {
    const { parsed, graph } = compiled;
    const isColumn = new Uint8Array(compiled.slotCount);
    for (const slot of drawnSlots) isColumn[slot] = 1;
    const driverCount = compiled.drivers.length;
    for (const i of graph.order) {
      const reads = referencedNames(parsed.formulaAsts[i]!);
      if ([...reads.keys()].some((name) => isColumn[compiled.slotOf(name)] === 1)) isColumn[driverCount + i] = 1;
    }
    const scalars = compiled.baseSlots();
    const columns: Float64Array[] = [];
    this.driverColumns = drawnSlots.map((slot) => (columns[slot] = new Float64Array(capacity)));
    this.store = { columns, scalars, capacity, isColumn: (slot) => isColumn[slot] === 1 };
    const slotOf = (name: string): number => compiled.slotOf(name);
    for (const i of graph.order) {
      const entry = { slot: driverCount + i, node: compileVectorExpression(parsed.formulaAsts[i]!, slotOf, this.store) };
      (graph.periodic[i] ? this.periodFormulas : this.staticFormulas).push(entry);
    }
    this.benefit = compileVectorExpression(parsed.benefitAst, slotOf, this.store);
    this.upfront = compileVectorExpression(parsed.upfrontAst, slotOf, this.store);
    this.recurring = compileVectorExpression(parsed.recurringAst, slotOf, this.store);
    this.spreadBenefit = new Float64Array(capacity);
    this.spreadCost = new Float64Array(capacity);
    this.totals = { npv: new Float64Array(capacity), totalBenefits: new Float64Array(capacity), totalCosts: new Float64Array(capacity) };
  }

  private assign(formulas: ReadonlyArray<{ slot: number; node: VectorNode }>, n: number): void {
    const { columns, scalars } = this.store;
    for (const { slot, node } of formulas) {
      if (node.scalar) scalars[slot] = node.value();
      else columns[slot] = node.column(n);
    }
  }

  private values(node: VectorNode, spread: Float64Array, n: number): Float64Array {
    return node.scalar ? spread.fill(node.value(), 0, n) : node.column(n);
  }

  /** Evaluates trials 0..n−1 of the slice from the values in `driverColumns`; results land in `totals`. */
  run(n: number): SliceTotals {
    const { compiled, store, totals } = this;
    const { npv, totalBenefits, totalCosts } = totals;
    const periodSlot = compiled.periodSlot;
    const df = compiled.discountFactors;
    store.scalars[periodSlot] = 0;
    this.assign(this.staticFormulas, n);
    if (compiled.graph.upfrontPeriodic) this.assign(this.periodFormulas, n);
    const upfront = this.values(this.upfront, this.spreadCost, n);
    const df0 = df[0]!;
    for (let k = 0; k < n; k++) {
      npv[k] = -upfront[k]! * df0;
      totalBenefits[k] = 0;
      totalCosts[k] = upfront[k]!;
    }
    for (let t = 1; t <= compiled.horizon; t++) {
      store.scalars[periodSlot] = t;
      this.assign(this.periodFormulas, n);
      const benefits = this.values(this.benefit, this.spreadBenefit, n);
      const costs = this.values(this.recurring, this.spreadCost, n);
      const ramp = compiled.rampUp[t]!;
      const d = df[t]!;
      for (let k = 0; k < n; k++) {
        const benefit = ramp * benefits[k]!;
        const cost = costs[k]!;
        npv[k]! += (benefit - cost) * d;
        totalBenefits[k]! += benefit;
        totalCosts[k]! += cost;
      }
    }
    return totals;
  }
}
