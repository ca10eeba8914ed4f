import type { JsonSchema } from '@valueverse/plugin-sdk';
import { industryKeys } from '../library/driver-library';

// The structure of a calculation-plugin ValueModel (so a stored model can be sent to /api/v1/calculate/* as is).
// The calculation plugin exports no schema, only its engine: the engine checks meaning (names, expressions, cycles,
// ranges) on every save with pointers under /model, this schema checks shape and unknown keys.
const identifier: JsonSchema = { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]{0,63}$' };
const expression: JsonSchema = { type: 'string', minLength: 1, maxLength: 4000 };
const amount: JsonSchema = { type: ['number', 'string'], description: 'A number or an expression' };

const distribution: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['type'],
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

export const valueModelSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['horizon', 'discountRate', 'drivers', 'benefit'],
  description: 'A calculation-plugin value model; drivers carry their label in `description`',
  properties: {
    name: { type: 'string', maxLength: 200 },
    horizon: { type: 'integer', minimum: 1, maximum: 600 },
    discountRate: { type: 'number', exclusiveMinimum: -1 },
    convention: { enum: ['t0', 'excel'] },
    drivers: {
      type: 'array',
      maxItems: 200,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'value'],
        properties: {
          name: identifier,
          unit: { type: 'string', maxLength: 60 },
          value: { type: 'number' },
          distribution,
          low: { type: 'number' },
          high: { type: 'number' },
          description: { type: 'string', maxLength: 1000 },
        },
      },
    },
    formulas: {
      type: 'array',
      maxItems: 500,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'expression'],
        properties: { name: identifier, expression, unit: { type: 'string', maxLength: 60 }, description: { type: 'string', maxLength: 1000 } },
      },
    },
    benefit: expression,
    costs: { type: 'object', additionalProperties: false, properties: { upfront: amount, recurring: amount } },
    rampUp: {
      anyOf: [
        { type: 'array', maxItems: 600, items: { type: 'number', minimum: 0, maximum: 10 } },
        {
          type: 'object',
          additionalProperties: false,
          required: ['shape', 'periods'],
          properties: { shape: { enum: ['linear', 's-curve'] }, periods: { type: 'integer', minimum: 1 } },
        },
      ],
    },
  },
};

const status: JsonSchema = { enum: ['draft', 'published', 'archived'] };
const industry: JsonSchema = { type: ['string', 'null'], pattern: '^[a-z][a-z0-9-]{1,48}$', description: 'Industry key, e.g. one of the driver library' };
const libraryIndustry: JsonSchema = { enum: [...industryKeys] };
const currency: JsonSchema = { type: 'string', pattern: '^[A-Z]{3}$', description: 'ISO 4217 code' };
const name: JsonSchema = { type: 'string', minLength: 1, maxLength: 200 };
const description: JsonSchema = { type: ['string', 'null'], maxLength: 4000 };
const limit: JsonSchema = { type: 'integer', minimum: 1, maximum: 100, default: 20 };
const cursor: JsonSchema = { type: 'string', minLength: 1, maxLength: 500 };
const positiveInteger: JsonSchema = { type: 'integer', minimum: 1 };

export const idParams: JsonSchema = { type: 'object', properties: { id: { type: 'string', minLength: 1, maxLength: 100 } } };

export const valueModelSchemas = {
  create: {
    type: 'object',
    additionalProperties: false,
    description: 'Either `model` or `fromLibrary`',
    properties: {
      name,
      description,
      industry,
      status: { ...status, default: 'draft' },
      currency,
      model: valueModelSchema,
      fromLibrary: {
        type: 'object',
        additionalProperties: false,
        required: ['industry'],
        properties: {
          industry: libraryIndustry,
          drivers: { type: 'array', minItems: 1, maxItems: 50, uniqueItems: true, items: { type: 'string' }, description: 'Driver keys (default: all of the industry)' },
        },
      },
    },
  },
  update: {
    type: 'object',
    additionalProperties: false,
    minProperties: 1,
    description: 'Fields to change (the others keep their value); `version`, when given, must be the latest version',
    properties: { name, description, industry, status, currency, model: valueModelSchema, version: positiveInteger },
  },
  listQuery: {
    type: 'object',
    additionalProperties: false,
    properties: { limit, cursor, industry: { type: 'string', maxLength: 50 }, status, q: { type: 'string', maxLength: 200 } },
  },
  pageQuery: { type: 'object', additionalProperties: false, properties: { limit, cursor } },
  versionParams: { type: 'object', properties: { id: { type: 'string', minLength: 1, maxLength: 100 }, version: positiveInteger } },
  libraryQuery: { type: 'object', additionalProperties: false, properties: { industry: libraryIndustry } },
  evaluationQuery: {
    type: 'object',
    additionalProperties: false,
    properties: {
      version: positiveInteger,
      trials: { type: 'integer', minimum: 100, maximum: 100_000, description: 'Also run a Monte Carlo simulation with this many trials' },
      seed: { type: 'integer', minimum: 0, maximum: 4294967295 },
    },
  },
  hypotheses: {
    type: 'object',
    additionalProperties: false,
    properties: {
      count: { type: 'integer', minimum: 1, maximum: 10, default: 5 },
      industry: libraryIndustry,
      focus: { type: 'string', minLength: 1, maxLength: 500, description: 'What to look for, e.g. "support costs"' },
      version: positiveInteger,
    },
  },
} as const satisfies Record<string, JsonSchema>;

const resourceProperties: Record<string, JsonSchema> = {
  id: { type: 'string' },
  tenantId: { type: 'string' },
  version: { type: 'integer' },
  name: { type: 'string' },
  description: { type: ['string', 'null'] },
  industry: { type: ['string', 'null'] },
  status,
  currency: { type: 'string' },
  model: valueModelSchema,
  origin: { type: ['object', 'null'] },
  createdBy: { type: 'string' },
  createdAt: { type: 'string', format: 'date-time' },
};

/** Response schemas, for the OpenAPI document. */
export const valueModelResponses = {
  resource: { type: 'object', properties: { ...resourceProperties, updatedBy: { type: 'string' }, updatedAt: { type: 'string', format: 'date-time' } } },
  version: { type: 'object', properties: resourceProperties },
  page: { type: 'object', required: ['items', 'nextCursor'], properties: { items: { type: 'array' }, nextCursor: { type: ['string', 'null'] } } },
} as const satisfies Record<string, JsonSchema>;
