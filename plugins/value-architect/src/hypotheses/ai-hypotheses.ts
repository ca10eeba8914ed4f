import { Validator } from '@langchain/core/utils/json_schema';
import type { AiChatProvider, JsonSchema } from '@valueverse/plugin-sdk';
import type { CalculationService, ValueModel } from '@valueverse/plugin-calculation/api';
import type { LibraryIndustry } from '../library/driver-library';
import { assumptionToModel } from '../library/model-from-library';
import { estimateAnnualValue } from './estimate-annual-value';
import type { HypothesisConfidence, ValueHypothesis } from './value-hypothesis';

/**
 * The answer shape asked of the model. Kept to the JSON Schema subset that OpenAI-style strict structured output
 * accepts (every property required, no additional properties, no length keywords); the finer rules are checked here
 * by `answerSchema`.
 */
export const hypothesesOutputSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['hypotheses'],
  properties: {
    hypotheses: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['title', 'statement', 'driver', 'formula', 'rationale', 'confidence'],
        properties: {
          title: { type: 'string', description: 'Short name of the hypothesis' },
          statement: { type: 'string', description: 'One sentence: what changes for the customer and by how much' },
          driver: {
            type: 'object',
            additionalProperties: false,
            required: ['key', 'label', 'unit', 'min', 'typical', 'max'],
            properties: {
              key: { type: 'string', description: 'snake_case identifier of the new driver' },
              label: { type: 'string' },
              unit: { type: 'string', description: 'Unit of the driver, e.g. h/year or share of revenue' },
              min: { type: 'number' },
              typical: { type: 'number' },
              max: { type: 'number' },
            },
          },
          formula: { type: 'string', description: 'Annual value in the model currency: an arithmetic expression over the driver key and the existing driver names' },
          rationale: { type: 'string', description: 'Why this is plausible for this customer' },
          confidence: { enum: ['low', 'medium', 'high'] },
        },
      },
    },
  },
};

/** One hypothesis with the limits the architect enforces on whatever comes back. */
const itemSchema = {
  type: 'object',
  required: ['title', 'statement', 'driver', 'formula', 'rationale', 'confidence'],
  properties: {
    title: { type: 'string', minLength: 1, maxLength: 200 },
    statement: { type: 'string', minLength: 1, maxLength: 1000 },
    driver: {
      type: 'object',
      required: ['key', 'label', 'unit', 'min', 'typical', 'max'],
      properties: {
        key: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]{0,63}$' },
        label: { type: 'string', minLength: 1, maxLength: 200 },
        unit: { type: 'string', maxLength: 60 },
        min: { type: 'number' },
        typical: { type: 'number' },
        max: { type: 'number' },
      },
    },
    formula: { type: 'string', minLength: 1, maxLength: 2000 },
    rationale: { type: 'string', maxLength: 2000 },
    confidence: { enum: ['low', 'medium', 'high'] },
  },
};

/** Most hypotheses read from one answer. */
const MAX_ANSWER_ITEMS = 20;

interface AiHypothesis {
  title: string;
  statement: string;
  driver: { key: string; label: string; unit: string; min: number; typical: number; max: number };
  formula: string;
  rationale: string;
  confidence: HypothesisConfidence;
}

// ajv 8 is not resolvable from plugins/* in this workspace (the hoisted copy is eslint's ajv 6), so answers are
// checked with the JSON Schema validator LangChain ships (@cfworker/json-schema, draft 7), as the providers do.
type SchemaOf = ConstructorParameters<typeof Validator>[0];
const itemValidator = new Validator(itemSchema as unknown as SchemaOf, '7', true);

const isUsableItem = (item: unknown): item is AiHypothesis => itemValidator.validate(item).valid;

/** The model and industry as the AI sees them. */
export interface AiHypothesisContext {
  readonly name: string;
  readonly description: string | null;
  readonly currency: string;
  readonly model: ValueModel;
  readonly industry: LibraryIndustry | undefined;
  readonly industryKey: string | null;
  readonly count: number;
  readonly focus?: string;
}

/** Thrown when the provider's answer has no usable hypothesis; the caller falls back to the library. */
export class UnusableAnswerError extends Error {}

function messages(context: AiHypothesisContext): [string, string][] {
  const { model } = context;
  const brief = {
    model: context.name,
    description: context.description,
    industry: context.industry?.label ?? context.industryKey,
    currency: context.currency,
    existingDrivers: model.drivers.map((d) => ({ key: d.name, label: d.description ?? d.name, unit: d.unit ?? '', value: d.value })),
    existingFormulas: (model.formulas ?? []).map((f) => ({ name: f.name, expression: f.expression })),
    libraryAssumptions: context.industry?.assumptions.map((a) => ({ key: a.key, label: a.label, unit: a.unit, value: a.value })) ?? [],
    focus: context.focus ?? null,
    wanted: context.count,
  };
  return [
    [
      'system',
      'You are a B2B value engineering consultant. Propose value hypotheses for the customer value model you are given: ' +
        'each introduces ONE new quantifiable driver (a snake_case key not among the existing drivers) with a realistic ' +
        'min/typical/max range, and a formula for its annual value in the model currency that reads only that key, the ' +
        'existing drivers and formulas, and the library assumptions. Use + - * / ^ and parentheses only. Answer with JSON.',
    ],
    ['human', JSON.stringify(brief)],
  ];
}

/**
 * The AI generator: asks the tenant's chat provider for structured hypotheses (the provider checks the answer against
 * `hypothesesOutputSchema`), checks each against `itemSchema`, and keeps those whose range is ordered, whose key is new
 * and whose formula evaluates in the model (through the calculation engine).
 */
export async function aiHypotheses(
  provider: AiChatProvider,
  tenantId: string,
  calc: CalculationService,
  context: AiHypothesisContext,
): Promise<{ hypotheses: ValueHypothesis[]; discarded: number }> {
  const answer = await provider.invokeStructured<unknown>(tenantId, messages(context), {
    name: 'value_hypotheses',
    description: 'Value hypotheses for a B2B value model',
    schema: hypothesesOutputSchema,
  });
  // A hypothesis that fails the finer rules is dropped, not the whole answer.
  const list = (answer as { hypotheses?: unknown } | null)?.hypotheses;
  if (!Array.isArray(list) || list.length === 0) throw new UnusableAnswerError('the answer has no hypotheses');
  const present = new Set(context.model.drivers.map((d) => d.name));
  const fallbacks = context.industry?.assumptions.map(assumptionToModel) ?? [];
  const kept: ValueHypothesis[] = [];
  let discarded = 0;
  for (const item of list.slice(0, MAX_ANSWER_ITEMS)) {
    if (!isUsableItem(item) || present.has(item.driver.key) || !(item.driver.min <= item.driver.typical && item.driver.typical <= item.driver.max)) {
      discarded++;
      continue;
    }
    const value = await estimateAnnualValue(calc, context.model, { name: item.driver.key, value: item.driver.typical }, item.formula, fallbacks);
    if (value === undefined) {
      discarded++;
      continue;
    }
    const { key, label, unit, min, typical, max } = item.driver;
    kept.push({
      title: item.title,
      statement: item.statement,
      driver: { key, label, unit, range: { min, typical, max } },
      formula: item.formula,
      rationale: item.rationale,
      confidence: item.confidence,
      estimatedAnnualValue: value,
    });
  }
  if (kept.length === 0) throw new UnusableAnswerError(`none of the ${discarded} hypotheses in the answer passed the checks`);
  return { hypotheses: kept.slice(0, context.count), discarded };
}
