const DAY_MS = 86_400_000;
const now = new Date();
const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());

/** The ISO date `offset` days from today (UTC): tests place measurements and due dates around the real clock. */
export function day(offset: number): string {
  return new Date(today + offset * DAY_MS).toISOString().slice(0, 10);
}
