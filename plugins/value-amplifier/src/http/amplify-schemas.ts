import type { JsonSchema } from '@valueverse/plugin-sdk';

const key: JsonSchema = { type: 'string', minLength: 1, maxLength: 200 };

export const amplifySchemas = {
  commitmentParams: { type: 'object', required: ['id'], properties: { id: key } },
  noQuery: { type: 'object', additionalProperties: false, properties: {} },
  benchmarksQuery: {
    type: 'object',
    additionalProperties: false,
    properties: { industry: { type: 'string', minLength: 1, maxLength: 100, description: 'Industry key (case-insensitive); all industries when absent' } },
  },
  whatItTakesBody: {
    type: 'object',
    additionalProperties: false,
    properties: {
      driver: { ...key, description: 'Driver to solve for (give driver or metric)' },
      metric: { ...key, description: 'Milestone metric naming the driver to solve for (give driver or metric)' },
      targetValue: { type: 'number', description: 'Value of the objective to reach; default the committed value (NPV)' },
      objective: { enum: ['npv', 'roi'], description: 'Metric of the model to reach targetValue in (default npv)' },
    },
  },
} satisfies Record<string, JsonSchema>;
