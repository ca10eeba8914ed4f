import type { JsonSchema } from '@valueverse/plugin-sdk';

// JSON Schemas of the financial routes' bodies. The kernel validates them (ajv) before the handler runs: a string
// such as "NaN" where a number belongs is rejected there with its JSON pointer. Semantic checks (ascending dates,
// equal lengths, rate above -100%) are made again by the service, which in-process callers reach directly.

const rate: JsonSchema = { type: 'number', exclusiveMinimum: -1, description: 'Rate per period as a decimal (0.08 = 8%), above -1' };
const cashFlows = (minItems: number, maxItems = 100_000): JsonSchema => ({
  type: 'array',
  minItems,
  maxItems,
  items: { type: 'number' },
  description: 'Cash flows, one per period (index 0 first); money paid out negative, money received positive',
});
const dates: JsonSchema = {
  type: 'array',
  minItems: 1,
  maxItems: 100_000,
  items: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' },
  description: 'ISO calendar dates YYYY-MM-DD, one per cash flow, ascending',
};
const when: JsonSchema = { enum: ['end', 'begin'], description: 'Payments at the end (default, Excel type 0) or beginning (type 1) of each period' };
const guess: JsonSchema = { type: 'number', exclusiveMinimum: -1, description: 'The root closest to guess is reported (default 0.1)' };
const nper: JsonSchema = { type: 'number', description: 'Number of periods' };
const money = (description: string): JsonSchema => ({ type: 'number', description });

function body(required: string[], properties: Record<string, JsonSchema>): JsonSchema {
  return { type: 'object', additionalProperties: false, required, properties };
}

export const financeSchemas = {
  npv: body(['rate', 'cashFlows', 'convention'], {
    rate,
    cashFlows: cashFlows(1),
    convention: { enum: ['t0', 'excel'], description: 't0: first flow at t = 0 (numpy-financial); excel: first flow at t = 1 (Excel NPV)' },
  }),
  xnpv: body(['rate', 'cashFlows', 'dates'], { rate, cashFlows: cashFlows(1), dates }),
  irr: body(['cashFlows'], { cashFlows: cashFlows(2, 1200), guess }),
  xirr: body(['cashFlows', 'dates'], { cashFlows: cashFlows(2, 1200), dates, guess }),
  mirr: body(['cashFlows', 'financeRate', 'reinvestRate'], {
    cashFlows: cashFlows(2),
    financeRate: { ...rate, description: 'Rate paid on money borrowed for the negative flows' },
    reinvestRate: { ...rate, description: 'Rate earned on reinvesting the positive flows' },
  }),
  pmt: body(['rate', 'nper', 'pv'], { rate, nper, pv: money('Present value'), fv: money('Future value (default 0)'), when }),
  pv: body(['rate', 'nper', 'pmt'], { rate, nper, pmt: money('Payment per period'), fv: money('Future value (default 0)'), when }),
  fv: body(['rate', 'nper', 'pmt'], { rate, nper, pmt: money('Payment per period'), pv: money('Present value (default 0)'), when }),
  nper: body(['rate', 'pmt', 'pv'], { rate, pmt: money('Payment per period'), pv: money('Present value'), fv: money('Future value (default 0)'), when }),
  rate: body(['nper', 'pmt', 'pv'], {
    nper: { type: 'number', exclusiveMinimum: 0, description: 'Number of periods' },
    pmt: money('Payment per period'),
    pv: money('Present value'),
    fv: money('Future value (default 0)'),
    when,
    guess,
  }),
  payback: body(['cashFlows'], {
    cashFlows: cashFlows(1),
    method: { enum: ['simple', 'discounted'], description: 'simple (default) or discounted (needs rate)' },
    rate,
  }),
  roi: body(['benefits', 'costs'], {
    benefits: { type: 'array', minItems: 1, maxItems: 100_000, items: { type: 'number' }, description: 'Benefit per period, index t = period t' },
    costs: { type: 'array', minItems: 1, maxItems: 100_000, items: { type: 'number' }, description: 'Cost per period, positive amounts' },
    rate: { ...rate, description: 'When given, ROI of present values' },
  }),
  breakEven: body(['fixedCosts', 'pricePerUnit', 'variableCostPerUnit'], {
    fixedCosts: { type: 'number', minimum: 0 },
    pricePerUnit: { type: 'number' },
    variableCostPerUnit: { type: 'number' },
  }),
  tco: body(['acquisition', 'operatingCosts'], {
    acquisition: money('Acquisition cost at t = 0'),
    operatingCosts: { type: 'array', maxItems: 100_000, items: { type: 'number' }, description: 'Operating cost of periods 1..n' },
    salvageValue: money('Value recovered at the end of period n (default 0)'),
    rate: { ...rate, description: 'When given, also the present value and the equivalent cost per period' },
  }),
} as const satisfies Record<string, JsonSchema>;

const resultNumber: JsonSchema = { type: 'object', required: ['result'], properties: { result: { type: 'number' } } };
const rootsResult: JsonSchema = {
  type: 'object',
  required: ['result', 'roots', 'rule'],
  properties: { result: { type: 'number' }, roots: { type: 'array', items: { type: 'number' } }, rule: { type: 'string' } },
};
const paybackResult: JsonSchema = {
  type: 'object',
  required: ['result', 'paysBack'],
  properties: { result: { type: ['number', 'null'] }, paysBack: { type: 'boolean' } },
};

/** 200 response schemas, for the OpenAPI document. */
export const financeResponses: Record<keyof typeof financeSchemas, JsonSchema> = {
  npv: resultNumber,
  xnpv: resultNumber,
  irr: rootsResult,
  xirr: rootsResult,
  mirr: resultNumber,
  pmt: resultNumber,
  pv: resultNumber,
  fv: resultNumber,
  nper: resultNumber,
  rate: resultNumber,
  payback: paybackResult,
  roi: resultNumber,
  breakEven: resultNumber,
  tco: resultNumber,
};
