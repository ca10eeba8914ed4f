import type { JsonSchema } from '@valueverse/plugin-sdk';
import { personas } from '../business-case/business-case';

// The answers of the business-case routes, for the OpenAPI document: the console's types are generated from them
// (admin-ui/src/app/api/openapi.d.ts), so the report page reads exactly what `buildBusinessCase` and `ShareLinks` give.

const string: JsonSchema = { type: 'string' };
const strings: JsonSchema = { type: 'array', items: string };
const nullableString: JsonSchema = { type: ['string', 'null'] };
const colour: JsonSchema = { type: 'string', pattern: '^#[0-9a-fA-F]{6}$' };

const section: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['heading'],
  properties: {
    heading: string,
    paragraphs: strings,
    table: {
      type: 'object',
      additionalProperties: false,
      required: ['caption', 'columns', 'rows'],
      properties: {
        caption: string,
        columns: strings,
        rows: { type: 'array', items: strings, description: 'Cells already formatted, one string per column' },
        numeric: { type: 'array', items: { type: 'boolean' }, description: 'Per column: right-aligned figures' },
      },
    },
  },
};

const businessCase: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['persona', 'personaLabel', 'title', 'modelId', 'version', 'currency', 'preparedBy', 'customer', 'date', 'branding', 'headline', 'figures', 'sections'],
  properties: {
    persona: { enum: [...personas] },
    personaLabel: string,
    title: string,
    modelId: string,
    version: { type: 'integer' },
    currency: string,
    preparedBy: { type: 'string', description: 'The tenant’s name' },
    customer: nullableString,
    date: { type: 'string', format: 'date' },
    branding: {
      type: 'object',
      additionalProperties: false,
      required: ['primaryColor', 'accentColor', 'logo'],
      properties: {
        primaryColor: colour,
        accentColor: colour,
        logo: {
          type: ['object', 'null'],
          additionalProperties: false,
          required: ['mediaType', 'data'],
          properties: { mediaType: { enum: ['image/png', 'image/jpeg'] }, data: { type: 'string', contentEncoding: 'base64' } },
        },
      },
    },
    headline: string,
    figures: {
      type: 'array',
      items: { type: 'object', additionalProperties: false, required: ['label', 'value'], properties: { label: string, value: { type: 'string', description: 'Formatted' } } },
    },
    sections: { type: 'array', items: section },
  },
};

const shareLinkProperties = {
  id: string,
  modelId: string,
  version: { type: 'integer' },
  persona: { enum: [...personas] },
  customer: nullableString,
  expiresAt: { type: 'string', format: 'date-time' },
  revokedAt: { type: ['string', 'null'], format: 'date-time' },
  createdBy: string,
  createdAt: { type: 'string', format: 'date-time' },
};
const shareLinkRequired = ['id', 'modelId', 'version', 'persona', 'customer', 'expiresAt', 'revokedAt', 'createdBy', 'createdAt'];
const shareLink: JsonSchema = { type: 'object', additionalProperties: false, required: shareLinkRequired, properties: shareLinkProperties };

/** Response schemas of the business-case routes. */
export const businessCaseResponses = {
  businessCase,
  shareLink,
  /** The link as created: with its URL, which holds the token and is given in this answer only. */
  createdShareLink: {
    type: 'object',
    additionalProperties: false,
    required: [...shareLinkRequired, 'url'],
    properties: { ...shareLinkProperties, url: { type: 'string', description: 'The share view’s path, token included; shown once' } },
  },
  shareLinks: { type: 'object', additionalProperties: false, required: ['items'], properties: { items: { type: 'array', items: shareLink } } },
} as const satisfies Record<string, JsonSchema>;
