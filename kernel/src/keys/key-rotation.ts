import { randomUUID } from 'node:crypto';
import { calculateJwkThumbprint, type JWK } from 'jose';
import { VvError } from '@valueverse/plugin-sdk';
import type { Database } from '../data/database-api';
import { TokenService } from '../identity/token-service';
import type { KernelLogger } from '../observability/kernel-logger';
import type { ConfigSecrets } from '../plugin-sets/plugin-catalog';
import { SecretBox } from '../tenancy/secret-box';

/** Secrets that can say whether a value is sealed with the newest key (`SecretBox` with several keys). */
export interface RotatingSecrets extends ConfigSecrets {
  readonly keyCount: number;
  sealedWithNewest(sealed: string): boolean;
}

export function isRotatingSecrets(secrets: ConfigSecrets): secrets is RotatingSecrets {
  return typeof (secrets as Partial<RotatingSecrets>).sealedWithNewest === 'function';
}

/** What the re-seal job did last on this instance, and what remains (counted afresh on every status read). */
export interface ResealProgress {
  readonly state: 'idle' | 'running' | 'done' | 'failed';
  readonly scanned: number;
  readonly resealed: number;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  readonly error: string | null;
  /** Calls of the plugins' re-seal hooks (`registrar.onReseal`, one per plugin and tenant) that succeeded. */
  readonly pluginCalls: number;
  /** The calls that failed in this run, with the plugin id: the run is `failed`, the next run calls them again. */
  readonly pluginFailures: readonly { readonly plugin: string; readonly tenantId: string; readonly error: string }[];
}

/** A plugin's part of a re-seal (`registrar.onReseal`), called for each tenant that has the plugin enabled. */
export type PluginResealHook = (tenantId: string) => Promise<void> | void;

export interface KeyStatus {
  readonly signing: readonly { readonly kid: string; readonly activeAt: string | null; readonly retireAfter: string | null; readonly signing: boolean }[];
  readonly encryption: { readonly keys: number; readonly sealedValues: number; readonly sealedWithOlderKeys: number; readonly reseal: ResealProgress };
}

/** Where sealed values live: table, key columns, the column holding sealed text or JSON with sealed strings inside. */
const SEALED_COLUMNS = [
  { table: 'kernel.tenant_plugins', keys: ['tenant_id', 'plugin_id'], column: 'config', json: true },
  { table: 'kernel.user_totp', keys: ['user_id'], column: 'sealed_secret', json: false },
  { table: 'kernel.signing_keys', keys: ['id'], column: 'sealed_jwk', json: false },
] as const;

/** Calls `fn` on every sealed string inside a JSON value and rebuilds it with what `fn` returns. */
function mapSealed(value: unknown, fn: (sealed: string) => string): unknown {
  if (typeof value === 'string') return SecretBox.isSealed(value) ? fn(value) : value;
  if (Array.isArray(value)) return value.map((item) => mapSealed(item, fn));
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapSealed(v, fn)]));
  return value;
}

/**
 * Key rotation without downtime (issue #22).
 *
 * Encryption (`VV_ENCRYPTION_KEY=new,old`): secrets open with any listed key; `reseal()` walks every sealed value
 * and seals the ones under an older key with the newest, each row compare-and-swapped (a row changed meanwhile was
 * sealed with the newest key by its writer, and is looked at again by the next run), then calls each running plugin's
 * `registrar.onReseal` hook for every tenant that has it enabled (plugin tables are not walked here). Roll out the new
 * list to every instance with the old key still listed, then drop it once `sealedWithOlderKeys` is 0 and the re-seal
 * is `done`.
 *
 * Signing (`kernel.signing_keys`): every instance reloads the ring every `refreshMs`. A rotation adds a key that
 * signs only from `activeAt` = now + `propagationMs` (longer than a reload, so every instance verifies it before any
 * signs with it) and retires the older keys once the last token they signed has expired (`activeAt` + token lifetime
 * + a minute): the JWKS lists old and new until then, and an old token is valid until its own expiry.
 */
export class KeyRotation {
  private timer?: NodeJS.Timeout;
  private progress: ResealProgress = { state: 'idle', scanned: 0, resealed: 0, startedAt: null, finishedAt: null, error: null, pluginCalls: 0, pluginFailures: [] };

  constructor(
    private readonly deps: {
      readonly database: Database;
      readonly secrets: ConfigSecrets;
      readonly tokens: TokenService;
      readonly logger: KernelLogger;
      readonly refreshMs?: number;
      readonly propagationMs?: number;
      /** The running plugins' re-seal hooks, by plugin id. */
      readonly pluginHooks?: () => ReadonlyMap<string, PluginResealHook>;
      /** The tenants that have a plugin enabled. */
      readonly tenantsOf?: (pluginId: string) => Promise<readonly string[]>;
    },
  ) {}

  private get propagationMs(): number {
    return this.deps.propagationMs ?? 3 * (this.deps.refreshMs ?? 10_000);
  }

  /** Loads the ring now and every `refreshMs` (default 10 s); drops keys whose retirement came. */
  async start(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => {
      this.refresh().catch((error: unknown) => this.deps.logger.warn({ err: error }, 'reloading the signing keys failed; the next reload retries'));
    }, this.deps.refreshMs ?? 10_000);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  async refresh(): Promise<void> {
    const { database, secrets, tokens } = this.deps;
    const rows = await database.execute<{ sealed_jwk: string; active_at: Date | null }>(
      'select sealed_jwk, active_at from kernel.signing_keys where retire_after is null or retire_after > now() order by created_at',
    );
    if (rows.length === 0) return;
    await tokens.useKeys(
      rows.map((r) => ({ privateJwk: JSON.parse(secrets.open(r.sealed_jwk)) as JWK, activeAt: r.active_at ? new Date(r.active_at).getTime() : 0 })),
      () => this.refresh(),
    );
  }

  /** Adds a signing key (signing from now + propagation) and schedules the retirement of the others. */
  async rotateSigningKey(): Promise<KeyStatus> {
    const { database, secrets, tokens } = this.deps;
    const sealed = secrets.seal(JSON.stringify(await TokenService.generatePrivateJwk()));
    const activeAt = new Date(Date.now() + this.propagationMs);
    const retireAfter = new Date(activeAt.getTime() + tokens.expiresIn * 1000 + 60_000);
    await database.transaction(async (tx) => {
      const id = `key-${randomUUID()}`;
      await tx.query('insert into kernel.signing_keys (id, sealed_jwk, active_at) values ($1, $2, $3)', [id, sealed, activeAt.toISOString()]);
      await tx.query('update kernel.signing_keys set retire_after = $2 where id <> $1 and (retire_after is null or retire_after > $2)', [id, retireAfter.toISOString()]);
    });
    await database.execute('delete from kernel.signing_keys where retire_after < now()');
    await this.refresh();
    return this.status();
  }

  /**
   * Re-seals every value sealed with an older key, then calls every running plugin's re-seal hook for each tenant
   * that has it enabled; `done` only when all of that succeeded (a failed hook makes the run `failed`, with the
   * plugin id, and is called again by the next run). Safe to run on several instances at once.
   */
  async reseal(): Promise<ResealProgress> {
    const { database, secrets } = this.deps;
    if (!isRotatingSecrets(secrets) || this.progress.state === 'running') return this.progress;
    const started = new Date().toISOString();
    let scanned = 0;
    let resealed = 0;
    let pluginCalls = 0;
    const pluginFailures: { plugin: string; tenantId: string; error: string }[] = [];
    this.progress = { state: 'running', scanned, resealed, startedAt: started, finishedAt: null, error: null, pluginCalls, pluginFailures: [] };
    try {
      for (const place of SEALED_COLUMNS) {
        const rows = await database.execute<Record<string, unknown>>(`select ${place.keys.join(', ')}, ${place.column} as value from ${place.table}`);
        for (const row of rows) {
          let changed = 0;
          const renew = (sealed: string) => {
            scanned++;
            if (secrets.sealedWithNewest(sealed)) return sealed;
            changed++;
            return secrets.seal(secrets.open(sealed));
          };
          const next = place.json ? mapSealed(row.value, renew) : SecretBox.isSealed(row.value) ? renew(row.value) : row.value;
          if (changed > 0) {
            const where = place.keys.map((k, i) => `${k} = $${i + 3}`).join(' and ');
            const cast = place.json ? '::jsonb' : '';
            const same = place.json ? `${place.column} = $2::jsonb` : `${place.column} = $2`;
            const updated = await database.execute(`update ${place.table} set ${place.column} = $1${cast} where ${same} and ${where} returning 1`, [
              place.json ? JSON.stringify(next) : next,
              place.json ? JSON.stringify(row.value) : row.value,
              ...place.keys.map((k) => row[k]),
            ]);
            if (updated.length > 0) resealed += changed;
          }
          this.progress = { ...this.progress, scanned, resealed };
        }
      }
      // The plugins' values, after the kernel's: each plugin seals again what it keeps, tenant by tenant.
      for (const [plugin, hook] of this.deps.pluginHooks?.() ?? new Map<string, PluginResealHook>()) {
        let tenants: readonly string[];
        try {
          tenants = (await this.deps.tenantsOf?.(plugin)) ?? [];
        } catch (error) {
          pluginFailures.push({ plugin, tenantId: '*', error: (error as Error).message });
          continue;
        }
        for (const tenantId of tenants) {
          try {
            await hook(tenantId);
            pluginCalls++;
          } catch (error) {
            pluginFailures.push({ plugin, tenantId, error: (error as Error).message });
            this.deps.logger.warn({ err: error, plugin, tenantId }, 'a plugin failed to re-seal its secrets; the next re-seal run calls it again');
          }
          this.progress = { ...this.progress, pluginCalls, pluginFailures: [...pluginFailures] };
        }
      }
      const failed = pluginFailures.length > 0;
      const plugins = [...new Set(pluginFailures.map((f) => f.plugin))];
      this.progress = {
        state: failed ? 'failed' : 'done',
        scanned,
        resealed,
        startedAt: started,
        finishedAt: new Date().toISOString(),
        error: failed ? `re-sealing failed in plugin(s) ${plugins.join(', ')} (${pluginFailures.length} tenant(s)); run the re-seal again` : null,
        pluginCalls,
        pluginFailures,
      };
      if (failed) this.deps.logger.error({ plugins, failures: pluginFailures.length }, 're-sealing plugin secrets failed; run it again');
      else this.deps.logger.info({ scanned, resealed, pluginCalls }, 're-sealing secrets with the newest encryption key finished');
    } catch (error) {
      this.progress = {
        state: 'failed',
        scanned,
        resealed,
        startedAt: started,
        finishedAt: new Date().toISOString(),
        error: (error as Error).message,
        pluginCalls,
        pluginFailures,
      };
      this.deps.logger.error({ err: error }, 're-sealing secrets failed; run it again');
    }
    return this.progress;
  }

  async status(): Promise<KeyStatus> {
    const { database, secrets, tokens } = this.deps;
    const rows = await database.execute<{ sealed_jwk: string; active_at: Date | null; retire_after: Date | null }>(
      'select sealed_jwk, active_at, retire_after from kernel.signing_keys order by created_at',
    );
    const signing = tokens.signingKeyId;
    const keys = await Promise.all(
      rows.map(async (r) => {
        const jwk = JSON.parse(secrets.open(r.sealed_jwk)) as JWK;
        const { d: _d, ...publicPart } = jwk;
        const kid = await calculateJwkThumbprint(publicPart as JWK);
        return {
          kid,
          activeAt: r.active_at ? new Date(r.active_at).toISOString() : null,
          retireAfter: r.retire_after ? new Date(r.retire_after).toISOString() : null,
          signing: kid === signing,
        };
      }),
    );
    let sealedValues = 0;
    let older = 0;
    if (isRotatingSecrets(secrets)) {
      for (const place of SEALED_COLUMNS) {
        for (const row of await database.execute<{ value: unknown }>(`select ${place.column} as value from ${place.table}`)) {
          mapSealed(row.value, (sealed) => {
            sealedValues++;
            if (!secrets.sealedWithNewest(sealed)) older++;
            return sealed;
          });
        }
      }
    }
    return {
      signing: keys,
      encryption: { keys: isRotatingSecrets(secrets) ? secrets.keyCount : 1, sealedValues, sealedWithOlderKeys: older, reseal: this.progress },
    };
  }
}

/** Refuses key routes on a deployment without a database (there is no shared key ring to rotate). */
export function requireKeyRotation(rotation: KeyRotation | undefined): KeyRotation {
  if (!rotation) throw new VvError('VV_PRIVACY_UNAVAILABLE');
  return rotation;
}
