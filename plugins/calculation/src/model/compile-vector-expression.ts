import { pow } from '../monte-carlo/deterministic-math';
import type { ExpressionNode } from './expression-parser';
import { binaryOperatorImplementations, expressionFunctionImplementations } from './expression-functions';

/**
 * An expression compiled for a slice of Monte Carlo trials at once. A node is a scalar when nothing it reads varies
 * between trials (constants, fixed drivers, `period`), else a column: one value per trial, computed by a tight loop
 * over typed arrays. The per-node dispatch cost is paid once per slice instead of once per trial, so the loops run
 * at the speed of hand-written ones; each element sees exactly the operations of the scalar compiler, in the same
 * order, so both give bit-identical results.
 */
export type VectorNode = { readonly scalar: true; value(): number } | { readonly scalar: false; column(n: number): Float64Array };

/** Where the variables live while a slice is evaluated. */
export interface VectorStore {
  /** Column of each column-typed slot (drivers drawn per trial, formulas depending on them). */
  readonly columns: Float64Array[];
  /** Value of each scalar-typed slot. */
  readonly scalars: Float64Array;
  isColumn(slot: number): boolean;
  /** Length of every column buffer (the largest slice). */
  readonly capacity: number;
}

type Column = Extract<VectorNode, { scalar: false }>;

function scalar(value: () => number): VectorNode {
  return { scalar: true, value };
}

function column(fn: (n: number) => Float64Array): Column {
  return { scalar: false, column: fn };
}

/** Loops for the four arithmetic operators and power, one literal loop per operator and operand shape. */
function arithmetic(op: string, l: VectorNode, r: VectorNode, out: Float64Array): Column | undefined {
  if (!l.scalar && !r.scalar) {
    const lc = l.column.bind(l);
    const rc = r.column.bind(r);
    switch (op) {
      case '+':
        return column((n) => {
          const a = lc(n),
            b = rc(n);
          for (let i = 0; i < n; i++) out[i] = a[i]! + b[i]!;
          return out;
        });
      case '-':
        return column((n) => {
          const a = lc(n),
            b = rc(n);
          for (let i = 0; i < n; i++) out[i] = a[i]! - b[i]!;
          return out;
        });
      case '*':
        return column((n) => {
          const a = lc(n),
            b = rc(n);
          for (let i = 0; i < n; i++) out[i] = a[i]! * b[i]!;
          return out;
        });
      case '/':
        return column((n) => {
          const a = lc(n),
            b = rc(n);
          for (let i = 0; i < n; i++) out[i] = a[i]! / b[i]!;
          return out;
        });
      case '^':
        return column((n) => {
          const a = lc(n),
            b = rc(n);
          for (let i = 0; i < n; i++) out[i] = pow(a[i]!, b[i]!);
          return out;
        });
    }
    return undefined;
  }
  if (!l.scalar && r.scalar) {
    const lc = l.column.bind(l);
    const rv = r.value.bind(r);
    switch (op) {
      case '+':
        return column((n) => {
          const a = lc(n),
            k = rv();
          for (let i = 0; i < n; i++) out[i] = a[i]! + k;
          return out;
        });
      case '-':
        return column((n) => {
          const a = lc(n),
            k = rv();
          for (let i = 0; i < n; i++) out[i] = a[i]! - k;
          return out;
        });
      case '*':
        return column((n) => {
          const a = lc(n),
            k = rv();
          for (let i = 0; i < n; i++) out[i] = a[i]! * k;
          return out;
        });
      case '/':
        return column((n) => {
          const a = lc(n),
            k = rv();
          for (let i = 0; i < n; i++) out[i] = a[i]! / k;
          return out;
        });
      case '^':
        return column((n) => {
          const a = lc(n),
            k = rv();
          for (let i = 0; i < n; i++) out[i] = pow(a[i]!, k);
          return out;
        });
    }
    return undefined;
  }
  if (l.scalar && !r.scalar) {
    const lv = l.value.bind(l);
    const rc = r.column.bind(r);
    switch (op) {
      case '+':
        return column((n) => {
          const k = lv(),
            b = rc(n);
          for (let i = 0; i < n; i++) out[i] = k + b[i]!;
          return out;
        });
      case '-':
        return column((n) => {
          const k = lv(),
            b = rc(n);
          for (let i = 0; i < n; i++) out[i] = k - b[i]!;
          return out;
        });
      case '*':
        return column((n) => {
          const k = lv(),
            b = rc(n);
          for (let i = 0; i < n; i++) out[i] = k * b[i]!;
          return out;
        });
      case '/':
        return column((n) => {
          const k = lv(),
            b = rc(n);
          for (let i = 0; i < n; i++) out[i] = k / b[i]!;
          return out;
        });
      case '^':
        return column((n) => {
          const k = lv(),
            b = rc(n);
          for (let i = 0; i < n; i++) out[i] = pow(k, b[i]!);
          return out;
        });
    }
  }
  return undefined;
}

/** Evaluates a node for a slice; a scalar is spread into `spread` so generic loops can index it. */
function materialise(node: VectorNode, spread: Float64Array): (n: number) => Float64Array {
  if (!node.scalar) return node.column.bind(node);
  return (n) => spread.fill(node.value(), 0, n);
}

function generic(args: VectorNode[], f: (a: number, b: number, c: number) => number, capacity: number): Column {
  const out = new Float64Array(capacity);
  const [a, b, c] = [0, 1, 2].map((i) => (args[i] ? materialise(args[i]!, new Float64Array(capacity)) : undefined));
  if (!b)
    return column((n) => {
      const x = a!(n);
      for (let i = 0; i < n; i++) out[i] = f(x[i]!, 0, 0);
      return out;
    });
  if (!c)
    return column((n) => {
      const x = a!(n),
        y = b(n);
      for (let i = 0; i < n; i++) out[i] = f(x[i]!, y[i]!, 0);
      return out;
    });
  return column((n) => {
    const x = a!(n),
      y = b(n),
      z = c(n);
    for (let i = 0; i < n; i++) out[i] = f(x[i]!, y[i]!, z[i]!);
    return out;
  });
}

/** Compiles an AST for slices of trials; `slotOf` maps names to slots of `store`. */
export function compileVectorExpression(node: ExpressionNode, slotOf: (name: string) => number, store: VectorStore): VectorNode {
  switch (node.kind) {
    case 'number': {
      const value = node.value;
      return scalar(() => value);
    }
    case 'name': {
      const slot = slotOf(node.name);
      const { scalars, columns } = store;
      return store.isColumn(slot) ? column(() => columns[slot]!) : scalar(() => scalars[slot]!);
    }
    case 'unary': {
      const operand = compileVectorExpression(node.operand, slotOf, store);
      if (operand.scalar) return scalar(() => -operand.value());
      const out = new Float64Array(store.capacity);
      return column((n) => {
        const a = operand.column(n);
        for (let i = 0; i < n; i++) out[i] = -a[i]!;
        return out;
      });
    }
    case 'binary': {
      const l = compileVectorExpression(node.left, slotOf, store);
      const r = compileVectorExpression(node.right, slotOf, store);
      const f = binaryOperatorImplementations[node.op]!;
      if (l.scalar && r.scalar) return scalar(() => f(l.value(), r.value()));
      return arithmetic(node.op, l, r, new Float64Array(store.capacity)) ?? generic([l, r], f, store.capacity);
    }
    case 'call': {
      // Variadic min/max fold pairwise, exactly as Math.min/Math.max compare.
      if ((node.name === 'min' || node.name === 'max') && node.args.length !== 2) {
        if (node.args.length === 1) return compileVectorExpression(node.args[0]!, slotOf, store);
        const [first, second, ...rest] = node.args;
        const pair: ExpressionNode = { kind: 'call', name: node.name, args: [first!, second!], column: node.column };
        return compileVectorExpression({ ...node, args: [pair, ...rest] }, slotOf, store);
      }
      const args = node.args.map((a) => compileVectorExpression(a, slotOf, store));
      const f = expressionFunctionImplementations[node.name]!;
      if (node.name === 'round' && args.length === 1) args.push(scalar(() => 0));
      if (args.every((a) => a.scalar)) {
        const values = args as Array<Extract<VectorNode, { scalar: true }>>;
        return scalar(() => f(values[0]!.value(), values[1]?.value() ?? 0, values[2]?.value() ?? 0));
      }
      return generic(args, f, store.capacity);
    }
  }
}
