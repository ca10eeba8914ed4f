import { exp, ln, pow } from '../monte-carlo/deterministic-math';

/** Round half away from zero to `digits` decimals (Excel ROUND). */
export function roundHalfAwayFromZero(x: number, digits: number): number {
  const factor = Math.pow(10, Math.trunc(digits));
  // Nudge by a relative 2^-52 so that 1.005 (stored as 1.00499999999999989...) rounds as written.
  return (Math.sign(x) * Math.round(Math.abs(x) * factor * (1 + Number.EPSILON))) / factor;
}

/**
 * The scalar meaning of every built-in function of the formula language, shared by the scalar and the vector
 * compilers so that both give bit-identical results. Variadic min/max are folded pairwise by the compilers.
 */
export const expressionFunctionImplementations: Readonly<Record<string, (a: number, b: number, c: number) => number>> = {
  min: (a, b) => Math.min(a, b),
  max: (a, b) => Math.max(a, b),
  abs: (a) => Math.abs(a),
  sqrt: (a) => Math.sqrt(a),
  exp: (a) => exp(a),
  ln: (a) => ln(a),
  pow: (a, b) => pow(a, b),
  round: (a, b) => roundHalfAwayFromZero(a, b),
  floor: (a) => Math.floor(a),
  ceil: (a) => Math.ceil(a),
  clamp: (a, b, c) => Math.min(Math.max(a, b), c),
  if: (a, b, c) => (a !== 0 ? b : c),
};

/** The scalar meaning of each binary operator. */
export const binaryOperatorImplementations: Readonly<Record<string, (a: number, b: number) => number>> = {
  '+': (a, b) => a + b,
  '-': (a, b) => a - b,
  '*': (a, b) => a * b,
  '/': (a, b) => a / b,
  '^': (a, b) => pow(a, b),
  '<': (a, b) => (a < b ? 1 : 0),
  '<=': (a, b) => (a <= b ? 1 : 0),
  '>': (a, b) => (a > b ? 1 : 0),
  '>=': (a, b) => (a >= b ? 1 : 0),
  '==': (a, b) => (a === b ? 1 : 0),
  '!=': (a, b) => (a !== b ? 1 : 0),
};
