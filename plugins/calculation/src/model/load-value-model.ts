import { InputChecker } from '../validation/input-checker';
import { CompiledModel } from './compiled-model';
import { parseValueModel, type ParsedModel } from './parse-value-model';

/** A validated, parsed and compiled value model. */
export interface LoadedModel {
  readonly parsed: ParsedModel;
  readonly compiled: CompiledModel;
}

/**
 * Validates, parses and compiles a value model found at `pointer` of a request; throws `VV_VALIDATION` listing
 * every problem (field errors, syntax errors with columns, unknown names and cycles with their chains).
 */
export function loadValueModel(input: unknown, pointer = '/model', checker = new InputChecker()): LoadedModel {
  const parsed = parseValueModel(checker, input, pointer);
  checker.throwIfAny();
  return { parsed: parsed!, compiled: new CompiledModel(parsed!) };
}
