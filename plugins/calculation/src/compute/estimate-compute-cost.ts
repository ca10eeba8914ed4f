import type { ExpressionNode } from '../model/expression-parser';
import { buildModelGraph } from '../model/model-graph';
import { parseValueModel, type ParsedModel } from '../model/parse-value-model';
import { HEADLINE_DEFAULT_TRIALS } from '../monte-carlo/uncertain-headline';
import { RISK_DEFAULT_TRIALS } from '../scenario/risk-adjustment';
import { InputChecker } from '../validation/input-checker';
import type { ComputeOperation } from './compute-operation';

/**
 * What an evaluation is expected to cost, worked out from the request alone before any work starts (the same idea as
 * the Monte Carlo run's projection, which extrapolates from the first slices, moved in front of the work and
 * applied to every operation).
 *
 * The unit is one visit of one expression node. Per model evaluation: formulas that do not read `period` once,
 * the others (and benefit and recurring costs) once per period; a full evaluation also builds the period table and
 * searches IRR roots. Compiling costs Σ (depth + 1) over the nodes (constant folding visits each subtree).
 */
export interface ComputeCost {
  readonly units: number;
  /** `units / COST_UNITS_PER_MS`: what the work takes on one unloaded core. */
  readonly estimatedMs: number;
  /** Model evaluations the operation needs (simulation: one per trial). */
  readonly evaluations: number;
  /** Says how the estimate was made, for the error message. */
  readonly basis: string;
}

/**
 * Node visits per millisecond on one unloaded core (measured on this project's CI machines: 20-50 thousand for
 * ordinary formulas, less for 2,000-deep chains). Deliberately on the fast side: the estimate refuses what cannot
 * fit, and the measured budget of the worker stops whatever the estimate let through and overruns.
 */
export const COST_UNITS_PER_MS = 50_000;

/** Goal seek's evaluations are not known in advance: bracketing plus Brent's method typically need about this many. */
export const GOAL_SEEK_EVALUATIONS = 60;
/** Per period of a full evaluation: the period table, payback and the IRR root search. */
const FULL_EVALUATION_UNITS_PER_PERIOD = 50;
/** Per period of any evaluation: loop, discounting and totals. */
const RUN_UNITS_PER_PERIOD = 5;
/** A Monte Carlo trial evaluates the vectorised model; drawing one driver value costs about this much. */
const SAMPLE_UNITS = 40;
/** Calls of the deterministic `exp`/`ln`/`pow` (and `^`) cost about this many plain nodes. */
const TRANSCENDENTAL_UNITS = 20;

interface ExpressionCost {
  /** Units of one evaluation of the expression. */
  readonly run: number;
  /** Units of compiling it. */
  readonly compile: number;
}

/** Iterative walk: expressions may be 4,000 characters of one chain, and this runs on the event loop. */
function expressionCost(root: ExpressionNode): ExpressionCost {
  let run = 0;
  let compile = 0;
  const stack: Array<[ExpressionNode, number]> = [[root, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    compile += depth + 1;
    switch (node.kind) {
      case 'number':
      case 'name':
        run += 1;
        break;
      case 'unary':
        run += 1;
        stack.push([node.operand, depth + 1]);
        break;
      case 'binary':
        run += node.op === '^' ? TRANSCENDENTAL_UNITS : 1;
        stack.push([node.left, depth + 1], [node.right, depth + 1]);
        break;
      case 'call':
        run += ['exp', 'ln', 'pow'].includes(node.name) ? TRANSCENDENTAL_UNITS : 1 + node.args.length;
        for (const arg of node.args) stack.push([arg, depth + 1]);
        break;
    }
  }
  return { run, compile };
}

/** What one evaluation of a parsed model costs. */
export interface ModelCost {
  /** One evaluation of the totals (sensitivity, goal seek, risk cases). */
  readonly run: number;
  /** One evaluation with the period table and metrics (model, scenarios). */
  readonly full: number;
  readonly compile: number;
  readonly drivers: number;
  readonly stochasticDrivers: number;
}

export function modelCost(parsed: ParsedModel): ModelCost | undefined {
  let periodic: readonly boolean[];
  try {
    periodic = buildModelGraph(parsed).periodic;
  } catch {
    return undefined; // unknown names or cycles: the operation reports them, at no cost
  }
  const { model } = parsed;
  const horizon = model.horizon;
  let run = 0;
  let compile = 0;
  let periodicFormulas = 0;
  parsed.formulaAsts.forEach((ast, i) => {
    const cost = expressionCost(ast);
    compile += cost.compile;
    run += periodic[i] ? cost.run * horizon : cost.run;
    if (periodic[i]) periodicFormulas++;
  });
  for (const ast of [parsed.benefitAst, parsed.recurringAst]) {
    const cost = expressionCost(ast);
    compile += cost.compile;
    run += cost.run * horizon;
  }
  const upfront = expressionCost(parsed.upfrontAst);
  compile += upfront.compile;
  run += upfront.run + RUN_UNITS_PER_PERIOD * horizon;
  const full = run + (FULL_EVALUATION_UNITS_PER_PERIOD + periodicFormulas) * horizon;
  const stochasticDrivers = model.drivers.filter((d) => d.distribution !== undefined).length;
  return { run, full, compile, drivers: model.drivers.length, stochasticDrivers };
}

function countOf(value: unknown, fallback: number): number {
  return Array.isArray(value) ? value.length : fallback;
}

/** Trials a simulating request asks for, or the operation's default. */
function trialsOf(request: Record<string, unknown>, fallback: number): number {
  return typeof request['trials'] === 'number' && request['trials'] > 0 ? request['trials'] : fallback;
}

/**
 * The cost of running `operation` on `input` (a request of the `calculation` service), or undefined when the model
 * does not even parse: then the operation fails validation at once, which costs nothing worth budgeting.
 */
export function estimateComputeCost(operation: ComputeOperation, input: unknown): ComputeCost | undefined {
  if (typeof input !== 'object' || input === null) return undefined;
  const request = input as Record<string, unknown>;
  const parsed = parseValueModel(new InputChecker(), request['model'], '/model');
  const cost = parsed && modelCost(parsed);
  if (!cost) return undefined;
  let evaluations: number;
  let units: number;
  let basis: string;
  switch (operation) {
    case 'evaluateModel':
      evaluations = 1;
      units = cost.full;
      basis = '1 evaluation';
      break;
    case 'scenario':
      evaluations = 1 + countOf(request['scenarios'], 0);
      units = evaluations * cost.full;
      basis = `${evaluations} evaluations (base + ${evaluations - 1} scenarios)`;
      break;
    case 'sensitivity': {
      const drivers = countOf(request['drivers'], cost.drivers);
      evaluations = 2 * drivers + 1;
      units = evaluations * cost.run;
      basis = `${evaluations} evaluations (2 × ${drivers} drivers + 1)`;
      break;
    }
    case 'goalSeek':
      evaluations = GOAL_SEEK_EVALUATIONS;
      units = evaluations * cost.run;
      basis = `about ${evaluations} evaluations (bracketing and Brent's method)`;
      break;
    case 'riskAdjustment': {
      // The cases are read off a simulation (issue #11), beside each driver at its extremes.
      const trials = trialsOf(request, RISK_DEFAULT_TRIALS);
      evaluations = trials + 2 * cost.drivers + 3;
      units = trials * (cost.run + SAMPLE_UNITS * cost.stochasticDrivers) + 2 * cost.drivers * cost.run + 3 * cost.full;
      basis = `${evaluations} evaluations (${trials} trials + 2 × ${cost.drivers} drivers + 3)`;
      break;
    }
    case 'headline': {
      const trials = cost.stochasticDrivers === 0 ? 0 : trialsOf(request, HEADLINE_DEFAULT_TRIALS);
      evaluations = trials + 1;
      units = trials * (cost.run + SAMPLE_UNITS * cost.stochasticDrivers) + cost.full;
      basis = `${evaluations} evaluations (${trials} trials + 1)`;
      break;
    }
    case 'simulate': {
      const trials = typeof request['trials'] === 'number' && request['trials'] > 0 ? request['trials'] : 1;
      evaluations = trials;
      units = trials * (cost.run + SAMPLE_UNITS * cost.stochasticDrivers);
      basis = `${trials} trials`;
      break;
    }
  }
  units += cost.compile;
  return {
    units,
    estimatedMs: units / COST_UNITS_PER_MS,
    evaluations,
    basis: `${basis} of ${Math.round((units - cost.compile) / evaluations).toLocaleString('en-US')} node visits each`,
  };
}

/**
 * Characters of expression text in a request's model: what parsing it (for the estimate) costs. Counted without
 * parsing, so the service can leave large models' estimates to a worker thread.
 */
export function expressionTextLength(input: unknown): number {
  const model = typeof input === 'object' && input !== null ? (input as Record<string, unknown>)['model'] : undefined;
  if (typeof model !== 'object' || model === null) return 0;
  const m = model as Record<string, unknown>;
  const text = (value: unknown) => (typeof value === 'string' ? value.length : 0);
  const costs = m['costs'] as Record<string, unknown> | undefined;
  let length = text(m['benefit']) + text(costs?.['upfront']) + text(costs?.['recurring']);
  const formulas = m['formulas'];
  if (Array.isArray(formulas)) for (const f of formulas) length += text((f as Record<string, unknown> | null)?.['expression']);
  return length;
}
