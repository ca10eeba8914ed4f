import type { PluginPrivacy, PrivacySubject, PrivacyTables, SqlTransaction, TenantLogo } from '@valueverse/plugin-sdk';
import type { Database } from '../data/database-api';
import type { ConfigSecrets } from '../plugin-sets/plugin-catalog';
import { SecretBox } from '../tenancy/secret-box';
import { logoProblems } from '../tenancy/tenant-branding';

/** The id the kernel's own stores answer to in exports and erasure reports, beside the plugins' ids. */
export const KERNEL_PRIVACY_ID = 'kernel';

const literal = (term: string): string => term.replace(/[\\.^$|?*+()[\]{}]/g, (c) => `\\${c}`);

/** A regular expression (flag `i`) matching the subject's user id, email and names; '' when nothing identifies them. */
function patternOf(subject: PrivacySubject): string {
  return [subject.userId, subject.email, ...(subject.names ?? [])]
    .filter((t): t is string => typeof t === 'string' && t.trim().length >= 3)
    .map((t) => literal(t.trim()))
    .join('|');
}

async function count(tx: SqlTransaction, sql: string, params: readonly unknown[]): Promise<number> {
  const rows = await tx.query<{ n: number }>(`with changed as (${sql} returning 1) select count(*)::int as n from changed`, params);
  return rows[0]?.n ?? 0;
}

/**
 * The privacy contract of the kernel's own stores, in schema `kernel`: the tenant and its plugin set, members (users
 * and memberships; never password hashes), API keys and invitations (never their hashes), sessions (refresh tokens),
 * idempotency keys, retention policies and the audit log. The audit log is append-only: an erasure rewrites the
 * person into their pseudonym in place (`vv.audit_erasure`, see the data-lifecycle migration), so every entry, its
 * action and its time stay and the counts do not change.
 *
 * The event stream's replay buffer is memory only and forgets every event after 5 minutes (`eventStreamReplay`), so it
 * needs no handler.
 */
/**
 * A plugin config from an export with every sealed secret this deployment cannot open left out: another deployment's
 * key sealed it, and a secret that cannot be read would fail the plugin for the tenant; an admin enters it again.
 */
function openableConfig(config: unknown, secrets: ConfigSecrets | undefined): unknown {
  const opens = (sealed: string) => {
    try {
      secrets?.open(sealed);
      return secrets !== undefined;
    } catch {
      return false;
    }
  };
  const walk = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(walk);
    if (value === null || typeof value !== 'object') return value;
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => !SecretBox.isSealed(v) || opens(v))
        .map(([k, v]) => [k, walk(v)]),
    );
  };
  return walk(config);
}

/** A tenant's settings without a logo, and that logo when it is a real PNG or JPEG (anything else is dropped). */
function withoutLogo(settings: Record<string, unknown>): { settings: Record<string, unknown>; logo?: TenantLogo } {
  const branding = settings['branding'];
  if (typeof branding !== 'object' || branding === null || !('logo' in branding)) return { settings };
  const { logo, ...colours } = branding as Record<string, unknown>;
  const { branding: _branding, ...rest } = settings;
  const kept = Object.keys(colours).length > 0 ? { ...rest, branding: colours } : rest;
  const candidate = logo as { mediaType?: unknown; data?: unknown } | null;
  const valid =
    candidate !== null &&
    typeof candidate === 'object' &&
    (candidate.mediaType === 'image/png' || candidate.mediaType === 'image/jpeg') &&
    typeof candidate.data === 'string' &&
    logoProblems({ mediaType: candidate.mediaType, data: candidate.data }).length === 0;
  return valid
    ? { settings: kept, logo: { mediaType: candidate.mediaType as TenantLogo['mediaType'], data: Buffer.from(candidate.data as string, 'base64').toString('base64') } }
    : { settings: kept };
}

export function kernelDataPrivacy(database: Database, secrets?: ConfigSecrets): PluginPrivacy {
  return {
    async export(tenantId, subject): Promise<PrivacyTables> {
      const pattern = subject ? patternOf(subject) : '';
      if (subject && pattern === '') return {};
      const about = (alias: string) => (subject ? ` and to_jsonb(${alias})::text ~* $2` : '');
      const params = subject ? [tenantId, pattern] : [tenantId];
      const select = async (sql: string) => (await database.execute<{ row: Record<string, unknown> }>(`${sql} order by 1`, params)).map((r) => r.row);
      return {
        tenants: await select(`select to_jsonb(t) as row from kernel.tenants t where t.id = $1${about('t')}`),
        tenant_plugins: await select(`select to_jsonb(p) as row from kernel.tenant_plugins p where p.tenant_id = $1${about('p')}`),
        // The logo is the tenant's, not a person's: whole-tenant exports only. Row-level security binds its table to
        // the transaction's tenant (kernel_0011_tenant_logos).
        ...(subject
          ? {}
          : {
              tenant_logos: (
                await database.withTenantTransaction(tenantId, (tx) =>
                  tx.query<{ row: Record<string, unknown> }>(
                    `select jsonb_build_object('media_type', media_type, 'data', translate(encode(data, 'base64'), E'\\n', '')) as row from kernel.tenant_logos where tenant_id = $1`,
                    [tenantId],
                  ),
                )
              ).map((r) => r.row),
            }),
        members: await select(
          `select to_jsonb(x) as row from (select u.id, u.email, u.created_at, u.display_name, u.locale, u.time_zone, m.role from kernel.memberships m join kernel.users u on u.id = m.user_id where m.tenant_id = $1) x where true${about('x')}`,
        ),
        api_keys: await select(`select to_jsonb(a) - 'key_hash' as row from kernel.api_keys a where a.tenant_id = $1${about('a')}`),
        invitations: await select(`select to_jsonb(i) - 'token_hash' as row from kernel.invitations i where i.tenant_id = $1${about('i')}`),
        retention_policies: await select(`select to_jsonb(r) as row from kernel.retention_policies r where r.tenant_id = $1${about('r')}`),
        audit_log: await select(`select to_jsonb(a) - 'id' as row from kernel.audit_log a where a.tenant_id = $1${about('a')}`),
      };
    },

    async import(tenantId, tables: PrivacyTables) {
      return database.transaction(async (tx) => {
        const rows: Record<string, number> = {};
        const json = (name: string) => JSON.stringify(tables[name] ?? []);
        const [tenant] = (tables.tenants ?? []) as { name?: string; settings?: Record<string, unknown> }[];
        // An archive made before logos had their own table carries the logo in the settings: it moves to the table.
        const { settings, logo: legacyLogo } = withoutLogo(tenant?.settings ?? {});
        if (tenant)
          await tx.query('update kernel.tenants set name = $2, settings = $3::jsonb, updated_at = now() where id = $1', [tenantId, tenant.name, JSON.stringify(settings)]);
        rows.tenants = tenant ? 1 : 0;
        const logos = tables.tenant_logos ?? (legacyLogo ? [{ media_type: legacyLogo.mediaType, data: legacyLogo.data }] : []);
        await tx.query(`select set_config('app.tenant_id', $1, true)`, [tenantId]);
        rows.tenant_logos = await count(
          tx,
          `insert into kernel.tenant_logos (tenant_id, media_type, data)
           select $1, x.media_type, decode(x.data, 'base64') from jsonb_to_recordset($2::jsonb) as x(media_type text, data text)
           on conflict (tenant_id) do update set media_type = excluded.media_type, data = excluded.data, updated_at = now()`,
          [tenantId, JSON.stringify(logos)],
        );
        rows.tenant_plugins = await count(
          tx,
          `insert into kernel.tenant_plugins (tenant_id, plugin_id, enabled, version, config, permissions)
           select $1, plugin_id, enabled, version, config, permissions from jsonb_populate_recordset(null::kernel.tenant_plugins, $2::jsonb)
           on conflict (tenant_id, plugin_id) do update set enabled = excluded.enabled, version = excluded.version, config = excluded.config, permissions = excluded.permissions`,
          [tenantId, JSON.stringify((tables.tenant_plugins ?? []).map((row) => ({ ...row, config: openableConfig(row.config, secrets) })))],
        );
        // A new plugin-set version, so every instance's cached plugin set of the tenant is stale.
        await tx.query(
          `insert into kernel.plugin_set_versions (tenant_id, version) values ($1, nextval('kernel.plugin_set_version_seq'))
           on conflict (tenant_id) do update set version = excluded.version`,
          [tenantId],
        );
        // People keep their ids (plugin rows refer to them); a new account has no usable password: they reset it or
        // are invited again. An email already known on this deployment keeps its account.
        await tx.query(
          `insert into kernel.users (id, email, password_hash, created_at, display_name, locale, time_zone)
           select x.id, x.email, '!', coalesce(x.created_at, now()), x.display_name, x.locale, x.time_zone
           from jsonb_to_recordset($1::jsonb) as x(id text, email text, created_at timestamptz, display_name text, locale text, time_zone text)
           where not exists (select 1 from kernel.users u where lower(u.email) = lower(x.email) or u.id = x.id)`,
          [json('members')],
        );
        rows.members = await count(
          tx,
          `insert into kernel.memberships (user_id, tenant_id, role)
           select u.id, $1, x.role from jsonb_to_recordset($2::jsonb) as x(id text, email text, role text) join kernel.users u on lower(u.email) = lower(x.email)
           on conflict do nothing`,
          [tenantId, json('members')],
        );
        rows.retention_policies = await count(
          tx,
          `insert into kernel.retention_policies (tenant_id, data_class, days, updated_at)
           select $1, data_class, days, updated_at from jsonb_populate_recordset(null::kernel.retention_policies, $2::jsonb) on conflict do nothing`,
          [tenantId, json('retention_policies')],
        );
        // Entries keep their time and order; ids are this deployment's.
        rows.audit_log = await count(
          tx,
          `insert into kernel.audit_log (at, action, actor, tenant_id, target, before, after, request_id, ip)
           select at, action, actor, $1, target, before, after, request_id, ip from jsonb_populate_recordset(null::kernel.audit_log, $2::jsonb) order by at`,
          [tenantId, json('audit_log')],
        );
        return { rows };
      });
    },

    async erase(tenantId, subject) {
      const pattern = patternOf(subject);
      const pseudonym = subject.pseudonym;
      return database.transaction(async (tx) => {
        const rows: Record<string, number> = {};
        const userId = subject.userId ?? '';
        // Their account goes when this tenant was the only one they belonged to; otherwise only the membership.
        const others = userId ? await tx.query<{ n: number }>('select count(*)::int as n from kernel.memberships where user_id = $1 and tenant_id <> $2', [userId, tenantId]) : [];
        const wholeAccount = userId !== '' && (others[0]?.n ?? 0) === 0;
        rows.memberships = await count(tx, 'delete from kernel.memberships where user_id = $1 and tenant_id = $2', [userId, tenantId]);
        rows.users = wholeAccount ? await count(tx, 'delete from kernel.users where id = $1', [userId]) : 0;
        rows.refresh_tokens = await count(tx, 'delete from kernel.refresh_tokens where user_id = $1 and (tenant_id = $2 or $3)', [userId, tenantId, wholeAccount]);
        rows.invitations = await count(tx, `delete from kernel.invitations where tenant_id = $1 and $2 <> '' and email ~* ('^(' || $2 || ')$')`, [tenantId, pattern]);
        rows.invitations += await count(
          tx,
          `update kernel.invitations set invited_by = case when invited_by = $2 then $3 else invited_by end, accepted_by = case when accepted_by = $2 then $3 else accepted_by end
            where tenant_id = $1 and $2 <> '' and (invited_by = $2 or accepted_by = $2)`,
          [tenantId, userId, pseudonym],
        );
        rows.api_keys = await count(tx, `update kernel.api_keys set created_by = $3 where tenant_id = $1 and $2 <> '' and created_by = $2`, [tenantId, userId, pseudonym]);
        // Stored responses may quote the person: the keys go (a retry then runs again, as after their expiry).
        rows.idempotency_keys = await count(tx, `delete from kernel.idempotency_keys where tenant_id = $1 and $2 <> '' and (principal ~* $2 or coalesce(body, '') ~* $2)`, [
          tenantId,
          pattern,
        ]);
        // An archive made before the erasure would bring the person back: exports of the tenant go.
        rows.tenant_exports = await count(tx, 'delete from kernel.tenant_exports where tenant_id = $1', [tenantId]);
        await tx.query(`select set_config('vv.audit_erasure', 'on', true)`);
        const scope = wholeAccount ? '$1::text is not null' : '(tenant_id = $1 or tenant_id is null)';
        rows.audit_log = await count(
          tx,
          `update kernel.audit_log set
              actor = regexp_replace(actor, $2, $3, 'gi'),
              target = regexp_replace(target, $2, $3, 'gi'),
              before = regexp_replace(before::text, $2, $3, 'gi')::jsonb,
              after = regexp_replace(after::text, $2, $3, 'gi')::jsonb
            where $2 <> '' and ${scope} and (actor ~* $2 or target ~* $2 or before::text ~* $2 or after::text ~* $2)`,
          [tenantId, pattern, pseudonym],
        );
        await tx.query(`select set_config('vv.audit_erasure', 'off', true)`);
        return { rows };
      });
    },

    async purge(tenantId) {
      return database.transaction(async (tx) => {
        const rows: Record<string, number> = {};
        // Whatever a tenant deletion did not cascade to (these tables do not reference kernel.tenants).
        rows.refresh_tokens = await count(tx, 'delete from kernel.refresh_tokens where tenant_id = $1', [tenantId]);
        await tx.query(`select set_config('vv.audit_retention', 'on', true)`);
        rows.audit_log = await count(tx, 'delete from kernel.audit_log where tenant_id = $1', [tenantId]);
        return { rows };
      });
    },

    retention: {
      audit: (tenantId, before) =>
        database.transaction(async (tx) => {
          await tx.query(`select set_config('vv.audit_retention', 'on', true)`);
          return count(tx, 'delete from kernel.audit_log where tenant_id = $1 and at < $2', [tenantId, before.toISOString()]);
        }),
      'idempotency-keys': (tenantId, before) =>
        database.transaction((tx) => count(tx, 'delete from kernel.idempotency_keys where tenant_id = $1 and expires_at < $2', [tenantId, before.toISOString()])),
    },
  };
}
