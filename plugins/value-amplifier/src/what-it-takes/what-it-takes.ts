import type { GoalSeekResult } from '@valueverse/plugin-calculation/api';
import { VvError, type FieldProblem } from '@valueverse/plugin-sdk';
import { loadCommitmentContext, onStoredModel, type AmplifierDeps } from '../commitment-context';
import { withDriverValues } from '../model/committed-model';

export interface WhatItTakesRequest {
  /** The driver to solve for... */
  readonly driver?: string;
  /** ...or a milestone metric naming one (the same key). */
  readonly metric?: string;
  /** The value to reach; default the commitment's committed value (NPV). */
  readonly targetValue?: number;
  /** `npv` (default) or `roi`. */
  readonly objective?: 'npv' | 'roi';
}

export interface WhatItTakes {
  readonly commitmentId: string;
  readonly driver: string;
  readonly label: string;
  readonly unit: string;
  readonly objective: 'npv' | 'roi';
  readonly targetValue: number;
  readonly currency: string;
  /**
   * The driver value at which the objective reaches the target; null when only a physically impossible value would
   * (see `impossible`, `unconstrainedValue`).
   */
  readonly requiredValue: number | null;
  /** What the arithmetic alone asks for, bounds ignored. */
  readonly unconstrainedValue: number;
  /** The driver's plausible range from the model (low/high, distribution support, physical bounds), null when none. */
  readonly range: { readonly low: number | null; readonly high: number | null; readonly basis: string } | null;
  /** True when the required value lies outside that range or is impossible: the summary says so. */
  readonly outsideRange: boolean;
  readonly impossible: boolean;
  /** The driver's latest actual, or its committed value before any measurement. */
  readonly currentValue: number;
  readonly committedValue: number;
  /** requiredValue − currentValue (null when impossible), and that relative to currentValue (null from 0). */
  readonly change: number | null;
  readonly changeRatio: number | null;
  /** The objective with every driver where it is now (latest actuals, committed where unmeasured). */
  readonly current: { readonly npv: number; readonly roi: number | null };
  readonly achieved: { readonly npv: number; readonly roi: number | null };
  readonly modelSource: 'value-model' | 'surrogate';
  readonly assumptions: string;
  readonly summary: string;
}

const round = (n: number): number => Number(n.toFixed(2));

const rangeText = (range: GoalSeekResult['range']): string => (range ? `${range.low === null ? '−∞' : round(range.low)}–${range.high === null ? '∞' : round(range.high)}` : '');

/** One sentence, never an impossible figure presented as a target, nor an unchecked one as checked (issue #11 item 10). */
function summaryOf(label: string, unit: string, seek: GoalSeekResult, currentValue: number, goal: string): string {
  const needed = round(seek.unconstrainedValue);
  const text = seek.impossible
    ? `${label} cannot get ${goal}: it would have to reach ${needed} ${unit}, outside the range of possible values (${rangeText(seek.range)})`
    : seek.outsideRange
      ? `${label} would have to reach ${needed} ${unit} (now ${round(currentValue)}) to hit ${goal}: outside the range ${rangeText(seek.range)} ${unit} judged plausible`
      : `${label} must reach ${needed} ${unit} (now ${round(currentValue)}) to hit ${goal}${seek.range === null ? ` (unchecked: the model declares no plausible range for ${label})` : ''}`;
  return text.replace(/ {2,}/g, ' ').replace(/ \)/g, ')');
}

/**
 * "What would it take": the value one driver must reach for the commitment's value (NPV by default, the committed
 * value as target) to be met, every other driver where it is now. Goal seek runs in the calculation plugin;
 * no reachable value is its 422 VV_NO_SOLUTION.
 */
export async function whatItTakes(deps: AmplifierDeps, tenantId: string, commitmentId: string, request: WhatItTakesRequest): Promise<WhatItTakes> {
  const problems: FieldProblem[] = [];
  if ((request.driver === undefined) === (request.metric === undefined)) {
    problems.push({ pointer: request.driver === undefined ? '/driver' : '/metric', message: 'give exactly one of driver and metric' });
  }
  const objective = request.objective ?? 'npv';
  if (objective === 'roi' && request.targetValue === undefined) problems.push({ pointer: '/targetValue', message: 'is required for objective roi' });
  if (problems.length > 0) throw VvError.validation(problems);

  const { commitment, committed, actuals } = await loadCommitmentContext(deps, tenantId, commitmentId);
  const key = (request.driver ?? request.metric)!;
  const pointer = request.driver !== undefined ? '/driver' : '/metric';
  const meta = commitment.drivers.find((d) => d.key === key);
  if (!meta || !committed.model.drivers.some((d) => d.name === key)) {
    const names = committed.model.drivers.map((d) => d.name).join(', ') || 'none';
    throw VvError.validation([{ pointer, message: `"${key}" is not a driver of the committed model (drivers: ${names})` }]);
  }
  const targetValue = request.targetValue ?? commitment.committedValue;
  const model = withDriverValues(committed.model, actuals);
  const current = (await onStoredModel(commitmentId, () => deps.calc.evaluateModel({ model }))).metrics;
  const seek = await onStoredModel(commitmentId, () => deps.calc.goalSeek({ model, driver: key, metric: objective, target: targetValue }));
  const currentValue = actuals.get(key) ?? meta.value;
  const change = seek.value === null ? null : seek.value - currentValue;
  const goal = objective === 'npv' ? `${round(targetValue)} ${commitment.currency} of NPV` : `an ROI of ${round(targetValue * 100)}%`;
  return {
    commitmentId,
    driver: key,
    label: meta.label,
    unit: meta.unit,
    objective,
    targetValue,
    currency: commitment.currency,
    requiredValue: seek.value,
    unconstrainedValue: seek.unconstrainedValue,
    range: seek.range,
    outsideRange: seek.outsideRange,
    impossible: seek.impossible,
    currentValue,
    committedValue: meta.value,
    change,
    changeRatio: currentValue === 0 || change === null ? null : change / currentValue,
    current: { npv: current.npv.value, roi: current.roi.value },
    achieved: seek.achieved,
    modelSource: committed.source,
    assumptions: 'other drivers at their latest actuals (committed values where not yet measured)',
    summary: summaryOf(meta.label, meta.unit, seek, currentValue, goal),
  };
}
