import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { VvError, type FieldProblem, type Logger, type PluginConfigSchema } from '@valueverse/plugin-sdk';

const VERSION = 'v1';
const KEY_BYTES = 32;
const IV_BYTES = 12; // GCM's recommended nonce size
const TAG_BYTES = 16;
const KEY_FILE = 'encryption.key';
const base64 = '[A-Za-z0-9+/]*={0,2}';
const sealedPattern = new RegExp(`^${VERSION}:(${base64}):(${base64}):(${base64})$`);

/** What `maskConfig` shows instead of a secret. Sending it back in `sealConfig` means "keep the stored value". */
export const SECRET_MASK = '••••';

type JsonObject = Record<string, unknown>;
type ReadonlyJsonObject = Readonly<Record<string, unknown>>;
type SchemaNode = Readonly<Record<string, unknown>>;

/**
 * Encrypts secrets at rest with AES-256-GCM: `seal()` gives `v1:<iv>:<tag>:<ciphertext>` (base64 parts, random IV
 * per call), `open()` verifies the tag, so a changed byte or a wrong key is detected, never silently decrypted.
 * The `*Config` methods apply this to the properties a plugin's config schema marks `"x-secret": true`, at any depth.
 */
export class SecretBox {
  private readonly key: Buffer;
  /** Every key secrets may be sealed with, newest (the one `seal` uses) first. */
  private readonly keys: readonly Buffer[];

  /** One key, or several (key rotation, `VV_ENCRYPTION_KEY=new,old`): seals with the first, opens with any. */
  constructor(key: Buffer | readonly Buffer[]) {
    const keys = Buffer.isBuffer(key) ? [key] : [...key];
    if (keys.length === 0) throw new VvError('VV_CONFIG_INVALID', { params: { subject: 'the encryption key', problems: 'no key given' } });
    for (const k of keys) {
      if (k.length !== KEY_BYTES) {
        throw new VvError('VV_CONFIG_INVALID', {
          params: { subject: 'the encryption key', problems: `must be ${KEY_BYTES} bytes, got ${k.length}` },
        });
      }
    }
    this.keys = keys.map((k) => Buffer.from(k));
    this.key = this.keys[0]!;
  }

  /** How many keys open secrets (more than one while a rotation is under way). */
  get keyCount(): number {
    return this.keys.length;
  }

  /**
   * The keys from `VV_ENCRYPTION_KEY`, a comma-separated list of base64 keys, newest first (key rotation: add the new
   * key in front, let the re-seal job finish, then drop the old one); without it the data directory's key file.
   */
  static async loadOrCreateKeys(dataDir: string, envKey?: string, logger?: Pick<Logger, 'warn'>): Promise<Buffer[]> {
    const listed = (envKey ?? '')
      .split(',')
      .map((k) => k.trim())
      .filter((k) => k !== '');
    if (listed.length > 0) return listed.map((k, i) => decodeKey(k, `VV_ENCRYPTION_KEY (key ${i + 1})`));
    return [await SecretBox.loadOrCreateKey(dataDir, undefined, logger)];
  }

  /** True when `sealed` opens with the newest key (nothing to re-seal); false for an older key or none. */
  sealedWithNewest(sealed: string): boolean {
    return typeof this.openWith(sealed, [this.key]) === 'string';
  }

  /**
   * The key for secrets at rest: `VV_ENCRYPTION_KEY` (base64 of 32 bytes) when given; otherwise the one in
   * `<dataDir>/encryption.key`, created (mode 0600) on first use. Instances sharing a data directory race safely:
   * the file appears atomically and whoever loses reads the winner's key.
   */
  static async loadOrCreateKey(dataDir: string, envKey?: string, logger?: Pick<Logger, 'warn'>): Promise<Buffer> {
    if (envKey !== undefined && envKey.trim() !== '') return decodeKey(envKey.trim(), 'VV_ENCRYPTION_KEY');
    const path = join(dataDir, KEY_FILE);
    const existing = await readKeyFile(path);
    if (existing) {
      logger?.warn({ path }, 'VV_ENCRYPTION_KEY is not set; using the key file in the data directory');
      return existing;
    }
    await mkdir(dataDir, { recursive: true });
    const key = randomBytes(KEY_BYTES);
    const temporary = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    await writeFile(temporary, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
    try {
      await link(temporary, path); // atomic, and fails if another instance got there first
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const winner = await readKeyFile(path);
      if (!winner) throw error;
      return winner;
    } finally {
      await unlink(temporary).catch(() => undefined);
    }
    logger?.warn({ path }, 'VV_ENCRYPTION_KEY is not set; generated a new encryption key. Back it up: secrets stored with it cannot be read without it');
    return key;
  }

  /** True for a string in the shape `seal()` produces. */
  static isSealed(value: unknown): value is string {
    return typeof value === 'string' && sealedPattern.test(value);
  }

  isSealed(value: unknown): value is string {
    return SecretBox.isSealed(value);
  }

  seal(plaintext: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return `${VERSION}:${iv.toString('base64')}:${cipher.getAuthTag().toString('base64')}:${ciphertext.toString('base64')}`;
  }

  /** Decrypts a `seal()` result; throws `VV_INTERNAL` when it is malformed, altered or sealed with another key. */
  open(sealed: string): string {
    const parts = typeof sealed === 'string' ? sealedPattern.exec(sealed) : null;
    const iv = parts ? Buffer.from(parts[1]!, 'base64') : undefined;
    const tag = parts ? Buffer.from(parts[2]!, 'base64') : undefined;
    if (!parts || iv!.length !== IV_BYTES || tag!.length !== TAG_BYTES) {
      throw new VvError('VV_INTERNAL', { detail: `Sealed secret is malformed (expected ${VERSION}:<iv>:<tag>:<ciphertext>)` });
    }
    const opened = this.openWith(sealed, this.keys);
    if (typeof opened !== 'string') throw new VvError('VV_INTERNAL', { detail: 'Sealed secret failed authentication: altered, or sealed with another key', cause: opened });
    return opened;
  }

  /** The plaintext of a well-formed sealed value if one of `keys` authenticates it (GCM's tag), else why not. */
  private openWith(sealed: string, keys: readonly Buffer[]): string | Error {
    const parts = sealedPattern.exec(sealed);
    if (!parts) return new Error('malformed');
    const iv = Buffer.from(parts[1]!, 'base64');
    const tag = Buffer.from(parts[2]!, 'base64');
    if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) return new Error('malformed');
    let failure = new Error('no key');
    for (const key of keys) {
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
        decipher.setAuthTag(tag);
        return Buffer.concat([decipher.update(Buffer.from(parts[3]!, 'base64')), decipher.final()]).toString('utf8');
      } catch (error) {
        failure = error as Error; // not this key: the next one, if any
      }
    }
    return failure;
  }

  /**
   * Seals every `x-secret` value of `config` (strings only; a non-string secret is a `VV_CONFIG_INVALID`).
   * Values already sealed stay as they are. A value equal to `SECRET_MASK` takes the stored value at the same place
   * in `previous` (what a form that showed `maskConfig` output sends back for "unchanged").
   */
  sealConfig(config: ReadonlyJsonObject, schema: PluginConfigSchema | undefined, previous?: ReadonlyJsonObject): JsonObject {
    const problems: FieldProblem[] = [];
    const result = mapSecrets(config, schema, '', previous, (value, pointer, before) => {
      if (value === SECRET_MASK && before !== undefined) return before;
      if (typeof value !== 'string') {
        problems.push({ pointer, message: 'a secret must be a string', in: 'config' });
        return value;
      }
      return SecretBox.isSealed(value) ? value : this.seal(value);
    });
    if (problems.length > 0) {
      throw new VvError('VV_CONFIG_INVALID', {
        params: { subject: 'the plugin config', problems: problems.map((p) => `${p.pointer}: ${p.message}`).join('; ') },
        errors: problems,
      });
    }
    return result as JsonObject;
  }

  /** Opens every sealed `x-secret` value; values stored before sealing existed pass through as they are. */
  openConfig(config: ReadonlyJsonObject, schema: PluginConfigSchema | undefined): JsonObject {
    return mapSecrets(config, schema, '', undefined, (value) => (SecretBox.isSealed(value) ? this.open(value) : value)) as JsonObject;
  }

  /** Replaces every present `x-secret` value, sealed or not, with `SECRET_MASK`: safe to show or log. */
  maskConfig(config: ReadonlyJsonObject, schema: PluginConfigSchema | undefined): JsonObject {
    return mapSecrets(config, schema, '', undefined, () => SECRET_MASK) as JsonObject;
  }
}

/**
 * Copies `value`, replacing what the schema marks `x-secret` with `fn(...)`. Follows `properties`,
 * `additionalProperties` (a schema) and `items` (a schema), so secrets inside nested objects and arrays are found.
 * null and undefined secrets are left alone (absent).
 */
function mapSecrets(
  value: unknown,
  schema: SchemaNode | undefined,
  pointer: string,
  previous: unknown,
  fn: (value: unknown, pointer: string, previous: unknown) => unknown,
): unknown {
  if (!schema || value === undefined || value === null) return value;
  if (schema['x-secret'] === true) return fn(value, pointer || '/', previous);
  if (Array.isArray(value)) {
    const items = asSchema(schema['items']);
    if (!items) return value;
    return value.map((item, i) => mapSecrets(item, items, `${pointer}/${i}`, Array.isArray(previous) ? previous[i] : undefined, fn));
  }
  if (typeof value !== 'object') return value;
  const properties = asSchema(schema['properties']) ?? {};
  const additional = asSchema(schema['additionalProperties']);
  const before = previous !== null && typeof previous === 'object' ? (previous as JsonObject) : undefined;
  const out: JsonObject = {};
  for (const [key, item] of Object.entries(value as JsonObject)) {
    const child = Object.prototype.hasOwnProperty.call(properties, key) ? asSchema(properties[key]) : additional;
    out[key] = mapSecrets(item, child, `${pointer}/${escapePointer(key)}`, before?.[key], fn);
  }
  return out;
}

function asSchema(value: unknown): SchemaNode | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as SchemaNode) : undefined;
}

function escapePointer(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

function decodeKey(encoded: string, source: string): Buffer {
  const key = /^[A-Za-z0-9+/_-]+={0,2}$/.test(encoded) ? Buffer.from(encoded, 'base64') : Buffer.alloc(0);
  if (key.length !== KEY_BYTES) {
    throw new VvError('VV_CONFIG_INVALID', {
      params: { subject: source, problems: `must be the base64 encoding of ${KEY_BYTES} random bytes` },
    });
  }
  return key;
}

async function readKeyFile(path: string): Promise<Buffer | undefined> {
  try {
    return decodeKey((await readFile(path, 'utf8')).trim(), path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
