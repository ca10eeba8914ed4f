import type { Commitment, RealizationReport } from '../lifecycle-data';

export interface CommitmentStanding {
  readonly id: string;
  readonly title: string;
  readonly status: string;
  readonly modelId: string;
  readonly committed: number;
  readonly currency: string;
  /** committed × the realization report's overall ratio; null when it has no report (not in force, or no executor). */
  readonly realized: number | null;
  /** The realization outlook (on-track, at-risk, missed, achieved, insufficient-data), or the commitment status. */
  readonly outlook: string | null;
}

export interface DashboardSummary {
  readonly currency: string;
  readonly committed: number;
  readonly realized: number;
  readonly inForce: number;
  readonly standings: readonly CommitmentStanding[];
  /** At risk or missed, the worst first. */
  readonly attention: readonly CommitmentStanding[];
}

/** Commitments whose value counts as committed: signed and in force. */
export const IN_FORCE = new Set(['signed', 'active']);

/**
 * Committed against realized across the tenant's commitments in force, in the first one's currency (others in
 * another currency are listed but not added up), and those needing attention.
 */
export function dashboardSummary(commitments: readonly Commitment[], reports: ReadonlyMap<string, RealizationReport>): DashboardSummary {
  const standings: CommitmentStanding[] = commitments.map((c) => {
    const report = reports.get(c.id);
    return {
      id: c.id,
      title: c.title,
      status: c.status,
      modelId: c.modelId,
      committed: c.committedValue,
      currency: c.currency,
      realized: report ? c.committedValue * report.overall : null,
      outlook: report ? report.outlook : null,
    };
  });
  const inForce = standings.filter((s) => IN_FORCE.has(s.status));
  const currency = inForce[0]?.currency ?? standings[0]?.currency ?? 'USD';
  const counted = inForce.filter((s) => s.currency === currency);
  const rank = (s: CommitmentStanding) => (s.outlook === 'missed' ? 0 : 1);
  return {
    currency,
    committed: counted.reduce((sum, s) => sum + s.committed, 0),
    realized: counted.reduce((sum, s) => sum + (s.realized ?? 0), 0),
    inForce: inForce.length,
    standings,
    attention: standings.filter((s) => s.outlook === 'missed' || s.outlook === 'at-risk').sort((a, b) => rank(a) - rank(b)),
  };
}
