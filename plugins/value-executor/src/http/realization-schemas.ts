import type { JsonSchema } from '@valueverse/plugin-sdk';
import { MAX_NOTE } from '../measurements/measurement-checker';
import { timestampSchemaPattern } from '../realization/iso-day';

/** Most measurements one batch request takes. */
export const MAX_BATCH = 1000;

const id: JsonSchema = { type: 'string', minLength: 1, maxLength: 200 };
const timestamp: JsonSchema = {
  type: 'string',
  pattern: timestampSchemaPattern,
  description: 'ISO date (yyyy-mm-dd, midnight UTC) or ISO date-time with a zone',
};

const measurement: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['commitmentId', 'metric', 'value', 'measuredAt'],
  properties: {
    commitmentId: id,
    metric: { type: 'string', minLength: 1, maxLength: 200, description: 'A milestone metric, driver key or success-criterion metric of the commitment' },
    value: { type: 'number', description: "The reading, as the metric's kind says (cumulative by default); within the metric's physical bounds" },
    measuredAt: timestamp,
    source: { type: 'string', minLength: 1, maxLength: 200, description: 'Where the value comes from (default `api`)' },
    note: { type: 'string', minLength: 1, maxLength: MAX_NOTE, description: 'Free text about the reading (returned as null when absent)' },
    correction: {
      type: 'object',
      additionalProperties: false,
      required: ['reason'],
      properties: { reason: { type: 'string', minLength: 1, maxLength: MAX_NOTE } },
      description: 'A cumulative reading below earlier ones, on purpose: those readings stop counting (422 VV_READING_DECREASED without this)',
    },
  },
};

export const realizationSchemas = {
  measurement,
  batch: {
    type: 'object',
    additionalProperties: false,
    required: ['measurements'],
    properties: { measurements: { type: 'array', minItems: 1, maxItems: MAX_BATCH, items: measurement } },
  },
  listQuery: {
    type: 'object',
    additionalProperties: false,
    properties: {
      commitmentId: id,
      metric: { type: 'string', minLength: 1, maxLength: 200 },
      limit: { type: 'integer', minimum: 1, maximum: 500, default: 100 },
      cursor: { type: 'string', minLength: 1, maxLength: 500 },
    },
  },
  measurementParams: { type: 'object', required: ['id'], properties: { id } },
  /** A JSON body `{csv}` or, when the host parses text bodies, the CSV text itself (`Content-Type: text/csv`). */
  importBody: {
    type: ['object', 'string'],
    additionalProperties: false,
    properties: {
      csv: { type: 'string', minLength: 1, description: 'CSV text with header commitmentId,metric,value,measuredAt[,source][,note]' },
      commitmentId: { ...id, description: 'Commitment of rows without a commitmentId column or cell' },
      atomic: { type: 'boolean', description: 'Store nothing unless every row is valid' },
    },
  },
  importQuery: {
    type: 'object',
    additionalProperties: false,
    properties: {
      atomic: { type: 'boolean', description: 'Store nothing unless every row is valid' },
      commitmentId: id,
    },
  },
  commitmentParams: { type: 'object', required: ['commitmentId'], properties: { commitmentId: id } },
  asOfQuery: { type: 'object', additionalProperties: false, properties: { asOf: timestamp } },
  evaluateBody: { type: 'object', additionalProperties: false, properties: { asOf: { ...timestamp, description: 'Evaluate as of this time (default now)' } } },
} satisfies Record<string, JsonSchema>;
