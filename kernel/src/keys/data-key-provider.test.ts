import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SecretBox } from '../tenancy/secret-box';
import { LocalDataKeyProvider } from './data-key-provider';

describe('LocalDataKeyProvider', () => {
  it('gives the listed keys newest first, and a box built from them opens what the old key sealed', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'vv-provider-'));
    try {
      const [oldKey, newKey] = [randomBytes(32), randomBytes(32)];
      const keys = await new LocalDataKeyProvider(dataDir, `${newKey.toString('base64')},${oldKey.toString('base64')}`).dataKeys();
      expect(keys.map((k) => k.toString('hex'))).toEqual([newKey.toString('hex'), oldKey.toString('hex')]);
      expect(new SecretBox(keys).open(new SecretBox(oldKey).seal('kept'))).toBe('kept');
      // Without VV_ENCRYPTION_KEY: one key, the data directory's, the same on every read.
      const local = new LocalDataKeyProvider(dataDir);
      expect((await local.dataKeys())[0]!.equals((await local.dataKeys())[0]!)).toBe(true);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
