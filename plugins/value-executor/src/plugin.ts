import { coreServices, definePlugin } from '@valueverse/plugin-sdk';
import { commitmentsRef } from '@valueverse/plugin-value-committer';
import { MeasurementEntity } from './data/measurement-entity';
import { executorMigrations } from './data/executor-migrations';
import { subscribeToReportedMeasurements } from './events/measurement-reported';
import { createRealizationRoutes } from './http/realization-routes';
import { MeasurementRecorder } from './measurements/measurement-recorder';
import { MeasurementStore } from './measurements/measurement-store';
import { realizationRef } from './realization-api';
import { RealizationEngine } from './realization/realization-engine';

/**
 * The value executor: actual measurements of signed commitments (API, CSV import, `measurement.reported` events),
 * realization per milestone and overall under `/api/v1/realization`, milestone events, and the `value-realization`
 * service for value-amplifier.
 */
export const plugin = definePlugin({
  deps: { http: coreServices.http, db: coreServices.db, events: coreServices.events, logger: coreServices.logger, commitments: commitmentsRef },
  database: { entities: [MeasurementEntity], migrations: executorMigrations },
  setup({ http, db, events, logger, commitments }, registrar) {
    const store = new MeasurementStore(db);
    const engine = new RealizationEngine({ db, store, commitments, events, logger });
    const recorder = new MeasurementRecorder({ store, engine, commitments, events, logger });
    for (const route of createRealizationRoutes({ store, recorder, engine, commitments })) http.route(route);
    subscribeToReportedMeasurements(events, recorder, logger);
    registrar.provide(realizationRef, engine);
  },
});
