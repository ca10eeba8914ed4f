import { exp, ln, pow } from '../monte-carlo/deterministic-math';
import { roundHalfAwayFromZero } from './expression-functions';
import type { ExpressionNode } from './expression-parser';

/** A compiled expression: reads variables from a slot table, returns a number. */
export type CompiledExpression = (slots: Float64Array) => number;

/**
 * Compiles an AST into a tree of closures over a Float64Array of variable slots, once per model, so Monte Carlo
 * trials pay no parsing or lookup cost. Common shapes (slot ⊕ slot, slot ⊕ constant) get specialised closures;
 * constant sub-expressions are folded. `^`, `exp`, `ln` and `pow` use the deterministic implementations so that
 * results are bit-identical on every machine.
 */
export function compileExpression(node: ExpressionNode, slotOf: (name: string) => number): CompiledExpression {
  const folded = fold(node);
  if (folded !== undefined) return () => folded;
  switch (node.kind) {
    case 'number': {
      const value = node.value;
      return () => value;
    }
    case 'name': {
      const slot = slotOf(node.name);
      return (s) => s[slot]!;
    }
    case 'unary': {
      const operand = compileExpression(node.operand, slotOf);
      return (s) => -operand(s);
    }
    case 'binary':
      return compileBinary(node.op, node.left, node.right, slotOf);
    case 'call':
      return compileCall(
        node.name,
        node.args.map((a) => compileExpression(a, slotOf)),
      );
  }
}

/** The value of a constant sub-expression, or undefined when it reads a variable. */
function fold(node: ExpressionNode): number | undefined {
  switch (node.kind) {
    case 'number':
      return node.value;
    case 'name':
      return undefined;
    case 'unary': {
      const v = fold(node.operand);
      return v === undefined ? undefined : -v;
    }
    case 'binary': {
      const l = fold(node.left);
      const r = fold(node.right);
      if (l === undefined || r === undefined) return undefined;
      return compileBinary(node.op, constant(l), constant(r), unreachableSlot)(EMPTY);
    }
    case 'call': {
      const values = node.args.map(fold);
      if (values.some((v) => v === undefined)) return undefined;
      return compileCall(
        node.name,
        values.map((v) => () => v!),
      )(EMPTY);
    }
  }
}

function constant(value: number): ExpressionNode {
  return { kind: 'number', value };
}

const EMPTY = new Float64Array(0);
function unreachableSlot(name: string): number {
  throw new Error(`constant folding met variable ${name}`);
}

function compileBinary(op: string, leftNode: ExpressionNode, rightNode: ExpressionNode, slotOf: (name: string) => number): CompiledExpression {
  // Specialise slot ⊕ slot and slot ⊕ constant: the shapes most value formulas are made of.
  const ls = leftNode.kind === 'name' ? slotOf(leftNode.name) : -1;
  const rs = rightNode.kind === 'name' ? slotOf(rightNode.name) : -1;
  const rc = fold(rightNode);
  if (ls >= 0 && rs >= 0) {
    if (op === '*') return (s) => s[ls]! * s[rs]!;
    if (op === '+') return (s) => s[ls]! + s[rs]!;
    if (op === '-') return (s) => s[ls]! - s[rs]!;
    if (op === '/') return (s) => s[ls]! / s[rs]!;
  }
  if (ls >= 0 && rc !== undefined) {
    if (op === '*') return (s) => s[ls]! * rc;
    if (op === '+') return (s) => s[ls]! + rc;
    if (op === '-') return (s) => s[ls]! - rc;
    if (op === '/') return (s) => s[ls]! / rc;
  }
  const left = compileExpression(leftNode, slotOf);
  const right = compileExpression(rightNode, slotOf);
  switch (op) {
    case '+':
      return (s) => left(s) + right(s);
    case '-':
      return (s) => left(s) - right(s);
    case '*':
      return (s) => left(s) * right(s);
    case '/':
      return (s) => left(s) / right(s);
    case '^':
      if (rc === 2)
        return (s) => {
          const x = left(s);
          return x * x;
        };
      return (s) => pow(left(s), right(s));
    case '<':
      return (s) => (left(s) < right(s) ? 1 : 0);
    case '<=':
      return (s) => (left(s) <= right(s) ? 1 : 0);
    case '>':
      return (s) => (left(s) > right(s) ? 1 : 0);
    case '>=':
      return (s) => (left(s) >= right(s) ? 1 : 0);
    case '==':
      return (s) => (left(s) === right(s) ? 1 : 0);
    case '!=':
      return (s) => (left(s) !== right(s) ? 1 : 0);
    default:
      throw new Error(`Unknown operator ${op}`);
  }
}

function compileCall(name: string, args: CompiledExpression[]): CompiledExpression {
  const [a, b, c] = args as [CompiledExpression, CompiledExpression, CompiledExpression];
  switch (name) {
    case 'min':
      return args.length === 2 ? (s) => Math.min(a(s), b(s)) : (s) => Math.min(...args.map((f) => f(s)));
    case 'max':
      return args.length === 2 ? (s) => Math.max(a(s), b(s)) : (s) => Math.max(...args.map((f) => f(s)));
    case 'abs':
      return (s) => Math.abs(a(s));
    case 'sqrt':
      return (s) => Math.sqrt(a(s));
    case 'exp':
      return (s) => exp(a(s));
    case 'ln':
      return (s) => ln(a(s));
    case 'pow':
      return (s) => pow(a(s), b(s));
    case 'round':
      return args.length === 2 ? (s) => roundHalfAwayFromZero(a(s), b(s)) : (s) => roundHalfAwayFromZero(a(s), 0);
    case 'floor':
      return (s) => Math.floor(a(s));
    case 'ceil':
      return (s) => Math.ceil(a(s));
    case 'clamp':
      return (s) => Math.min(Math.max(a(s), b(s)), c(s));
    case 'if':
      return (s) => (a(s) !== 0 ? b(s) : c(s));
    default:
      throw new Error(`Unknown function ${name}`);
  }
}
