import { VvError, type AuditLog, type EventBus, type Logger } from '@valueverse/plugin-sdk';
import type { CommitmentsService } from '@valueverse/plugin-value-committer/api';
import { metricProfile } from '../realization/metric-profile';
import type { RealizationEngine } from '../realization/realization-engine';
import { guardCumulative, type DecreaseProblem } from './cumulative-guard';
import { MeasurementChecker, type MeasurementInput } from './measurement-checker';
import { MeasurementsRefused, seriesKey, type Measurement, type MeasurementStore } from './measurement-store';

export interface RecordOptions {
  readonly recordedBy: string | null;
  readonly importId?: string | null;
  /** JSON pointer of input `index` in the request, for the problems of a refused reading (default `` → `/value`). */
  readonly pointerOf?: (index: number) => string;
}

export interface MeasurementRecorderDeps {
  readonly store: MeasurementStore;
  readonly engine: RealizationEngine;
  readonly commitments: CommitmentsService;
  readonly events: EventBus;
  readonly audit: AuditLog;
  readonly logger: Logger;
}

/** The message of a reading that would make a cumulative series fall. */
export function decreaseMessage(metric: string, p: DecreaseProblem): string {
  return p.later
    ? `${metric} is cumulative: the later reading ${p.value} would fall below ${p.previous} on ${p.previousDate}`
    : `${metric} is cumulative: ${p.value} is below the previous reading ${p.previous} on ${p.previousDate}; send a higher reading, or a correction with a reason`;
}

/**
 * The one path every measurement takes, whether it came from the API, a CSV import or an event: check, store,
 * announce (`measurement.recorded`, one event per commitment and call), then evaluate the commitments it touched.
 */
export class MeasurementRecorder {
  constructor(private readonly deps: MeasurementRecorderDeps) {}

  /** A checker for one tenant's measurements; pass the same one to `record`. */
  checker(tenantId: string, now = new Date()): MeasurementChecker {
    return new MeasurementChecker(this.deps.commitments, tenantId, now);
  }

  /** The series among `inputs` whose metric is cumulative: they may not fall (issue #11, item 3). */
  async cumulativeSeries(checker: MeasurementChecker, inputs: readonly MeasurementInput[]): Promise<Set<string>> {
    const keys = new Set<string>();
    for (const input of inputs) {
      const commitment = await checker.commitment(input.commitmentId);
      if (commitment && metricProfile(commitment, input.metric).kind === 'cumulative') keys.add(seriesKey(input.commitmentId, input.metric));
    }
    return keys;
  }

  /**
   * The inputs that would make their cumulative series fall, checked against what is stored now — for reporting
   * row by row (CSV import) before `record`, which checks again under a lock.
   */
  async decreases(tenantId: string, checker: MeasurementChecker, inputs: readonly MeasurementInput[]): Promise<DecreaseProblem[]> {
    const cumulative = await this.cumulativeSeries(checker, inputs);
    const groups = new Map<string, number[]>();
    inputs.forEach((input, index) => {
      const key = seriesKey(input.commitmentId, input.metric);
      if (cumulative.has(key)) groups.set(key, [...(groups.get(key) ?? []), index]);
    });
    const problems: DecreaseProblem[] = [];
    for (const indexes of groups.values()) {
      const { commitmentId, metric } = inputs[indexes[0]!]!;
      const counted = await this.deps.store.counted(tenantId, commitmentId, metric);
      const incoming = indexes.map((index) => ({ index, value: inputs[index]!.value, measuredAt: inputs[index]!.measuredAt, correctionReason: inputs[index]!.correctionReason }));
      problems.push(...guardCumulative(counted, incoming).problems);
    }
    return problems.sort((a, b) => a.index - b.index);
  }

  /**
   * Stores the inputs (all or none). A reading that would make a cumulative series fall is refused with 422
   * VV_READING_DECREASED; a correction replaces the readings above it and is written to the audit log.
   */
  async record(tenantId: string, checker: MeasurementChecker, inputs: readonly MeasurementInput[], options: RecordOptions): Promise<Measurement[]> {
    let result;
    try {
      result = await this.deps.store.insert(tenantId, inputs, { recordedBy: options.recordedBy, importId: options.importId ?? null }, await this.cumulativeSeries(checker, inputs));
    } catch (error) {
      if (!(error instanceof MeasurementsRefused)) throw error;
      const at = options.pointerOf ?? (() => '');
      const [first] = error.problems;
      const metric = inputs[first!.index]!.metric;
      throw new VvError('VV_READING_DECREASED', {
        params: { metric, value: first!.value, previous: first!.previous, previousDate: first!.previousDate },
        detail: decreaseMessage(metric, first!),
        errors: error.problems.map((p) => ({ pointer: `${at(p.index)}/value`, message: decreaseMessage(inputs[p.index]!.metric, p) })),
      });
    }
    const stored = result.stored;
    for (const c of result.corrections) {
      await this.deps.audit.record({
        action: 'measurement.corrected',
        tenantId,
        ...(options.recordedBy ? { actor: options.recordedBy } : {}),
        target: c.measurement.id,
        before: { superseded: c.superseded.map((r) => ({ id: r.id, value: r.value, measuredAt: r.measuredAt.toISOString() })) },
        after: {
          commitmentId: c.measurement.commitmentId,
          metric: c.measurement.metric,
          value: c.measurement.value,
          measuredAt: c.measurement.measuredAt,
          reason: c.measurement.correctionReason,
        },
      });
    }
    const byCommitment = new Map<string, Measurement[]>();
    for (const m of stored) byCommitment.set(m.commitmentId, [...(byCommitment.get(m.commitmentId) ?? []), m]);
    const now = new Date();
    for (const [commitmentId, measurements] of byCommitment) {
      // The measurements are stored: a failure from here on is logged, never reported as a failed request, or
      // the caller would retry and store them twice.
      try {
        await this.deps.events.publish('measurement.recorded', tenantId, {
          commitmentId,
          count: measurements.length,
          metrics: [...new Set(measurements.map((m) => m.metric))].sort(),
          sources: [...new Set(measurements.map((m) => m.source))].sort(),
          importId: options.importId ?? null,
        });
        const commitment = await checker.commitment(commitmentId);
        if (commitment) await this.deps.engine.evaluate(tenantId, commitment, now);
      } catch (error) {
        this.deps.logger.error({ err: error, tenantId, commitmentId }, 'evaluating a commitment after new measurements failed');
      }
    }
    return stored;
  }
}
