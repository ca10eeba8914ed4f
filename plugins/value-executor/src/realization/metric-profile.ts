import type { Commitment, MetricDefinition, MetricKind } from '@valueverse/plugin-value-committer/api';

/** What realization needs to know about a metric: declared on the commitment, or the default below. */
export interface MetricProfile {
  readonly key: string;
  readonly kind: MetricKind;
  readonly unit: string;
  readonly min: number | null;
  readonly max: number | null;
  /** How readings add up toward a target: cumulative and flow-sum metrics accumulate, levels and flow-mean average. */
  readonly accumulates: boolean;
  readonly valueAtStake: number | null;
  /** False when the commitment does not declare the metric and the default applies. */
  readonly declared: boolean;
}

// A unit or key that names a proportion: the library's "share of …" units, rates, ratios, percentages.
const proportionUnit = /\b(share|rate|ratio|fraction|proportion)\b/i;
const percentUnit = /%|\bpercent\b/i;
const proportionKey = /(^|_)(rate|ratio|share|pct|percent|percentage)$/i;

/**
 * The metric's profile. Without a declaration (every commitment made before declarations existed) the default is
 * what those rows have meant all along — the API documented readings as "cumulative unless the metric says
 * otherwise" — except where the metric itself says otherwise: a proportion (a committed driver's unit such as
 * "share of tickets", "rate" or "%", or a key ending in _rate, _ratio, _share, _pct) is a level bounded 0..1
 * (0..100 for a "%" unit), because a running total of a rate means nothing (issue #11, item 2).
 */
export function metricProfile(commitment: Commitment, key: string): MetricProfile {
  const declared = (commitment.metrics ?? []).find((m) => m.key === key);
  if (declared) return fromDefinition(declared);
  const unit = commitment.drivers.find((d) => d.key === key)?.unit ?? '';
  if (percentUnit.test(unit)) return { key, kind: 'level', unit, min: 0, max: 100, accumulates: false, valueAtStake: null, declared: false };
  if (proportionUnit.test(unit) || proportionKey.test(key)) return { key, kind: 'level', unit, min: 0, max: 1, accumulates: false, valueAtStake: null, declared: false };
  return { key, kind: 'cumulative', unit, min: null, max: null, accumulates: true, valueAtStake: null, declared: false };
}

function fromDefinition(d: MetricDefinition): MetricProfile {
  const accumulates = d.kind === 'cumulative' || (d.kind === 'flow' && (d.aggregate ?? 'sum') === 'sum');
  return { key: d.key, kind: d.kind, unit: d.unit, min: d.min, max: d.max, accumulates, valueAtStake: d.valueAtStake ?? null, declared: true };
}

/** Clamps a value into the metric's physical bounds (a projected rate never leaves 0..1). */
export function withinBounds(profile: MetricProfile, value: number): number {
  let v = value;
  if (profile.max !== null) v = Math.min(v, profile.max);
  if (profile.min !== null) v = Math.max(v, profile.min);
  return v;
}
