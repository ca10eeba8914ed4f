import { VvError, type FieldProblem, type JsonSchema } from '@valueverse/plugin-sdk';
import type { UserProfile } from '../tenancy/kernel-store';

/** `PUT /api/v1/me/profile`: each field a value, or null to clear it. Formats beyond the schema: `checkUserProfile`. */
export const userProfileSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['displayName', 'locale', 'timeZone'],
  properties: {
    displayName: { type: ['string', 'null'], maxLength: 100, description: 'How messages address the person, e.g. "Ana Lima"' },
    locale: { type: ['string', 'null'], maxLength: 35, description: 'A BCP 47 language tag, e.g. "de-DE"; stored in its canonical form' },
    timeZone: { type: ['string', 'null'], maxLength: 64, description: 'An IANA time zone, e.g. "Europe/Berlin"' },
  },
};

/** The profile as the API answers it (the same shape). */
export const userProfileResponse: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['displayName', 'locale', 'timeZone'],
  properties: { displayName: { type: ['string', 'null'] }, locale: { type: ['string', 'null'] }, timeZone: { type: ['string', 'null'] } },
};

/** The canonical form of a BCP 47 tag (`en-us` -> `en-US`), or undefined when it is not one. */
export function canonicalLocale(tag: string): string | undefined {
  try {
    const [canonical] = Intl.getCanonicalLocales(tag);
    return canonical;
  } catch {
    return undefined;
  }
}

/** The zone's IANA name as the runtime's time-zone data spells it (`europe/berlin` -> `Europe/Berlin`), or undefined. */
export function ianaTimeZone(zone: string): string | undefined {
  // Offsets such as "+01:00" are accepted by Intl but are not zones: they know no daylight-saving rules.
  if (!/^[A-Za-z]/.test(zone)) return undefined;
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}

/**
 * Checks and normalises a profile: a display name trimmed, 1-100 characters without control characters; a locale
 * that is a BCP 47 tag (stored canonical); a time zone the runtime knows by its IANA name. Blank strings clear a
 * field. Throws `VV_VALIDATION` naming every field that is wrong.
 */
export function checkUserProfile(input: UserProfile): UserProfile {
  const problems: FieldProblem[] = [];
  const blank = (v: string | null) => (v === null || v.trim() === '' ? null : v.trim());
  const displayName = blank(input.displayName);
  // eslint-disable-next-line no-control-regex -- control characters are what is refused
  if (displayName !== null && /[\u0000-\u001f\u007f]/.test(displayName)) problems.push({ pointer: '/displayName', message: 'must not contain control characters' });
  let locale = blank(input.locale);
  if (locale !== null) {
    const canonical = canonicalLocale(locale);
    if (!canonical) problems.push({ pointer: '/locale', message: `"${locale}" is not a BCP 47 language tag (e.g. "en", "de-DE", "pt-BR")` });
    locale = canonical ?? null;
  }
  let timeZone = blank(input.timeZone);
  if (timeZone !== null) {
    const zone = ianaTimeZone(timeZone);
    if (!zone) problems.push({ pointer: '/timeZone', message: `"${timeZone}" is not an IANA time zone (e.g. "Europe/Berlin", "America/New_York", "UTC")` });
    timeZone = zone ?? null;
  }
  if (problems.length > 0) throw VvError.validation(problems);
  return { displayName, locale, timeZone };
}
