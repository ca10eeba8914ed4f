import type { TenantBranding, TenantLogo } from '@valueverse/plugin-sdk';
import type { ModelEvaluation, SensitivityResult, ValueModel } from '@valueverse/plugin-calculation/api';
import { driverLibrary, findIndustry } from '../library/driver-library';
import type { ValueModelVersion } from '../value-models-api';

/** The three lenses on one model (issue 20, item 6). */
export const personas = ['cfo', 'executive', 'technical'] as const;
export type Persona = (typeof personas)[number];

export const personaLabels: Readonly<Record<Persona, string>> = { cfo: 'CFO view', executive: 'Executive view', technical: 'Technical view' };

/** The lens a reader gets when none is asked for: admins read the money, members the mechanics, viewers the story. */
export function defaultPersona(role: string | undefined): Persona {
  if (role === 'tenant-admin' || role === 'platform-admin') return 'cfo';
  if (role === 'member') return 'technical';
  return 'executive';
}

/** The simulated risk range of NPV, when some driver is uncertain. */
export interface RiskRange {
  readonly p10: number;
  readonly p50: number;
  readonly p90: number;
  readonly probabilityPositive: number;
  readonly trials: number;
  readonly seed: number;
}

export interface BusinessCaseSection {
  readonly heading: string;
  readonly paragraphs?: readonly string[];
  readonly table?: { readonly caption: string; readonly columns: readonly string[]; readonly rows: readonly (readonly string[])[]; readonly numeric?: readonly boolean[] };
}

/**
 * A business case as a reader gets it: the same structure drives the console's report, the PDF and the share view,
 * so the three say the same thing. Figures are already formatted in the model's currency.
 */
export interface BusinessCase {
  readonly persona: Persona;
  readonly personaLabel: string;
  readonly title: string;
  readonly modelId: string;
  readonly version: number;
  readonly currency: string;
  readonly preparedBy: string;
  readonly customer: string | null;
  /** ISO date (YYYY-MM-DD) the case was produced. */
  readonly date: string;
  readonly branding: { readonly primaryColor: string; readonly accentColor: string; readonly logo: TenantLogo | null };
  readonly headline: string;
  readonly figures: readonly { readonly label: string; readonly value: string }[];
  readonly sections: readonly BusinessCaseSection[];
}

export interface BusinessCaseInput {
  readonly version: ValueModelVersion;
  readonly evaluation: ModelEvaluation;
  readonly risk: RiskRange | null;
  readonly sensitivity: SensitivityResult | null;
  readonly persona: Persona;
  readonly tenant: { readonly name: string; readonly branding?: TenantBranding };
  /** The tenant's logo (read apart from the tenant, through `coreServices.branding`). */
  readonly logo?: TenantLogo | null;
  readonly customer?: string | null;
  readonly now: Date;
}

export const DEFAULT_PRIMARY = '#3f51b5';
export const DEFAULT_ACCENT = '#00897b';

const money = (currency: string) => {
  const format = new Intl.NumberFormat('en-US', { style: 'currency', currency, maximumFractionDigits: 0 });
  return (value: number | null | undefined) => (value === null || value === undefined || !Number.isFinite(value) ? '—' : format.format(value));
};
const percent = (value: number | null | undefined) => (value === null || value === undefined || !Number.isFinite(value) ? '—' : `${(value * 100).toFixed(1)}%`);
const number = (value: number) => new Intl.NumberFormat('en-US', { maximumFractionDigits: 4 }).format(value);
const periods = (value: number | null, model: ValueModel) => {
  if (value === null) return 'does not pay back within the horizon';
  const years = (model.periodsPerYear ?? 1) === 1;
  return `${value.toFixed(1)} ${years ? 'years' : 'periods'}`;
};

/**
 * A share or rate is shown as a percentage (the value is a decimal: 0.08 = 8%); the console's wizard uses the same
 * rule (admin-ui/src/app/workspace/driver-units.ts).
 */
function isRate(unit: string | undefined): boolean {
  return unit !== undefined && /^(%|percent|percentage|ratio|rate|fraction)$|^share\b/i.test(unit.trim());
}

function driverValue(value: number, unit: string | undefined): string {
  return isRate(unit) ? percent(value) : `${number(value)}${unit ? ` ${unit}` : ''}`;
}

function driverRange(driver: ValueModel['drivers'][number]): string {
  const show = (v: number) => driverValue(v, driver.unit);
  if (driver.low !== undefined && driver.high !== undefined) return `${show(driver.low)} – ${show(driver.high)}`;
  const d = driver.distribution as { type?: string; min?: number; max?: number; mode?: number } | undefined;
  if (d && d.min !== undefined && d.max !== undefined) return `${show(d.min)} – ${show(d.max)} (${d.type ?? 'range'})`;
  if (d?.type) return d.type;
  return 'point value';
}

function sourceOf(driverName: string, version: ValueModelVersion): string {
  const industry = findIndustry(version.origin?.library.industry ?? version.industry ?? '');
  if (!industry) return 'Entered in the model by its authors';
  const entry = [...industry.drivers, ...industry.assumptions].find((d) => d.key === driverName);
  return entry ? `Driver library ${driverLibrary.version}, ${industry.label}` : 'Entered in the model by its authors';
}

function assumptions(version: ValueModelVersion): BusinessCaseSection {
  const model = version.model;
  return {
    heading: 'Assumptions and sources',
    table: {
      caption: 'Every input of the model, its value, its range and where it comes from',
      columns: ['Assumption', 'Value', 'Range', 'Source'],
      rows: model.drivers.map((d) => [d.description ?? d.name, driverValue(d.value, d.unit), driverRange(d), sourceOf(d.name, version)]),
    },
  };
}

function methodology(model: ValueModel, risk: RiskRange | null): BusinessCaseSection {
  const convention = (model.convention ?? 't0') === 't0' ? 'the upfront cost at t = 0, undiscounted' : 'the first flow at t = 1 (Excel NPV)';
  return {
    heading: 'Methodology',
    paragraphs: [
      `Cash flow per period = ramp-up share × benefit − recurring cost, over ${model.horizon} periods; the upfront cost is paid at the start.`,
      `NPV discounts each period's cash flow at ${percent(model.discountRate)} per period, with ${convention}. IRR is the rate at which NPV is zero; payback is when cumulative cash flow turns positive.`,
      risk
        ? `The risk range comes from a seeded Monte Carlo simulation (${risk.trials.toLocaleString('en-US')} trials, seed ${risk.seed}) over the drivers' ranges: P10, P50 and P90 are the 10th, 50th and 90th percentiles of NPV.`
        : 'No driver has a range, so there is no simulated risk range: the figures are point estimates.',
    ],
  };
}

/** Builds the business case of one model version through the reader's lens. */
export function buildBusinessCase(input: BusinessCaseInput): BusinessCase {
  const { version, evaluation, risk, sensitivity, persona, tenant } = input;
  const model = version.model;
  const m = evaluation.metrics;
  const fmt = money(version.currency);
  const payback = periods(m.payback.value, model);
  const confidence = risk ? `${Math.round(risk.probabilityPositive * 100)}% chance that NPV is positive` : 'Point estimate (no ranges given)';
  const headline =
    m.npv.value >= 0
      ? `${version.name} returns ${fmt(m.npv.value)} in net present value over ${model.horizon} periods and pays back in ${payback}.`
      : `${version.name} does not return its cost: NPV is ${fmt(m.npv.value)} over ${model.horizon} periods.`;
  const cashTiming: BusinessCaseSection = {
    heading: 'Cash timing',
    table: {
      caption: 'Benefit, cost and cash flow per period, with the cumulative position',
      columns: ['Period', 'Benefit', 'Cost', 'Cash flow', 'Cumulative'],
      numeric: [false, true, true, true, true],
      rows: evaluation.periods.map((p) => [String(p.period), fmt(p.benefit * p.rampUp), fmt(p.cost), fmt(p.cashFlow), fmt(p.cumulativeCashFlow)]),
    },
  };
  const riskSection: BusinessCaseSection = {
    heading: 'Risk range',
    paragraphs: risk
      ? [
          `NPV is between ${fmt(risk.p10)} (P10) and ${fmt(risk.p90)} (P90), with ${fmt(risk.p50)} as the median (P50).`,
          `${Math.round(risk.probabilityPositive * 100)}% of simulated outcomes have a positive NPV.`,
        ]
      : ['No driver has a range, so no risk range can be given: the figures are point estimates.'],
  };
  const drivers = (sensitivity?.bars ?? []).filter((b) => b.swing !== null).slice(0, 5);
  const labelOf = (name: string) => model.drivers.find((d) => d.name === name)?.description ?? name;
  const movers: BusinessCaseSection = {
    heading: 'What moves NPV most',
    ...(drivers.length > 0
      ? {
          table: {
            caption: 'NPV at the low and high end of each driver’s range, widest swing first',
            columns: ['Driver', 'NPV at low', 'NPV at high', 'Swing'],
            numeric: [false, true, true, true],
            rows: drivers.map((b) => [labelOf(b.driver), fmt(b.low.value), fmt(b.high.value), fmt(b.swing)]),
          },
        }
      : { paragraphs: ['No sensitivity could be computed for this model.'] }),
  };

  let figures: { label: string; value: string }[];
  let sections: BusinessCaseSection[];
  if (persona === 'cfo') {
    figures = [
      { label: 'NPV', value: fmt(m.npv.value) },
      { label: 'IRR', value: percent(m.irr.annual ?? m.irr.value) },
      { label: 'ROI', value: percent(m.roi.value) },
      { label: 'Payback', value: payback },
      { label: 'Risk range (P10–P90)', value: risk ? `${fmt(risk.p10)} to ${fmt(risk.p90)}` : '—' },
    ];
    sections = [riskSection, cashTiming, assumptions(version), methodology(model, risk)];
  } else if (persona === 'executive') {
    const top = drivers[0] ? labelOf(drivers[0].driver) : undefined;
    figures = [
      { label: 'Net value (NPV)', value: fmt(m.npv.value) },
      { label: 'Pays back in', value: payback },
      { label: 'Confidence', value: confidence },
    ];
    sections = [
      {
        heading: 'Summary',
        paragraphs: [
          headline,
          `Total benefits of ${fmt(m.roi.totalBenefits)} against total costs of ${fmt(m.roi.totalCosts)}${m.roi.value === null ? '' : `, a return of ${percent(m.roi.value)}`}.`,
          top ? `The outcome depends most on ${top.toLowerCase()}: that is the assumption to confirm first.` : 'No single assumption dominates the outcome.',
        ],
      },
      {
        heading: 'Confidence',
        paragraphs: risk
          ? [`${confidence}. In a poor case (P10) NPV is ${fmt(risk.p10)}; in a good case (P90) ${fmt(risk.p90)}.`]
          : ['The model gives point estimates only; add ranges to its drivers to state a confidence.'],
      },
      assumptions(version),
      methodology(model, risk),
    ];
  } else {
    figures = [
      { label: 'NPV', value: fmt(m.npv.value) },
      { label: 'IRR', value: percent(m.irr.annual ?? m.irr.value) },
      { label: 'Drivers', value: String(model.drivers.length) },
      { label: 'Formulas', value: String(model.formulas?.length ?? 0) },
    ];
    sections = [
      {
        heading: 'Drivers',
        table: {
          caption: 'Drivers as used in formulas, with their values, ranges and sources',
          columns: ['Name', 'Label', 'Value', 'Range', 'Source'],
          rows: model.drivers.map((d) => [d.name, d.description ?? d.name, driverValue(d.value, d.unit), driverRange(d), sourceOf(d.name, version)]),
        },
      },
      {
        heading: 'Formulas',
        paragraphs: [
          `Benefit per period: ${model.benefit}. Upfront cost: ${model.costs?.upfront ?? 0}. Recurring cost: ${model.costs?.recurring ?? 0}.`,
          `Discount rate ${percent(model.discountRate)} per period; horizon ${model.horizon} periods.`,
        ],
        table: {
          caption: 'Formulas of the model',
          columns: ['Name', 'Expression', 'Unit'],
          rows: (model.formulas ?? []).map((f) => [f.name, f.expression, f.unit ?? '']),
        },
      },
      movers,
      methodology(model, risk),
    ];
  }
  const branding = tenant.branding ?? {};
  return {
    persona,
    personaLabel: personaLabels[persona],
    title: version.name,
    modelId: version.id,
    version: version.version,
    currency: version.currency,
    preparedBy: tenant.name,
    customer: input.customer?.trim() || null,
    date: input.now.toISOString().slice(0, 10),
    branding: { primaryColor: branding.primaryColor ?? DEFAULT_PRIMARY, accentColor: branding.accentColor ?? DEFAULT_ACCENT, logo: input.logo ?? null },
    headline,
    figures,
    sections,
  };
}
