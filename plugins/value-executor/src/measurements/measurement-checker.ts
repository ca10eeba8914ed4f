import type { Commitment, CommitmentsService, CommitmentStatus } from '@valueverse/plugin-value-committer/api';
import { DAY_MS, parseTimestamp } from '../realization/iso-day';
import { metricProfile } from '../realization/metric-profile';

/** A measurement that passed every check, ready to store. */
export interface MeasurementInput {
  readonly commitmentId: string;
  readonly metric: string;
  readonly value: number;
  readonly measuredAt: Date;
  readonly source: string;
  readonly note: string | null;
  /** Set when the reading corrects earlier, higher readings of a cumulative metric (they stop counting). */
  readonly correctionReason: string | null;
}

/** The fields of a measurement as received: JSON values, CSV text or an event payload. */
export interface RawMeasurement {
  readonly commitmentId?: unknown;
  readonly metric?: unknown;
  readonly value?: unknown;
  readonly measuredAt?: unknown;
  readonly source?: unknown;
  readonly note?: unknown;
  /** `{ reason }`: the reading corrects earlier ones (API and events; not a CSV column). */
  readonly correction?: unknown;
}

export type MeasurementField = 'commitmentId' | 'metric' | 'value' | 'measuredAt' | 'source' | 'note' | 'correction';

/** Why a measurement was refused: `invalid` (400), `not-found` (404: unknown or another tenant's), `conflict` (409). */
export interface MeasurementProblem {
  readonly field: MeasurementField;
  readonly kind: 'invalid' | 'not-found' | 'conflict';
  readonly message: string;
}

export type CheckResult = { readonly ok: true; readonly input: MeasurementInput } | { readonly ok: false; readonly problems: readonly MeasurementProblem[] };

/** Only commitments in force take actuals: drafts and proposals have nothing to realize, closed ones are final. */
export const measurableStatuses: readonly CommitmentStatus[] = ['signed', 'active'];

/** How far in the future a measurement may be dated (clock skew between systems); later is a mistake. */
const FUTURE_TOLERANCE_MS = DAY_MS;
const MAX_TEXT = 200;
/** Longest note, in characters (the `0003-measurement-notes` column check and the JSON Schema say the same). */
export const MAX_NOTE = 1000;
const numberPattern = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** The metrics a commitment can be measured on: its milestones', its drivers' and its success criteria's. */
export function metricsOf(commitment: Commitment): Set<string> {
  return new Set([...commitment.milestones.map((m) => m.metric), ...commitment.drivers.map((d) => d.key), ...commitment.successCriteria.map((c) => c.metric)]);
}

/**
 * Checks measurements of one tenant against its commitments: field formats, a known commitment of this tenant in
 * force, a metric of that commitment, a measurement time not in the future. Commitments are looked up once each.
 */
export class MeasurementChecker {
  private readonly commitments = new Map<string, Promise<Commitment | undefined>>();

  constructor(
    private readonly service: CommitmentsService,
    private readonly tenantId: string,
    private readonly now: Date = new Date(),
  ) {}

  /** The commitment, if it exists and belongs to the tenant. */
  commitment(id: string): Promise<Commitment | undefined> {
    let found = this.commitments.get(id);
    if (!found) {
      found = this.service.get(this.tenantId, id).then((c) => (c && c.tenantId === this.tenantId ? c : undefined));
      this.commitments.set(id, found);
    }
    return found;
  }

  async check(raw: RawMeasurement, defaultSource: string): Promise<CheckResult> {
    const problems: MeasurementProblem[] = [];
    const invalid = (field: MeasurementField, message: string) => problems.push({ field, kind: 'invalid', message });

    const text = (field: MeasurementField, value: unknown, required: boolean, max = MAX_TEXT): string | undefined => {
      if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) {
        if (required) invalid(field, 'is required');
        return undefined;
      }
      const trimmed = typeof value === 'string' ? value.trim() : undefined;
      if (trimmed === undefined) invalid(field, 'must be a string');
      // Characters, not UTF-16 units: what JSON Schema's maxLength and PostgreSQL's char_length count.
      else if ([...trimmed].length > max) invalid(field, `must be at most ${max} characters`);
      else return trimmed;
      return undefined;
    };
    const commitmentId = text('commitmentId', raw.commitmentId, true);
    const metric = text('metric', raw.metric, true);
    const source = text('source', raw.source, false) ?? defaultSource;
    const note = text('note', raw.note, false, MAX_NOTE) ?? null;
    let correctionReason: string | null = null;
    if (raw.correction !== undefined && raw.correction !== null) {
      const reason = typeof raw.correction === 'object' ? (raw.correction as { reason?: unknown }).reason : undefined;
      if (reason === undefined) invalid('correction', 'must be an object with a reason');
      else correctionReason = text('correction', reason, true, MAX_NOTE) ?? null;
    }

    let value: number | undefined;
    if (typeof raw.value === 'number') value = raw.value;
    else if (typeof raw.value === 'string' && numberPattern.test(raw.value.trim())) value = Number(raw.value.trim());
    if (raw.value === undefined || raw.value === null || raw.value === '') invalid('value', 'is required');
    else if (value === undefined || !Number.isFinite(value)) invalid('value', 'must be a finite number');

    let measuredAt: Date | undefined;
    if (raw.measuredAt === undefined || raw.measuredAt === null || raw.measuredAt === '') invalid('measuredAt', 'is required');
    else if (typeof raw.measuredAt !== 'string' || !(measuredAt = parseTimestamp(raw.measuredAt.trim()))) {
      invalid('measuredAt', 'must be an ISO date (yyyy-mm-dd) or date-time with a zone');
    } else if (measuredAt.getTime() > this.now.getTime() + FUTURE_TOLERANCE_MS) {
      invalid('measuredAt', 'must not be in the future');
    }

    if (commitmentId !== undefined) {
      const commitment = await this.commitment(commitmentId);
      if (!commitment) {
        problems.push({ field: 'commitmentId', kind: 'not-found', message: `commitment ${commitmentId} not found` });
      } else {
        if (!measurableStatuses.includes(commitment.status)) {
          problems.push({
            field: 'commitmentId',
            kind: 'conflict',
            message: `commitment ${commitmentId} is ${commitment.status}; only signed or active commitments take measurements`,
          });
        }
        const metrics = metricsOf(commitment);
        if (metric !== undefined && !metrics.has(metric)) {
          invalid('metric', `"${metric}" is not a metric of commitment ${commitmentId} (metrics: ${[...metrics].sort().join(', ') || 'none'})`);
        } else if (metric !== undefined) {
          // Physical bounds of the metric (a rate lies in 0..1): a reading outside them is a mistake, not news.
          const profile = metricProfile(commitment, metric);
          const unit = profile.unit ? ` ${profile.unit}` : '';
          if (value !== undefined && Number.isFinite(value) && ((profile.min !== null && value < profile.min) || (profile.max !== null && value > profile.max))) {
            invalid('value', `must be within the physical bounds of ${metric}: ${profile.min ?? '−∞'} to ${profile.max ?? '∞'}${unit}`);
          }
          if (correctionReason !== null && profile.kind !== 'cumulative') {
            invalid('correction', `only readings of a cumulative metric correct earlier ones; ${metric} is ${profile.kind}: record the value as it is`);
          }
        }
      }
    }
    if (problems.length > 0) return { ok: false, problems };
    return { ok: true, input: { commitmentId: commitmentId!, metric: metric!, value: value!, measuredAt: measuredAt!, source, note, correctionReason } };
  }
}
