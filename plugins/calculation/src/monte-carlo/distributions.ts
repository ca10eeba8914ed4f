import { betaQuantile } from './beta-quantile';
import { exp, ln } from './deterministic-math';
import { normalQuantile } from './normal-quantile';
import type { SeededRandom } from './seeded-random';

/**
 * The uncertainty of a driver. Parameters are those of the quantity itself (for lognormal too: its mean and standard
 * deviation, not those of its logarithm). PERT is the beta-PERT of Vose / @RISK with shape `lambda` (default 4).
 */
export type Distribution =
  | { readonly type: 'triangular'; readonly min: number; readonly mode: number; readonly max: number }
  | { readonly type: 'pert'; readonly min: number; readonly mode: number; readonly max: number; readonly lambda?: number }
  | { readonly type: 'normal'; readonly mean: number; readonly sd: number }
  | { readonly type: 'lognormal'; readonly mean: number; readonly sd: number }
  | { readonly type: 'uniform'; readonly min: number; readonly max: number };

export type DistributionType = Distribution['type'];

export const distributionTypes: readonly DistributionType[] = ['triangular', 'pert', 'normal', 'lognormal', 'uniform'];

export const DEFAULT_PERT_LAMBDA = 4;

/** Beta shape parameters of a PERT distribution. */
export function pertShape(d: { min: number; mode: number; max: number; lambda?: number }): { alpha: number; beta: number } {
  const lambda = d.lambda ?? DEFAULT_PERT_LAMBDA;
  const range = d.max - d.min;
  return { alpha: 1 + (lambda * (d.mode - d.min)) / range, beta: 1 + (lambda * (d.max - d.mode)) / range };
}

/** μ and σ of the logarithm of a lognormal quantity with the given mean and standard deviation. */
export function lognormalLogParameters(mean: number, sd: number): { mu: number; sigma: number } {
  const sigma2 = Math.log1p((sd * sd) / (mean * mean));
  return { mu: Math.log(mean) - sigma2 / 2, sigma: Math.sqrt(sigma2) };
}

/** The distribution's mean, in closed form. */
export function distributionMean(d: Distribution): number {
  switch (d.type) {
    case 'triangular':
      return (d.min + d.mode + d.max) / 3;
    case 'pert': {
      const lambda = d.lambda ?? DEFAULT_PERT_LAMBDA;
      return (d.min + lambda * d.mode + d.max) / (lambda + 2);
    }
    case 'normal':
    case 'lognormal':
      return d.mean;
    case 'uniform':
      return (d.min + d.max) / 2;
  }
}

/** The distribution's standard deviation, in closed form. */
export function distributionStandardDeviation(d: Distribution): number {
  switch (d.type) {
    case 'triangular': {
      const { min: a, mode: c, max: b } = d;
      return Math.sqrt((a * a + b * b + c * c - a * b - a * c - b * c) / 18);
    }
    case 'pert': {
      const { alpha, beta } = pertShape(d);
      const range = d.max - d.min;
      return range * Math.sqrt((alpha * beta) / ((alpha + beta) ** 2 * (alpha + beta + 1)));
    }
    case 'normal':
    case 'lognormal':
      return d.sd;
    case 'uniform':
      return (d.max - d.min) / Math.sqrt(12);
  }
}

/** The p-quantile (inverse CDF) of the distribution, p in (0, 1). */
export function distributionQuantile(d: Distribution, p: number): number {
  switch (d.type) {
    case 'triangular': {
      const { min: a, mode: c, max: b } = d;
      const split = (c - a) / (b - a);
      return p < split ? a + Math.sqrt(p * (b - a) * (c - a)) : b - Math.sqrt((1 - p) * (b - a) * (b - c));
    }
    case 'pert': {
      const { alpha, beta } = pertShape(d);
      return d.min + (d.max - d.min) * betaQuantile(p, alpha, beta);
    }
    case 'normal':
      return d.mean + d.sd * normalQuantile(p);
    case 'lognormal': {
      const { mu, sigma } = lognormalLogParameters(d.mean, d.sd);
      return Math.exp(mu + sigma * normalQuantile(p));
    }
    case 'uniform':
      return d.min + (d.max - d.min) * p;
  }
}

/** Fills `out[0..count)` with draws from one distribution. */
export type Sampler = (rng: SeededRandom, out: Float64Array, count: number) => void;

/**
 * Marsaglia & Tsang (2000), "A simple method for generating gamma variables", for shape ≥ 1 (PERT's shapes are
 * always ≥ 1). Normal deviates by inversion (AS 241), so the draw depends only on the uniform stream.
 */
function gamma(rng: SeededRandom, shape: number): number {
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = normalQuantile(rng.nextDouble());
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = rng.nextDouble();
    const x2 = x * x;
    if (u < 1 - 0.0331 * x2 * x2) return d * v;
    if (ln(u) < 0.5 * x2 + d * (1 - v + ln(v))) return d * v;
  }
}

/**
 * A sampler for the distribution. Triangular, uniform, normal and lognormal use inversion (one uniform per draw);
 * PERT draws Beta(α, β) as X/(X+Y) from two gamma variates.
 */
export function createSampler(d: Distribution): Sampler {
  switch (d.type) {
    case 'triangular': {
      const { min: a, mode: c, max: b } = d;
      const split = (c - a) / (b - a);
      const left = (b - a) * (c - a);
      const right = (b - a) * (b - c);
      return (rng, out, count) => {
        for (let i = 0; i < count; i++) {
          const u = rng.nextDouble();
          out[i] = u < split ? a + Math.sqrt(u * left) : b - Math.sqrt((1 - u) * right);
        }
      };
    }
    case 'pert': {
      const { alpha, beta } = pertShape(d);
      const { min, max } = d;
      const range = max - min;
      return (rng, out, count) => {
        for (let i = 0; i < count; i++) {
          const x = gamma(rng, alpha);
          const y = gamma(rng, beta);
          out[i] = min + (range * x) / (x + y);
        }
      };
    }
    case 'normal': {
      const { mean, sd } = d;
      return (rng, out, count) => {
        for (let i = 0; i < count; i++) out[i] = mean + sd * normalQuantile(rng.nextDouble());
      };
    }
    case 'lognormal': {
      const { mu, sigma } = lognormalLogParameters(d.mean, d.sd);
      return (rng, out, count) => {
        for (let i = 0; i < count; i++) out[i] = exp(mu + sigma * normalQuantile(rng.nextDouble()));
      };
    }
    case 'uniform': {
      const { min, max } = d;
      const range = max - min;
      return (rng, out, count) => {
        for (let i = 0; i < count; i++) out[i] = min + range * rng.nextDouble();
      };
    }
  }
}
