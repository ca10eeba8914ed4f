import type { ValueModel } from './calculation-api';

/** The value-architect driver library (GET /value-models/library). */
export interface DriverLibrary {
  readonly currency: string;
  readonly industries: readonly LibraryIndustry[];
}

export interface LibraryIndustry {
  readonly key: string;
  readonly label: string;
  readonly defaults: { readonly horizon: number; readonly discountRate: number; readonly upfront: number; readonly recurring: number; readonly rampUp: readonly number[] };
  readonly assumptions: readonly { readonly key: string; readonly label: string; readonly unit: string; readonly value: number }[];
  readonly drivers: readonly LibraryDriver[];
}

export interface LibraryDriver {
  readonly key: string;
  readonly label: string;
  readonly unit: string;
  readonly range: { readonly min: number; readonly typical: number; readonly max: number };
  readonly formula: string;
  readonly description: string;
}

/** Whether an answer looks like the driver library (industries with drivers). */
export function isDriverLibrary(value: unknown): value is DriverLibrary {
  const v = value as Partial<DriverLibrary> | null;
  return !!v && Array.isArray(v.industries) && v.industries.every((i) => Array.isArray(i?.drivers) && typeof i?.key === 'string');
}

const mentions = (expression: string, key: string) => new RegExp(`\\b${key}\\b`).test(expression);

/**
 * A value model from library drivers, as value-architect builds one (`model-from-library.ts`): each driver at its
 * typical value with a PERT distribution over its range, the assumptions its formulas read, one `<key>_value`
 * formula per driver and `annual_benefit` summing them, and the industry's defaults.
 */
export function modelFromLibrary(industry: LibraryIndustry, driverKeys: readonly string[], name: string, currency: string): ValueModel {
  const chosen = industry.drivers.filter((d) => driverKeys.includes(d.key));
  const assumptions = industry.assumptions.filter((a) => chosen.some((d) => mentions(d.formula, a.key)));
  const valueFormulas = chosen.map((d) => ({ name: `${d.key}_value`, expression: d.formula, unit: `${currency}/year` }));
  return {
    name,
    horizon: industry.defaults.horizon,
    discountRate: industry.defaults.discountRate,
    drivers: [
      ...chosen.map((d) => ({
        name: d.key,
        unit: d.unit,
        value: d.range.typical,
        low: d.range.min,
        high: d.range.max,
        distribution: { type: 'pert' as const, min: d.range.min, mode: d.range.typical, max: d.range.max },
        description: d.label,
      })),
      ...assumptions.map((a) => ({ name: a.key, unit: a.unit, value: a.value, description: a.label })),
    ],
    formulas: [...valueFormulas, { name: 'annual_benefit', expression: valueFormulas.map((f) => f.name).join(' + ') || '0', unit: `${currency}/year` }],
    benefit: 'annual_benefit',
    costs: { upfront: industry.defaults.upfront, recurring: industry.defaults.recurring },
    rampUp: [...industry.defaults.rampUp],
  };
}
