// JSON Schemas of the notifications routes.
import { deliveryStatuses } from '../delivery/delivery';
import { channelNames } from '../workflows/workflow';

const id = { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9_.:@-]{0,127}$' } as const;
const key = { type: 'string', pattern: '^[a-z0-9][a-z0-9_.-]{0,62}$' } as const;
const category = { type: 'string', pattern: '^[a-z0-9][a-z0-9_.-]{0,62}$', description: 'e.g. "commitments", "billing"' } as const;
const email = { type: 'string', format: 'email', maxLength: 320 } as const;
const channel = { type: 'string', enum: [...channelNames] } as const;
const channels = { type: 'array', minItems: 1, maxItems: 4, uniqueItems: true, items: channel } as const;
const locale = { type: 'string', pattern: '^[a-z]{2}(-[A-Z]{2})?$' } as const;
const hhmm = { type: 'string', pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$' } as const;
const uuid = { type: 'string', format: 'uuid' } as const;

const recipientRule = {
  oneOf: [
    { type: 'object', additionalProperties: false, required: ['userId'], properties: { userId: id } },
    { type: 'object', additionalProperties: false, required: ['role'], properties: { role: { type: 'string', enum: ['viewer', 'member', 'tenant-admin', 'platform-admin'] } } },
    { type: 'object', additionalProperties: false, required: ['owner'], properties: { owner: { const: true } } },
    { type: 'object', additionalProperties: false, required: ['email'], properties: { email } },
    { type: 'object', additionalProperties: false, required: ['emailFrom'], properties: { emailFrom: { type: 'string', pattern: '^[A-Za-z][A-Za-z0-9_]{0,63}$' } } },
  ],
} as const;

const dateTime = { type: 'string', format: 'date-time' } as const;

/** A delivery as the API answers it (`Delivery` in delivery.ts); the console's types are generated from this. */
const delivery = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'eventId', 'recipient', 'channel', 'category', 'critical', 'status', 'reason', 'subject', 'attempts', 'releaseAt', 'digestId', 'createdAt', 'updatedAt'],
  properties: {
    id: uuid,
    eventId: { type: 'string' },
    recipient: { type: 'string', description: '`user:<id>`, `email:<address>` or `slack`' },
    channel,
    category: { type: 'string' },
    critical: { type: 'boolean' },
    status: { type: 'string', enum: [...deliveryStatuses] },
    reason: { type: ['string', 'null'] },
    subject: { type: 'string' },
    attempts: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['at', 'ok', 'response'],
        properties: {
          at: dateTime,
          ok: { type: 'boolean' },
          response: { type: 'string', description: "The provider's answer or the error" },
          server: { type: 'string', enum: ['primary', 'fallback'], description: 'Email: which SMTP server carried (or refused) it' },
          host: { type: 'string' },
        },
      },
    },
    releaseAt: { oneOf: [dateTime, { type: 'null' }] },
    digestId: { type: ['string', 'null'] },
    createdAt: dateTime,
    updatedAt: dateTime,
  },
} as const;

/** A workflow as the API answers it (`Workflow` in workflow.ts). */
const workflowOut = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'name', 'eventPattern', 'recipients', 'channels', 'template', 'category', 'critical', 'digestMinutes', 'enabled'],
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    eventPattern: { type: 'string' },
    recipients: { type: 'array', items: recipientRule },
    channels: { type: 'array', items: channel },
    template: { type: 'string' },
    category: { type: 'string' },
    critical: { type: 'boolean' },
    digestMinutes: { type: 'integer' },
    enabled: { type: 'boolean' },
  },
} as const;

export const notificationSchemas = {
  workflowOut,
  workflowList: { type: 'object', additionalProperties: false, required: ['items'], properties: { items: { type: 'array', items: workflowOut } } },
  delivery,
  deliveryPage: {
    type: 'object',
    additionalProperties: false,
    required: ['items', 'nextCursor'],
    properties: { items: { type: 'array', items: delivery }, nextCursor: { type: ['string', 'null'] } },
  },
  id,
  key,
  category,
  channel,
  channels,
  locale,
  uuid,
  idParams: { type: 'object', required: ['id'], properties: { id: uuid } },
  send: {
    type: 'object',
    additionalProperties: false,
    required: ['to', 'category'],
    properties: {
      to: {
        type: 'array',
        minItems: 1,
        maxItems: 1000,
        items: {
          oneOf: [
            { type: 'object', additionalProperties: false, required: ['userId'], properties: { userId: id } },
            { type: 'object', additionalProperties: false, required: ['email'], properties: { email } },
          ],
        },
      },
      category,
      channels,
      template: key,
      subject: { type: 'string', minLength: 1, maxLength: 300 },
      body: { type: 'string', minLength: 1, maxLength: 20000 },
      data: { type: 'object', maxProperties: 100 },
      critical: { type: 'boolean' },
      link: { type: 'string', maxLength: 2000, pattern: '^(https?://|/)' },
    },
  },
  preferences: {
    type: 'object',
    additionalProperties: false,
    properties: {
      timeZone: { type: ['string', 'null'], minLength: 1, maxLength: 64 },
      locale: { oneOf: [locale, { type: 'null' }] },
      quietHours: { oneOf: [{ type: 'null' }, { type: 'object', additionalProperties: false, required: ['start', 'end'], properties: { start: hhmm, end: hhmm } }] },
      channels: {
        type: 'array',
        maxItems: 200,
        items: {
          type: 'object',
          additionalProperties: false,
          required: ['category', 'channel', 'enabled'],
          properties: { category: { oneOf: [category, { const: '*' }] }, channel, enabled: { type: 'boolean' } },
        },
      },
    },
  },
  workflow: {
    type: 'object',
    additionalProperties: false,
    required: ['name', 'eventPattern', 'recipients', 'channels', 'template', 'category'],
    properties: {
      name: { type: 'string', minLength: 1, maxLength: 200 },
      // The pattern and "at least one recipient" are checked by checkWorkflow, each with a code of its own.
      eventPattern: { type: 'string', minLength: 1, maxLength: 128, description: 'An event name, or a prefix ending in * (billing.*)' },
      recipients: { type: 'array', maxItems: 100, items: recipientRule },
      channels,
      template: key,
      category,
      critical: { type: 'boolean', default: false },
      digestMinutes: { type: 'integer', minimum: 0, maximum: 10080, default: 0 },
      enabled: { type: 'boolean', default: true },
    },
  },
  template: {
    type: 'object',
    additionalProperties: false,
    required: ['subject', 'text'],
    properties: {
      subject: { type: 'string', minLength: 1, maxLength: 1000 },
      text: { type: 'string', minLength: 1, maxLength: 50000 },
      html: { type: ['string', 'null'], maxLength: 100000 },
      sampleData: { type: 'object', description: 'Data the template is checked against: a data.* variable it does not have is refused' },
    },
  },
  preview: {
    type: 'object',
    additionalProperties: false,
    properties: {
      key,
      locale,
      subject: { type: 'string', maxLength: 1000 },
      text: { type: 'string', maxLength: 50000 },
      html: { type: ['string', 'null'], maxLength: 100000 },
      data: { type: 'object', description: 'Sample data; default: the built-in sample of the template key' },
    },
  },
} as const;
