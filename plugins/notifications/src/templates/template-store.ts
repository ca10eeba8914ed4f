import { VvError, type PluginDatabase, type SqlTransaction } from '@valueverse/plugin-sdk';
import { defaultTemplates } from './default-templates';
import type { TemplateParts } from './template-engine';

export interface StoredTemplate extends TemplateParts {
  readonly key: string;
  readonly locale: string;
  /** `tenant` when the tenant saved it, `default` for a built-in one. */
  readonly source: 'tenant' | 'default';
}

interface TemplateRow {
  key: string;
  locale: string;
  subject: string;
  text_body: string;
  html_body: string | null;
}

const toTemplate = (r: TemplateRow): StoredTemplate => ({ key: r.key, locale: r.locale, subject: r.subject, text: r.text_body, html: r.html_body, source: 'tenant' });

/** The template locales to try for a recipient's locale, most specific first, ending with `en`. */
export function localeCandidates(locale: string): string[] {
  let language = locale.split(/[-_]/)[0]!.toLowerCase();
  let region: string | undefined;
  try {
    const parsed = new Intl.Locale(locale);
    language = parsed.language;
    region = parsed.region;
  } catch {
    // Not a BCP 47 tag (a stored preference of an earlier version): its first part is still tried.
  }
  return [...new Set([locale, ...(region ? [`${language}-${region}`] : []), language, 'en'])];
}

/** Templates per tenant, key and locale; a key the tenant has not saved falls back to the built-in one. */
export class TemplateStore {
  constructor(private readonly db: PluginDatabase) {}

  async list(tenantId: string): Promise<StoredTemplate[]> {
    const rows = await this.db.transaction(tenantId, (tx) => tx.query<TemplateRow>('select * from templates where tenant_id = $1 order by key, locale', [tenantId]));
    const saved = rows.map(toTemplate);
    const builtIn = Object.entries(defaultTemplates)
      .filter(([key]) => !saved.some((t) => t.key === key && t.locale === 'en'))
      .map(([key, t]): StoredTemplate => ({ key, locale: 'en', subject: t.subject, text: t.text, html: t.html, source: 'default' }));
    return [...saved, ...builtIn].sort((a, b) => a.key.localeCompare(b.key) || a.locale.localeCompare(b.locale));
  }

  /**
   * The template for `locale` (any BCP 47 tag: `zh-Hant-TW` tries `zh-Hant-TW`, `zh-TW`, `zh`), else the tenant's `en`
   * one, else the built-in one; `VV_NOT_FOUND` when none.
   */
  async resolve(tenantId: string, key: string, locale: string, inTx?: SqlTransaction): Promise<StoredTemplate> {
    const candidates = localeCandidates(locale);
    const read = (tx: SqlTransaction) =>
      tx.query<TemplateRow>('select * from templates where tenant_id = $1 and key = $2 and locale = any($3::text[])', [tenantId, key, candidates]);
    // Inside a caller's transaction, its connection: a second one could wait forever on a pool of one.
    const rows = inTx ? await read(inTx) : await this.db.transaction(tenantId, read);
    const pick = candidates.map((c) => rows.find((r) => r.locale === c)).find((r) => r !== undefined);
    if (pick) return toTemplate(pick);
    const builtIn = defaultTemplates[key];
    if (builtIn) return { key, locale: 'en', subject: builtIn.subject, text: builtIn.text, html: builtIn.html, source: 'default' };
    throw new VvError('VV_NOT_FOUND', { params: { reason: `No template "${key}"` } });
  }

  async put(tenantId: string, key: string, locale: string, parts: TemplateParts): Promise<StoredTemplate> {
    const [row] = await this.db.transaction(tenantId, (tx) =>
      tx.query<TemplateRow>(
        `insert into templates (tenant_id, key, locale, subject, text_body, html_body) values ($1, $2, $3, $4, $5, $6)
         on conflict (tenant_id, key, locale) do update set subject = excluded.subject, text_body = excluded.text_body, html_body = excluded.html_body, updated_at = now()
         returning *`,
        [tenantId, key, locale, parts.subject, parts.text, parts.html ?? null],
      ),
    );
    return toTemplate(row!);
  }

  async delete(tenantId: string, key: string, locale: string): Promise<void> {
    const rows = await this.db.transaction(tenantId, (tx) =>
      tx.query('delete from templates where tenant_id = $1 and key = $2 and locale = $3 returning key', [tenantId, key, locale]),
    );
    if (rows.length === 0) throw new VvError('VV_NOT_FOUND', { params: { reason: `No saved template "${key}" (${locale})` } });
  }
}
