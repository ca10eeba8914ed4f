import type { ValueModel } from '../calculation-api';

export type ValueNodeKind = 'driver' | 'formula' | 'benefit' | 'cost' | 'npv';

/** A node of a model's value graph: a driver or formula (by its model name) or one of the fixed result nodes. */
export interface ValueNode {
  /** The driver's or formula's name; `@benefit`, `@upfront`, `@recurring`, `@npv` for the fixed nodes. */
  readonly id: string;
  readonly kind: ValueNodeKind;
  readonly label: string;
  readonly unit?: string;
  /** The expression behind a formula or fixed node (absent for drivers and plain-number costs). */
  readonly expression?: string;
}

/** `from` is read by `to`. */
export interface ValueEdge {
  readonly from: string;
  readonly to: string;
}

export interface ValueGraph {
  readonly nodes: readonly ValueNode[];
  readonly edges: readonly ValueEdge[];
}

export const BENEFIT_NODE = '@benefit';
export const UPFRONT_NODE = '@upfront';
export const RECURRING_NODE = '@recurring';
export const NPV_NODE = '@npv';

// Numbers first, so the `e5` of `1e5` is not taken for a name.
const TOKEN = /\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?|[A-Za-z_]\w*\s*\(?/g;

/** The variable names an expression reads (function names, `min(`, are not variables), in order of first use. */
export function namesRead(expression: string): string[] {
  const names: string[] = [];
  for (const [token] of expression.matchAll(TOKEN)) {
    if (!/^[A-Za-z_]/.test(token) || token.endsWith('(')) continue;
    const name = token.trim();
    if (!names.includes(name)) names.push(name);
  }
  return names;
}

/**
 * A model as a graph: drivers → formulas → benefit and costs → NPV. Edges run from what is read to what reads it;
 * names that are neither drivers nor formulas (`period`, `horizon`, typos) make no edge: the calculation plugin
 * reports the typos, on the node that uses them.
 */
export function buildValueGraph(model: ValueModel): ValueGraph {
  const nodes: ValueNode[] = [];
  const edges: ValueEdge[] = [];
  const known = new Set<string>();
  for (const d of model.drivers) {
    nodes.push({ id: d.name, kind: 'driver', label: d.description ?? d.name, ...(d.unit ? { unit: d.unit } : {}) });
    known.add(d.name);
  }
  for (const f of model.formulas ?? []) {
    nodes.push({ id: f.name, kind: 'formula', label: f.description ?? f.name, expression: f.expression, ...(f.unit ? { unit: f.unit } : {}) });
    known.add(f.name);
  }
  const readBy = (to: string, expression: string) => {
    for (const name of namesRead(expression)) if (known.has(name)) edges.push({ from: name, to });
  };
  for (const f of model.formulas ?? []) readBy(f.name, f.expression);
  nodes.push({ id: BENEFIT_NODE, kind: 'benefit', label: 'Benefits', expression: model.benefit });
  readBy(BENEFIT_NODE, model.benefit);
  edges.push({ from: BENEFIT_NODE, to: NPV_NODE });
  const costs = model.costs ?? {};
  for (const [id, label, cost] of [
    [UPFRONT_NODE, 'Upfront cost', costs.upfront],
    [RECURRING_NODE, 'Recurring cost', costs.recurring],
  ] as const) {
    if (cost === undefined) continue;
    nodes.push({ id, kind: 'cost', label, expression: String(cost) });
    if (typeof cost === 'string') readBy(id, cost);
    edges.push({ from: id, to: NPV_NODE });
  }
  nodes.push({ id: NPV_NODE, kind: 'npv', label: 'NPV' });
  return { nodes, edges };
}

/** The node a problem's JSON pointer (`/model/formulas/3/expression`) is about, or undefined for the model as a whole. */
export function nodeOfPointer(model: ValueModel, pointer: string): string | undefined {
  const m = /^\/model\/(drivers|formulas)\/(\d+)|^\/model\/(benefit)|^\/model\/costs\/(upfront|recurring)/.exec(pointer);
  if (!m) return undefined;
  if (m[1] === 'drivers') return model.drivers[Number(m[2])]?.name;
  if (m[1] === 'formulas') return model.formulas?.[Number(m[2])]?.name;
  if (m[3]) return BENEFIT_NODE;
  return m[4] === 'upfront' ? UPFRONT_NODE : RECURRING_NODE;
}

/**
 * How much of NPV's sensitivity flows out of each node: the tornado swings of the drivers it depends on (itself
 * included), summed. An edge carries its source's share; the widest edges lead to what matters most.
 */
export function influence(graph: ValueGraph, driverSwing: Readonly<Record<string, number>>): Map<string, number> {
  const reads = new Map<string, string[]>();
  for (const e of graph.edges) reads.set(e.to, [...(reads.get(e.to) ?? []), e.from]);
  // One search per node (no memo: a result found inside a cycle would be partial); 200 nodes × their edges is cheap.
  const result = new Map<string, number>();
  for (const n of graph.nodes) {
    const seen = new Set<string>([n.id]);
    const stack = [n.id];
    let sum = 0;
    while (stack.length > 0) {
      const id = stack.pop()!;
      sum += Math.abs(driverSwing[id] ?? 0);
      for (const from of reads.get(id) ?? []) {
        if (!seen.has(from)) {
          seen.add(from);
          stack.push(from);
        }
      }
    }
    result.set(n.id, sum);
  }
  return result;
}

/** Same nodes and edges in the same order: a value change keeps the layout (and skips laying out again). */
export function sameGraph(a: ValueGraph, b: ValueGraph): boolean {
  if (a === b) return true;
  if (a.nodes.length !== b.nodes.length || a.edges.length !== b.edges.length) return false;
  for (let i = 0; i < a.nodes.length; i++) {
    const x = a.nodes[i]!;
    const y = b.nodes[i]!;
    if (x.id !== y.id || x.kind !== y.kind || x.label !== y.label || x.unit !== y.unit || x.expression !== y.expression) return false;
  }
  for (let i = 0; i < a.edges.length; i++) if (a.edges[i]!.from !== b.edges[i]!.from || a.edges[i]!.to !== b.edges[i]!.to) return false;
  return true;
}
