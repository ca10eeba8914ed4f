// The business case as value-architect answers it (GET /api/v1/value-models/:id/business-case): the structure the
// report page, the PDF and the share view all render, so the three say the same thing.

export const PERSONAS = ['cfo', 'executive', 'technical'] as const;
export type Persona = (typeof PERSONAS)[number];
export const PERSONA_LABELS: Readonly<Record<Persona, string>> = { cfo: 'CFO', executive: 'Executive', technical: 'Technical' };

export interface BusinessCaseSection {
  readonly heading: string;
  readonly paragraphs?: readonly string[];
  readonly table?: { readonly caption: string; readonly columns: readonly string[]; readonly rows: readonly (readonly string[])[]; readonly numeric?: readonly boolean[] };
}

export interface BusinessCase {
  readonly persona: Persona;
  readonly personaLabel: string;
  readonly title: string;
  readonly modelId: string;
  readonly version: number;
  readonly currency: string;
  readonly preparedBy: string;
  readonly customer: string | null;
  readonly date: string;
  readonly branding: { readonly primaryColor: string; readonly accentColor: string; readonly logo: { readonly mediaType: string; readonly data: string } | null };
  readonly headline: string;
  readonly figures: readonly { readonly label: string; readonly value: string }[];
  readonly sections: readonly BusinessCaseSection[];
}

export interface ShareLink {
  readonly id: string;
  readonly modelId: string;
  readonly version: number;
  readonly persona: Persona;
  readonly customer: string | null;
  readonly expiresAt: string;
  readonly revokedAt: string | null;
  readonly createdBy: string;
  readonly createdAt: string;
  /** Only in the answer that created the link. */
  readonly url?: string;
}

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
