import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PluginConfigSchema } from '@valueverse/plugin-sdk';
import { SECRET_MASK, SecretBox } from './secret-box';

const schema: PluginConfigSchema = {
  type: 'object',
  properties: {
    currency: { type: 'string' },
    apiKey: { type: 'string', 'x-secret': true },
    smtp: {
      type: 'object',
      properties: { host: { type: 'string' }, password: { type: 'string', 'x-secret': true } },
    },
    webhooks: {
      type: 'array',
      items: { type: 'object', properties: { url: { type: 'string' }, signingSecret: { type: 'string', 'x-secret': true } } },
    },
    tokens: { type: 'object', additionalProperties: { type: 'string', 'x-secret': true } },
  },
};

const config = {
  currency: 'EUR',
  apiKey: 'sk_live_123',
  smtp: { host: 'mail.example.com', password: 'hunter2' },
  webhooks: [{ url: 'https://a.example', signingSecret: 'whsec_a' }],
  tokens: { github: 'ghp_x', gitlab: 'glpat_y' },
};
const plaintexts = ['sk_live_123', 'hunter2', 'whsec_a', 'ghp_x', 'glpat_y'];

describe('SecretBox', () => {
  const box = new SecretBox(randomBytes(32));

  it('round-trips text, unicode and the empty string', () => {
    for (const text of ['s3cr3t', 'ünïcødé ✓ 🔑', '']) expect(box.open(box.seal(text))).toBe(text);
  });

  it('produces versioned v1:<iv>:<tag>:<ciphertext> strings with a random IV per seal', () => {
    const a = box.seal('same');
    const b = box.seal('same');
    expect(a).toMatch(/^v1:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]*$/);
    expect(a).not.toBe(b);
    expect(a.split(':')[1]).not.toBe(b.split(':')[1]);
    expect(SecretBox.isSealed(a) && box.isSealed(b)).toBe(true);
    expect(box.isSealed('plain')).toBe(false);
    expect(box.isSealed(42)).toBe(false);
  });

  it('detects tampering with the ciphertext, the tag or the IV, and a wrong key', () => {
    const sealed = box.seal('top secret value');
    const [v, iv, tag, ct] = sealed.split(':') as [string, string, string, string];
    const flip = (b64: string): string => {
      const bytes = Buffer.from(b64, 'base64');
      bytes[0] = bytes[0]! ^ 1;
      return bytes.toString('base64');
    };
    for (const bad of [[v, iv, tag, flip(ct)].join(':'), [v, iv, flip(tag), ct].join(':'), [v, flip(iv), tag, ct].join(':')]) {
      expect(() => box.open(bad)).toThrow(expect.objectContaining({ code: 'VV_INTERNAL', cause: expect.objectContaining({ message: expect.any(String) }) }));
    }
    expect(() => new SecretBox(randomBytes(32)).open(sealed)).toThrow(expect.objectContaining({ code: 'VV_INTERNAL' }));
    for (const malformed of ['v2:a:b:c', 'v1:onlythree:parts', 'not sealed', `v1::${tag}:${ct}`]) {
      expect(() => box.open(malformed)).toThrow(expect.objectContaining({ code: 'VV_INTERNAL' }));
    }
  });

  it('refuses a key that is not 32 bytes', () => {
    expect(() => new SecretBox(randomBytes(16))).toThrow(expect.objectContaining({ code: 'VV_CONFIG_INVALID' }));
  });

  describe('config walking', () => {
    it('seals every x-secret value, nested, in arrays and in additionalProperties, and nothing else', () => {
      const sealed = box.sealConfig(config, schema);
      const text = JSON.stringify(sealed);
      for (const secret of plaintexts) expect(text).not.toContain(secret);
      expect(sealed).toEqual({
        currency: 'EUR',
        apiKey: expect.stringMatching(/^v1:/),
        smtp: { host: 'mail.example.com', password: expect.stringMatching(/^v1:/) },
        webhooks: [{ url: 'https://a.example', signingSecret: expect.stringMatching(/^v1:/) }],
        tokens: { github: expect.stringMatching(/^v1:/), gitlab: expect.stringMatching(/^v1:/) },
      });
      expect(config.apiKey).toBe('sk_live_123'); // input untouched
    });

    it('opens a sealed config back to the original', () => {
      expect(box.openConfig(box.sealConfig(config, schema), schema)).toEqual(config);
    });

    it('does not seal twice, and keeps the stored secret where the mask comes back', () => {
      const stored = box.sealConfig(config, schema);
      expect(box.sealConfig(stored, schema)).toEqual(stored);
      const edited = box.sealConfig({ ...box.maskConfig(stored, schema), currency: 'USD', apiKey: 'sk_live_new' }, schema, stored);
      expect(edited.currency).toBe('USD');
      expect((edited.smtp as { password: string }).password).toBe((stored.smtp as { password: string }).password);
      expect(box.openConfig(edited, schema)).toEqual({ ...config, currency: 'USD', apiKey: 'sk_live_new' });
    });

    it('refuses a secret that is not a string, naming where it is', () => {
      expect(() => box.sealConfig({ apiKey: 1234 }, schema)).toThrow(
        expect.objectContaining({ code: 'VV_CONFIG_INVALID', errors: [expect.objectContaining({ pointer: '/apiKey' })] }),
      );
    });

    it('masks every secret, sealed or plain, and never leaks one', () => {
      for (const input of [config, box.sealConfig(config, schema)]) {
        const masked = box.maskConfig(input, schema);
        const text = JSON.stringify(masked);
        for (const secret of plaintexts) expect(text).not.toContain(secret);
        expect(text).not.toContain('v1:');
        expect(masked).toEqual({
          currency: 'EUR',
          apiKey: SECRET_MASK,
          smtp: { host: 'mail.example.com', password: SECRET_MASK },
          webhooks: [{ url: 'https://a.example', signingSecret: SECRET_MASK }],
          tokens: { github: SECRET_MASK, gitlab: SECRET_MASK },
        });
      }
    });

    it('leaves absent secrets absent and configs without a schema as they are', () => {
      expect(box.maskConfig({ currency: 'EUR' }, schema)).toEqual({ currency: 'EUR' });
      expect(box.sealConfig({ apiKey: null }, schema)).toEqual({ apiKey: null });
      expect(box.sealConfig({ a: 1 }, undefined)).toEqual({ a: 1 });
    });
  });

  describe('loadOrCreateKey', () => {
    let dataDir: string;
    beforeEach(async () => {
      dataDir = await mkdtemp(join(tmpdir(), 'vv-secret-box-'));
    });
    afterEach(async () => {
      await rm(dataDir, { recursive: true, force: true });
    });

    it('creates <dataDir>/encryption.key with mode 0600 and a warning, then reuses it', async () => {
      const warn = jest.fn();
      const first = await SecretBox.loadOrCreateKey(join(dataDir, 'nested'), undefined, { warn });
      expect(first).toHaveLength(32);
      const file = join(dataDir, 'nested', 'encryption.key');
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      expect(Buffer.from((await readFile(file, 'utf8')).trim(), 'base64')).toEqual(first);
      expect(warn).toHaveBeenCalledWith({ path: file }, expect.stringContaining('generated a new encryption key'));

      const second = await SecretBox.loadOrCreateKey(join(dataDir, 'nested'), undefined, { warn });
      expect(second).toEqual(first);
      const sealed = new SecretBox(first).seal('kept across restarts');
      expect(new SecretBox(second).open(sealed)).toBe('kept across restarts');
    });

    it('agrees on one key when several instances create it at once', async () => {
      const keys = await Promise.all([1, 2, 3, 4].map(() => SecretBox.loadOrCreateKey(dataDir)));
      for (const key of keys) expect(key).toEqual(keys[0]);
    });

    it('prefers the environment key and writes no file', async () => {
      const envKey = randomBytes(32).toString('base64');
      const key = await SecretBox.loadOrCreateKey(dataDir, envKey);
      expect(key.toString('base64')).toBe(envKey);
      await expect(stat(join(dataDir, 'encryption.key'))).rejects.toMatchObject({ code: 'ENOENT' });
    });

    it('refuses an environment key that is not base64 of 32 bytes', async () => {
      for (const bad of ['short', randomBytes(16).toString('base64'), '!'.repeat(44)]) {
        await expect(SecretBox.loadOrCreateKey(dataDir, bad)).rejects.toMatchObject({ code: 'VV_CONFIG_INVALID' });
      }
    });

    it('refuses a corrupt key file instead of replacing it', async () => {
      await writeFile(join(dataDir, 'encryption.key'), 'garbage\n');
      await expect(SecretBox.loadOrCreateKey(dataDir)).rejects.toMatchObject({ code: 'VV_CONFIG_INVALID' });
      expect(await readFile(join(dataDir, 'encryption.key'), 'utf8')).toBe('garbage\n');
    });
  });
});

describe('SecretBox with several keys (rotation)', () => {
  const oldKey = randomBytes(32);
  const newKey = randomBytes(32);

  it('seals with the first key and opens values sealed with any listed key', () => {
    const before = new SecretBox(oldKey).seal('s3cret');
    const rotating = new SecretBox([newKey, oldKey]);
    expect(rotating.keyCount).toBe(2);
    expect(rotating.open(before)).toBe('s3cret');
    const after = rotating.seal('s3cret');
    expect(new SecretBox(newKey).open(after)).toBe('s3cret');
    expect(() => new SecretBox(oldKey).open(after)).toThrow(expect.objectContaining({ code: 'VV_INTERNAL' }));
  });

  it('tells values sealed with the newest key from those sealed with an older one', () => {
    const rotating = new SecretBox([newKey, oldKey]);
    expect(rotating.sealedWithNewest(new SecretBox(oldKey).seal('x'))).toBe(false);
    expect(rotating.sealedWithNewest(rotating.seal('x'))).toBe(true);
  });

  it('refuses a value sealed with a key no longer listed', () => {
    const gone = new SecretBox(randomBytes(32)).seal('x');
    expect(() => new SecretBox([newKey, oldKey]).open(gone)).toThrow(expect.objectContaining({ code: 'VV_INTERNAL' }));
  });

  it('reads VV_ENCRYPTION_KEY as a comma-separated list, newest first, and names a bad entry', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'vv-keys-'));
    try {
      const keys = await SecretBox.loadOrCreateKeys(dataDir, ` ${newKey.toString('base64')} , ${oldKey.toString('base64')}`);
      expect(keys.map((k) => k.toString('hex'))).toEqual([newKey.toString('hex'), oldKey.toString('hex')]);
      await expect(SecretBox.loadOrCreateKeys(dataDir, `${newKey.toString('base64')},nope`)).rejects.toMatchObject({
        code: 'VV_CONFIG_INVALID',
        message: expect.stringContaining('key 2'),
      });
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
