import { VvError, type FieldProblem } from '@valueverse/plugin-sdk';
import type { DriverCorrelation, ValueModel } from '../model/value-model';
import { cholesky } from '../numeric/cholesky';
import { symmetricEigenvalues } from '../numeric/symmetric-eigenvalues';

/** A validated rank-correlation matrix over the drivers that take part in one, ready for Iman–Conover. */
export interface CorrelationPlan {
  /** Indices (in the model's driver list) of the correlated drivers, ascending; matrix row i is driver `drivers[i]`. */
  readonly drivers: readonly number[];
  readonly names: readonly string[];
  /** The requested Spearman matrix, row-major k × k, unit diagonal (unnamed pairs 0). */
  readonly spearman: Float64Array;
  /**
   * Cholesky factor of the matching correlation of normal scores, R = 2·sin(π·ρs/6) (Pearson's identity between the
   * Spearman and Pearson correlations of a bivariate normal): imposing R on van der Waerden scores yields rank
   * correlations ρs, not the ≈0.98·ρs that imposing ρs itself would give.
   */
  readonly scoreFactor: Float64Array;
  readonly pairs: readonly DriverCorrelation[];
}

/** What every simulating answer states about how drivers were drawn together (issue #11 item 7). */
export type Dependence =
  { readonly method: 'independent'; readonly note: string } | { readonly method: 'iman-conover'; readonly correlations: readonly DriverCorrelation[]; readonly note: string };

const INDEPENDENT: Dependence = {
  method: 'independent',
  note: 'drivers are drawn independently of each other (the model declares no correlations)',
};

export function dependenceOf(plan: CorrelationPlan | undefined): Dependence {
  if (!plan) return INDEPENDENT;
  return {
    method: 'iman-conover',
    correlations: plan.pairs.map((p) => ({ a: p.a, b: p.b, rho: p.rho })),
    note: 'Spearman rank correlations imposed by Iman–Conover (1982) on each slice of trials, marginals unchanged; pairs not named are uncorrelated',
  };
}

function refuse(problems: FieldProblem[], pointer: string): never {
  const detail = `Invalid correlations: ${problems.map((p) => `${p.pointer.slice(pointer.length + '/correlations'.length) || '/'} ${p.message}`).join('; ')}`;
  throw new VvError('VV_CORRELATION_INVALID', { detail, params: { reason: detail }, errors: problems });
}

/**
 * Validates a model's `correlations` and builds the matrix: pairs name two different drivers that have a
 * distribution, each pair at most once, rho in −1..1, and the matrix (unit diagonal, unnamed pairs 0) positive
 * semi-definite. Anything else is 422 VV_CORRELATION_INVALID with a reason per pair. Undefined when there are none.
 */
export function correlationMatrix(model: ValueModel, pointer = '/model'): CorrelationPlan | undefined {
  const pairs = model.correlations ?? [];
  if (pairs.length === 0) return undefined;
  const index = new Map(model.drivers.map((d, i) => [d.name, i]));
  const problems: FieldProblem[] = [];
  const seen = new Map<string, number>();
  const involved = new Set<number>();
  pairs.forEach((pair, i) => {
    const at = `${pointer}/correlations/${i}`;
    for (const key of ['a', 'b'] as const) {
      const slot = index.get(pair[key]);
      if (slot === undefined) problems.push({ pointer: `${at}/${key}`, message: `"${pair[key]}" is not a driver of the model` });
      else if (!model.drivers[slot]!.distribution) {
        problems.push({ pointer: `${at}/${key}`, message: `driver "${pair[key]}" has no distribution: only drawn drivers can be correlated` });
      }
    }
    if (pair.a === pair.b) problems.push({ pointer: at, message: `correlates "${pair.a}" with itself` });
    if (!(pair.rho >= -1 && pair.rho <= 1)) problems.push({ pointer: `${at}/rho`, message: `must lie in −1..1, got ${pair.rho}` });
    const key = [pair.a, pair.b].sort().join('\u0000');
    const first = seen.get(key);
    if (first !== undefined) problems.push({ pointer: at, message: `the pair ${pair.a}–${pair.b} is already given at correlations/${first}` });
    else seen.set(key, i);
    if (index.has(pair.a)) involved.add(index.get(pair.a)!);
    if (index.has(pair.b)) involved.add(index.get(pair.b)!);
  });
  if (problems.length > 0) refuse(problems, pointer);

  const drivers = [...involved].sort((x, y) => x - y);
  const k = drivers.length;
  const row = new Map(drivers.map((slot, i) => [model.drivers[slot]!.name, i]));
  const spearman = new Float64Array(k * k);
  for (let i = 0; i < k; i++) spearman[i * k + i] = 1;
  for (const pair of pairs) {
    const i = row.get(pair.a)!;
    const j = row.get(pair.b)!;
    spearman[i * k + j] = spearman[j * k + i] = pair.rho;
  }
  const smallest = symmetricEigenvalues(spearman, k)[0]!;
  if (smallest < -1e-9) {
    refuse(
      [
        {
          pointer: `${pointer}/correlations`,
          message: `the pairs do not form a positive semi-definite matrix (smallest eigenvalue ${smallest.toPrecision(4)}): no set of drivers can have all these correlations at once`,
        },
      ],
      pointer,
    );
  }
  const score = spearman.map((rho, i) => (i % (k + 1) === 0 ? 1 : 2 * Math.sin((Math.PI * rho) / 6)));
  const scoreFactor = cholesky(score, k, 1e-9);
  if (!scoreFactor) {
    refuse(
      [{ pointer: `${pointer}/correlations`, message: 'the matching normal-scores matrix 2·sin(π·ρ/6) is not positive semi-definite: move the correlations away from ±1' }],
      pointer,
    );
  }
  return { drivers, names: drivers.map((slot) => model.drivers[slot]!.name), spearman, scoreFactor, pairs };
}
