import type { Driver, Formula, ValueModel } from '../calculation-api';

/** A value model being edited: every field as the form holds it. */
export interface ModelDraft {
  readonly name: string;
  readonly horizon: number;
  readonly discountRate: number;
  readonly drivers: readonly Driver[];
  readonly formulas: readonly Formula[];
  readonly benefit: string;
  readonly upfront: string;
  readonly recurring: string;
  readonly rampUp?: ValueModel['rampUp'];
  /** Kept as loaded: the form does not edit it, and a save must not drop it. */
  readonly convention?: ValueModel['convention'];
}

export const BLANK_DRAFT: ModelDraft = {
  name: 'New value model',
  horizon: 3,
  discountRate: 0.1,
  drivers: [{ name: 'users', unit: 'people', value: 100 }],
  formulas: [{ name: 'benefit', expression: 'users * 100' }],
  benefit: 'benefit',
  upfront: '0',
  recurring: '0',
};

/** A cost field: a number when it reads as one, else an expression. */
function amount(value: string): number | string {
  const trimmed = value.trim();
  return trimmed !== '' && Number.isFinite(Number(trimmed)) ? Number(trimmed) : trimmed;
}

export function draftFromModel(model: ValueModel): ModelDraft {
  return {
    name: model.name ?? 'Value model',
    horizon: model.horizon,
    discountRate: model.discountRate,
    drivers: model.drivers,
    formulas: model.formulas ?? [],
    benefit: model.benefit,
    upfront: String(model.costs?.upfront ?? 0),
    recurring: String(model.costs?.recurring ?? 0),
    rampUp: model.rampUp,
    ...(model.convention ? { convention: model.convention } : {}),
  };
}

export function modelFromDraft(draft: ModelDraft): ValueModel {
  return {
    name: draft.name,
    horizon: draft.horizon,
    discountRate: draft.discountRate,
    drivers: draft.drivers.map((d) => Object.fromEntries(Object.entries(d).filter(([, v]) => v !== undefined && v !== '')) as unknown as Driver),
    formulas: draft.formulas.filter((f) => f.name || f.expression),
    benefit: draft.benefit,
    costs: { upfront: amount(draft.upfront), recurring: amount(draft.recurring) },
    ...(draft.rampUp ? { rampUp: draft.rampUp } : {}),
    ...(draft.convention ? { convention: draft.convention } : {}),
  };
}

/** Adds a hypothesis's driver and its `<key>_value` formula, and adds that value to the benefit. */
export function withHypothesis(
  draft: ModelDraft,
  h: { driver: { key: string; unit: string; min: number | null; typical: number | null; max: number | null }; formula: string },
): ModelDraft {
  const key = h.driver.key;
  if (!key || draft.drivers.some((d) => d.name === key)) return draft;
  const value = h.driver.typical ?? 0;
  const driver: Driver = {
    name: key,
    unit: h.driver.unit,
    value,
    ...(h.driver.min !== null ? { low: h.driver.min } : {}),
    ...(h.driver.max !== null ? { high: h.driver.max } : {}),
  };
  const formula: Formula = { name: `${key}_value`, expression: h.formula };
  return { ...draft, drivers: [...draft.drivers, driver], formulas: [...draft.formulas, formula], benefit: `${draft.benefit} + ${formula.name}` };
}

/** "/model/drivers/0/name" → "Driver 1 (users): name". */
export function describePointer(pointer: string, draft: ModelDraft): string {
  const parts = pointer
    .replace(/^\/model/, '')
    .split('/')
    .filter(Boolean);
  if (parts[0] === 'drivers' && parts[1] !== undefined) {
    const d = draft.drivers[Number(parts[1])];
    return `Driver ${Number(parts[1]) + 1}${d?.name ? ` (${d.name})` : ''}${parts[2] ? `: ${parts.slice(2).join(' ')}` : ''}`;
  }
  if (parts[0] === 'formulas' && parts[1] !== undefined) {
    const f = draft.formulas[Number(parts[1])];
    return `Formula ${Number(parts[1]) + 1}${f?.name ? ` (${f.name})` : ''}${parts[2] ? `: ${parts.slice(2).join(' ')}` : ''}`;
  }
  return parts.join(' ') || 'Model';
}
