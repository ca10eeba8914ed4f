import { npvConventions } from '../finance/npv';
import { distributionTypes, type Distribution } from '../monte-carlo/distributions';
import type { InputChecker } from '../validation/input-checker';
import { ExpressionSyntaxError, expressionFunctions, parseExpression, type ExpressionNode } from './expression-parser';
import {
  builtinNames,
  MAX_DRIVERS,
  MAX_FORMULAS,
  MAX_CORRELATIONS,
  MAX_HORIZON,
  MAX_PERIODS_PER_YEAR,
  type Driver,
  type DriverCorrelation,
  type Formula,
  type ModelCosts,
  type RampUp,
  type ValueModel,
} from './value-model';

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/** A validated model with every expression parsed. */
export interface ParsedModel {
  readonly model: ValueModel;
  /** JSON pointer of the model in the request, for error messages (e.g. `/model`). */
  readonly pointer: string;
  readonly formulaAsts: readonly ExpressionNode[];
  readonly benefitAst: ExpressionNode;
  readonly upfrontAst: ExpressionNode;
  readonly recurringAst: ExpressionNode;
}

const ZERO: ExpressionNode = { kind: 'number', value: 0 };

function parseOrReport(checker: InputChecker, text: string, pointer: string): ExpressionNode {
  try {
    return parseExpression(text);
  } catch (error) {
    if (error instanceof ExpressionSyntaxError) checker.problem(pointer, error.message);
    else throw error;
    return ZERO;
  }
}

function amountOrExpression(checker: InputChecker, value: unknown, pointer: string): { value: number | string; ast: ExpressionNode } {
  if (value === undefined) return { value: 0, ast: ZERO };
  if (typeof value === 'string') return { value, ast: parseOrReport(checker, value, pointer) };
  const n = checker.number(value, pointer);
  return { value: n, ast: { kind: 'number', value: n } };
}

function parseDistribution(checker: InputChecker, value: unknown, pointer: string): Distribution | undefined {
  const raw = checker.object(value, pointer);
  if (!raw) return undefined;
  const type = checker.choice(raw['type'], `${pointer}/type`, distributionTypes);
  const num = (key: string, rule = {}): number => checker.number(raw[key], `${pointer}/${key}`, rule);
  switch (type) {
    case 'triangular':
    case 'pert': {
      const min = num('min');
      const mode = num('mode');
      const max = num('max');
      if (!(min < max)) checker.problem(`${pointer}/max`, `must be greater than min (${min})`);
      else if (!(min <= mode && mode <= max)) checker.problem(`${pointer}/mode`, `must lie between min (${min}) and max (${max})`);
      if (type === 'triangular') return { type, min, mode, max };
      const lambda = checker.optionalNumber(raw['lambda'], `${pointer}/lambda`, 4, { greaterThan: 0, max: 1000 });
      return { type, min, mode, max, lambda };
    }
    case 'uniform': {
      const min = num('min');
      const max = num('max');
      if (!(min < max)) checker.problem(`${pointer}/max`, `must be greater than min (${min})`);
      return { type, min, max };
    }
    case 'normal':
      return { type, mean: num('mean'), sd: num('sd', { greaterThan: 0 }) };
    case 'lognormal':
      return { type, mean: num('mean', { greaterThan: 0 }), sd: num('sd', { greaterThan: 0 }) };
  }
}

function parseBounds(checker: InputChecker, value: unknown, pointer: string): Driver['bounds'] {
  if (value === undefined) return undefined;
  const raw = checker.object(value, pointer);
  if (!raw) return undefined;
  const min = raw['min'] === undefined ? undefined : checker.number(raw['min'], `${pointer}/min`);
  const max = raw['max'] === undefined ? undefined : checker.number(raw['max'], `${pointer}/max`);
  if (min !== undefined && max !== undefined && !(min <= max)) checker.problem(`${pointer}/max`, `must be at least min (${min})`);
  return { ...(min === undefined ? {} : { min }), ...(max === undefined ? {} : { max }) };
}

/**
 * The shape of `correlations` only (an array of { a, b, rho } with text and a number); what the pairs mean (known
 * drivers, −1..1, a positive semi-definite matrix) is checked by `correlationMatrix`, which answers
 * VV_CORRELATION_INVALID.
 */
function parseCorrelations(checker: InputChecker, value: unknown, pointer: string): DriverCorrelation[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length > MAX_CORRELATIONS) {
    checker.problem(pointer, `must be an array of at most ${MAX_CORRELATIONS} { a, b, rho } pairs`);
    return undefined;
  }
  const pairs: DriverCorrelation[] = [];
  value.forEach((item, i) => {
    const at = `${pointer}/${i}`;
    const raw = checker.object(item, at);
    if (!raw) return;
    pairs.push({ a: checker.text(raw['a'], `${at}/a`, { maxLength: 64 }), b: checker.text(raw['b'], `${at}/b`, { maxLength: 64 }), rho: checker.number(raw['rho'], `${at}/rho`) });
  });
  return pairs;
}

function optionalText(checker: InputChecker, value: unknown, pointer: string, maxLength: number): string | undefined {
  return value === undefined ? undefined : checker.text(value, pointer, { maxLength });
}

function parseRampUp(checker: InputChecker, value: unknown, pointer: string, horizon: number): RampUp | undefined {
  if (value === undefined) return undefined;
  if (Array.isArray(value)) {
    const factors = checker.numberArray(value, pointer, { maxItems: MAX_HORIZON });
    factors.forEach((f, i) => {
      if (f < 0 || f > 10) checker.problem(`${pointer}/${i}`, `must be a share between 0 and 10, got ${f}`);
    });
    return factors;
  }
  const raw = checker.object(value, pointer);
  if (!raw) return undefined;
  const shape = checker.choice(raw['shape'], `${pointer}/shape`, ['linear', 's-curve'] as const);
  const periods = checker.number(raw['periods'], `${pointer}/periods`, { integer: true, min: 1, max: Math.max(1, horizon) });
  return { shape, periods };
}

/**
 * Validates a value model (every problem with its JSON pointer under `pointer`) and parses its expressions.
 * Returns undefined when something is wrong; the caller throws the checker's errors.
 */
export function parseValueModel(checker: InputChecker, input: unknown, pointer: string): ParsedModel | undefined {
  const raw = checker.object(input, pointer);
  if (!raw) return undefined;
  const horizon = checker.number(raw['horizon'], `${pointer}/horizon`, { integer: true, min: 1, max: MAX_HORIZON });
  const discountRate = checker.number(raw['discountRate'], `${pointer}/discountRate`, { greaterThan: -1 });
  const convention = checker.choice(raw['convention'], `${pointer}/convention`, npvConventions, 't0');
  const name = optionalText(checker, raw['name'], `${pointer}/name`, 200);
  const periodsPerYear =
    raw['periodsPerYear'] === undefined ? undefined : checker.number(raw['periodsPerYear'], `${pointer}/periodsPerYear`, { greaterThan: 0, max: MAX_PERIODS_PER_YEAR });
  const correlations = parseCorrelations(checker, raw['correlations'], `${pointer}/correlations`);

  const seen = new Map<string, string>();
  const reserved = new Set<string>([...builtinNames, ...Object.keys(expressionFunctions)]);
  const checkName = (value: unknown, at: string): string => {
    const n = checker.text(value, at, { pattern: IDENTIFIER, patternHint: 'must be an identifier: a letter or _ then letters, digits or _ (at most 64)' });
    if (reserved.has(n)) checker.problem(at, `"${n}" is reserved (built-in variable or function)`);
    else if (seen.has(n)) checker.problem(at, `duplicate name "${n}" (also at ${seen.get(n)})`);
    else if (n) seen.set(n, at);
    return n;
  };

  const drivers: Driver[] = [];
  const rawDrivers = raw['drivers'];
  if (!Array.isArray(rawDrivers)) checker.problem(`${pointer}/drivers`, 'must be an array of drivers');
  else if (rawDrivers.length > MAX_DRIVERS) checker.problem(`${pointer}/drivers`, `must have at most ${MAX_DRIVERS} drivers`);
  else {
    rawDrivers.forEach((d, i) => {
      const at = `${pointer}/drivers/${i}`;
      const rd = checker.object(d, at);
      if (!rd) return;
      const driver: Driver = {
        name: checkName(rd['name'], `${at}/name`),
        value: checker.number(rd['value'], `${at}/value`),
        unit: optionalText(checker, rd['unit'], `${at}/unit`, 60),
        description: optionalText(checker, rd['description'], `${at}/description`, 1000),
        distribution: rd['distribution'] === undefined ? undefined : parseDistribution(checker, rd['distribution'], `${at}/distribution`),
        low: rd['low'] === undefined ? undefined : checker.number(rd['low'], `${at}/low`),
        high: rd['high'] === undefined ? undefined : checker.number(rd['high'], `${at}/high`),
        bounds: parseBounds(checker, rd['bounds'], `${at}/bounds`),
      };
      const { min, max } = driver.bounds ?? {};
      if ((min !== undefined && driver.value < min) || (max !== undefined && driver.value > max)) {
        checker.problem(`${at}/value`, `must lie within the driver's bounds [${min ?? '−∞'}, ${max ?? '∞'}], got ${driver.value}`);
      }
      if ((driver.low === undefined) !== (driver.high === undefined)) {
        checker.problem(`${at}/${driver.low === undefined ? 'low' : 'high'}`, 'low and high must be given together');
      } else if (driver.low !== undefined && !(driver.low <= driver.high!)) {
        checker.problem(`${at}/high`, `must be at least low (${driver.low})`);
      }
      drivers.push(driver);
    });
  }

  const formulas: Formula[] = [];
  const formulaAsts: ExpressionNode[] = [];
  const rawFormulas = raw['formulas'] ?? [];
  if (!Array.isArray(rawFormulas)) checker.problem(`${pointer}/formulas`, 'must be an array of formulas');
  else if (rawFormulas.length > MAX_FORMULAS) checker.problem(`${pointer}/formulas`, `must have at most ${MAX_FORMULAS} formulas`);
  else {
    rawFormulas.forEach((f, i) => {
      const at = `${pointer}/formulas/${i}`;
      const rf = checker.object(f, at);
      if (!rf) return;
      const expression = checker.text(rf['expression'], `${at}/expression`);
      formulas.push({
        name: checkName(rf['name'], `${at}/name`),
        expression,
        unit: optionalText(checker, rf['unit'], `${at}/unit`, 60),
        description: optionalText(checker, rf['description'], `${at}/description`, 1000),
      });
      formulaAsts.push(expression ? parseOrReport(checker, expression, `${at}/expression`) : ZERO);
    });
  }

  const benefit = checker.text(raw['benefit'], `${pointer}/benefit`);
  const benefitAst = benefit ? parseOrReport(checker, benefit, `${pointer}/benefit`) : ZERO;
  let costs: ModelCosts | undefined;
  let upfrontAst = ZERO;
  let recurringAst = ZERO;
  if (raw['costs'] !== undefined) {
    const rc = checker.object(raw['costs'], `${pointer}/costs`);
    if (rc) {
      const upfront = amountOrExpression(checker, rc['upfront'], `${pointer}/costs/upfront`);
      const recurring = amountOrExpression(checker, rc['recurring'], `${pointer}/costs/recurring`);
      costs = { upfront: upfront.value, recurring: recurring.value };
      upfrontAst = upfront.ast;
      recurringAst = recurring.ast;
    }
  }
  const rampUp = parseRampUp(checker, raw['rampUp'], `${pointer}/rampUp`, Number.isFinite(horizon) ? horizon : 1);

  if (!checker.ok) return undefined;
  const model: ValueModel = {
    name,
    horizon,
    discountRate,
    convention,
    drivers,
    formulas,
    benefit,
    costs,
    rampUp,
    ...(periodsPerYear === undefined ? {} : { periodsPerYear }),
    ...(correlations === undefined ? {} : { correlations }),
  };
  return { model, pointer, formulaAsts, benefitAst, upfrontAst, recurringAst };
}
