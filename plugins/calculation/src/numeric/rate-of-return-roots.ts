import { brentRoot } from './brent-root';

/**
 * A generalised polynomial f(x) = Σ c_i·x^(e_i) with non-zero coefficients and strictly ascending exponents,
 * e_0 = 0. Ordinary polynomials (periodic cash flows) have e_i = i; XIRR's have e_i = days/365.
 */
interface Signomial {
  // Plain arrays, not Float64Arrays: these are short and made by the thousand, and typed-array allocation costs
  // more than the arithmetic done on them.
  readonly c: number[];
  readonly e: number[];
}

/** Horner's scheme generalised to real exponent gaps; `absolute` evaluates Σ |c_i|·x^(e_i) (the rounding scale). */
function evaluate(p: Signomial, x: number, absolute = false): number {
  const { c, e } = p;
  const last = c.length - 1;
  let acc = absolute ? Math.abs(c[last]!) : c[last]!;
  for (let i = last - 1; i >= 0; i--) {
    const gap = e[i + 1]! - e[i]!;
    acc = acc * (gap === 1 ? x : Math.pow(x, gap)) + (absolute ? Math.abs(c[i]!) : c[i]!);
  }
  return acc;
}

function signChanges(c: readonly number[]): number {
  let changes = 0;
  for (let i = 1; i < c.length; i++) if (c[i]! > 0 !== c[i - 1]! > 0) changes++;
  return changes;
}

/**
 * f'(x)·x^(1−e_1), rescaled so that its largest coefficient is ±1: same roots in (0, ∞) as f', exponents again
 * starting at 0, and coefficients that neither overflow nor underflow however deep the recursion goes.
 */
function derivative(p: Signomial): Signomial {
  const n = p.c.length - 1;
  const shift = p.e[1]!;
  const c = new Array<number>(n);
  const e = new Array<number>(n);
  let largest = 0;
  for (let i = 1; i <= n; i++) {
    c[i - 1] = p.c[i]! * p.e[i]!;
    e[i - 1] = p.e[i]! - shift;
    largest = Math.max(largest, Math.abs(c[i - 1]!));
  }
  for (let i = 0; i < n; i++) c[i] = c[i]! / largest;
  return { c, e };
}

/** Sorted, without repeats: a root at an interval end is found by both intervals that share it. */
function distinct(xs: number[]): number[] {
  xs.sort((a, b) => a - b);
  return xs.filter((x, i) => i === 0 || x !== xs[i - 1]);
}

/**
 * Every root of `p` in [lo, hi] ⊂ [0, 1], by recursive isolation: the roots of f' split [lo, hi] into intervals on
 * which f is monotonic, so each holds at most one root, found by Brent's method when f changes sign. Descartes' rule
 * of signs (Laguerre's extension to real exponents) prunes the recursion: no sign change in the coefficients means no
 * positive root, exactly one means exactly one positive root, so the interval ends decide. A critical point where f
 * touches zero (|f| within rounding of the terms' magnitude) is a root of even multiplicity and is reported too.
 */
function rootsIn(p: Signomial, lo: number, hi: number, out: number[]): void {
  const changes = signChanges(p.c);
  if (changes === 0) return;
  const f = (x: number): number => evaluate(p, x);
  if (changes === 1) {
    solveBracket(f, lo, hi, f(lo), f(hi), out);
    return;
  }
  const found: number[] = [];
  rootsIn(derivative(p), lo, hi, found);
  const critical = distinct(found).filter((x) => x > lo && x < hi);
  let a = lo;
  let fa = f(lo);
  for (const x of [...critical, hi]) {
    const fx = f(x);
    solveBracket(f, a, x, fa, fx, out);
    if (x !== hi && fx !== 0 && Math.abs(fx) <= 64 * Number.EPSILON * evaluate(p, x, true)) out.push(x);
    a = x;
    fa = fx;
  }
}

function solveBracket(f: (x: number) => number, a: number, b: number, fa: number, fb: number, out: number[]): void {
  if (fa === 0) out.push(a);
  if (fb === 0) out.push(b);
  if (fa !== 0 && fb !== 0 && fa > 0 !== fb > 0) out.push(brentRoot(f, a, b, {}, fa, fb));
}

/**
 * The signomial Σ flows_i·x^(times_i) with equal times merged (two cash flows on one date are one term), zero terms
 * dropped and exponents shifted to start at 0; undefined when fewer than two terms remain (no root in (0, ∞)).
 */
function normalise(flows: readonly number[], times: readonly number[]): Signomial | undefined {
  const c: number[] = [];
  const e: number[] = [];
  for (let i = 0; i < flows.length; i++) {
    const last = c.length - 1;
    if (last >= 0 && times[i] === e[last]) c[last] += flows[i]!;
    else {
      c.push(flows[i]!);
      e.push(times[i]!);
    }
  }
  let k = 0;
  for (let j = 0; j < c.length; j++) {
    if (c[j] === 0) continue;
    c[k] = c[j]!;
    e[k] = e[j]!;
    k++;
  }
  if (k < 2) return undefined;
  c.length = k;
  e.length = k;
  const base = e[0]!;
  for (let j = 0; j < k; j++) e[j] = e[j]! - base;
  return { c, e };
}

/** The same signomial in y = 1/x, times x^T: coefficients reversed, exponents T − e. */
function reverse(p: Signomial): Signomial {
  const k = p.c.length;
  const horizon = p.e[k - 1]!;
  const c = new Array<number>(k);
  const e = new Array<number>(k);
  for (let j = 0; j < k; j++) {
    c[j] = p.c[k - 1 - j]!;
    e[j] = horizon - p.e[k - 1 - j]!;
  }
  return { c, e };
}

/**
 * Every real rate r > −1 with Σ flows_i / (1+r)^(times_i) = 0, ascending. `times` must be ascending and start at 0.
 *
 * With x = 1/(1+r) the equation is the generalised polynomial Σ flows_i·x^(times_i) = 0 on x ∈ (0, ∞). That range is
 * split at x = 1 (r = 0) so that every evaluation stays in [0, 1] and cannot overflow: x ∈ (0, 1] covers r ≥ 0, and
 * y = 1/x = 1+r ∈ (0, 1) covers −1 < r < 0 through the reversed polynomial Σ flows_i·y^(T−times_i).
 */
export function rateOfReturnRoots(flows: readonly number[], times: readonly number[]): number[] {
  const forward = normalise(flows, times);
  if (!forward) return [];
  const reversed = reverse(forward);

  const xs: number[] = [];
  rootsIn(forward, 0, 1, xs);
  const ys: number[] = [];
  rootsIn(reversed, 0, 1, ys);

  const rates = [...xs.filter((x) => x > 0).map((x) => 1 / x - 1), ...ys.filter((y) => y > 0 && y < 1).map((y) => y - 1)].sort((p, q) => p - q);
  // A root at an interval end can be found twice (once per adjacent interval, or once per half at r = 0), and a
  // double root can show up as two roots a few 1e-12 apart (rounding makes f cross zero twice near its extremum):
  // double roots are only determined to about 1e-8, so roots closer than 1e-9 are one root.
  const unique: number[] = [];
  for (const r of rates) {
    const last = unique[unique.length - 1];
    if (last === undefined || Math.abs(r - last) > 1e-9 * Math.max(1, Math.abs(r))) unique.push(r);
  }
  return unique;
}
