// JSON Schemas of the billing routes. Money goes in as decimal strings in major units (never JSON numbers, which
// are binary doubles) and comes out as integer minor units.

const decimal = { type: 'string', pattern: '^[0-9]{1,15}(\\.[0-9]{1,12})?$', description: 'Decimal string in major units, e.g. "49.00" or "0.0004"' } as const;
const fraction = { type: 'string', pattern: '^(0(\\.[0-9]{1,12})?|1(\\.0{1,12})?)$', description: 'Decimal fraction between 0 and 1: "0.02" is 2 %' } as const;
const code = { type: 'string', pattern: '^[a-z0-9][a-z0-9_.-]{0,62}$' } as const;
const currency = { type: 'string', pattern: '^[A-Z]{3}$', description: 'ISO 4217 code' } as const;
const count = { type: 'integer', minimum: 0, maximum: 1e12 } as const;

const tiers = {
  type: 'array',
  minItems: 1,
  maxItems: 50,
  items: {
    type: 'object',
    additionalProperties: false,
    required: ['upTo', 'unitAmount'],
    properties: { upTo: { type: ['number', 'null'], minimum: 0 }, unitAmount: decimal, flatAmount: decimal },
  },
} as const;

function chargeOf(model: string, properties: object, required: readonly string[]) {
  return {
    type: 'object',
    additionalProperties: false,
    required: ['metric', 'model', 'properties'],
    properties: {
      metric: code,
      model: { const: model },
      properties: { type: 'object', additionalProperties: false, required, properties },
    },
  } as const;
}

export const charge = {
  type: 'object',
  required: ['metric', 'model', 'properties'],
  properties: { model: { enum: ['standard', 'graduated', 'volume', 'package', 'percentage', 'outcome'] } },
  oneOf: [
    chargeOf('standard', { unitAmount: decimal }, ['unitAmount']),
    chargeOf('graduated', { tiers }, ['tiers']),
    chargeOf('volume', { tiers }, ['tiers']),
    chargeOf('package', { packageSize: { type: 'integer', minimum: 1, maximum: 1e12 }, amount: decimal, freeUnits: count }, ['packageSize', 'amount']),
    chargeOf('percentage', { rate: fraction, fixedAmount: decimal, freeUnits: count }, ['rate']),
    {
      ...chargeOf(
        'outcome',
        { commitmentId: { type: 'string', minLength: 1, maxLength: 100 }, metric: { type: 'string', minLength: 1, maxLength: 100 }, rate: fraction, cap: decimal },
        ['rate'],
      ),
      // What the share is of: a commitment's value, or a value metric (of one commitment, or of all).
      anyOf: [
        { properties: { properties: { type: 'object', properties: { commitmentId: { type: 'string' } }, required: ['commitmentId'] } } },
        { properties: { properties: { type: 'object', properties: { metric: { type: 'string' } }, required: ['metric'] } } },
      ],
    },
  ],
} as const;

/** A plan as created, and as a quote takes it inline. */
export const planBody = {
  type: 'object',
  additionalProperties: false,
  required: ['currency', 'amount', 'charges'],
  properties: {
    code,
    name: { type: 'string', minLength: 1, maxLength: 200 },
    currency,
    interval: { enum: ['month', 'year'], default: 'month' },
    amount: decimal,
    payInAdvance: { type: 'boolean', default: false },
    trialDays: { type: 'integer', minimum: 0, maximum: 730, default: 0 },
    charges: { type: 'array', maxItems: 50, items: charge },
  },
} as const;

const quantity = { oneOf: [{ type: 'number', minimum: 0 }, decimal] } as const;

export const quoteBody = {
  type: 'object',
  additionalProperties: false,
  required: ['usage'],
  oneOf: [{ required: ['plan'] }, { required: ['planCode'] }],
  properties: {
    plan: planBody,
    planCode: code,
    taxRate: fraction,
    usage: {
      type: 'object',
      maxProperties: 50,
      propertyNames: code,
      additionalProperties: {
        oneOf: [quantity, { type: 'object', additionalProperties: false, required: ['sum', 'count'], properties: { sum: quantity, count } }],
      },
    },
  },
} as const;

export const billingSchemas = { decimal, fraction, code, currency, count, planBody, quoteBody, charge };
