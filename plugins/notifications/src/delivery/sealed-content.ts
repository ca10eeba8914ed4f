import type { PluginDatabase, PluginSecrets } from '@valueverse/plugin-sdk';
import type { DeliveryContent } from './delivery';

/** What the delivery row shows in place of a sealed message's text until it is sent (and then `(sent; not kept)`). */
export const SEALED_TEXT = '(sealed)';

/** The parts of a message that may carry a credential: sealed together as one JSON value. */
interface SealedParts {
  readonly text: string;
  readonly html?: string;
  readonly link?: string;
  readonly data?: unknown;
}

/**
 * Keeps a confidential message (an invitation email with its token) sealed at rest with the platform key
 * (`core.secrets`, bound to this plugin): the delivery row holds the subject, the address and the sealed text, HTML,
 * link and data, opened only by the sender in the transaction that sends it. A database dump, the delivery log and
 * its API never see the token; the row drops the sealed value once the message is sent.
 */
export class ContentSeal {
  constructor(private readonly secrets: PluginSecrets) {}

  seal(content: DeliveryContent): DeliveryContent {
    const { text, html, link, data, ...visible } = content;
    const parts: SealedParts = { text, html, link, data };
    return { ...visible, text: SEALED_TEXT, confidential: true, sealed: this.secrets.seal(JSON.stringify(parts)) };
  }

  /** The message as it is sent: a sealed one opened, any other as it is. */
  open(content: DeliveryContent): DeliveryContent {
    if (!content.sealed) return content;
    const { sealed, ...rest } = content;
    return { ...rest, ...(JSON.parse(this.secrets.open(sealed)) as SealedParts) };
  }

  /**
   * The key-rotation hook's part: seals again, with the newest key, the messages of `tenantId` still waiting to be
   * sent that were sealed with an older one, so the old key can be dropped without losing them. Returns how many.
   */
  async resealStale(db: PluginDatabase, tenantId: string): Promise<number> {
    return db.transaction(tenantId, async (tx) => {
      const rows = await tx.query<{ id: string; sealed: string }>(
        `select id, content->>'sealed' as sealed from deliveries where tenant_id = $1 and content->>'sealed' is not null for update`,
        [tenantId],
      );
      let count = 0;
      for (const row of rows) {
        if (this.secrets.isCurrent(row.sealed)) continue;
        const resealed = this.secrets.seal(this.secrets.open(row.sealed));
        await tx.query(`update deliveries set content = jsonb_set(content, '{sealed}', to_jsonb($3::text)) where tenant_id = $1 and id = $2`, [tenantId, row.id, resealed]);
        count += 1;
      }
      return count;
    });
  }
}
