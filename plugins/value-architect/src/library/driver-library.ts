import data from './driver-library.json';

/** Typical range of a driver, in its unit; `typical` is the most likely value (the mode of a PERT distribution). */
export interface LibraryRange {
  readonly min: number;
  readonly typical: number;
  readonly max: number;
}

/** A value driver of the library: what changes for the customer, and how that change turns into annual value. */
export interface LibraryDriver {
  /** Identifier used in formulas (snake_case). */
  readonly key: string;
  readonly label: string;
  readonly unit: string;
  readonly range: LibraryRange;
  /** Annual value in the library's currency, an expression over `key` and the industry's assumptions. */
  readonly formula: string;
  readonly description: string;
}

/** A fixed input the formulas read (hourly rate, revenue, ...): a point value the customer replaces with their own. */
export interface LibraryAssumption {
  readonly key: string;
  readonly label: string;
  readonly unit: string;
  readonly value: number;
}

/** Starting values of a model built from the library (costs in the library's currency). */
export interface IndustryDefaults {
  readonly horizon: number;
  readonly discountRate: number;
  readonly upfront: number;
  readonly recurring: number;
  /** Share of the full benefit in the first periods. */
  readonly rampUp: readonly number[];
}

export interface LibraryIndustry {
  readonly key: string;
  readonly label: string;
  readonly defaults: IndustryDefaults;
  readonly assumptions: readonly LibraryAssumption[];
  readonly drivers: readonly LibraryDriver[];
}

export interface DriverLibrary {
  readonly version: string;
  /** Currency of every money amount in the library. */
  readonly currency: string;
  readonly industries: readonly LibraryIndustry[];
}

/** The value driver library, shipped as data (`driver-library.json`); checked by `driver-library.test.ts`. */
export const driverLibrary: DriverLibrary = data;

export const industryKeys: readonly string[] = driverLibrary.industries.map((i) => i.key);

export function findIndustry(key: string): LibraryIndustry | undefined {
  return driverLibrary.industries.find((i) => i.key === key);
}

const identifierPattern = /[A-Za-z_][A-Za-z0-9_]*/g;

/** Names an expression reads (identifiers, function names included; callers intersect with what they know). */
export function identifiersOf(expression: string): string[] {
  return [...new Set(expression.match(identifierPattern) ?? [])];
}

/** The assumptions a driver's formula reads, in the industry's order. */
export function assumptionsOf(industry: LibraryIndustry, driver: LibraryDriver): LibraryAssumption[] {
  const names = new Set(identifiersOf(driver.formula));
  return industry.assumptions.filter((a) => names.has(a.key));
}
