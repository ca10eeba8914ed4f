const EPSILON = Number.EPSILON;

export interface BrentOptions {
  /** Absolute tolerance on the root, added to the relative one (4·ε·|x|). Default: the smallest normal double. */
  readonly absoluteTolerance?: number;
  readonly maxIterations?: number;
}

/**
 * Brent's method (R. P. Brent, "Algorithms for Minimization without Derivatives", 1973, ch. 4; a port of netlib's
 * `zeroin`): inverse quadratic interpolation and secant steps, falling back to bisection whenever they would leave
 * the bracket or converge slowly. Needs `f(a)` and `f(b)` of opposite signs (or one of them zero); converges to full
 * double precision by default.
 */
export function brentRoot(f: (x: number) => number, lower: number, upper: number, options: BrentOptions = {}, fLower = f(lower), fUpper = f(upper)): number {
  const absTol = options.absoluteTolerance ?? 2.2250738585072014e-308;
  const maxIterations = options.maxIterations ?? 400;
  let a = lower;
  let b = upper;
  let fa = fLower;
  let fb = fUpper;
  if (fa === 0) return a;
  if (fb === 0) return b;
  if (Math.sign(fa) === Math.sign(fb)) throw new RangeError('brentRoot: f(lower) and f(upper) must differ in sign');

  let c = a;
  let fc = fa;
  let d = b - a;
  let e = d;
  for (let iteration = 0; iteration < maxIterations; iteration++) {
    if (Math.sign(fb) === Math.sign(fc)) {
      c = a;
      fc = fa;
      d = b - a;
      e = d;
    }
    if (Math.abs(fc) < Math.abs(fb)) {
      a = b;
      b = c;
      c = a;
      fa = fb;
      fb = fc;
      fc = fa;
    }
    const tol = 2 * EPSILON * Math.abs(b) + 0.5 * absTol;
    const m = 0.5 * (c - b);
    if (Math.abs(m) <= tol || fb === 0) return b;

    if (Math.abs(e) >= tol && Math.abs(fa) > Math.abs(fb)) {
      const s = fb / fa;
      let p: number;
      let q: number;
      if (a === c) {
        p = 2 * m * s;
        q = 1 - s;
      } else {
        const qa = fa / fc;
        const r = fb / fc;
        p = s * (2 * m * qa * (qa - r) - (b - a) * (r - 1));
        q = (qa - 1) * (r - 1) * (s - 1);
      }
      if (p > 0) q = -q;
      else p = -p;
      if (2 * p < Math.min(3 * m * q - Math.abs(tol * q), Math.abs(e * q))) {
        e = d;
        d = p / q;
      } else {
        d = m;
        e = m;
      }
    } else {
      d = m;
      e = m;
    }
    a = b;
    fa = fb;
    b += Math.abs(d) > tol ? d : m > 0 ? tol : -tol;
    fb = f(b);
  }
  return b;
}
