import { createHmac, timingSafeEqual } from 'node:crypto';

/** The header carrying the signature: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`. */
export const SIGNATURE_HEADER = 'X-ValueVerse-Signature';
/** How old a signed timestamp may be before a receiver should refuse it (replay window), in seconds. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

/** Signs `body` (the exact bytes sent) at `timestamp` (unix seconds) with the endpoint's secret. */
export function signWebhook(secret: string, body: string, timestamp: number): string {
  const mac = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
  return `t=${timestamp},v1=${mac}`;
}

/**
 * What a receiver does: recompute the HMAC over `<t>.<raw body>` and compare in constant time, and refuse a
 * timestamp outside the tolerance (a replayed request). Returns the reason for refusing, or undefined when valid.
 */
export function verifyWebhook(secret: string, body: string, header: string | undefined, now = Date.now(), toleranceSeconds = DEFAULT_TOLERANCE_SECONDS): string | undefined {
  if (!header) return 'no signature header';
  const parts = Object.fromEntries(header.split(',').map((p) => p.split('=', 2) as [string, string]));
  const timestamp = Number(parts.t);
  if (!Number.isInteger(timestamp) || !parts.v1) return 'malformed signature header';
  if (Math.abs(now / 1000 - timestamp) > toleranceSeconds) return 'timestamp outside the tolerance';
  const expected = Buffer.from(signWebhook(secret, body, timestamp).split('v1=')[1]!, 'hex');
  const given = Buffer.from(parts.v1, 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'signature does not match';
  return undefined;
}
