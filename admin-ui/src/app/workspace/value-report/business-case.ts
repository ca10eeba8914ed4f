// The business case as value-architect answers it (GET /api/v1/value-models/:id/business-case): the structure the
// report page, the PDF and the share view all render, so the three say the same thing. Typed from the route's
// response schema in the API's OpenAPI document (api-types.ts), never re-declared here.
import type { ApiResponse } from '../../api/api-types';

export type BusinessCase = ApiResponse<'/api/v1/value-models/{id}/business-case', 'get'>;
export type Persona = BusinessCase['persona'];

/** The lenses in the order the page offers them (the labels' record breaks the build if the API adds one). */
export const PERSONAS = ['cfo', 'executive', 'technical'] as const satisfies readonly Persona[];
export const PERSONA_LABELS: Readonly<Record<Persona, string>> = { cfo: 'CFO', executive: 'Executive', technical: 'Technical' };

/** One page of `GET …/share-links`: a model's share links, newest first, without their tokens. */
export type ShareLinkPage = ApiResponse<'/api/v1/value-models/{id}/share-links', 'get'>;
export type ShareLink = ShareLinkPage['items'][number];
/** A link as `POST …/share-links` creates it: with its `url` (the token), given in this answer only. */
export type CreatedShareLink = ApiResponse<'/api/v1/value-models/{id}/share-links', 'post', 201>;

/** The lens a reader starts on (the server's rule too): admins read the money, members the mechanics, viewers the story. */
export function defaultPersona(role: string | undefined, platformAdmin = false): Persona {
  if (platformAdmin || role === 'tenant-admin' || role === 'platform-admin') return 'cfo';
  if (role === 'member') return 'technical';
  return 'executive';
}

/** Black or white text, whichever reads better on `hex` (WCAG relative luminance). */
export function textOn(hex: string): string {
  const channel = (i: number) => {
    const c = parseInt(hex.slice(1 + 2 * i, 3 + 2 * i), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  const l = 0.2126 * channel(0) + 0.7152 * channel(1) + 0.0722 * channel(2);
  return (l + 0.05) / 0.05 > 1.05 / (l + 0.05) ? '#000000' : '#ffffff';
}

/** A share link's state now. */
export function linkState(link: ShareLink, now = Date.now()): 'active' | 'expired' | 'revoked' {
  if (link.revokedAt) return 'revoked';
  return Date.parse(link.expiresAt) <= now ? 'expired' : 'active';
}
