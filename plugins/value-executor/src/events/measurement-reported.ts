import { VvError, type EventBus, type EventEnvelope, type Logger } from '@valueverse/plugin-sdk';
import type { RawMeasurement } from '../measurements/measurement-checker';
import type { MeasurementRecorder } from '../measurements/measurement-recorder';

/**
 * The event other plugins publish to report an actual (they need `events.publish:measurement.reported`).
 * Payload: `{ commitmentId, metric, value, measuredAt, source?, note?, correction? }`, the same fields as `POST /realization/measurements`,
 * checked by the same `MeasurementChecker` (a note over 1000 characters is refused with a `note` problem).
 */
export const measurementReportedEvent = 'measurement.reported';

/** Published back when a reported measurement is refused: `{ eventId, commitmentId, problems: [{field, message}] }`. */
export const measurementRejectedEvent = 'measurement.rejected';

/**
 * Records measurements reported through events, checked like API ones and attributed to `event:<publisher>`.
 * Only the exact name is subscribed, never `measurement.*`: the executor publishes `measurement.recorded` itself.
 */
export function subscribeToReportedMeasurements(events: EventBus, recorder: MeasurementRecorder, logger: Logger): () => void {
  return events.subscribe<RawMeasurement>(measurementReportedEvent, async (event: EventEnvelope<RawMeasurement>) => {
    const payload: RawMeasurement = typeof event.payload === 'object' && event.payload !== null ? event.payload : {};
    const checker = recorder.checker(event.tenantId);
    const result = await checker.check(payload, `event:${event.source}`);
    const reject = async (problems: readonly { field: string; message: string }[]) => {
      logger.warn({ tenantId: event.tenantId, eventId: event.id, problems }, 'refused a reported measurement');
      await events.publish(measurementRejectedEvent, event.tenantId, {
        eventId: event.id,
        commitmentId: typeof payload.commitmentId === 'string' ? payload.commitmentId : null,
        problems: problems.map((p) => ({ field: p.field, message: p.message })),
      });
    };
    if (!result.ok) return reject(result.problems);
    try {
      await recorder.record(event.tenantId, checker, [result.input], { recordedBy: `plugin:${event.source}` });
    } catch (error) {
      // A cumulative reading below the last one: refused like a bad field, not retried (it would fail again).
      if (error instanceof VvError && error.code === 'VV_READING_DECREASED') return reject([{ field: 'value', message: error.message }]);
      throw error;
    }
  });
}
