import { cholesky, invertLowerTriangular } from '../numeric/cholesky';
import type { CorrelationPlan } from './correlation-matrix';
import { normalQuantile } from './normal-quantile';
import type { SeededRandom } from './seeded-random';

/**
 * Iman & Conover (1982), "A distribution-free approach to inducing rank correlation among input variables"
 * (Communications in Statistics B11(3)): the drawn columns keep their values (so every marginal is exactly what its
 * sampler drew) and are only reordered, row by row, to follow the ranks of a score matrix that has the target
 * correlation.
 *
 * Per slice of n trials: S holds van der Waerden scores Φ⁻¹(i/(n+1)) in an independent random order per column;
 * E is S's own correlation, F its Cholesky factor, P the target's; T = S·(P·F⁻¹)ᵀ has exactly the target
 * correlation (dividing out E removes the chance correlation of S, Iman–Conover's refinement). Each input column is
 * then rearranged to have the ranks of T's column. The target on the scores is 2·sin(π·ρs/6) (see
 * `CorrelationPlan.scoreFactor`), so the ranks come out with Spearman correlation ρs.
 */
export class ImanConover {
  private readonly k: number;
  private readonly scores = new Map<number, Float64Array>();
  private readonly s: Float64Array[];
  private readonly t: Float64Array[];
  private readonly sortedKeys: Float64Array;
  private readonly sorted: Float64Array;

  constructor(
    private readonly plan: CorrelationPlan,
    private readonly rng: SeededRandom,
    capacity: number,
  ) {
    this.k = plan.drivers.length;
    this.s = plan.drivers.map(() => new Float64Array(capacity));
    this.t = plan.drivers.map(() => new Float64Array(capacity));
    this.sortedKeys = new Float64Array(capacity);
    this.sorted = new Float64Array(capacity);
  }

  private scoresFor(n: number): Float64Array {
    let a = this.scores.get(n);
    if (!a) {
      a = new Float64Array(n);
      for (let i = 0; i < n; i++) a[i] = normalQuantile((i + 1) / (n + 1));
      this.scores.set(n, a);
    }
    return a;
  }

  /** Reorders rows 0..n−1 of `columns` (one per correlated driver, in the plan's order) in place. */
  reorder(columns: readonly Float64Array[], n: number): void {
    const { k, s, t, rng } = this;
    if (n < 3) return;
    const a = this.scoresFor(n);
    let sumSquares = 0;
    for (let i = 0; i < n; i++) sumSquares += a[i]! * a[i]!;
    for (let j = 0; j < k; j++) {
      const col = s[j]!;
      col.set(a.subarray(0, n));
      // Fisher–Yates shuffle from the run's own stream: the same seed gives the same pairing on every machine.
      for (let i = n - 1; i > 0; i--) {
        // One 32-bit output per swap: exact for n < 2^21 (the product stays below 2^53).
        const r = Math.floor((rng.nextUint32() * (i + 1)) / 4294967296);
        const x = col[i]!;
        col[i] = col[r]!;
        col[r] = x;
      }
    }
    const e = new Float64Array(k * k);
    for (let j = 0; j < k; j++) {
      e[j * k + j] = 1;
      for (let l = 0; l < j; l++) {
        let dot = 0;
        const sj = s[j]!;
        const sl = s[l]!;
        for (let i = 0; i < n; i++) dot += sj[i]! * sl[i]!;
        e[j * k + l] = e[l * k + j] = dot / sumSquares;
      }
    }
    // With fewer trials than drivers E is singular: skip the refinement rather than divide by it.
    const f = cholesky(e, k, 1e-12);
    const fInverse = f && f.every((v, i) => i % (k + 1) !== 0 || v > 1e-6) ? invertLowerTriangular(f, k) : undefined;
    const p = this.plan.scoreFactor;
    for (let j = 0; j < k; j++) {
      const out = t[j]!;
      out.fill(0, 0, n);
      for (let l = 0; l <= j; l++) {
        // M = P·F⁻¹ is lower triangular, as both factors are.
        let m = 0;
        if (fInverse) for (let q = l; q <= j; q++) m += p[j * k + q]! * fInverse[q * k + l]!;
        else m = p[j * k + l]!;
        if (m === 0) continue;
        const sl = s[l]!;
        for (let i = 0; i < n; i++) out[i]! += m * sl[i]!;
      }
    }
    const { sortedKeys, sorted } = this;
    // Rows in the order of T's column from one native sort of packed keys: the value quantised to the high bits
    // (order-preserving), the row index in the low bits (exact below 2^53, and it breaks ties), several times faster
    // than an index sort with a comparator.
    const indexBits = Math.max(1, Math.ceil(Math.log2(n)));
    const base = 2 ** indexBits;
    const levels = 2 ** (52 - indexBits) - 1;
    for (let j = 0; j < k; j++) {
      const target = t[j]!;
      const column = columns[j]!;
      let min = Infinity;
      let max = -Infinity;
      for (let i = 0; i < n; i++) {
        const x = target[i]!;
        if (x < min) min = x;
        if (x > max) max = x;
      }
      const scale = max > min ? levels / (max - min) : 0;
      const keys = sortedKeys.subarray(0, n);
      for (let i = 0; i < n; i++) keys[i] = Math.floor((target[i]! - min) * scale) * base + i;
      keys.sort();
      const values = sorted.subarray(0, n);
      values.set(column.subarray(0, n));
      values.sort();
      for (let rank = 0; rank < n; rank++) column[keys[rank]! % base] = values[rank]!;
    }
  }
}
