import { valueModelSchema as calculationModelSchema } from '@valueverse/plugin-calculation/api';
import type { JsonSchema } from '@valueverse/plugin-sdk';
import { industryKeys } from '../library/driver-library';

// A stored model is a calculation-plugin ValueModel, so it can be sent to /api/v1/calculate/* as is: its shape is the
// calculation plugin's schema; the engine checks meaning (names, expressions, cycles, ranges) on every save with
// pointers under /model.
export const valueModelSchema: JsonSchema = { ...calculationModelSchema, description: 'A calculation-plugin value model; drivers carry their label in `description`' };

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
