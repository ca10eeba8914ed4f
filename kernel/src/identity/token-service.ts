import { randomUUID } from 'node:crypto';
import * as jose from 'jose';
import { VvError, type Role } from '@valueverse/plugin-sdk';
import { isRole } from './role-rank';
import { DEFAULT_CACHE_SIZE } from '../observability/cache-size';
import { LruCache, type CacheCounters } from '../observability/lru-cache';

/** Claims of a ValueVerse access token. */
export interface AccessClaims {
  readonly sub: string;
  readonly tid: string;
  readonly role: Role;
  readonly email?: string;
  /** Platform admin: may act on any tenant through X-Tenant-Id. */
  readonly pa: boolean;
  readonly exp: number;
  /**
   * The user's session version when the token was issued (absent: 0). A role change or removal raises the stored
   * version, and the kernel refuses tokens that carry an older one (see `SessionGuard`).
   */
  readonly sv?: number;
  /** The sign-in session (refresh-token family) the token belongs to; signing out of it ends the token too. */
  readonly sid?: string;
}

type SigningKey = Awaited<ReturnType<typeof jose.importJWK>>;

/** One key of a signing key ring (key rotation): tokens are signed with the newest key whose `activeAt` has come. */
export interface SigningKeyEntry {
  readonly privateJwk: jose.JWK;
  /** Epoch ms from which it signs; before that it only verifies (so every instance knows it before it is used). */
  readonly activeAt?: number;
}

interface LoadedKey {
  readonly kid: string;
  readonly privateKey: SigningKey;
  readonly publicKey: SigningKey;
  readonly publicJwk: jose.JWK;
  readonly activeAt: number;
}

async function loadKey(entry: SigningKeyEntry): Promise<LoadedKey> {
  const { d: _d, ...publicPart } = entry.privateJwk;
  const kid = await jose.calculateJwkThumbprint(publicPart as jose.JWK);
  const privateKey = (await jose.importJWK({ ...entry.privateJwk, alg: 'EdDSA' }, 'EdDSA')) as SigningKey;
  const publicKey = (await jose.importJWK({ ...publicPart, alg: 'EdDSA' }, 'EdDSA')) as SigningKey;
  return { kid, privateKey, publicKey, publicJwk: { ...publicPart, kid, alg: 'EdDSA', use: 'sig' }, activeAt: entry.activeAt ?? 0 };
}

const ISSUER = 'valueverse';
const AUDIENCE = 'valueverse-api';

/**
 * Issues and verifies short-lived access JWTs signed with Ed25519 (EdDSA). Only EdDSA is accepted, so `alg: none`
 * and HMAC-with-the-public-key confusion are rejected by construction. Verified tokens are remembered until they
 * expire (bounded), because every API request carries one and verifying a signature costs more than the routing.
 */
export class TokenService {
  /**
   * Verified tokens by the tail of their signature (see `cacheKey`), each with the whole token it was verified as:
   * a hit counts only when the presented token is that same string.
   */
  private verified = new LruCache<string, { readonly token: string; readonly claims: AccessClaims }>(DEFAULT_CACHE_SIZE);
  /** The key ring when rotation is in use (`useKeys`): every key verifies by its `kid`, the newest active one signs. */
  private ring: readonly LoadedKey[] = [];
  /** Called when a token names a key this instance does not know yet (another instance rotated): reload, once. */
  private onUnknownKey?: () => Promise<void>;

  private constructor(
    private readonly privateKey: SigningKey,
    private readonly publicKey: SigningKey,
    private readonly publicJwk: jose.JWK,
    private readonly ttlSeconds: number,
  ) {}

  /** Loads a private JWK (OKP/Ed25519) or generates a fresh key pair when none is given. */
  static async create(options: { privateJwk?: jose.JWK; ttlSeconds?: number } = {}): Promise<TokenService> {
    let privateJwk = options.privateJwk;
    if (!privateJwk) {
      const pair = await jose.generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
      privateJwk = await jose.exportJWK(pair.privateKey);
    }
    const { d: _d, ...publicPart } = privateJwk;
    const kid = await jose.calculateJwkThumbprint(publicPart as jose.JWK);
    const privateKey = (await jose.importJWK({ ...privateJwk, alg: 'EdDSA' }, 'EdDSA')) as SigningKey;
    const publicKey = (await jose.importJWK({ ...publicPart, alg: 'EdDSA' }, 'EdDSA')) as SigningKey;
    return new TokenService(privateKey, publicKey, { ...publicPart, kid, alg: 'EdDSA', use: 'sig' }, options.ttlSeconds ?? 900);
  }

  /** Generates a private JWK to persist (host stores it in VV_DATA_DIR). */
  static async generatePrivateJwk(): Promise<jose.JWK> {
    const pair = await jose.generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
    return jose.exportJWK(pair.privateKey);
  }

  get expiresIn(): number {
    return this.ttlSeconds;
  }

  /** The public keys tokens may be signed with: every key of the ring (old ones until their tokens expired). */
  jwks(): { keys: jose.JWK[] } {
    return { keys: this.ring.length > 0 ? this.ring.map((k) => k.publicJwk) : [this.publicJwk] };
  }

  /**
   * Replaces the key ring (key rotation; see keys/key-rotation.ts). Tokens signed by a key that left the ring are
   * refused from then on, so a key leaves only after the last token it signed expired.
   */
  async useKeys(entries: readonly SigningKeyEntry[], onUnknownKey?: () => Promise<void>): Promise<void> {
    const loaded = await Promise.all(entries.map(loadKey));
    this.ring = loaded.sort((a, b) => b.activeAt - a.activeAt);
    if (onUnknownKey) this.onUnknownKey = onUnknownKey;
  }

  /** The `kid` tokens are signed with now. */
  get signingKeyId(): string {
    return this.signingKey().kid;
  }

  private signingKey(): { kid: string; privateKey: SigningKey } {
    const now = Date.now();
    const active = this.ring.find((k) => k.activeAt <= now) ?? this.ring[this.ring.length - 1];
    return active ?? { kid: this.publicJwk.kid!, privateKey: this.privateKey };
  }

  private async verificationKey(header: jose.JWTHeaderParameters): Promise<SigningKey> {
    if (this.ring.length === 0) return this.publicKey;
    let key = this.ring.find((k) => k.kid === header.kid);
    if (!key && this.onUnknownKey) {
      await this.onUnknownKey();
      key = this.ring.find((k) => k.kid === header.kid);
    }
    if (!key) throw new jose.errors.JWSSignatureVerificationFailed('the token names an unknown signing key');
    return key.publicKey;
  }

  /** Signs an access token; `expiresAt` (epoch seconds) overrides the lifetime (tests of expiry). */
  async issue(claims: Omit<AccessClaims, 'exp'>, options: { expiresAt?: number } = {}): Promise<string> {
    const signing = this.signingKey();
    return new jose.SignJWT({ tid: claims.tid, role: claims.role, email: claims.email, pa: claims.pa, sv: claims.sv, sid: claims.sid })
      .setProtectedHeader({ alg: 'EdDSA', kid: signing.kid, typ: 'JWT' })
      .setSubject(claims.sub)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setJti(randomUUID())
      .setExpirationTime(options.expiresAt ?? `${this.ttlSeconds}s`)
      .sign(signing.privateKey);
  }

  /** Verified tokens this instance holds (for the cache-size metric). */
  get cachedCount(): number {
    return this.verified.size;
  }

  /** Bounds the verified-token cache (the kernel's `cacheSize`) and counts its use; forgets what it held. */
  configureCache(maxEntries: number, counters?: CacheCounters): void {
    this.verified = new LruCache(maxEntries, counters);
  }

  /** The claims of a token verified before and not yet expired, without a signature check; else undefined. */
  cached(token: string): AccessClaims | undefined {
    const entry = this.verified.get(cacheKey(token));
    if (entry === undefined || entry.token !== token) return undefined;
    return entry.claims.exp > Date.now() / 1000 ? entry.claims : undefined;
  }

  /** Verifies a bearer token; every failure is VV_UNAUTHENTICATED with the reason. */
  async verify(token: string): Promise<AccessClaims> {
    const key = cacheKey(token);
    const cached = this.verified.peek(key);
    const now = Math.floor(Date.now() / 1000);
    if (cached !== undefined && cached.token === token) {
      if (cached.claims.exp > now) return cached.claims;
      this.verified.delete(key);
    }
    let payload: jose.JWTPayload;
    try {
      ({ payload } = await jose.jwtVerify(token, (header) => this.verificationKey(header), {
        algorithms: ['EdDSA'],
        issuer: ISSUER,
        audience: AUDIENCE,
        requiredClaims: ['exp', 'sub'],
      }));
    } catch (error) {
      const reason = error instanceof jose.errors.JWTExpired ? 'access token expired' : 'access token invalid';
      throw new VvError('VV_UNAUTHENTICATED', { params: { reason }, cause: error });
    }
    if (typeof payload.tid !== 'string' || !isRole(payload.role)) {
      throw new VvError('VV_UNAUTHENTICATED', { params: { reason: 'access token lacks tenant or role' } });
    }
    const claims: AccessClaims = {
      sub: payload.sub!,
      tid: payload.tid,
      role: payload.role,
      email: typeof payload.email === 'string' ? payload.email : undefined,
      pa: payload.pa === true,
      exp: payload.exp!,
      sv: typeof payload.sv === 'number' ? payload.sv : undefined,
      sid: typeof payload.sid === 'string' ? payload.sid : undefined,
    };
    this.verified.set(key, { token, claims });
    return claims;
  }
}

/**
 * The key a token is remembered under: the last 64 characters (the tail of the Ed25519 signature; the whole token
 * if shorter). A request's Authorization header is a new string every time, so a Map keyed by the whole token hashed
 * all of its ~600 characters per request; the tail is as distinctive, and `cached`/`verify` still require the whole
 * presented token to equal the one verified (two tokens sharing a tail only evict each other).
 */
function cacheKey(token: string): string {
  return token.length > 64 ? token.slice(-64) : token;
}
