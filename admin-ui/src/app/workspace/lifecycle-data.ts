// The lifecycle plugins' answers. Commitments are typed from the API's OpenAPI document (api-types.ts); the
// realization, recommendation and hypothesis routes declare no response schema yet, so their readers below still
// default missing fields.
import type { ApiResponse } from '../api/api-types';

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => !!v && typeof v === 'object' && !Array.isArray(v);
const str = (v: unknown, fallback = ''): string => (typeof v === 'string' ? v : fallback);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** The array of a list answer: the body itself, or its `items` (cursor pages) or a named member. */
export function listOf(body: unknown, ...names: string[]): unknown[] {
  if (Array.isArray(body)) return body;
  if (!isObject(body)) return [];
  for (const key of ['items', ...names]) if (Array.isArray(body[key])) return body[key] as unknown[];
  return [];
}

/** A commitment (value-committer), as its route's schema declares it: `nextStatuses` says where it may move next. */
export type Commitment = ApiResponse<'/api/v1/commitments/{id}', 'get'>;
/** One page of `GET /api/v1/commitments`. */
export type CommitmentPage = ApiResponse<'/api/v1/commitments', 'get'>;

/** Signed and active commitments are immutable: they change through an amendment, once per version. */
export function canAmend(c: Commitment): boolean {
  return (c.status === 'signed' || c.status === 'active') && c.amendedBy === null;
}

export interface MilestoneRealization {
  readonly milestoneId: string;
  readonly title: string;
  readonly metric: string;
  readonly dueDate: string;
  readonly target: number;
  readonly actual: number | null;
  readonly projected: number | null;
  readonly variance: number | null;
  readonly status: string;
  /** What `actual` is: `running-total` (flows summed toward the target), `latest-reading` or `trailing-average`. */
  readonly basis: string;
  /** The engine's projection with its ~80% interval, or null (then `insufficientDataReason` may say why). */
  readonly projection: MilestoneProjection | null;
  readonly insufficientDataReason: string | null;
}

/** value-executor's projection of a milestone's metric: a Theil–Sen run rate to `at` with an interval. */
export interface MilestoneProjection {
  readonly at: string;
  readonly value: number;
  readonly low: number;
  readonly high: number;
  readonly capped: boolean;
  readonly note: string | null;
}

function toProjection(raw: unknown): MilestoneProjection | null {
  if (!isObject(raw)) return null;
  const value = num(raw['value']);
  const at = str(raw['at']);
  if (value === null || !at) return null;
  return {
    at,
    value,
    low: num(raw['low']) ?? value,
    high: num(raw['high']) ?? value,
    capped: raw['capped'] === true,
    note: typeof raw['note'] === 'string' ? raw['note'] : null,
  };
}

export interface DriverRealization {
  readonly key: string;
  readonly committed: number;
  readonly actual: number | null;
  readonly variance: number | null;
}

/** GET /realization/commitments/:id (value-executor `RealizationReport`). */
export interface RealizationReport {
  readonly commitmentId: string;
  readonly title: string;
  readonly asOf: string;
  /** 1 = fully realized. */
  readonly overall: number;
  readonly atRisk: boolean;
  /** The commitment as a whole: missed, at-risk, achieved, insufficient-data or on-track (value-executor). */
  readonly outlook: string;
  readonly milestones: readonly MilestoneRealization[];
  readonly drivers: readonly DriverRealization[];
}

export function toRealization(raw: unknown): RealizationReport | undefined {
  if (!isObject(raw)) return undefined;
  const milestones = arr(raw['milestones'])
    .filter(isObject)
    .map((m, i) => ({
      milestoneId: str(m['milestoneId'], String(i)),
      title: str(m['title'], `Milestone ${i + 1}`),
      metric: str(m['metric']),
      dueDate: str(m['dueDate']),
      target: num(m['target']) ?? 0,
      actual: num(m['actual']),
      projected: num(m['projected']),
      variance: num(m['variance']),
      status: str(m['status'], 'pending'),
      basis: str(m['basis'], 'latest-reading'),
      projection: toProjection(m['projection']),
      insufficientDataReason: typeof m['insufficientDataReason'] === 'string' ? m['insufficientDataReason'] : null,
    }))
    .sort((a, b) => a.dueDate.localeCompare(b.dueDate));
  return {
    commitmentId: str(raw['commitmentId']),
    title: str(raw['title']),
    asOf: str(raw['asOf']),
    overall: num(raw['overall']) ?? 0,
    atRisk: raw['atRisk'] === true,
    outlook: str(raw['outlook'], raw['atRisk'] === true ? 'at-risk' : 'on-track'),
    milestones,
    drivers: arr(raw['drivers'])
      .filter(isObject)
      .map((d) => ({ key: str(d['key']), committed: num(d['committed']) ?? 0, actual: num(d['actual']), variance: num(d['variance']) })),
  };
}

/** One ranked recommendation (value-amplifier `Recommendation`). */
export interface Recommendation {
  readonly rank: number;
  readonly kind: string;
  readonly driver: string;
  readonly label: string;
  readonly unit: string;
  readonly committed: number | null;
  readonly actual: number | null;
  readonly gap: number | null;
  readonly valueImpact: number | null;
  readonly action: string;
}

export interface RecommendationsReport {
  readonly currency: string;
  readonly realization: number | null;
  readonly atRisk: boolean;
  readonly recommendations: readonly Recommendation[];
  readonly unmeasured: readonly string[];
  readonly neutral: readonly string[];
}

export function toRecommendations(raw: unknown): RecommendationsReport {
  const r = isObject(raw) ? raw : {};
  return {
    currency: str(r['currency'], 'USD'),
    realization: num(r['realization']),
    atRisk: r['atRisk'] === true,
    recommendations: listOf(raw, 'recommendations')
      .filter(isObject)
      .map((x, i) => ({
        rank: num(x['rank']) ?? i + 1,
        kind: str(x['kind']),
        driver: str(x['driver']),
        label: str(x['label'], str(x['driver'], `Recommendation ${i + 1}`)),
        unit: str(x['unit']),
        committed: num(x['committed']),
        actual: num(x['actual']),
        gap: num(x['gap']),
        valueImpact: num(x['valueImpact']),
        action: str(x['action']),
      }))
      .sort((a, b) => a.rank - b.rank),
    unmeasured: arr(r['unmeasured']).map((v) => String(v)),
    neutral: arr(r['neutral']).map((v) => String(v)),
  };
}

/** A value hypothesis (value-architect `ValueHypothesis`). */
export interface Hypothesis {
  readonly title: string;
  readonly statement: string;
  readonly rationale: string;
  readonly confidence: string;
  readonly estimatedAnnualValue: number | null;
  readonly formula: string;
  readonly driver: {
    readonly key: string;
    readonly label: string;
    readonly unit: string;
    readonly min: number | null;
    readonly typical: number | null;
    readonly max: number | null;
  };
}

export interface HypothesisResult {
  readonly source: string;
  readonly provider: string | null;
  readonly fallbackReason?: string;
  readonly hypotheses: readonly Hypothesis[];
}

export function toHypotheses(raw: unknown): HypothesisResult {
  const r = isObject(raw) ? raw : {};
  return {
    source: str(r['source'], 'unknown'),
    provider: typeof r['provider'] === 'string' ? r['provider'] : null,
    fallbackReason: typeof r['fallbackReason'] === 'string' ? r['fallbackReason'] : undefined,
    hypotheses: listOf(raw, 'hypotheses')
      .filter(isObject)
      .map((h, i) => {
        const d = isObject(h['driver']) ? h['driver'] : {};
        const range = isObject(d['range']) ? d['range'] : {};
        return {
          title: str(h['title'], `Hypothesis ${i + 1}`),
          statement: str(h['statement']),
          rationale: str(h['rationale']),
          confidence: str(h['confidence']),
          estimatedAnnualValue: num(h['estimatedAnnualValue']),
          formula: str(h['formula']),
          driver: {
            key: str(d['key']),
            label: str(d['label'], str(d['key'])),
            unit: str(d['unit']),
            min: num(range['min']),
            typical: num(range['typical']),
            max: num(range['max']),
          },
        };
      }),
  };
}
