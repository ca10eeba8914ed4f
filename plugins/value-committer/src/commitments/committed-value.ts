import type { CalculationService, SimulationResult, ValueModel } from '@valueverse/plugin-calculation';

export interface CommittedValueRequest {
  readonly model: ValueModel;
  /** e.g. 0.8 for P80: "80% confident we deliver at least the committed value". */
  readonly confidence: number;
  readonly trials: number;
  readonly seed: number;
}

/** How a committed value was found, kept with the commitment so anyone can re-run it. */
export interface CommitmentSimulation {
  readonly metric: 'npv';
  readonly trials: number;
  readonly seed: number;
  /** Quantile of the simulated NPV used as the committed value: 1 − confidence. */
  readonly quantile: number;
  readonly mean: number;
  readonly p10: number;
  readonly p50: number;
  readonly p90: number;
  readonly stochasticDrivers: string[];
  /** Share of trials whose NPV is above the committed value: at least `confidence`. */
  readonly shareAbove: number;
  readonly rule: string;
}

export interface CommittedValue {
  /** Deterministic NPV of the model at its point values. */
  readonly baseValue: number;
  readonly committedValue: number;
  readonly simulation: CommitmentSimulation;
}

const DIRECT_RULE = 'the percentile reported by the calculation plugin (PERCENTILE.INC)';
const SEARCH_RULE =
  'a value in [s(k), s(k+1)) of the trial NPVs sorted ascending (s(1) the smallest), k = floor((trials − 1) × quantile), so trials − k trials lie above it (a few more if the search stops early); found by regula falsi (Illinois) on the share of the same seeded run above a target';

/** Probes at most (each is one simulation run); the search usually isolates the trial in 4 to 12. Without
 * isolation the lower end is still returned: its share above is measured, and more than `confidence`. */
const MAX_PROBES = 24;

interface Bracket {
  /** count(lo) > above ≥ count(hi), where count(t) is the number of trials above t. */
  lo: number;
  countLo: number;
  hi: number;
  countHi: number;
}

/**
 * The risk-adjusted committed value: the (1 − confidence) quantile of the model's simulated NPV, through the
 * calculation plugin's seeded Monte Carlo. P80 → the 20th percentile.
 *
 * The calculation service reports p5/p10/p50/p90/p95, a histogram and the share of trials above a target. Quantiles
 * it reports are used as they are. Any other is located on the same seeded run (same seed and trials, so the same
 * sample every time): count(t), the trials above t, is a step function that drops by one at each trial value, so a
 * bracketing search on it finds the step down to the wanted rank. The search starts from the histogram bin holding
 * the rank, interpolates (regula falsi, Illinois variant so it cannot stall on one side) and stops once the bracket
 * holds a single trial; it returns the bracket's lower end, so at least `confidence` of the trials lie above it.
 */
export async function committedValueOf(calc: CalculationService, request: CommittedValueRequest, signal?: AbortSignal): Promise<CommittedValue> {
  const { model, confidence, trials, seed } = request;
  const context = signal ? { signal } : {};
  const baseValue = calc.evaluateModel({ model }).metrics.npv.value;
  const run = (target: number, bins: number): Promise<SimulationResult> => calc.simulate({ model, trials, seed, target, bins }, context);
  const first = await run(0, 200);
  const quantile = round(1 - confidence);
  const summary = (committedValue: number, shareAbove: number, rule: string): CommittedValue => ({
    baseValue,
    committedValue,
    simulation: {
      metric: 'npv',
      trials,
      seed,
      quantile,
      mean: first.mean,
      p10: first.percentiles.p10,
      p50: first.percentiles.p50,
      p90: first.percentiles.p90,
      stochasticDrivers: first.stochasticDrivers,
      shareAbove,
      rule,
    },
  });

  if (first.min === first.max) return summary(first.min, 0, 'every trial gives the same NPV');
  const reported = (first.percentiles as Readonly<Record<string, number>>)[`p${round(quantile * 100)}`];
  if (reported !== undefined) return summary(reported, (await run(reported, 1)).probabilityAboveTarget, DIRECT_RULE);

  const k = Math.floor((trials - 1) * quantile);
  const above = trials - k - 1;
  const count = async (t: number) => Math.round((await run(t, 1)).probabilityAboveTarget * trials);
  const whole: Bracket = { lo: first.min - (first.max - first.min) * 1e-9, countLo: trials, hi: first.max, countHi: 0 };

  // The histogram narrows the start to the bin holding the rank; its edge counts are read from the histogram, so the
  // answer is checked by a probe before it is trusted (binning rounds at the edges).
  let before = 0;
  const bin = first.histogram.find((b) => (before += b.count) > k);
  let bracket: Bracket = bin ? { lo: bin.from, countLo: trials - (before - bin.count), hi: bin.to, countHi: trials - before } : whole;
  let found = await isolate(bracket, above, count);
  if (!found.probed && (await count(found.lo)) !== found.countLo) {
    bracket = whole;
    found = await isolate(bracket, above, count);
  }
  return summary(found.lo, found.countLo / trials, SEARCH_RULE);
}

/**
 * Narrows `b` until it holds one trial (or cannot narrow further); returns its lower end, its count, and whether
 * that count was measured (rather than taken from `b`).
 */
async function isolate(b: Bracket, above: number, count: (t: number) => Promise<number>): Promise<{ lo: number; countLo: number; probed: boolean }> {
  let { lo, hi, countLo, countHi } = b;
  let probed = false;
  // Regula falsi on f(t) = count(t) − above − ½ (positive at lo, negative at hi).
  let fLo = countLo - above - 0.5;
  let fHi = countHi - above - 0.5;
  let lastSide = 0;
  for (let probes = 0; probes < MAX_PROBES && countLo - countHi > 1; probes++) {
    let t = lo + (fLo / (fLo - fHi)) * (hi - lo);
    if (!(t > lo && t < hi)) t = lo + (hi - lo) / 2;
    if (!(t > lo && t < hi)) break;
    const c = await count(t);
    if (c > above) {
      [lo, countLo, fLo, probed] = [t, c, c - above - 0.5, true];
      // Illinois: the other end stayed twice in a row, halve its weight so the next point moves towards it.
      if (lastSide === 1) fHi /= 2;
      lastSide = 1;
    } else {
      [hi, countHi, fHi] = [t, c, c - above - 0.5];
      if (lastSide === -1) fLo /= 2;
      lastSide = -1;
    }
  }
  return { lo, countLo, probed };
}

function round(x: number): number {
  return Math.round(x * 1e9) / 1e9;
}
