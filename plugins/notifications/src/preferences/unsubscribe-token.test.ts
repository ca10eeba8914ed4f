import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { PluginDatabase, PluginSecrets, SqlTransaction } from '@valueverse/plugin-sdk';
import { UnsubscribeTokens } from './unsubscribe-token';

// The unsubscribe signing key is sealed at rest (issue #18): the row holds ciphertext, a key stored in plain text by
// an earlier version is sealed on first use, one sealed with an older encryption key is sealed again, and links
// signed before either change still verify.

/** AES-256-GCM with a key ring, newest first (what the kernel's `core.secrets` does). */
function keyRing(keys: Buffer[]): PluginSecrets & { keys: Buffer[] } {
  const ring = {
    keys,
    seal(plaintext: string) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', ring.keys[0]!, iv);
      const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return `v1:${iv.toString('base64')}:${cipher.getAuthTag().toString('base64')}:${data.toString('base64')}`;
    },
    open(sealed: string) {
      const [, iv, tag, data] = sealed.split(':');
      for (const key of ring.keys) {
        try {
          const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv!, 'base64'));
          decipher.setAuthTag(Buffer.from(tag!, 'base64'));
          return Buffer.concat([decipher.update(Buffer.from(data!, 'base64')), decipher.final()]).toString('utf8');
        } catch {
          // the next key
        }
      }
      throw new Error('no key opens it');
    },
    isCurrent(sealed: string) {
      try {
        keyRing([ring.keys[0]!]).open(sealed);
        return true;
      } catch {
        return false;
      }
    },
  };
  return ring;
}

/** The one table the tokens use, in memory, answering the statements `UnsubscribeTokens` sends. */
function fakeDatabase(rows: Map<string, string>): PluginDatabase {
  const tx: SqlTransaction = {
    query: async <T>(sql: string, params: unknown[] = []): Promise<T[]> => {
      const [tenantId, value] = params as [string, string];
      if (sql.startsWith('insert')) {
        if (!rows.has(tenantId)) rows.set(tenantId, value);
        return [];
      }
      if (sql.startsWith('select')) return [{ secret: rows.get(tenantId)! } as T];
      if (sql.startsWith('update')) {
        rows.set(tenantId, value);
        return [];
      }
      throw new Error(`unexpected ${sql}`);
    },
  } as SqlTransaction;
  return {
    schema: 'notifications',
    transaction: (_tenant, work) => work(tx),
    read: () => Promise.reject(new Error('no read')),
    statement: () => Promise.reject(new Error('no statement')),
    em: () => Promise.reject(new Error('no em')),
  } as PluginDatabase;
}

describe('unsubscribe signing key at rest', () => {
  const claim = { recipient: 'user:u-1', category: 'updates', channel: 'email' };

  it('stores the key sealed, never in plain text, and verifies what it signed', async () => {
    const rows = new Map<string, string>();
    const tokens = new UnsubscribeTokens(fakeDatabase(rows), keyRing([randomBytes(32)]));
    await tokens.load('acme');
    const token = tokens.sign('acme', claim);
    expect(rows.get('acme')).toMatch(/^v1:[^:]+:[^:]+:[^:]+$/);
    expect(await tokens.verify('acme', token)).toEqual(claim);
  });

  it('seals a key an earlier version stored in plain text, and its old links still verify', async () => {
    const plain = randomBytes(32).toString('base64');
    const rows = new Map([['acme', plain]]);
    const secrets = keyRing([randomBytes(32)]);
    const before = new UnsubscribeTokens(fakeDatabase(new Map([['acme', plain]])), secrets);
    // A token signed with the plain key (as the earlier version did): the same HMAC key.
    const oldToken = (await before.load('acme'), before.sign('acme', claim));
    const tokens = new UnsubscribeTokens(fakeDatabase(rows), secrets);
    expect(await tokens.verify('acme', oldToken)).toEqual(claim);
    expect(rows.get('acme')).not.toBe(plain);
    expect(secrets.open(rows.get('acme')!)).toBe(plain);
  });

  it('seals the key again with the newest encryption key during a rotation', async () => {
    const oldKey = randomBytes(32);
    const rows = new Map<string, string>();
    const first = new UnsubscribeTokens(fakeDatabase(rows), keyRing([oldKey]));
    await first.load('acme');
    const token = first.sign('acme', claim);
    const sealedWithOld = rows.get('acme')!;
    const rotated = keyRing([randomBytes(32), oldKey]);
    const after = new UnsubscribeTokens(fakeDatabase(rows), rotated);
    expect(await after.verify('acme', token)).toEqual(claim);
    expect(rows.get('acme')).not.toBe(sealedWithOld);
    expect(await after.resealIfStale('acme')).toBe(false);
    // The old key can go now: the newest alone opens the row.
    rotated.keys = [rotated.keys[0]!];
    expect(await new UnsubscribeTokens(fakeDatabase(rows), rotated).verify('acme', token)).toEqual(claim);
  });

  it('re-seals a stale key from the minute job even when the instance never used it', async () => {
    const oldKey = randomBytes(32);
    const rows = new Map<string, string>();
    const first = new UnsubscribeTokens(fakeDatabase(rows), keyRing([oldKey]));
    await first.load('acme');
    const token = first.sign('acme', claim);
    const rotated = keyRing([randomBytes(32), oldKey]);
    expect(await new UnsubscribeTokens(fakeDatabase(rows), rotated).resealIfStale('acme')).toBe(true);
    rotated.keys = [rotated.keys[0]!];
    expect(await new UnsubscribeTokens(fakeDatabase(rows), rotated).verify('acme', token)).toEqual(claim);
  });
});
