import * as semver from 'semver';
import { VvError, isVvError } from '@valueverse/plugin-sdk';
import { packageIntegrity } from '@valueverse/plugin-sdk/package';
import type { Database } from '../data/database-api';
import { pluginSchemaOf } from '../data/plugin-database';
import type { KernelLogger } from '../observability/kernel-logger';
import type { KernelStore } from '../tenancy/kernel-store';
import type { InstallRecord, InstallStore, InstanceInstallState, TrustLevel } from './install-store';
import type { LivePlugins, PreparedPlugin } from './live-plugins';
import type { CatalogEntry, PackageDetails, PackageSource, PackageVersionInfo } from './package-source';
import { permissionsNeedingApproval } from './publish-grants';

/** The change-feed message that makes every instance reconcile its installs (no tenant id contains ":"). */
export const INSTALLS_CHANGED = 'installs:changed';

/** Default time an uninstalled plugin's data is kept before the purge job drops it (`VV_PLUGIN_RETENTION_DAYS`). */
export const DEFAULT_INSTALL_RETENTION_MS = 30 * 86_400_000;

export interface InstallServiceOptions {
  readonly store: InstallStore;
  readonly live: LivePlugins;
  readonly source?: PackageSource;
  readonly kernelStore: KernelStore;
  readonly database?: Database;
  readonly instanceId: string;
  readonly kernelVersion: string;
  /** `VV_ALLOW_UNSIGNED_PLUGINS`: unsigned packages install, marked `unsigned`. */
  readonly allowUnsigned: boolean;
  readonly retentionMs: number;
  readonly logger: KernelLogger;
  /** Tells every instance (change feed) that the desired installs changed. */
  readonly broadcast: () => Promise<void>;
  /** A tenant's plugin set changed (a forced uninstall disabled the plugin): caches on every instance drop it. */
  readonly onTenantChanged: (tenantId: string) => Promise<void>;
}

/** One install as `GET /api/v1/admin/installs` shows it. */
export interface InstallView extends InstallRecord {
  readonly instances: readonly InstanceInstallState[];
}

/** One version in `GET /api/v1/admin/marketplace/:pluginId`: whether this kernel runs it and this deployment trusts its signer. */
export interface MarketplaceVersionView extends PackageVersionInfo {
  /** Whether this deployment's kernel satisfies `kernel`. */
  readonly compatible: boolean;
  readonly signer: { readonly keyId: string; readonly trusted: boolean; readonly trust: TrustLevel | null };
}

/** `GET /api/v1/admin/marketplace/:pluginId`: the registry's details with this deployment's view of them. */
export interface MarketplacePackageView extends Omit<PackageDetails, 'versions'> {
  readonly versions: readonly MarketplaceVersionView[];
  readonly installed: { readonly version: string; readonly state: InstallRecord['state'] } | null;
}

/** A request to install: from the registry (`pluginId`, `version`) or an uploaded package file (`bytes`). */
export interface InstallRequest {
  readonly pluginId?: string;
  readonly version?: string;
  readonly bytes?: Buffer;
  readonly approvePermissions?: readonly string[];
  readonly actor: string;
}

/**
 * Installs, upgrades, rolls back and removes packages. The instance that takes the request does the work first (so
 * every refusal reaches the caller with its code, and nothing is recorded unless it served here), then records the
 * desired state and tells the other instances, which reconcile to it. Their outcome is recorded per instance.
 */
export class InstallService {
  /** Trust levels of the keys the last `prepare` read (changes run one at a time). */
  private trustOf = new Map<string, InstallRecord['trust']>();
  /** The plugins with an install record at the last reconcile here. */
  private seen = new Set<string>();

  constructor(private readonly o: InstallServiceOptions) {}

  async list(): Promise<InstallView[]> {
    const [installs, states] = await Promise.all([this.o.store.listInstalls(), this.o.store.listInstanceStates()]);
    return installs.map((r) => ({ ...r, instances: states.filter((s) => s.pluginId === r.pluginId) }));
  }

  async catalog(q: string): Promise<(CatalogEntry & { compatible: boolean | null; installed: { version: string; state: InstallRecord['state'] } | null })[]> {
    const source = this.requireSource();
    const [entries, installs] = await Promise.all([source.catalog(q), this.o.store.listInstalls()]);
    return entries.map((entry) => {
      const installed = installs.find((r) => r.pluginId === entry.id);
      const compatible = entry.kernel === undefined ? null : semver.validRange(entry.kernel) !== null && semver.satisfies(this.o.kernelVersion, entry.kernel);
      return { ...entry, compatible, installed: installed ? { version: installed.version, state: installed.state } : null };
    });
  }

  /**
   * One package of the configured registry (whichever `VV_MARKETPLACE_URL` names), with each version's kernel
   * compatibility and whether the signer's key is trusted here, and the installed version.
   *
   * @throws VvError `VV_PACKAGE_UNKNOWN`, `VV_DEPENDENCY_UNAVAILABLE` (no registry configured, or unreachable)
   */
  async details(pluginId: string): Promise<MarketplacePackageView> {
    const source = this.requireSource();
    const [details, install, keys] = await Promise.all([source.getPackage(pluginId), this.o.store.getInstall(pluginId), this.o.store.listTrustedKeys()]);
    const trustOf = new Map(keys.map((k) => [k.keyId, k.trust]));
    // Field by field: what the registry adds beyond these is not passed on (the route's response schema is closed).
    const { id, displayName, description, readme, categories, publisher, downloads, latestVersion, icon } = details;
    return {
      id,
      displayName,
      description,
      readme,
      categories,
      publisher: publisher && { id: publisher.id, name: publisher.name },
      downloads,
      latestVersion,
      icon,
      versions: details.versions.map((v) => ({
        version: v.version,
        kernel: v.kernel,
        compatible: semver.validRange(v.kernel) !== null && semver.satisfies(this.o.kernelVersion, v.kernel),
        publishedAt: v.publishedAt,
        yanked: v.yanked,
        integrity: v.integrity,
        size: v.size,
        permissions: v.permissions,
        signer: { keyId: v.signer.keyId, trusted: trustOf.has(v.signer.keyId), trust: trustOf.get(v.signer.keyId) ?? null },
      })),
      installed: install ? { version: install.version, state: install.state } : null,
    };
  }

  /**
   * First install (or re-install of an uninstalled plugin, whose data was kept). An uploaded package of an installed
   * plugin changes its version like `change` (an upgrade or roll-back without a registry).
   */
  install(request: InstallRequest): Promise<InstallRecord> {
    return this.o.live.exclusive(async () => {
      const bytes = request.bytes ?? (await this.download(request.pluginId!, request.version!));
      const prepared = await this.prepare(bytes, { pluginId: request.pluginId, version: request.version });
      return this.orDiscard(prepared, async () => {
        const id = prepared.manifest.id;
        const existing = await this.o.store.getInstall(id);
        if (existing?.state === 'installed') {
          if (!request.bytes || existing.version === prepared.manifest.version) {
            throw new VvError('VV_CONFLICT', { params: { reason: `plugin "${id}" is installed (${existing.version}); PUT /api/v1/admin/installs/${id} changes its version` } });
          }
          return this.switchTo(existing, prepared, { bytes, source: 'upload' }, request);
        }
        const approved = this.approve(prepared, request.approvePermissions ?? [], []);
        const newer = await this.o.live.newerMigrations(prepared);
        if (newer.length > 0) throw this.downgradeRefused(prepared, newer, 'the data kept from an earlier install is newer');
        await this.o.live.activate(prepared, approved);
        const source = request.bytes ? 'upload' : 'registry';
        const record = this.recordOf(prepared, { ...request, source }, approved, existing?.version ?? null);
        return this.commit(record, { bytes, source });
      });
    });
  }

  /** Upgrade, or roll back to the previous version (whose newer migrations are reverted); other downgrades are refused when data is newer. */
  change(pluginId: string, version: string, request: { approvePermissions?: readonly string[]; actor: string }): Promise<InstallRecord> {
    return this.o.live.exclusive(async () => {
      const existing = await this.o.store.getInstall(pluginId);
      if (!existing || existing.state !== 'installed') throw new VvError('VV_PLUGIN_UNKNOWN', { params: { plugin: pluginId } });
      if (existing.version === version) return existing;
      // A version installed before (a roll-back) is in the database; another comes from the registry.
      const pkg = (await this.o.store.getPackage(pluginId, version)) ?? { bytes: await this.download(pluginId, version), source: 'registry' as const };
      const prepared = await this.prepare(pkg.bytes, { pluginId, version });
      return this.orDiscard(prepared, () => this.switchTo(existing, prepared, pkg, request));
    });
  }

  /** Upgrade or roll back the installed `existing` to `prepared` (forward migrations, or the roll-back's `down` ones). */
  private async switchTo(
    existing: InstallRecord,
    prepared: PreparedPlugin,
    pkg: { bytes: Buffer; source: InstallRecord['source'] },
    request: { approvePermissions?: readonly string[]; actor: string },
  ): Promise<InstallRecord> {
    const approved = this.approve(prepared, request.approvePermissions ?? [], existing.approvedPermissions);
    const rollBack = prepared.manifest.version === existing.previousVersion;
    const newer = await this.o.live.newerMigrations(prepared);
    if (newer.length > 0 && !rollBack)
      throw this.downgradeRefused(prepared, newer, `only a roll-back to the previous version (${existing.previousVersion ?? 'none'}) reverts them`);
    if (newer.length > 0) await this.o.live.revertNewerMigrations(prepared);
    await this.o.live.activate(prepared, approved);
    const record = this.recordOf(prepared, { ...request, source: pkg.source }, approved, existing.version, existing);
    return this.commit(record, pkg);
  }

  /** Stops the plugin everywhere; refused while a tenant has it enabled unless `force` (which disables it for them). */
  uninstall(pluginId: string, options: { force: boolean; actor: string }): Promise<{ record: InstallRecord; disabledFor: string[] }> {
    return this.o.live.exclusive(async () => {
      const existing = await this.o.store.getInstall(pluginId);
      if (!existing || existing.state !== 'installed') throw new VvError('VV_PLUGIN_UNKNOWN', { params: { plugin: pluginId } });
      // Suspended tenants too: their plugin set still names it, and it would serve them again on reactivation.
      const tenants = await this.o.kernelStore.listTenantsWithPlugin(pluginId, { includeSuspended: true });
      if (tenants.length > 0 && !options.force) {
        throw new VvError('VV_PLUGIN_IN_USE', { params: { plugin: pluginId, tenants: tenants.join(', ') }, extensions: { tenants } });
      }
      for (const tenantId of tenants) {
        const rows = (await this.o.kernelStore.listTenantPlugins(tenantId)).filter((r) => r.pluginId === pluginId);
        await this.o.kernelStore.saveTenantPlugins(
          tenantId,
          rows.map(({ updatedAt: _updatedAt, ...row }) => ({ ...row, enabled: false })),
        );
        await this.o.onTenantChanged(tenantId);
      }
      await this.o.live.deactivate(pluginId);
      const record: InstallRecord = {
        ...existing,
        state: 'uninstalled',
        requestedBy: options.actor,
        requestedAt: new Date().toISOString(),
        purgeAfter: new Date(Date.now() + this.o.retentionMs).toISOString(),
      };
      await this.o.store.saveInstall(record);
      await this.o.store.setInstanceState({ pluginId, instanceId: this.o.instanceId, version: null, state: 'removed', error: null });
      await this.o.broadcast();
      return { record, disabledFor: tenants };
    });
  }

  /**
   * Brings this instance to the desired state: installs or switches versions that differ, stops uninstalled ones.
   * A failure is recorded for this instance and leaves what it served; the next reconcile tries again.
   */
  reconcile(): Promise<void> {
    return this.o.live.exclusive(async () => {
      const desired = await this.o.store.listInstalls();
      for (const install of desired) {
        const local = this.o.live.installed.get(install.pluginId);
        if (install.state === 'uninstalled') {
          if (local === undefined) continue;
          await this.o.live.deactivate(install.pluginId);
          await this.o.store.setInstanceState({ pluginId: install.pluginId, instanceId: this.o.instanceId, version: null, state: 'removed', error: null });
          continue;
        }
        if (local === install.version) continue;
        try {
          const stored = await this.o.store.getPackage(install.pluginId, install.version);
          const bytes = stored?.bytes ?? (await this.download(install.pluginId, install.version));
          // The bytes every instance runs are the ones the installing instance verified.
          const integrity = packageIntegrity(bytes);
          if (integrity !== install.integrity) {
            throw new VvError('VV_PACKAGE_MODIFIED', { params: { reason: `its integrity ${integrity} is not the installed ${install.integrity}` } });
          }
          const prepared = await this.prepare(bytes, { pluginId: install.pluginId, version: install.version });
          await this.orDiscard(prepared, () => this.o.live.activate(prepared, install.approvedPermissions));
          await this.o.store.setInstanceState({ pluginId: install.pluginId, instanceId: this.o.instanceId, version: install.version, state: 'running', error: null });
        } catch (error) {
          const vv = isVvError(error) ? error : new VvError('VV_INTERNAL', { detail: (error as Error)?.message ?? String(error), cause: error });
          this.o.logger.error(
            { err: error, plugin: install.pluginId, version: install.version, code: vv.code },
            `installing "${install.pluginId}" ${install.version} failed on this instance`,
          );
          await this.o.store.setInstanceState({
            pluginId: install.pluginId,
            instanceId: this.o.instanceId,
            version: local ?? null,
            state: 'failed',
            error: { code: vv.code, message: vv.message },
          });
        }
      }
      const known = new Set(desired.map((r) => r.pluginId));
      for (const pluginId of [...this.o.live.installed.keys()]) if (!known.has(pluginId)) await this.o.live.deactivate(pluginId);
      // A plugin purged through another instance: that instance's purge job removed only its own unpacked files.
      for (const pluginId of this.seen) if (!known.has(pluginId)) await this.o.live.removeFiles(pluginId);
      this.seen = known;
    });
  }

  /**
   * Drops the data of uninstalled plugins whose retention ended: their schema (tables, migrations), their tenants'
   * plugin-set rows, stored packages and unpacked files. Returns the plugin ids purged.
   */
  purgeDue(now = new Date()): Promise<string[]> {
    return this.o.live.exclusive(async () => {
      const due = await this.o.store.listPurgeDue(now);
      for (const install of due) {
        if (this.o.database) {
          await this.o.database.execute(`drop schema if exists "${pluginSchemaOf(install.pluginId)}" cascade`);
          await this.o.database.execute('delete from kernel.tenant_plugins where plugin_id = $1', [install.pluginId]);
        }
        await this.o.store.deleteInstall(install.pluginId);
        await this.o.live.removeFiles(install.pluginId);
        this.o.logger.info({ plugin: install.pluginId, purgeAfter: install.purgeAfter }, `plugin "${install.pluginId}": retention ended, its data was purged`);
      }
      if (due.length > 0) await this.o.broadcast();
      return due.map((r) => r.pluginId);
    });
  }

  /** Runs what follows `prepare`; when it refuses, the folder `prepare` unpacked goes too (nothing half-installed). */
  private async orDiscard<T>(prepared: PreparedPlugin, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      await this.o.live.discard(prepared);
      throw error;
    }
  }

  private async prepare(bytes: Buffer, expected: { pluginId?: string; version?: string }): Promise<PreparedPlugin> {
    const keys = await this.o.store.listTrustedKeys();
    this.trustOf = new Map(keys.map((k) => [k.keyId, k.trust]));
    return this.o.live.prepare(bytes, expected, { trustedKeys: keys, allowUnsigned: this.o.allowUnsigned });
  }

  /** The permissions outside the plugin's namespace must all be approved (now or at an earlier install of it). */
  private approve(prepared: PreparedPlugin, approving: readonly string[], earlier: readonly string[]): string[] {
    const needed = permissionsNeedingApproval(prepared.manifest);
    const missing = needed.filter((p) => !approving.includes(p) && !earlier.includes(p));
    if (missing.length > 0) {
      throw new VvError('VV_PERMISSION_NOT_APPROVED', { params: { plugin: prepared.manifest.id, permissions: missing.join(', ') }, extensions: { permissions: missing } });
    }
    return needed;
  }

  private recordOf(
    prepared: PreparedPlugin,
    request: { source: InstallRecord['source']; actor: string },
    approved: string[],
    previous: string | null,
    existing?: InstallRecord,
  ): InstallRecord {
    const signer = prepared.verified.signer;
    const approvedNow = approved.filter((p) => !(existing?.approvedPermissions ?? []).includes(p));
    return {
      pluginId: prepared.manifest.id,
      version: prepared.manifest.version,
      previousVersion: previous,
      integrity: prepared.verified.integrity,
      signerKeyId: signer?.keyId ?? null,
      trust: signer ? (this.trustOf.get(signer.keyId) ?? 'in-process') : 'unsigned',
      source: request.source,
      approvedPermissions: approved,
      approvedBy: approved.length === 0 ? null : approvedNow.length > 0 ? request.actor : (existing?.approvedBy ?? request.actor),
      state: 'installed',
      requestedBy: request.actor,
      requestedAt: new Date().toISOString(),
      purgeAfter: null,
    };
  }

  /**
   * Records the desired state and tells the other instances. Every installed version's bytes stay in the database:
   * other instances (workers without a registry too) and later roll-backs read them there, whatever happens to the
   * registry meanwhile.
   */
  private async commit(record: InstallRecord, pkg: { bytes: Buffer; source: InstallRecord['source'] }): Promise<InstallRecord> {
    await this.o.store.savePackage(record.pluginId, record.version, { integrity: record.integrity, source: pkg.source, bytes: pkg.bytes });
    await this.o.store.saveInstall(record);
    await this.o.store.setInstanceState({ pluginId: record.pluginId, instanceId: this.o.instanceId, version: record.version, state: 'running', error: null });
    await this.o.broadcast();
    return record;
  }

  private downgradeRefused(prepared: PreparedPlugin, newer: readonly string[], reason: string): VvError {
    return new VvError('VV_DOWNGRADE_REFUSED', {
      params: { plugin: prepared.manifest.id, version: prepared.manifest.version, migrations: newer.join(', '), reason },
      extensions: { migrations: newer },
    });
  }

  private async download(pluginId: string, version: string): Promise<Buffer> {
    return this.requireSource().download(pluginId, version);
  }

  private requireSource(): PackageSource {
    if (!this.o.source)
      throw new VvError('VV_DEPENDENCY_UNAVAILABLE', { params: { dependency: 'marketplace registry', reason: 'no package source is configured (VV_MARKETPLACE_URL)' } });
    return this.o.source;
  }
}
