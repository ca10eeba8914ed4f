export { plugin, createValueExecutorPlugin, type ValueExecutorOptions } from './plugin';
export type { EvaluationSchedule } from './realization/periodic-evaluation';
export { realizationRef, realizationEvents } from './realization-api';
export type {
  RealizationService,
  Realization,
  RealizationOutlook,
  MilestoneRealization,
  DriverRealization,
  ValueRealized,
  ValueRealizedPart,
  ValueRealizedQuery,
} from './realization-api';
export { measurementReportedEvent, measurementRejectedEvent } from './events/measurement-reported';
