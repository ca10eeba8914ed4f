import type { Driver, Formula, ValueModel } from '@valueverse/plugin-calculation/api';
import { assumptionsOf, driverLibrary, type LibraryAssumption, type LibraryDriver, type LibraryIndustry } from './driver-library';

/** Name of the formula holding a library driver's annual value. */
export function valueFormulaName(driverKey: string): string {
  return `${driverKey}_value`;
}

/** A library driver as a model driver: its typical value, uncertain over its range (PERT), labelled in `description`. */
export function libraryDriverToModel(driver: LibraryDriver): Driver {
  const { min, typical, max } = driver.range;
  return {
    name: driver.key,
    unit: driver.unit,
    value: typical,
    ...(min < max ? { distribution: { type: 'pert' as const, min, mode: typical, max } } : {}),
    description: driver.label,
  };
}

export function assumptionToModel(assumption: LibraryAssumption): Driver {
  return { name: assumption.key, unit: assumption.unit, value: assumption.value, description: assumption.label };
}

/**
 * A value model built from library drivers: each driver with its PERT range, the assumptions its formula reads as
 * point values, one `<key>_value` formula per driver and `annual_benefit` summing them, with the industry's default
 * horizon, discount rate, costs and ramp-up. `drivers` keys must exist in the industry (the caller checks).
 */
export function modelFromLibrary(industry: LibraryIndustry, driverKeys: readonly string[] | undefined, name: string): ValueModel {
  const chosen = driverKeys ? driverKeys.map((k) => industry.drivers.find((d) => d.key === k)!) : [...industry.drivers];
  const assumptions = industry.assumptions.filter((a) => chosen.some((d) => assumptionsOf(industry, d).includes(a)));
  const valueFormulas: Formula[] = chosen.map((d) => ({
    name: valueFormulaName(d.key),
    expression: d.formula,
    unit: `${driverLibrary.currency}/year`,
    description: `Annual value of ${d.label.toLowerCase()}`,
  }));
  const { defaults } = industry;
  return {
    name,
    horizon: defaults.horizon,
    discountRate: defaults.discountRate,
    drivers: [...chosen.map(libraryDriverToModel), ...assumptions.map(assumptionToModel)],
    formulas: [
      ...valueFormulas,
      { name: 'annual_benefit', expression: valueFormulas.map((f) => f.name).join(' + '), unit: `${driverLibrary.currency}/year`, description: 'Total annual value' },
    ],
    benefit: 'annual_benefit',
    costs: { upfront: defaults.upfront, recurring: defaults.recurring },
    rampUp: [...defaults.rampUp],
  };
}
