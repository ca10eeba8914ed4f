import type { JsonSchema } from '@valueverse/plugin-sdk';

const id: JsonSchema = { type: 'string', minLength: 1, maxLength: 100 };
const timestamp: JsonSchema = { type: 'string', format: 'date-time' };

export const idParams: JsonSchema = { type: 'object', properties: { id } };

const context: JsonSchema = {
  type: ['object', 'null'],
  additionalProperties: false,
  required: ['kind', 'id'],
  description: 'The page object the conversation is about',
  properties: { kind: { enum: ['value-model', 'commitment', 'realization'] }, id },
};

const conversation: JsonSchema = {
  type: 'object',
  required: ['id', 'title', 'context', 'createdAt', 'updatedAt'],
  properties: { id, title: { type: 'string' }, context, createdAt: timestamp, updatedAt: timestamp },
};

const toolCall: JsonSchema = {
  type: 'object',
  required: ['name', 'outcome', 'summary'],
  properties: { name: { type: 'string' }, arguments: {}, outcome: { enum: ['ok', 'refused', 'failed'] }, summary: { type: 'string' }, artifactId: id },
};

const message: JsonSchema = {
  type: 'object',
  required: ['id', 'conversationId', 'seq', 'role', 'content', 'status', 'createdAt'],
  properties: {
    id,
    conversationId: id,
    seq: { type: 'integer' },
    role: { enum: ['user', 'assistant'] },
    content: { type: 'string' },
    toolCalls: { type: ['array', 'null'], items: toolCall },
    status: { enum: ['complete', 'streaming', 'cancelled', 'failed'] },
    tokens: { type: 'integer' },
    createdAt: timestamp,
  },
};

export const artifactSchema: JsonSchema = {
  type: 'object',
  required: ['id', 'conversationId', 'kind', 'title', 'payload', 'status', 'createdAt'],
  properties: {
    id,
    conversationId: id,
    kind: { enum: ['model-draft', 'model-change', 'commitment-proposal', 'chart'] },
    title: { type: 'string' },
    payload: {
      type: 'object',
      description:
        'model-draft: {input, figures}; model-change: {modelId, baseVersion, changes, diff, npvBefore, npvAfter}; commitment-proposal: {input, preview}; chart: {chart, bars}',
    },
    status: { enum: ['proposed', 'applied', 'discarded'] },
    result: { type: ['object', 'null'], description: 'What applying made: {modelId, version} or {commitmentId, ...}' },
    createdAt: timestamp,
    decidedAt: { type: ['string', 'null'], format: 'date-time' },
  },
};

export const agentSchemas = {
  createConversation: {
    type: 'object',
    additionalProperties: false,
    properties: { title: { type: 'string', minLength: 1, maxLength: 200 }, context },
  },
  listQuery: { type: 'object', properties: { limit: { type: 'integer', minimum: 1, maximum: 100, default: 20 } } },
  message: {
    type: 'object',
    additionalProperties: false,
    required: ['content'],
    properties: { content: { type: 'string', minLength: 1, maxLength: 8000 } },
  },
} satisfies Record<string, JsonSchema>;

export const agentResponses = {
  conversation,
  conversations: { type: 'object', required: ['items'], properties: { items: { type: 'array', items: conversation } } },
  detail: {
    type: 'object',
    required: ['id', 'messages', 'artifacts', 'running'],
    properties: {
      ...(conversation['properties'] as object),
      messages: { type: 'array', items: message },
      artifacts: { type: 'array', items: artifactSchema },
      running: { type: 'boolean' },
    },
  },
  accepted: {
    type: 'object',
    required: ['message', 'reply'],
    description: 'The stored user message and the assistant reply being written (status streaming); with Accept: text/event-stream the answer is the stream instead',
    properties: { message, reply: message },
  },
  cancelled: { type: 'object', required: ['cancelled'], properties: { cancelled: { type: 'boolean' } } },
  tools: {
    type: 'object',
    required: ['items'],
    properties: {
      items: {
        type: 'array',
        items: {
          type: 'object',
          required: ['name', 'plugin', 'proposes'],
          properties: { name: { type: 'string' }, description: { type: 'string' }, plugin: { type: 'string' }, proposes: { type: 'boolean' } },
        },
      },
    },
  },
  artifact: artifactSchema,
} satisfies Record<string, JsonSchema>;
