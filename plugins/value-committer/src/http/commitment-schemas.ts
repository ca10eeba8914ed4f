import type { JsonSchema } from '@valueverse/plugin-sdk';

const statuses = ['draft', 'proposed', 'signed', 'active', 'closed'];
const itemId: JsonSchema = { type: 'string', pattern: '^[A-Za-z0-9_.-]{1,64}$', description: 'Generated when absent' };
const metric: JsonSchema = { type: 'string', minLength: 1, maxLength: 100, description: 'What is measured, e.g. a driver key of the model' };

const milestone: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['title', 'dueDate', 'metric', 'target'],
  properties: {
    id: itemId,
    title: { type: 'string', minLength: 1, maxLength: 200 },
    dueDate: { type: 'string', format: 'date', description: 'yyyy-mm-dd' },
    metric,
    target: { type: 'number', description: 'Value of the metric to reach by the due date' },
  },
};

const successCriterion: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['metric', 'operator', 'threshold', 'windowDays'],
  properties: {
    id: itemId,
    metric,
    operator: { enum: ['>=', '>', '<=', '<', '=='] },
    threshold: { type: 'number' },
    windowDays: { type: 'integer', minimum: 1, maximum: 3660, description: 'Measurement window in days' },
  },
};

const metricDefinition: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['key', 'kind'],
  properties: {
    key: metric,
    kind: { enum: ['cumulative', 'level', 'flow'], description: 'cumulative (running total), level (state; judged on a trailing average) or flow (amount per period)' },
    unit: { type: 'string', maxLength: 50, description: "e.g. 'tickets', 'share of tickets'" },
    min: { type: ['number', 'null'], description: 'Physical lower bound of a reading (a rate: 0)' },
    max: { type: ['number', 'null'], description: 'Physical upper bound of a reading (a rate: 1)' },
    aggregate: { enum: ['sum', 'mean'], description: 'Flow metrics: sum periods toward the target (default) or average them for a rate target' },
    valueAtStake: { type: ['number', 'null'], minimum: 0, description: 'Part of the committed value riding on this metric (weights the overall realization)' },
  },
};

// What the risk adjustment reads: confidence level and the simulation that turns it into a percentile.
const riskFields: Record<string, JsonSchema> = {
  modelVersion: { type: 'integer', minimum: 1, description: 'Version of the value model (default: its latest)' },
  confidence: { type: 'number', minimum: 0.5, maximum: 0.99, description: 'e.g. 0.8 for P80: committed value = 20th percentile of the simulated NPV' },
  trials: { type: 'integer', minimum: 1000, maximum: 100_000, description: 'Monte Carlo trials (default 5,000)' },
  seed: { type: 'integer', minimum: 0, maximum: 4294967295, description: 'Simulation seed (default: random, stored)' },
  allowNonPositive: {
    type: 'boolean',
    description: 'Commit a zero or negative value anyway (default false: such a commitment is refused with 422 VV_NO_SOLUTION); kept with the simulation',
  },
};

const contentFields: Record<string, JsonSchema> = {
  title: { type: 'string', minLength: 1, maxLength: 200 },
  ...riskFields,
  milestones: { type: 'array', maxItems: 100, items: milestone },
  successCriteria: { type: 'array', maxItems: 100, items: successCriterion },
  metrics: { type: 'array', maxItems: 100, items: metricDefinition },
};

export const idParams: JsonSchema = { type: 'object', properties: { id: { type: 'string', minLength: 1, maxLength: 100 } } };

export const commitmentSchemas = {
  create: {
    type: 'object',
    additionalProperties: false,
    required: ['modelId'],
    properties: {
      modelId: { type: 'string', minLength: 1, maxLength: 100 },
      ...contentFields,
      confidence: { ...riskFields['confidence'], default: 0.8 },
      trials: { ...riskFields['trials'], default: 5000 },
    },
  },
  update: { type: 'object', additionalProperties: false, minProperties: 1, properties: contentFields },
  amendment: {
    type: 'object',
    additionalProperties: false,
    required: ['reason'],
    properties: { reason: { type: 'string', minLength: 1, maxLength: 1000, description: 'Why the signed commitment changes' }, ...contentFields },
  },
  transition: {
    type: 'object',
    additionalProperties: false,
    required: ['to'],
    properties: { to: { enum: statuses }, reason: { type: 'string', maxLength: 1000 } },
  },
  listQuery: {
    type: 'object',
    additionalProperties: false,
    properties: {
      limit: { type: 'integer', minimum: 1, maximum: 100, default: 20 },
      cursor: { type: 'string', minLength: 1, maxLength: 500 },
      status: { type: 'array', items: { enum: statuses }, description: 'One or more (repeat the parameter)' },
      modelId: { type: 'string', maxLength: 100 },
      industry: { type: 'string', maxLength: 50 },
      q: { type: 'string', maxLength: 200 },
    },
  },
} as const satisfies Record<string, JsonSchema>;

const storedMilestone: JsonSchema = { ...milestone, required: ['id', 'title', 'dueDate', 'metric', 'target'] };
const storedCriterion: JsonSchema = { ...successCriterion, required: ['id', 'metric', 'operator', 'threshold', 'windowDays'] };
const nullableString: JsonSchema = { type: ['string', 'null'] };

const commitment: JsonSchema = {
  type: 'object',
  required: [
    'id',
    'tenantId',
    'version',
    'previousVersionId',
    'amendedBy',
    'amendmentReason',
    'title',
    'modelId',
    'modelVersion',
    'industry',
    'status',
    'confidence',
    'baseValue',
    'committedValue',
    'currency',
    'drivers',
    'milestones',
    'successCriteria',
    'metrics',
    'simulation',
    'createdBy',
    'createdAt',
    'updatedBy',
    'updatedAt',
    'signedBy',
    'signedAt',
    'nextStatuses',
  ],
  properties: {
    id: { type: 'string' },
    tenantId: { type: 'string' },
    version: { type: 'integer', description: '1 for the original; each amendment adds one' },
    previousVersionId: { ...nullableString, description: 'The version this amendment replaces' },
    amendedBy: { ...nullableString, description: 'The amendment made from this version (at most one)' },
    amendmentReason: nullableString,
    title: { type: 'string' },
    modelId: { type: 'string' },
    modelVersion: { type: 'integer' },
    industry: nullableString,
    status: { enum: statuses },
    confidence: { type: 'number' },
    baseValue: { type: 'number' },
    committedValue: { type: 'number' },
    currency: { type: 'string' },
    drivers: { type: 'array' },
    milestones: { type: 'array', items: storedMilestone },
    successCriteria: { type: 'array', items: storedCriterion },
    metrics: { type: 'array', items: metricDefinition },
    simulation: { type: 'object' },
    createdBy: { type: 'string' },
    createdAt: { type: 'string', format: 'date-time' },
    updatedBy: { type: 'string' },
    updatedAt: { type: 'string', format: 'date-time' },
    signedBy: nullableString,
    signedAt: nullableString,
    nextStatuses: { type: 'array', items: { enum: statuses }, description: 'Statuses a user may move it to next (POST .../transitions)' },
  },
};

/** Response schemas, for the OpenAPI document. */
export const commitmentResponses = {
  commitment,
  page: { type: 'object', required: ['items', 'nextCursor'], properties: { items: { type: 'array', items: commitment }, nextCursor: nullableString } },
} as const satisfies Record<string, JsonSchema>;
