import type { JsonSchema } from '@valueverse/plugin-sdk';
import { MAX_CORRELATIONS, MAX_DRIVERS, MAX_FORMULAS, MAX_HORIZON, MAX_PERIODS_PER_YEAR } from '../model/value-model';

const identifier: JsonSchema = { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]{0,63}$' };
const expression: JsonSchema = { type: 'string', minLength: 1, maxLength: 4000 };
const amount: JsonSchema = { type: ['number', 'string'], description: 'A number or an expression' };

const distribution: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['type'],
  description: 'triangular/pert: min, mode, max (pert: optional lambda, default 4); normal: mean, sd; lognormal: mean, sd of the quantity itself; uniform: min, max',
  properties: {
    type: { enum: ['triangular', 'pert', 'normal', 'lognormal', 'uniform'] },
    min: { type: 'number' },
    mode: { type: 'number' },
    max: { type: 'number' },
    mean: { type: 'number' },
    sd: { type: 'number', exclusiveMinimum: 0 },
    lambda: { type: 'number', exclusiveMinimum: 0 },
  },
};

/** JSON Schema of a value model (see `ValueModel`). */
export const valueModelSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['horizon', 'discountRate', 'drivers', 'benefit'],
  properties: {
    name: { type: 'string', maxLength: 200 },
    horizon: { type: 'integer', minimum: 1, maximum: MAX_HORIZON, description: 'Number of periods after t = 0' },
    discountRate: { type: 'number', exclusiveMinimum: -1, description: 'Discount rate per period' },
    convention: { enum: ['t0', 'excel'], description: 'NPV convention (default t0: upfront cost undiscounted at t = 0)' },
    drivers: {
      type: 'array',
      maxItems: MAX_DRIVERS,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'value'],
        properties: {
          name: identifier,
          unit: { type: 'string', maxLength: 60 },
          value: { type: 'number', description: 'Point value' },
          distribution,
          low: { type: 'number' },
          high: { type: 'number' },
          bounds: {
            type: 'object',
            additionalProperties: false,
            description: 'Physical bounds (e.g. a rate: min 0, max 1): goal seek and what-it-takes never answer a value outside them',
            properties: { min: { type: 'number' }, max: { type: 'number' } },
          },
          description: { type: 'string', maxLength: 1000 },
        },
      },
    },
    formulas: {
      type: 'array',
      maxItems: MAX_FORMULAS,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'expression'],
        properties: { name: identifier, expression, unit: { type: 'string', maxLength: 60 }, description: { type: 'string', maxLength: 1000 } },
      },
    },
    benefit: { ...expression, description: 'Full benefit of period t (usually a formula name); multiplied by the ramp-up share' },
    costs: {
      type: 'object',
      additionalProperties: false,
      properties: { upfront: { ...amount, description: 'Cost at t = 0' }, recurring: { ...amount, description: 'Cost of each period 1..horizon' } },
    },
    rampUp: {
      anyOf: [
        { type: 'array', maxItems: MAX_HORIZON, items: { type: 'number', minimum: 0, maximum: 10 } },
        {
          type: 'object',
          additionalProperties: false,
          required: ['shape', 'periods'],
          properties: { shape: { enum: ['linear', 's-curve'] }, periods: { type: 'integer', minimum: 1 } },
        },
      ],
      description: 'Share of the benefit per period 1..k (later periods: 1), or a linear / s-curve shape reaching 1 at `periods`',
    },
    periodsPerYear: {
      type: 'number',
      exclusiveMinimum: 0,
      maximum: MAX_PERIODS_PER_YEAR,
      description: 'Periods in a year (12 for monthly; default 1): answers add IRR a year ((1+r)^periodsPerYear − 1) and payback in years',
    },
    correlations: {
      type: 'array',
      maxItems: MAX_CORRELATIONS,
      description:
        'Spearman rank correlations between drivers with distributions, imposed by Iman–Conover; the pairs must name known drivers once each, rho in −1..1, and form a positive semi-definite matrix (else 422 VV_CORRELATION_INVALID). Absent: drivers are independent.',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['a', 'b', 'rho'],
        // rho's range is checked with the matrix (422 VV_CORRELATION_INVALID), not here, so every correlation problem answers alike.
        properties: { a: { type: 'string', maxLength: 64 }, b: { type: 'string', maxLength: 64 }, rho: { type: 'number', description: 'Spearman rank correlation, −1..1' } },
      },
    },
  },
};

const metric: JsonSchema = { enum: ['npv', 'roi'], description: 'Metric (default npv)' };
const percentile: JsonSchema = { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1 };
const ranges: JsonSchema = {
  type: 'object',
  description: 'Explicit low/high per driver name',
  additionalProperties: {
    type: 'object',
    additionalProperties: false,
    required: ['low', 'high'],
    properties: { low: { type: 'number' }, high: { type: 'number' } },
  },
};

function body(required: string[], properties: Record<string, JsonSchema>): JsonSchema {
  return { type: 'object', additionalProperties: false, required: ['model', ...required], properties: { model: valueModelSchema, ...properties } };
}

export const modelSchemas = {
  model: body([], {
    trials: { type: 'integer', minimum: 100, maximum: 1_000_000, description: 'Trials of the headline simulation when drivers are uncertain (default 10,000)' },
    seed: { type: 'integer', minimum: 0, maximum: 4294967295, description: 'Seed of that simulation (default 1)' },
  }),
  scenario: body(['scenarios'], {
    scenarios: {
      type: 'array',
      minItems: 1,
      maxItems: 100,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'overrides'],
        properties: {
          name: { type: 'string', minLength: 1, maxLength: 200 },
          overrides: { type: 'object', additionalProperties: { type: 'number' }, description: 'Driver name → value' },
          probability: { type: 'number', minimum: 0, maximum: 1 },
        },
      },
    },
  }),
  sensitivity: body([], {
    metric,
    drivers: { type: 'array', items: { type: 'string' } },
    swing: { type: 'number', exclusiveMinimum: 0, maximum: 10, description: 'Relative swing for drivers without a range (default 0.1)' },
    ranges,
    lowPercentile: percentile,
    highPercentile: percentile,
  }),
  goalSeek: body(['driver', 'target'], {
    driver: { type: 'string' },
    metric,
    target: { type: 'number' },
    min: { type: 'number' },
    max: { type: 'number' },
  }),
  riskAdjustment: body([], {
    weights: {
      type: 'object',
      additionalProperties: false,
      required: ['conservative', 'probable', 'optimistic'],
      properties: {
        conservative: { type: 'number', minimum: 0, maximum: 1 },
        probable: { type: 'number', minimum: 0, maximum: 1 },
        optimistic: { type: 'number', minimum: 0, maximum: 1 },
      },
    },
    ranges,
    lowPercentile: { ...percentile, description: 'Output percentile of the conservative case (default 0.1)' },
    highPercentile: { ...percentile, description: 'Output percentile of the optimistic case (default 0.9)' },
    trials: { type: 'integer', minimum: 100, maximum: 1_000_000, description: 'Trials of the simulation the cases are read from (default 10,000)' },
    seed: { type: 'integer', minimum: 0, maximum: 4294967295, description: 'Seed of that simulation (default 1)' },
  }),
  simulate: body(['trials'], {
    trials: { type: 'integer', minimum: 1, maximum: 1_000_000 },
    seed: { type: 'integer', minimum: 0, maximum: 4294967295 },
    metric,
    target: { type: 'number', description: 'Threshold for probabilityAboveTarget (default 0)' },
    bins: { type: 'integer', minimum: 1, maximum: 200 },
    quantiles: { type: 'array', maxItems: 99, items: { type: 'number', minimum: 0, maximum: 1 }, description: 'Extra quantiles to report, e.g. [0.2] for P80' },
    timeBudgetMs: { type: 'number', exclusiveMinimum: 0 },
  }),
} as const satisfies Record<string, JsonSchema>;
