import type { EventBus, Logger } from '@valueverse/plugin-sdk';
import type { CommitmentsService } from '@valueverse/plugin-value-committer';
import type { RealizationEngine } from '../realization/realization-engine';
import { MeasurementChecker, type MeasurementInput } from './measurement-checker';
import type { Measurement, MeasurementStore } from './measurement-store';

export interface RecordOptions {
  readonly recordedBy: string | null;
  readonly importId?: string | null;
}

export interface MeasurementRecorderDeps {
  readonly store: MeasurementStore;
  readonly engine: RealizationEngine;
  readonly commitments: CommitmentsService;
  readonly events: EventBus;
  readonly logger: Logger;
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

  async record(tenantId: string, checker: MeasurementChecker, inputs: readonly MeasurementInput[], options: RecordOptions): Promise<Measurement[]> {
    const stored = await this.deps.store.insert(tenantId, inputs, { recordedBy: options.recordedBy, importId: options.importId ?? null });
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
