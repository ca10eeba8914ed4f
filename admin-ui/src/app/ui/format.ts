// One formatter for money, percentages and plain numbers across the console (issue 19, "one design system"):
// locale aware (the browser's language, as Angular's pipes are not configured per tenant) and currency aware.

let locale: string | undefined;

/** The locale every figure is written in; tests and the server-rendered report may pin it. */
export function formatLocale(): string {
  return (locale ??= typeof navigator !== 'undefined' && navigator.language ? navigator.language : 'en-US');
}

export function setFormatLocale(value: string | undefined): void {
  locale = value;
}

const cache = new Map<string, Intl.NumberFormat>();
function formatter(options: Intl.NumberFormatOptions): Intl.NumberFormat {
  const key = `${formatLocale()}|${JSON.stringify(options)}`;
  let f = cache.get(key);
  if (!f) {
    f = new Intl.NumberFormat(formatLocale(), options);
    cache.set(key, f);
  }
  return f;
}

const isCurrencyCode = (code: string) => /^[A-Z]{3}$/.test(code);

/**
 * Money in its currency with a real minus sign: `-$300,563`, `€1,2 M` (compact). Whole units unless the amount is
 * under 100; a unit that is not an ISO currency code is written after the number (`1,200 tickets`).
 */
export function formatMoney(value: number | null | undefined, currency = 'USD', options: { compact?: boolean } = {}): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  const small = Math.abs(value) < 100 && !Number.isInteger(value);
  if (!isCurrencyCode(currency)) return `${formatNumber(value, { maximumFractionDigits: small ? 2 : 0, compact: options.compact })} ${currency}`.trim();
  return formatter({
    style: 'currency',
    currency,
    ...(options.compact ? { notation: 'compact', maximumFractionDigits: 1 } : { maximumFractionDigits: small ? 2 : 0, minimumFractionDigits: small ? 2 : 0 }),
  }).format(value);
}

/** A ratio as a percentage: 0.125 → "12.5%"; `signed` writes "+" for gains (variances). */
export function formatPercent(ratio: number | null | undefined, options: { digits?: number; signed?: boolean } = {}): string {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) return '—';
  return formatter({ style: 'percent', maximumFractionDigits: options.digits ?? 1, signDisplay: options.signed ? 'exceptZero' : 'auto' }).format(ratio);
}

/**
 * A plain number with as many decimals as it needs (up to `maximumFractionDigits`, default 4 for small values),
 * so 0.015 stays "0.015" and 0.002 is not "0".
 */
export function formatNumber(value: number | null | undefined, options: { maximumFractionDigits?: number; compact?: boolean } = {}): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  if (options.compact) return formatter({ notation: 'compact', maximumFractionDigits: 1 }).format(value);
  const abs = Math.abs(value);
  const digits = options.maximumFractionDigits ?? (abs === 0 || abs >= 1000 ? 0 : abs >= 10 ? 2 : abs >= 1 ? 3 : 4);
  return formatter({ maximumFractionDigits: digits }).format(value);
}

/** A moment in the reader's locale and zone, to the minute: "Dec 6, 2026, 4:45 PM"; "—" for none or an invalid date. */
export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '—';
  return new Intl.DateTimeFormat(formatLocale(), { dateStyle: 'medium', timeStyle: 'short' }).format(date);
}
