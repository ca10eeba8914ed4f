import { formatMoney, formatNumber } from '../../ui/format';
import type { ModelEvaluation, SensitivityResult, ValueModel } from '../calculation-api';
import type { FieldProblem } from '../../api/problem';
import type { NodeFigures } from './value-graph-view';
import { BENEFIT_NODE, NPV_NODE, RECURRING_NODE, UPFRONT_NODE, influence, nodeOfPointer, type ValueGraph } from './value-graph';
import { edgeKey } from './layered-layout';

/** The formula values the calculation plugin returns besides the typed part (`formulas`: a number or one per period). */
type Evaluated = ModelEvaluation & { readonly formulas?: Readonly<Record<string, number | readonly number[]>> };

const num = (v: number | null | undefined) => formatNumber(v, { maximumFractionDigits: 2, compact: Math.abs(v ?? 0) >= 1e6 });

/** Each node's value from an evaluation, and the problems of a failed one on the nodes they are about. */
export function canvasFigures(model: ValueModel, currency: string, evaluation: Evaluated | undefined, problems: readonly FieldProblem[]): Map<string, NodeFigures> {
  const money = (v: number | null | undefined) => formatMoney(v, currency, { compact: Math.abs(v ?? 0) >= 1e6 });
  const figures = new Map<string, NodeFigures>();
  const set = (id: string, f: NodeFigures) => figures.set(id, { ...figures.get(id), ...f });
  // A driver's value is its input: shown even when the model does not evaluate.
  for (const d of model.drivers) set(d.name, { value: `${num(evaluation?.drivers[d.name] ?? d.value)}${d.unit ? ` ${d.unit}` : ''}` });
  if (evaluation) {
    for (const [name, v] of Object.entries(evaluation.formulas ?? {})) {
      if (typeof v === 'number') set(name, { value: num(v) });
      else if (v.length > 0) set(name, { value: num(v[0]), detail: `period 1; period ${v.length}: ${num(v[v.length - 1])}` });
    }
    const upfront = evaluation.periods.find((p) => p.period === 0)?.cost ?? 0;
    const { totalBenefits, totalCosts } = evaluation.metrics.roi;
    set(BENEFIT_NODE, { value: money(totalBenefits), detail: 'over the horizon' });
    set(UPFRONT_NODE, { value: money(upfront) });
    set(RECURRING_NODE, { value: money(totalCosts - upfront), detail: 'over the horizon' });
    set(NPV_NODE, { value: money(evaluation.metrics.npv.value) });
  }
  for (const p of problems) {
    const id = nodeOfPointer(model, p.pointer) ?? NPV_NODE;
    const before = figures.get(id)?.problem;
    set(id, { problem: before ? `${before}; ${p.message}` : p.message });
  }
  return figures;
}

/** Edge widths (0..1) and tooltips from the tornado: the NPV swing of the drivers behind each edge's source. */
export function canvasWeights(graph: ValueGraph, sensitivity: SensitivityResult | undefined, currency: string): { weights: Map<string, number>; titles: Map<string, string> } {
  const weights = new Map<string, number>();
  const titles = new Map<string, string>();
  if (!sensitivity) return { weights, titles };
  const swing = Object.fromEntries(sensitivity.bars.map((b) => [b.driver, b.swing ?? 0]));
  const flow = influence(graph, swing);
  const max = Math.max(0, ...flow.values());
  for (const e of graph.edges) {
    const f = flow.get(e.from) ?? 0;
    weights.set(edgeKey(e.from, e.to), max > 0 ? f / max : 0);
    titles.set(edgeKey(e.from, e.to), `${e.from} → ${e.to}: NPV swing ${formatMoney(f, currency, { compact: true })} (sensitivity)`);
  }
  return { weights, titles };
}
