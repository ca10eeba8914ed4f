export { plugin } from './plugin';
export {
  valueModelsRef,
  valueModelEvents,
  type ValueModelEventName,
  type ValueModelOrigin,
  type ValueModelStatus,
  type ValueModelVersion,
  type ValueModelInput,
  type ValueModelChanges,
  type ValueModelsService,
} from './value-models-api';
export type { ValueModelResource, ValueModelVersionSummary } from './models/value-model-store';
export type { ValueHypothesis, HypothesisResult, HypothesisConfidence } from './hypotheses/value-hypothesis';
export type { DriverLibrary, LibraryIndustry, LibraryDriver, LibraryAssumption, LibraryRange } from './library/driver-library';
