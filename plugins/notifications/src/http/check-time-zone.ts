import { VvError } from '@valueverse/plugin-sdk';

/** Refuses a time zone name that Intl does not know (`VV_VALIDATION` at `pointer`). */
export function checkTimeZone(timeZone: string, pointer: string): void {
  try {
    new Intl.DateTimeFormat('en', { timeZone });
  } catch {
    throw new VvError('VV_VALIDATION', {
      params: { reason: `Unknown time zone "${timeZone}"` },
      errors: [{ pointer, in: 'body', message: `is not an IANA time zone: "${timeZone}"` }],
    });
  }
}
