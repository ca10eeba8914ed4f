import { correlationMatrix, type CorrelationPlan } from '../monte-carlo/correlation-matrix';
import { InputChecker } from '../validation/input-checker';
import { CompiledModel } from './compiled-model';
import { parseValueModel, type ParsedModel } from './parse-value-model';

/** A validated, parsed and compiled value model. */
export interface LoadedModel {
  readonly parsed: ParsedModel;
  readonly compiled: CompiledModel;
  /** The validated rank-correlation matrix, when the model declares correlations. */
  readonly correlation?: CorrelationPlan;
}

/**
 * Validates, parses and compiles a value model found at `pointer` of a request; throws `VV_VALIDATION` listing
 * every problem (field errors, syntax errors with columns, unknown names and cycles with their chains), then
 * `VV_CORRELATION_INVALID` for correlations that cannot hold.
 */
export function loadValueModel(input: unknown, pointer = '/model', checker = new InputChecker()): LoadedModel {
  const parsed = parseValueModel(checker, input, pointer);
  checker.throwIfAny();
  // Correlations are checked once the drivers are known to be well formed: 422 VV_CORRELATION_INVALID, on every
  // route and service call that takes a model (and so on every save of a stored model).
  const correlation = correlationMatrix(parsed!.model, pointer);
  return { parsed: parsed!, compiled: new CompiledModel(parsed!), ...(correlation ? { correlation } : {}) };
}
