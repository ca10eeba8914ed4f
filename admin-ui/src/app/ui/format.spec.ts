import { formatDateTime, formatMoney, formatNumber, formatPercent, setFormatLocale } from './format';

describe('format', () => {
  beforeAll(() => setFormatLocale('en-US'));
  afterAll(() => setFormatLocale(undefined));

  it('writes money in its currency, negative amounts with the sign before the symbol', () => {
    expect(formatMoney(-300563.49, 'USD')).toBe('-$300,563');
    expect(formatMoney(1250000, 'EUR')).toBe('€1,250,000');
    expect(formatMoney(1250000, 'USD', { compact: true })).toBe('$1.3M');
    expect(formatMoney(12.5, 'USD')).toBe('$12.50');
    expect(formatMoney(null)).toBe('—');
  });

  it('keeps the decimals small values need (issue 19, bug 3: 0.015 is not "0.02", 0.002 is not "0")', () => {
    expect(formatNumber(0.015)).toBe('0.015');
    expect(formatNumber(0.002)).toBe('0.002');
    expect(formatNumber(216300)).toBe('216,300');
    expect(formatNumber(3.14159)).toBe('3.142');
  });

  it('writes ratios as percentages, variances signed', () => {
    expect(formatPercent(0.53)).toBe('53%');
    expect(formatPercent(-0.0375, { signed: true })).toBe('-3.8%');
    expect(formatPercent(0.2, { signed: true })).toBe('+20%');
  });

  it('follows the locale', () => {
    setFormatLocale('de-DE');
    expect(formatMoney(1234, 'EUR').replace(/\s/g, ' ')).toBe('1.234 €');
    setFormatLocale('en-US');
  });

  it('writes a moment to the minute in the locale, and a dash for none or an invalid date', () => {
    setFormatLocale('en-US');
    expect(formatDateTime('2026-12-06T16:45:00Z')).toMatch(/^Dec 6, 2026, \d{1,2}:45\s?(AM|PM)$/);
    expect(formatDateTime(null)).toBe('—');
    expect(formatDateTime('not a date')).toBe('—');
  });
});
