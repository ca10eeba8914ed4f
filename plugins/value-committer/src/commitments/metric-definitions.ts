import type { FieldProblem } from '@valueverse/plugin-sdk';
import type { MetricDefinition, MetricKind } from '../commitments-api';

/** A metric declaration as a request sends it (the JSON Schema checked the types). */
export interface MetricDefinitionInput {
  readonly key: string;
  readonly kind: MetricKind;
  readonly unit?: string;
  readonly min?: number | null;
  readonly max?: number | null;
  readonly aggregate?: 'sum' | 'mean';
  readonly valueAtStake?: number | null;
}

/**
 * Normalises metric declarations (unit '' and null bounds when absent) and reports what JSON Schema cannot see:
 * a metric declared twice, bounds the wrong way round, `aggregate` on a metric that is not a flow. Problems point at
 * `/metrics/<i>/<field>`.
 */
export function checkMetricDefinitions(inputs: readonly MetricDefinitionInput[], problems: FieldProblem[]): MetricDefinition[] {
  const seen = new Set<string>();
  return inputs.map((input, i) => {
    if (seen.has(input.key)) problems.push({ pointer: `/metrics/${i}/key`, message: `metric "${input.key}" is declared twice` });
    seen.add(input.key);
    const min = input.min ?? null;
    const max = input.max ?? null;
    if (min !== null && max !== null && min > max) problems.push({ pointer: `/metrics/${i}/max`, message: `must be at least min (${min})` });
    if (input.aggregate !== undefined && input.kind !== 'flow') {
      problems.push({ pointer: `/metrics/${i}/aggregate`, message: `only flow metrics aggregate their periods; "${input.key}" is ${input.kind}` });
    }
    return {
      key: input.key,
      kind: input.kind,
      unit: input.unit ?? '',
      min,
      max,
      ...(input.kind === 'flow' ? { aggregate: input.aggregate ?? 'sum' } : {}),
      valueAtStake: input.valueAtStake ?? null,
    };
  });
}
