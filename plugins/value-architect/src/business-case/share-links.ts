import { createHash, createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { VvError, type PluginDatabase, type PluginSecrets } from '@valueverse/plugin-sdk';
import type { Persona } from './business-case';

/** A share link as its owners see it (never its token, which only the creation answer carries). */
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
}

interface ShareLinkRow {
  id: string;
  model_id: string;
  version: number;
  persona: Persona;
  customer: string | null;
  token_hash: string;
  expires_at: Date;
  revoked_at: Date | null;
  created_by: string;
  created_at: Date;
}

const columns = 'id, model_id, version, persona, customer, token_hash, expires_at, revoked_at, created_by, created_at';

const toLink = (row: ShareLinkRow): ShareLink => ({
  id: row.id,
  modelId: row.model_id,
  version: row.version,
  persona: row.persona,
  customer: row.customer,
  expiresAt: new Date(row.expires_at).toISOString(),
  revokedAt: row.revoked_at ? new Date(row.revoked_at).toISOString() : null,
  createdBy: row.created_by,
  createdAt: new Date(row.created_at).toISOString(),
});

const digest = (token: string) => createHash('sha256').update(token).digest('hex');

/**
 * Signed, expiring, revocable links to a business case. A token is `base64url({l: linkId}).HMAC-SHA256` under a
 * per-tenant key (so a token made for one tenant does not verify in another, and a forged one is refused before
 * any lookup); the database keeps only its SHA-256, its expiry and whether it was revoked. The signing key is sealed at
 * rest with the platform's encryption key (`core.secrets`, bound to this plugin); a key stored in plain text by an
 * earlier version, or sealed with an older encryption key, is sealed again on first use and by `resealIfStale`.
 */
export class ShareLinks {
  private readonly keys = new Map<string, Buffer>();

  constructor(
    private readonly db: PluginDatabase,
    private readonly secrets: PluginSecrets,
  ) {}

  /**
   * Seals the tenant's stored key again when it is plain (an earlier version) or sealed with an older encryption key,
   * whether or not this instance has it cached: the plugin's re-seal hook (`registrar.onReseal`). Returns whether it did.
   */
  async resealIfStale(tenantId: string): Promise<boolean> {
    return this.db.transaction(tenantId, async (tx) => {
      const [row] = await tx.query<{ secret: string }>('select secret from share_link_keys where tenant_id = $1 for update', [tenantId]);
      if (!row || (isSealed(row.secret) && this.secrets.isCurrent(row.secret))) return false;
      const value = isSealed(row.secret) ? this.secrets.open(row.secret) : row.secret;
      await tx.query('update share_link_keys set secret = $2 where tenant_id = $1', [tenantId, this.secrets.seal(value)]);
      return true;
    });
  }

  async create(
    tenantId: string,
    link: { modelId: string; version: number; persona: Persona; customer: string | null; expiresAt: Date; createdBy: string },
  ): Promise<{ link: ShareLink; token: string }> {
    const id = randomUUID();
    const payload = Buffer.from(JSON.stringify({ l: id })).toString('base64url');
    const token = `${payload}.${this.mac(await this.key(tenantId), tenantId, payload)}`;
    const [row] = await this.db.transaction(tenantId, (tx) =>
      tx.query<ShareLinkRow>(
        `insert into share_links (id, tenant_id, model_id, version, persona, customer, token_hash, expires_at, created_by, created_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, now()) returning ${columns}`,
        [id, tenantId, link.modelId, link.version, link.persona, link.customer, digest(token), link.expiresAt.toISOString(), link.createdBy],
      ),
    );
    return { link: toLink(row!), token };
  }

  async list(tenantId: string, modelId: string): Promise<ShareLink[]> {
    const rows = await this.db.transaction(tenantId, (tx) =>
      tx.query<ShareLinkRow>(`select ${columns} from share_links where tenant_id = $1 and model_id = $2 order by created_at desc, id desc limit 200`, [tenantId, modelId]),
    );
    return rows.map(toLink);
  }

  /** Revokes a link of the model; undefined when the tenant has no such link. Revoking twice keeps the first time. */
  async revoke(tenantId: string, modelId: string, id: string): Promise<ShareLink | undefined> {
    const [row] = await this.db.transaction(tenantId, (tx) =>
      tx.query<ShareLinkRow>(`update share_links set revoked_at = coalesce(revoked_at, now()) where tenant_id = $1 and model_id = $2 and id = $3 returning ${columns}`, [
        tenantId,
        modelId,
        id,
      ]),
    );
    return row && toLink(row);
  }

  /**
   * The live link a token opens, or a coded error: VV_SHARE_LINK_INVALID (forged, altered, another tenant's, or
   * unknown), VV_SHARE_LINK_REVOKED, VV_SHARE_LINK_EXPIRED.
   */
  async open(tenantId: string, token: string, now = new Date()): Promise<ShareLink> {
    const invalid = () => new VvError('VV_SHARE_LINK_INVALID', {});
    const [payload, mac, extra] = token.split('.');
    if (!payload || !mac || extra !== undefined) throw invalid();
    const expected = Buffer.from(this.mac(await this.key(tenantId), tenantId, payload));
    const given = Buffer.from(mac);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalid();
    let id: unknown;
    try {
      id = (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { l?: unknown }).l;
    } catch {
      throw invalid();
    }
    if (typeof id !== 'string') throw invalid();
    const [row] = await this.db.transaction(tenantId, (tx) => tx.query<ShareLinkRow>(`select ${columns} from share_links where tenant_id = $1 and id = $2`, [tenantId, id]));
    if (!row || !timingSafeEqual(Buffer.from(row.token_hash), Buffer.from(digest(token)))) throw invalid();
    if (row.revoked_at) throw new VvError('VV_SHARE_LINK_REVOKED', {});
    const expiresAt = new Date(row.expires_at);
    if (expiresAt.getTime() <= now.getTime()) throw new VvError('VV_SHARE_LINK_EXPIRED', { params: { expiredAt: expiresAt.toISOString() } });
    return toLink(row);
  }

  private mac(key: Buffer, tenantId: string, payload: string): string {
    return createHmac('sha256', key).update(`${tenantId}.${payload}`).digest('base64url');
  }

  private async key(tenantId: string): Promise<Buffer> {
    const cached = this.keys.get(tenantId);
    if (cached) return cached;
    const secret = await this.db.transaction(tenantId, async (tx) => {
      await tx.query('insert into share_link_keys (tenant_id, secret) values ($1, $2) on conflict (tenant_id) do nothing', [
        tenantId,
        this.secrets.seal(randomBytes(32).toString('base64')),
      ]);
      const [row] = await tx.query<{ secret: string }>('select secret from share_link_keys where tenant_id = $1 for update', [tenantId]);
      const stored = row!.secret;
      const sealed = isSealed(stored);
      const value = sealed ? this.secrets.open(stored) : stored;
      if (!sealed || !this.secrets.isCurrent(stored)) {
        await tx.query('update share_link_keys set secret = $2 where tenant_id = $1', [tenantId, this.secrets.seal(value)]);
      }
      return value;
    });
    const key = Buffer.from(secret, 'base64');
    this.keys.set(tenantId, key);
    return key;
  }
}

/** A plain key is base64 (no ':'); a sealed one is `v1:<iv>:<tag>:<data>`. */
const isSealed = (stored: string) => stored.includes(':');
