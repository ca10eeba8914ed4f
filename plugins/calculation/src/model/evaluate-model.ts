import { VvError } from '@valueverse/plugin-sdk';
import { countSignChanges, DEFAULT_IRR_GUESS, IRR_RULE, irrRoots, MAX_IRR_SIGN_CHANGES, pickRoot } from '../finance/irr';
import { payback, PAYBACK_RULE } from '../finance/payback';
import type { CompiledModel, ModelTotals, ModelTrace } from './compiled-model';
import type { ParsedModel } from './parse-value-model';

export interface PeriodFigures {
  readonly period: number;
  readonly rampUp: number;
  readonly benefit: number;
  readonly cost: number;
  readonly cashFlow: number;
  readonly discountFactor: number;
  readonly presentValue: number;
  readonly cumulativeCashFlow: number;
  readonly cumulativePresentValue: number;
}

/** The headline figures of a model, each with the formula and convention behind it. */
export interface ModelMetrics {
  readonly npv: { readonly value: number; readonly formula: string; readonly convention: string; readonly discountRate: number };
  /**
   * `value` and `perPeriod` are per period; `annual` is (1 + perPeriod)^periodsPerYear − 1 (issue #11 item 9: a
   * monthly model's 0.04796 is 75.5% a year).
   */
  readonly irr: {
    readonly value: number | null;
    readonly perPeriod: number | null;
    readonly annual: number | null;
    readonly periodsPerYear: number;
    readonly roots: number[];
    readonly rule: string;
    readonly note?: string;
  };
  readonly roi: {
    readonly value: number | null;
    readonly totalBenefits: number;
    readonly totalCosts: number;
    readonly formula: string;
  };
  /** `value` in periods, `years` = value / periodsPerYear. */
  readonly payback: { readonly value: number | null; readonly years: number | null; readonly paysBack: boolean; readonly firstCrossing?: number; readonly rule: string };
  readonly discountedPayback: {
    readonly value: number | null;
    readonly years: number | null;
    readonly paysBack: boolean;
    readonly firstCrossing?: number;
    readonly rule: string;
  };
}

export interface ModelEvaluation {
  readonly name?: string;
  /** Driver values used (point values, or overridden ones). */
  readonly drivers: Record<string, number>;
  /** Formula values: a number, or one value per period 1..horizon for formulas that read `period`. */
  readonly formulas: Record<string, number | number[]>;
  readonly periods: PeriodFigures[];
  /** Cash flow per period, t = 0..horizon. */
  readonly cashFlows: number[];
  readonly metrics: ModelMetrics;
}

export const MODEL_CASH_FLOW_RULE = 'CF_0 = −upfront; CF_t = rampUp_t × benefit_t − recurring_t for t = 1..horizon';

export const MODEL_ROI_FORMULA = 'ROI = (Σ benefits − Σ costs) / Σ costs, nominal, over t = 0..horizon (costs = upfront + Σ recurring)';

function npvFormulaFor(convention: string): string {
  return convention === 'excel' ? 'NPV = Σ_{t=0..horizon} CF_t / (1+discountRate)^(t+1)' : 'NPV = Σ_{t=0..horizon} CF_t / (1+discountRate)^t';
}

function conventionText(convention: string): string {
  return convention === 'excel'
    ? 'excel: every flow, the upfront cost included, discounted from the end of its period (CF_0 one period)'
    : 't0: upfront cost at t = 0 undiscounted, period t flows at the end of period t';
}

/** Fails with VV_VALIDATION naming the expression that produced a non-finite number (e.g. a division by zero). */
function assertFinite(compiled: CompiledModel, parsed: ParsedModel, slots: Float64Array, trace: ModelTrace): void {
  const base = parsed.pointer;
  const { cashFlows, costs } = trace;
  for (let i = 0; i < compiled.formulas.length; i++) {
    const values = trace.periodicValues.get(i);
    const bad = values ? values.subarray(1).findIndex((v) => !Number.isFinite(v)) : Number.isFinite(slots[compiled.drivers.length + i]!) ? -1 : 0;
    if (bad >= 0) {
      const value = values ? values[bad + 1]! : slots[compiled.drivers.length + i]!;
      const when = values ? ` in period ${bad + 1}` : '';
      throw VvError.validation([
        { pointer: `${base}/formulas/${i}/expression`, message: `formula "${compiled.formulas[i]!.name}" evaluates to ${value}${when} (division by zero or overflow?)` },
      ]);
    }
  }
  for (let t = 0; t < cashFlows.length; t++) {
    if (Number.isFinite(cashFlows[t]!)) continue;
    const where = t === 0 ? 'costs/upfront' : Number.isFinite(costs[t]!) ? 'benefit' : 'costs/recurring';
    throw VvError.validation([{ pointer: `${base}/${where}`, message: `evaluates to a non-finite value in period ${t} (division by zero or overflow?)` }]);
  }
}

/**
 * Evaluates a model once (drivers as in `slots`, default their point values): cash flows per period and the headline
 * metrics, with the formula and convention behind each figure.
 */
export function evaluateModel(compiled: CompiledModel, parsed: ParsedModel, slots = compiled.baseSlots()): ModelEvaluation {
  const trace = compiled.createTrace();
  const totals: ModelTotals = { npv: 0, totalBenefits: 0, totalCosts: 0 };
  compiled.run(slots, totals, trace);
  assertFinite(compiled, parsed, slots, trace);

  const { model } = compiled;
  const convention = model.convention ?? 't0';
  const cashFlows = Array.from(trace.cashFlows);
  const periods: PeriodFigures[] = [];
  let cumulative = 0;
  let cumulativePv = 0;
  for (let t = 0; t <= compiled.horizon; t++) {
    const df = compiled.discountFactors[t]!;
    cumulative += cashFlows[t]!;
    cumulativePv += cashFlows[t]! * df;
    periods.push({
      period: t,
      rampUp: compiled.rampUp[t]!,
      benefit: trace.benefits[t]!,
      cost: trace.costs[t]!,
      cashFlow: cashFlows[t]!,
      discountFactor: df,
      presentValue: cashFlows[t]! * df,
      cumulativeCashFlow: cumulative,
      cumulativePresentValue: cumulativePv,
    });
  }

  // Object.fromEntries defines own properties, so even a driver named "__proto__" is reported as itself.
  const drivers: Record<string, number> = Object.fromEntries(compiled.drivers.map((d, i) => [d.name, slots[i]!]));
  const formulas: Record<string, number | number[]> = Object.fromEntries(
    compiled.formulas.map((f, i) => {
      const values = trace.periodicValues.get(i);
      return [f.name, values ? Array.from(values.subarray(1)) : slots[compiled.drivers.length + i]!];
    }),
  );

  const signChanges = countSignChanges(cashFlows);
  const roots = signChanges <= MAX_IRR_SIGN_CHANGES ? irrRoots(cashFlows) : [];
  const simple = payback(cashFlows);
  const discounted = payback(cashFlows, model.discountRate);
  const periodsPerYear = model.periodsPerYear ?? 1;
  const irr = roots.length > 0 ? pickRoot(roots, DEFAULT_IRR_GUESS) : null;
  const annual = irr === null ? null : Math.expm1(periodsPerYear * Math.log1p(irr));
  const inYears = (periods: number | null): number | null => (periods === null ? null : periods / periodsPerYear);
  const metrics: ModelMetrics = {
    npv: { value: totals.npv, formula: npvFormulaFor(convention), convention: conventionText(convention), discountRate: model.discountRate },
    irr:
      roots.length > 0
        ? { value: irr, perPeriod: irr, annual, periodsPerYear, roots, rule: `${IRR_RULE}; annual = (1 + perPeriod)^periodsPerYear − 1` }
        : {
            value: null,
            perPeriod: null,
            annual: null,
            periodsPerYear,
            roots,
            rule: IRR_RULE,
            note:
              signChanges > MAX_IRR_SIGN_CHANGES
                ? `not computed: the cash flows change sign ${signChanges} times (at most ${MAX_IRR_SIGN_CHANGES})`
                : 'no internal rate of return: the NPV does not reach zero at any rate above -100%',
          },
    roi: {
      value: totals.totalCosts > 0 ? (totals.totalBenefits - totals.totalCosts) / totals.totalCosts : null,
      totalBenefits: totals.totalBenefits,
      totalCosts: totals.totalCosts,
      formula: MODEL_ROI_FORMULA,
    },
    payback: {
      value: simple.result,
      years: inYears(simple.result),
      paysBack: simple.paysBack,
      ...(simple.firstCrossing === undefined ? {} : { firstCrossing: simple.firstCrossing }),
      rule: PAYBACK_RULE,
    },
    discountedPayback: {
      value: discounted.result,
      years: inYears(discounted.result),
      paysBack: discounted.paysBack,
      ...(discounted.firstCrossing === undefined ? {} : { firstCrossing: discounted.firstCrossing }),
      rule: `${PAYBACK_RULE}; each flow first discounted by (1+discountRate)^t`,
    },
  };
  return { ...(model.name === undefined ? {} : { name: model.name }), drivers, formulas, periods, cashFlows, metrics };
}
