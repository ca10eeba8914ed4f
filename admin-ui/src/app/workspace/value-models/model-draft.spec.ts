import type { LibraryIndustry } from '../library-model';
import { isDriverLibrary, modelFromLibrary } from '../library-model';
import { SAMPLE_MODEL } from '../sample-model';
import { describePointer, draftFromModel, modelFromDraft, withHypothesis } from './model-draft';

const industry: LibraryIndustry = {
  key: 'software',
  label: 'Software',
  defaults: { horizon: 3, discountRate: 0.1, upfront: 1000, recurring: 100, rampUp: [0.5] },
  assumptions: [
    { key: 'hourly_rate', label: 'Hourly rate', unit: 'USD/h', value: 75 },
    { key: 'unused', label: 'Unused', unit: 'x', value: 1 },
  ],
  drivers: [
    { key: 'hours_saved', label: 'Hours saved', unit: 'h/year', range: { min: 100, typical: 200, max: 400 }, formula: 'hours_saved * hourly_rate', description: '' },
    { key: 'tickets', label: 'Tickets', unit: 'tickets/year', range: { min: 1, typical: 2, max: 3 }, formula: 'tickets * 10', description: '' },
  ],
};

describe('value model drafts', () => {
  it('builds a model from library drivers like value-architect does', () => {
    expect(isDriverLibrary({ currency: 'USD', industries: [industry] })).toBe(true);
    expect(isDriverLibrary({ industries: [{}] })).toBe(false);
    const model = modelFromLibrary(industry, ['hours_saved'], 'M', 'USD');
    expect(model.drivers.map((d) => d.name)).toEqual(['hours_saved', 'hourly_rate']);
    expect(model.drivers[0]).toMatchObject({ value: 200, low: 100, high: 400, distribution: { type: 'pert', mode: 200 } });
    expect(model.formulas).toEqual([
      { name: 'hours_saved_value', expression: 'hours_saved * hourly_rate', unit: 'USD/year' },
      { name: 'annual_benefit', expression: 'hours_saved_value', unit: 'USD/year' },
    ]);
    expect(model).toMatchObject({ benefit: 'annual_benefit', costs: { upfront: 1000, recurring: 100 }, rampUp: [0.5] });
  });

  it('round-trips a model through the editable draft; numeric costs stay numbers, expressions stay text', () => {
    const model = modelFromDraft(draftFromModel(SAMPLE_MODEL));
    expect(model.costs).toEqual({ upfront: 60000, recurring: 'license' });
    expect(model.rampUp).toEqual([0.5]);
    expect(model.drivers).toEqual(SAMPLE_MODEL.drivers);
  });

  it('keeps the cash-flow convention of a loaded model, which the form does not edit', () => {
    expect(modelFromDraft(draftFromModel({ ...SAMPLE_MODEL, convention: 'excel' })).convention).toBe('excel');
    expect('convention' in modelFromDraft(draftFromModel(SAMPLE_MODEL))).toBe(false);
  });

  it('adds a hypothesis as a driver, a value formula and a term of the benefit, once', () => {
    const draft = draftFromModel(SAMPLE_MODEL);
    const h = { driver: { key: 'churn', unit: '%', min: 0, typical: 2, max: 5 }, formula: 'churn * 1000' };
    const next = withHypothesis(draft, h);
    expect(next.drivers.at(-1)).toEqual({ name: 'churn', unit: '%', value: 2, low: 0, high: 5 });
    expect(next.formulas.at(-1)).toEqual({ name: 'churn_value', expression: 'churn * 1000' });
    expect(next.benefit).toBe('savings + churn_value');
    expect(withHypothesis(next, h)).toBe(next);
  });

  it('names the field a calculation problem points at', () => {
    const draft = draftFromModel(SAMPLE_MODEL);
    expect(describePointer('/model/drivers/1/value', draft)).toBe('Driver 2 (hoursSaved): value');
    expect(describePointer('/model/formulas/0/expression', draft)).toBe('Formula 1 (savings): expression');
    expect(describePointer('/model/benefit', draft)).toBe('benefit');
  });
});
