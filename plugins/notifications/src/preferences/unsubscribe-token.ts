import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { PluginDatabase, PluginSecrets } from '@valueverse/plugin-sdk';

/** What an unsubscribe link turns off: one category on one channel for one recipient. */
export interface UnsubscribeClaim {
  /** `user:<id>` or `email:<address>`. */
  readonly recipient: string;
  readonly category: string;
  readonly channel: string;
}

/**
 * Signs and checks unsubscribe tokens with a per-tenant key kept in the plugin's schema, sealed with the platform's
 * encryption key (`core.secrets`): a database dump alone cannot forge links. A token is
 * `base64url(JSON claim).base64url(HMAC-SHA256)`; it does not expire (a link in an old email must still work).
 * A key stored in plain text (before sealing) or sealed with an older encryption key is sealed again on first use.
 */
export class UnsubscribeTokens {
  private readonly keys = new Map<string, Buffer>();

  constructor(
    private readonly db: PluginDatabase,
    private readonly secrets: PluginSecrets,
  ) {}

  /** Loads (or makes) the tenant's key, so `sign` needs no database (call it before a transaction that signs). */
  async load(tenantId: string): Promise<void> {
    await this.key(tenantId);
  }

  /**
   * Seals the tenant's stored key again when it was sealed with an older encryption key (a rotation is under way),
   * whether or not this instance has it cached: registered as the plugin's re-seal hook (`registrar.onReseal`), so the
   * kernel's re-seal job moves every tenant's key to the newest key before it reports done. Returns whether it did.
   */
  async resealIfStale(tenantId: string): Promise<boolean> {
    return this.db.transaction(tenantId, async (tx) => {
      const [row] = await tx.query<{ secret: string }>('select secret from signing_keys where tenant_id = $1 for update', [tenantId]);
      if (!row || (row.secret.includes(':') && this.secrets.isCurrent(row.secret))) return false;
      const value = row.secret.includes(':') ? this.secrets.open(row.secret) : row.secret;
      await tx.query('update signing_keys set secret = $2 where tenant_id = $1', [tenantId, this.secrets.seal(value)]);
      return true;
    });
  }

  /** Signs with the tenant's key, which `load` must have loaded. */
  sign(tenantId: string, claim: UnsubscribeClaim): string {
    const key = this.keys.get(tenantId);
    if (!key) throw new Error(`unsubscribe key of tenant ${tenantId} not loaded`);
    const payload = Buffer.from(JSON.stringify({ r: claim.recipient, c: claim.category, ch: claim.channel })).toString('base64url');
    return `${payload}.${this.mac(key, tenantId, payload)}`;
  }

  /** The claim, or undefined when the token is malformed or not signed with this tenant's key. */
  async verify(tenantId: string, token: string): Promise<UnsubscribeClaim | undefined> {
    const [payload, mac] = token.split('.');
    if (!payload || !mac) return undefined;
    const expected = Buffer.from(this.mac(await this.key(tenantId), tenantId, payload));
    const given = Buffer.from(mac);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    try {
      const raw = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { r?: unknown; c?: unknown; ch?: unknown };
      if (typeof raw.r !== 'string' || typeof raw.c !== 'string' || typeof raw.ch !== 'string') return undefined;
      return { recipient: raw.r, category: raw.c, channel: raw.ch };
    } catch {
      return undefined;
    }
  }

  private mac(key: Buffer, tenantId: string, payload: string): string {
    return createHmac('sha256', key).update(`${tenantId}.${payload}`).digest('base64url');
  }

  private async key(tenantId: string): Promise<Buffer> {
    const cached = this.keys.get(tenantId);
    if (cached) return cached;
    const plain = await this.db.transaction(tenantId, async (tx) => {
      await tx.query('insert into signing_keys (tenant_id, secret) values ($1, $2) on conflict (tenant_id) do nothing', [
        tenantId,
        this.secrets.seal(randomBytes(32).toString('base64')),
      ]);
      const [row] = await tx.query<{ secret: string }>('select secret from signing_keys where tenant_id = $1 for update', [tenantId]);
      const stored = row!.secret;
      // A plain key is base64 (no ':'); a sealed one is `v1:<iv>:<tag>:<data>`.
      const sealed = stored.includes(':');
      const value = sealed ? this.secrets.open(stored) : stored;
      if (!sealed || !this.secrets.isCurrent(stored)) {
        await tx.query('update signing_keys set secret = $2 where tenant_id = $1', [tenantId, this.secrets.seal(value)]);
      }
      return value;
    });
    const key = Buffer.from(plain, 'base64');
    this.keys.set(tenantId, key);
    return key;
  }
}
