import type { Commitment, CommitmentStatus, CommitmentsService } from '@valueverse/plugin-value-committer/api';
import type { RealizationService } from '@valueverse/plugin-value-executor/api';
import { quartiles, type Quartiles } from './percentile';

/** Commitments that count: signed or later. Drafts and proposals have no realization to compare. */
const benchmarkedStatuses: readonly CommitmentStatus[] = ['signed', 'active', 'closed'];

/** Industry key of commitments without one. */
export const UNSPECIFIED_INDUSTRY = 'unspecified';

export interface BenchmarkGroup {
  readonly industry: string;
  readonly count: number;
  /** Percentiles of `overall` realization (1 = fully realized). */
  readonly realization: Quartiles;
  /** Percentiles of the risk-adjusted committed value, per currency (amounts in different currencies are not mixed). */
  readonly committedValue: Readonly<Record<string, Quartiles & { readonly count: number }>>;
}

export interface PortfolioBenchmarks {
  /** The industry asked for, or null for all. */
  readonly industry: string | null;
  readonly asOf: string;
  /** Every benchmarked commitment of the tenant, all industries. */
  readonly portfolio: BenchmarkGroup;
  /** One group per industry (only the one asked for, when asked), by industry key. */
  readonly industries: BenchmarkGroup[];
}

interface Point {
  readonly industry: string;
  readonly realization: number;
  readonly committedValue: number;
  readonly currency: string;
}

function group(industry: string, points: readonly Point[]): BenchmarkGroup {
  const currencies = [...new Set(points.map((p) => p.currency))].sort();
  return {
    industry,
    count: points.length,
    realization: quartiles(points.map((p) => p.realization)),
    committedValue: Object.fromEntries(
      currencies.map((currency) => {
        const values = points.filter((p) => p.currency === currency).map((p) => p.committedValue);
        return [currency, { count: values.length, ...quartiles(values) }];
      }),
    ),
  };
}

/**
 * P25/P50/P75 of realization and committed value across the tenant's commitments, overall and by industry. Only the
 * latest version of an amended commitment counts (the one no other commitment names as its previous version).
 */
export async function portfolioBenchmarks(
  commitments: CommitmentsService,
  realization: RealizationService,
  tenantId: string,
  industry: string | undefined,
): Promise<PortfolioBenchmarks> {
  const all = await commitments.list(tenantId, { status: benchmarkedStatuses });
  const superseded = new Set(all.map((c) => c.previousVersionId).filter((id): id is string => id !== null));
  const current = all.filter((c) => !superseded.has(c.id));
  const points: Point[] = [];
  for (const c of current) {
    const r = await realization.forCommitment(tenantId, c.id);
    if (!r) continue;
    points.push({ industry: industryOf(c), realization: r.overall, committedValue: c.committedValue, currency: c.currency });
  }
  const wanted = industry?.trim().toLowerCase();
  const industries = [...new Set(points.map((p) => p.industry))]
    .filter((i) => wanted === undefined || i === wanted)
    .sort()
    .map((i) =>
      group(
        i,
        points.filter((p) => p.industry === i),
      ),
    );
  return { industry: wanted ?? null, asOf: new Date().toISOString(), portfolio: group('all', points), industries };
}

function industryOf(c: Commitment): string {
  return c.industry?.trim().toLowerCase() || UNSPECIFIED_INDUSTRY;
}
