import { randomBytes, randomUUID } from 'node:crypto';
import { VvError, type JobQueue, type PluginPrivacy, type PrivacyReport, type PrivacySubject, type PrivacyTables } from '@valueverse/plugin-sdk';
import type { Auditor } from '../audit/auditor';
import type { Database } from '../data/database-api';
import type { KernelLogger } from '../observability/kernel-logger';
import type { KernelStore } from '../tenancy/kernel-store';
import type { ConfigSecrets } from '../plugin-sets/plugin-catalog';
import { KERNEL_PRIVACY_ID, kernelDataPrivacy } from './kernel-data-privacy';
import { readTenantArchive, writeTenantArchive, type ArchiveManifest } from './tenant-archive';

/** How long an export's archive can be downloaded (default 24 hours). */
export const DEFAULT_EXPORT_TTL_MS = 24 * 3_600_000;
/** How long a deleted tenant's plugin data is kept before the purge (default 30 days, `VV_TENANT_RETENTION_DAYS`). */
export const DEFAULT_TENANT_RETENTION_MS = 30 * 86_400_000;

export interface ExportRecord {
  readonly id: string;
  readonly tenantId: string;
  readonly state: 'pending' | 'ready' | 'failed';
  readonly requestedBy: string;
  readonly createdAt: string;
  readonly expiresAt: string;
  readonly manifest: ArchiveManifest | null;
  readonly error: string | null;
}

export interface ErasureReport {
  readonly pseudonym: string;
  readonly userId: string | null;
  /** Per store (`kernel` and each plugin id): rows erased or pseudonymised per table, or the error it reported. */
  readonly stores: Readonly<Record<string, PrivacyReport | { readonly error: string }>>;
}

export interface DataLifecycleDeps {
  readonly database?: Database;
  readonly store: KernelStore;
  /** Opens secrets in imported plugin configs; those it cannot open (another deployment's key) are left out. */
  readonly secrets?: ConfigSecrets;
  /** Every plugin that registered the privacy contract, enabled for the tenant or not. */
  readonly plugins: () => ReadonlyMap<string, PluginPrivacy>;
  readonly auditor: Auditor;
  readonly logger: KernelLogger;
  readonly exportTtlMs?: number;
  readonly tenantRetentionMs?: number;
  /** Drops every instance's cached state of the tenant (after an import changed its plugin set). */
  readonly onTenantChanged?: (tenantId: string) => Promise<void>;
  /** Signs the person out everywhere after an erasure. */
  readonly onUserErased?: (userId: string) => Promise<void>;
}

type ExportRow = {
  id: string;
  tenant_id: string;
  state: ExportRecord['state'];
  requested_by: string;
  created_at: Date | string;
  expires_at: Date | string;
  manifest: ArchiveManifest | null;
  error: string | null;
};
const iso = (value: Date | string): string => new Date(value).toISOString();
const toRecord = (r: ExportRow): ExportRecord => ({
  id: r.id,
  tenantId: r.tenant_id,
  state: r.state,
  requestedBy: r.requested_by,
  createdAt: iso(r.created_at),
  expiresAt: iso(r.expires_at),
  manifest: r.manifest,
  error: r.error,
});

/**
 * The data lifecycle of tenants (issue #22): exports and imports, erasure of a person, retention per data class and
 * the purge of deleted tenants. Each walks the same providers, the kernel's own stores first, then every plugin that
 * registered the privacy contract.
 */
export class DataLifecycle {
  private jobs?: JobQueue;
  private readonly kernel?: PluginPrivacy;

  constructor(private readonly deps: DataLifecycleDeps) {
    this.kernel = deps.database ? kernelDataPrivacy(deps.database, deps.secrets) : undefined;
  }

  /** Defines the kernel jobs (build an export; enforce retention and purge deleted tenants on `everyMs`). */
  attachJobs(jobs: JobQueue, everyMs: number): void {
    this.jobs = jobs;
    jobs.define<{ exportId: string }>('tenant-export', async (job) => this.buildExport(job.data.exportId), { attempts: 2, backoffMs: 5000 });
    jobs.define('data-retention', async () => {
      await this.enforceRetention();
      await this.purgeDeletedTenants();
    });
    if (this.deps.database) jobs.schedule('data-retention', { everyMs });
  }

  /** The providers in the order they are exported and imported: the kernel (tenant, members), then plugins. */
  providers(): Map<string, PluginPrivacy> {
    const all = new Map<string, PluginPrivacy>();
    if (this.kernel) all.set(KERNEL_PRIVACY_ID, this.kernel);
    for (const [id, privacy] of this.deps.plugins()) all.set(id, privacy);
    return all;
  }

  /** The data classes a retention policy may name: those the kernel and the running plugins expire. */
  dataClasses(): string[] {
    return [...new Set([...this.providers().values()].flatMap((p) => Object.keys(p.retention ?? {})))].sort();
  }

  private db(): Database {
    if (!this.deps.database) throw new VvError('VV_PRIVACY_UNAVAILABLE');
    return this.deps.database;
  }

  async requestExport(tenantId: string, actor: string): Promise<ExportRecord> {
    const db = this.db();
    const id = randomUUID();
    const ttl = this.deps.exportTtlMs ?? DEFAULT_EXPORT_TTL_MS;
    const [row] = await db.execute<ExportRow>(
      `insert into kernel.tenant_exports (id, tenant_id, state, requested_by, expires_at) values ($1, $2, 'pending', $3, now() + make_interval(secs => $4))
       returning id, tenant_id, state, requested_by, created_at, expires_at, manifest, error`,
      [id, tenantId, actor, ttl / 1000],
    );
    if (this.jobs) await this.jobs.enqueue('tenant-export', tenantId, { exportId: id }, { jobId: `tenant-export-${id}` });
    else await this.buildExport(id);
    return toRecord(row!);
  }

  /** The job: collects every provider's rows into the archive. A failure is kept on the export, not thrown twice. */
  async buildExport(exportId: string): Promise<void> {
    const db = this.db();
    const [row] = await db.execute<ExportRow>('select * from kernel.tenant_exports where id = $1', [exportId]);
    if (!row || row.state !== 'pending') return;
    try {
      const data = new Map<string, PrivacyTables>();
      for (const [id, privacy] of this.providers()) data.set(id, await privacy.export(row.tenant_id));
      const { archive, manifest } = writeTenantArchive(row.tenant_id, data);
      await db.execute(`update kernel.tenant_exports set state = 'ready', archive = $2, manifest = $3::jsonb where id = $1`, [exportId, archive, JSON.stringify(manifest)]);
      await this.deps.auditor.record({
        action: 'tenant.export-ready',
        actor: row.requested_by,
        tenantId: row.tenant_id,
        target: `export:${exportId}`,
        after: { files: manifest.files.length, rows: manifest.files.reduce((n, f) => n + f.rows, 0) },
      });
    } catch (error) {
      this.deps.logger.error({ err: error, tenantId: row.tenant_id, exportId }, 'tenant export failed');
      await db.execute(`update kernel.tenant_exports set state = 'failed', error = $2 where id = $1`, [exportId, (error as Error).message ?? String(error)]);
    }
  }

  async listExports(tenantId: string): Promise<ExportRecord[]> {
    const rows = await this.db().execute<ExportRow>(
      'select id, tenant_id, state, requested_by, created_at, expires_at, manifest, error from kernel.tenant_exports where tenant_id = $1 and expires_at > now() order by created_at desc limit 100',
      [tenantId],
    );
    return rows.map(toRecord);
  }

  async getExport(tenantId: string, exportId: string): Promise<ExportRecord> {
    const [row] = await this.db().execute<ExportRow>(
      'select id, tenant_id, state, requested_by, created_at, expires_at, manifest, error from kernel.tenant_exports where id = $1 and tenant_id = $2 and expires_at > now()',
      [exportId, tenantId],
    );
    if (!row) throw new VvError('VV_EXPORT_UNKNOWN', { params: { exportId, tenant: tenantId } });
    return toRecord(row);
  }

  async archive(tenantId: string, exportId: string): Promise<Buffer> {
    const record = await this.getExport(tenantId, exportId);
    if (record.state !== 'ready') throw new VvError('VV_EXPORT_NOT_READY', { params: { exportId, state: record.state } });
    const [row] = await this.db().execute<{ archive: Buffer }>('select archive from kernel.tenant_exports where id = $1', [exportId]);
    return Buffer.from(row!.archive);
  }

  /** Restores an export into `tenantId`, which must hold no plugin data and no members yet. */
  async importArchive(tenantId: string, bytes: Buffer): Promise<Record<string, PrivacyReport>> {
    const db = this.db();
    const { data } = await readTenantArchive(bytes);
    const providers = this.providers();
    const missing = [...data.keys()].filter((id) => !providers.has(id));
    if (missing.length > 0) throw new VvError('VV_IMPORT_INVALID', { params: { reason: `plugin(s) ${missing.join(', ')} are not installed on this deployment` } });
    const [members] = await db.execute<{ n: number }>('select count(*)::int as n from kernel.memberships where tenant_id = $1', [tenantId]);
    const holding: string[] = members!.n > 0 ? ['members'] : [];
    for (const [id, privacy] of providers) {
      if (id === KERNEL_PRIVACY_ID) continue;
      const tables = await privacy.export(tenantId);
      if (Object.values(tables).some((rows) => rows.length > 0)) holding.push(id);
    }
    if (holding.length > 0) throw new VvError('VV_IMPORT_TENANT_NOT_EMPTY', { params: { tenant: tenantId, what: holding.join(', ') } });
    const reports: Record<string, PrivacyReport> = {};
    for (const [id, privacy] of providers) {
      const tables = data.get(id);
      if (tables) reports[id] = await privacy.import(tenantId, tables);
    }
    await this.deps.onTenantChanged?.(tenantId);
    return reports;
  }

  /** Finds the person: a member by user id, or anyone by email (an account, or only a contact in plugin data). */
  async subjectOf(tenantId: string, request: { userId?: string; email?: string; names?: readonly string[] }): Promise<PrivacySubject> {
    const { store } = this.deps;
    const user = request.userId ? await store.getUser(request.userId) : request.email ? await store.findUserByEmail(request.email) : undefined;
    const member = user ? (await store.listMemberships(user.id)).some((m) => m.tenantId === tenantId) : false;
    if (request.userId && !member) throw new VvError('VV_ERASURE_SUBJECT_UNKNOWN', { params: { subject: request.userId, tenant: tenantId } });
    return {
      userId: member ? user!.id : undefined,
      email: member ? user!.email : request.email,
      names: request.names,
      pseudonym: `erased-${randomBytes(8).toString('hex')}`,
    };
  }

  /** Erases the person in every store; a store that fails is reported and the others still run. */
  async erase(tenantId: string, subject: PrivacySubject): Promise<ErasureReport> {
    this.db();
    const stores: Record<string, PrivacyReport | { error: string }> = {};
    for (const [id, privacy] of this.providers()) {
      try {
        stores[id] = await privacy.erase(tenantId, subject);
      } catch (error) {
        this.deps.logger.error({ err: error, tenantId, store: id }, 'erasure failed in one store');
        stores[id] = { error: (error as Error).message ?? String(error) };
      }
    }
    if (subject.userId) await this.deps.onUserErased?.(subject.userId);
    return { pseudonym: subject.pseudonym, userId: subject.userId ? subject.pseudonym : null, stores };
  }

  async policies(tenantId: string): Promise<Record<string, number>> {
    const rows = await this.db().execute<{ data_class: string; days: number }>('select data_class, days from kernel.retention_policies where tenant_id = $1 order by data_class', [
      tenantId,
    ]);
    return Object.fromEntries(rows.map((r) => [r.data_class, r.days]));
  }

  /** Replaces the tenant's policies: a class left out keeps its data for ever. */
  async setPolicies(tenantId: string, policies: Readonly<Record<string, number>>): Promise<Record<string, number>> {
    const known = new Set(this.dataClasses());
    const unknown = Object.keys(policies).filter((c) => !known.has(c));
    if (unknown.length > 0) throw VvError.validation(unknown.map((c) => ({ pointer: `/policies/${c}`, message: `unknown data class; known: ${[...known].join(', ')}` })));
    await this.db().transaction(async (tx) => {
      await tx.query('delete from kernel.retention_policies where tenant_id = $1', [tenantId]);
      for (const [dataClass, days] of Object.entries(policies)) {
        await tx.query('insert into kernel.retention_policies (tenant_id, data_class, days) values ($1, $2, $3)', [tenantId, dataClass, days]);
      }
    });
    return this.policies(tenantId);
  }

  /** Deletes, per tenant and class, what is older than the policy's window; expired export archives go too. */
  async enforceRetention(now = new Date()): Promise<Record<string, Record<string, number>>> {
    const db = this.db();
    await db.execute('delete from kernel.tenant_exports where expires_at <= $1', [now.toISOString()]);
    const handlers = new Map<string, (tenantId: string, before: Date) => Promise<number>>();
    for (const privacy of this.providers().values()) for (const [dataClass, handler] of Object.entries(privacy.retention ?? {})) handlers.set(dataClass, handler);
    const policies = await db.execute<{ tenant_id: string; data_class: string; days: number }>(
      'select tenant_id, data_class, days from kernel.retention_policies order by tenant_id, data_class',
    );
    const removed: Record<string, Record<string, number>> = {};
    for (const policy of policies) {
      const handler = handlers.get(policy.data_class);
      if (!handler) continue;
      const before = new Date(now.getTime() - policy.days * 86_400_000);
      try {
        const n = await handler(policy.tenant_id, before);
        (removed[policy.tenant_id] ??= {})[policy.data_class] = n;
        if (n > 0) this.deps.logger.info({ tenantId: policy.tenant_id, dataClass: policy.data_class, removed: n }, 'retention removed expired records');
      } catch (error) {
        this.deps.logger.error({ err: error, tenantId: policy.tenant_id, dataClass: policy.data_class }, 'retention failed; the next run retries');
      }
    }
    return removed;
  }

  /**
   * Purges deleted tenants whose retention ended (every provider's `purge`) and keeps one platform-level audit entry
   * (`tenant.purged`, no tenant id) with what each store removed. A tenant re-created under the same id is skipped.
   */
  async purgeDeletedTenants(now = new Date()): Promise<string[]> {
    const db = this.db();
    const windowMs = this.deps.tenantRetentionMs ?? DEFAULT_TENANT_RETENTION_MS;
    const due = await db.execute<{ tenant_id: string }>(
      `select p.tenant_id from kernel.tenant_purges p where p.purged_at is null and p.deleted_at <= $1
         and not exists (select 1 from kernel.tenants t where t.id = p.tenant_id) order by p.deleted_at`,
      [new Date(now.getTime() - windowMs).toISOString()],
    );
    const purged: string[] = [];
    for (const { tenant_id: tenantId } of due) {
      const report: Record<string, PrivacyReport | { error: string }> = {};
      let failed = false;
      for (const [id, privacy] of this.providers()) {
        try {
          report[id] = await privacy.purge(tenantId);
        } catch (error) {
          failed = true;
          report[id] = { error: (error as Error).message ?? String(error) };
        }
      }
      if (failed) {
        this.deps.logger.error({ tenantId, report }, 'purging a deleted tenant failed in some store; the next run retries');
        continue;
      }
      await this.deps.auditor.record({ action: 'tenant.purged', actor: 'system:data-retention', tenantId: undefined, target: `tenant:${tenantId}`, after: report });
      await db.execute('update kernel.tenant_purges set purged_at = now(), report = $2::jsonb where tenant_id = $1', [tenantId, JSON.stringify(report)]);
      purged.push(tenantId);
    }
    return purged;
  }
}
