import type { TimeSeries } from '../../charts/time-chart';

// What the billing pages read from `/api/v1/billing` (plugins/billing), as far as they show it.

export interface BillingCustomer {
  readonly id: string;
  readonly externalId: string;
  readonly name: string;
  readonly email: string | null;
  readonly currency: string;
  readonly taxRate: string;
  readonly timeZone: string;
}

export interface BillingMetric {
  readonly code: string;
  readonly name: string;
  readonly aggregation: string;
  readonly field: string | null;
}

export interface PlanCharge {
  readonly metric: string;
  readonly model: string;
  readonly properties: Readonly<Record<string, unknown>>;
}

export interface BillingPlan {
  readonly code: string;
  readonly name: string;
  readonly currency: string;
  readonly interval: string;
  readonly amount: string;
  readonly charges: readonly PlanCharge[];
}

export interface BillingSubscription {
  readonly id: string;
  readonly planCode: string;
  readonly status: string;
  readonly currentPeriodStart: string;
  readonly currentPeriodEnd: string;
  readonly trialEndDate: string | null;
  readonly cancelAtPeriodEnd: boolean;
}

export interface QuoteLine {
  readonly kind: string;
  readonly metric?: string;
  readonly model?: string;
  readonly quantity: string;
  readonly amountCents: number;
}

export interface Quote {
  readonly currency: string;
  readonly lines: readonly QuoteLine[];
  readonly subtotalCents: number;
  readonly taxCents: number;
  readonly totalCents: number;
}

export interface BillingInvoice {
  readonly id: string;
  readonly number: string | null;
  readonly status: string;
  readonly currency: string;
  readonly periodStart: string;
  readonly periodEnd: string;
  readonly totalCents: number;
  readonly amountDueCents: number;
  readonly paymentStatus: string | null;
}

export interface UsageSummary {
  readonly total: string;
  readonly buckets: readonly { readonly start: string; readonly value: string }[];
}

/** Minor units → major units of the currency (its ISO 4217 exponent, from the runtime's ICU data). */
export function major(cents: number, currency: string): number {
  const digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  return cents / 10 ** digits;
}

/** Colors of the usage chart's lines, one per metric, distinguishable and AA against the card. */
const palette = ['#1f5fbf', '#b3261e', '#1b7f3b', '#8a4b00', '#6b3fa0'];

/** One line per metric over the days of the period, on the time chart: a point per day (0 on days without usage). */
export function usageChart(days: readonly string[], byMetric: ReadonlyMap<string, UsageSummary>): { series: TimeSeries[] } {
  const series: TimeSeries[] = [];
  let index = 0;
  for (const [metric, summary] of byMetric) {
    const byDay = new Map(summary.buckets.map((b) => [b.start.slice(0, 10), Number(b.value)]));
    series.push({ id: metric, name: metric, points: days.map((d) => ({ at: d, value: byDay.get(d) ?? 0 })), color: palette[index++ % palette.length]!, style: 'both' });
  }
  return { series };
}

/** The dates `from` (inclusive) to `to` (exclusive), yyyy-mm-dd. */
export function daysOf(from: string, to: string): string[] {
  const days: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t < Date.parse(`${to}T00:00:00Z`) && days.length < 400; t += 86_400_000) days.push(new Date(t).toISOString().slice(0, 10));
  return days;
}
