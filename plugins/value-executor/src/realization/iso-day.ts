/** Milliseconds per day: realization works in UTC calendar days. */
export const DAY_MS = 86_400_000;

/** Midnight UTC of an ISO date (`yyyy-mm-dd`), in ms; NaN when it is not a real calendar date. */
export function startOfIsoDate(date: string): number {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!match) return Number.NaN;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const ms = Date.UTC(year, month - 1, day);
  const back = new Date(ms);
  return back.getUTCFullYear() === year && back.getUTCMonth() === month - 1 && back.getUTCDate() === day ? ms : Number.NaN;
}

const timestampPattern = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2}))?$/;

/**
 * Parses a measurement time: an ISO date (midnight UTC) or an ISO date-time with a zone. Undefined when malformed
 * or not a real calendar date (2025-02-30).
 */
export function parseTimestamp(text: string): Date | undefined {
  if (!timestampPattern.test(text)) return undefined;
  const day = startOfIsoDate(text.slice(0, 10));
  if (Number.isNaN(day)) return undefined;
  const ms = text.length === 10 ? day : Date.parse(text);
  return Number.isNaN(ms) ? undefined : new Date(ms);
}

/** The JSON Schema pattern matching what `parseTimestamp` accepts (the calendar check happens in code). */
export const timestampSchemaPattern = timestampPattern.source;
