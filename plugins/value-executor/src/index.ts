export { plugin } from './plugin';
export { realizationRef, realizationEvents } from './realization-api';
export type { RealizationService, Realization, MilestoneRealization, DriverRealization } from './realization-api';
export { measurementReportedEvent, measurementRejectedEvent } from './events/measurement-reported';
