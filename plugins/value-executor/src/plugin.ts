import { coreServices, definePlugin, type VvPlugin, tablePrivacy } from '@valueverse/plugin-sdk';
import { commitmentsRef } from '@valueverse/plugin-value-committer/api';
import { MeasurementEntity } from './data/measurement-entity';
import { executorMigrations } from './data/executor-migrations';
import { subscribeToReportedMeasurements } from './events/measurement-reported';
import { createRealizationRoutes } from './http/realization-routes';
import { MeasurementRecorder } from './measurements/measurement-recorder';
import { MeasurementStore } from './measurements/measurement-store';
import { realizationRef } from './realization-api';
import { dailyEvaluation, schedulePeriodicEvaluation, type EvaluationSchedule } from './realization/periodic-evaluation';
import { RealizationEngine } from './realization/realization-engine';

export interface ValueExecutorOptions {
  /** When every tenant's commitments are evaluated without a request (default: daily at 00:05 UTC). */
  readonly evaluation?: EvaluationSchedule;
}

/**
 * The value executor: actual measurements of signed commitments (API, CSV import, `measurement.reported` events),
 * realization per milestone and overall under `/api/v1/realization`, milestone events (also from a daily evaluation
 * of every tenant's commitments), and the `value-realization` service for value-amplifier.
 *
 * @example
 * // A test that cannot wait a day:
 * createTestKernel({ plugins: [committer, { manifest, plugin: createValueExecutorPlugin({ evaluation: { everyMs: 300 } }) }] });
 */
export function createValueExecutorPlugin(options: ValueExecutorOptions = {}): VvPlugin {
  return definePlugin({
    deps: {
      http: coreServices.http,
      db: coreServices.db,
      events: coreServices.events,
      jobs: coreServices.jobs,
      audit: coreServices.audit,
      logger: coreServices.logger,
      commitments: commitmentsRef,
    },
    database: { entities: [MeasurementEntity], migrations: executorMigrations },
    setup({ http, db, events, jobs, audit, logger, commitments }, registrar) {
      const store = new MeasurementStore(db);
      const engine = new RealizationEngine({ db, store, commitments, events, logger });
      const recorder = new MeasurementRecorder({ store, engine, commitments, events, audit, logger });
      for (const route of createRealizationRoutes({ store, recorder, engine, commitments })) http.route(route);
      subscribeToReportedMeasurements(events, recorder, logger);
      schedulePeriodicEvaluation(jobs, { engine, commitments, logger }, options.evaluation ?? dailyEvaluation);
      registrar.privacy(tablePrivacy(db, [{ table: 'measurements', retention: { dataClass: 'measurements', column: 'measured_at' } }, { table: 'milestone_states' }]));
      registrar.provide(realizationRef, engine);
    },
  });
}

/** The plugin as the platform loads it. */
export const plugin = createValueExecutorPlugin();
