import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readFile, readdir, rename, rm, rmdir, symlink, writeFile, lstat, readlink, unlink } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { VvError, isVvError, validateManifest, type PluginManifest, type VvPlugin } from '@valueverse/plugin-sdk';
import type { Database } from '../data/database-api';
import { installPluginDataModel, pluginSchemaOf, revertPluginDataModel } from '../data/plugin-database';
import type { PluginStaging } from './plugin-staging';
import type { ServiceRegistry } from '../di/service-registry';
import { PluginGraph } from '../graph/plugin-graph';
import type { PluginRouter } from '../http/plugin-router';
import type { PluginLifecycle } from '../lifecycle/plugin-lifecycle';
import type { PluginRecord } from '../lifecycle/plugin-state';
import { checkKernelRange } from '../manifest/kernel-range';
import type { LoadedPlugins } from '../manifest/load-plugins';

import { loadPluginModule } from '../manifest/plugin-discovery';
import type { KernelLogger } from '../observability/kernel-logger';
import type { PackageCodec, TrustedKey, VerifiedPackage } from './package-codec';
import { grantedPublishPatterns } from './publish-grants';
import type { TrustLevel } from './install-store';
import { loadSandboxedPlugin, type SandboxBudgets, type SandboxStatus } from '../sandbox/plugin-sandbox';

/** A package verified, unpacked, validated against the running plugins and loaded: ready to start. */
export interface PreparedPlugin {
  readonly verified: VerifiedPackage;
  readonly manifest: PluginManifest;
  readonly plugin: VvPlugin;
  readonly dir: string;
  /** The dependency graph with this version in place of the running one. */
  readonly graph: PluginGraph;
  /** This prepare unpacked `dir` (it was not there with these bytes): a refusal removes it (`discard`). */
  readonly fresh: boolean;
  /** Set when the package runs sandboxed (its signer is not trusted `in-process`, or it is unsigned). */
  readonly sandbox?: SandboxStatus;
}

export interface LivePluginsDeps {
  readonly plugins: LoadedPlugins;
  readonly routers: Map<string, PluginRouter>;
  readonly staging: PluginStaging & { readonly grants: Map<string, readonly string[]> };
  readonly registry: ServiceRegistry;
  readonly lifecycle: PluginLifecycle;
  readonly database?: Database;
  readonly kernelVersion: string;
  /** `VV_DATA_DIR/plugins`: packages unpack to `<id>/<version>` below it. */
  readonly installDir: string;
  /** Folders of first-party plugins, whose `/api` entries packages may import. */
  readonly pluginDirs: readonly string[];
  readonly codec?: PackageCodec;
  readonly logger: KernelLogger;
  /** How long an old version may take to finish its in-flight requests before it is stopped anyway. */
  readonly drainMs: number;
  /** After a plugin's version changed here (or it left): caches built from its manifest (config schema) are dropped. */
  readonly onChanged?: (pluginId: string) => void;
  /** Budgets of a sandboxed plugin (operator defaults and per-plugin values). */
  readonly sandboxBudgets?: (pluginId: string) => Partial<SandboxBudgets>;
}

/**
 * The running plugin set of this instance, changed at run time: a package is verified, unpacked, checked against
 * what runs (id, version, kernel range, route prefixes, dependencies), migrated, loaded, set up and started beside
 * the version serving its id; then one synchronous step swaps the record, the router and the route prefixes (a
 * request looks all three up in one tick, so it sees the old set or the new one), and the old version drains and
 * stops. Anything that fails before the swap leaves the running version as it was.
 */
export class LivePlugins {
  /** Plugins installed at run time on this instance, with the version serving. */
  readonly installed = new Map<string, string>();
  private tail: Promise<unknown> = Promise.resolve();
  private hostModules: Promise<void> | undefined;

  constructor(private readonly deps: LivePluginsDeps) {}

  /** Runs `work` after every change queued before it: one change at a time per instance. */
  exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.tail.then(work, work);
    this.tail = run.catch(() => undefined);
    return run;
  }

  /** A plugin of VV_PLUGINS_DIR (or handed to the kernel inline): the installer leaves it alone. */
  isBuiltIn(pluginId: string): boolean {
    return this.deps.plugins.records.has(pluginId) && !this.installed.has(pluginId);
  }

  record(pluginId: string): PluginRecord | undefined {
    return this.deps.plugins.records.get(pluginId);
  }

  /**
   * Verifies the package and checks it against the running plugins; loads its module. Throws the refusal's code.
   *
   * @throws VvError `VV_PACKAGE_*`, `VV_SIGNATURE_INVALID`, `VV_SIGNER_UNTRUSTED` (from the codec), `VV_PACKAGE_MODIFIED`
   *   when id or version differ from the requested ones, `VV_KERNEL_INCOMPATIBLE`, `VV_ROUTE_CONFLICT`,
   *   `VV_PLUGIN_MISSING_DEPENDENCY` / `VV_PLUGIN_CYCLE`, `VV_MANIFEST_INVALID`
   */
  async prepare(
    pkg: Buffer,
    expected: { pluginId?: string; version?: string },
    trust: { trustedKeys: readonly (TrustedKey & { readonly trust?: TrustLevel })[]; allowUnsigned: boolean },
  ): Promise<PreparedPlugin> {
    const codec = this.deps.codec;
    if (!codec) throw new VvError('VV_DEPENDENCY_UNAVAILABLE', { params: { dependency: 'package codec', reason: 'this kernel was built without one' } });
    const verified = await codec.verify(pkg, { trustedKeys: trust.trustedKeys, allowUnsigned: trust.allowUnsigned });
    if ((expected.pluginId !== undefined && verified.pluginId !== expected.pluginId) || (expected.version !== undefined && verified.version !== expected.version)) {
      throw new VvError('VV_PACKAGE_MODIFIED', {
        params: {
          reason: `the package is ${verified.pluginId}@${verified.version}, not the requested ${expected.pluginId ?? verified.pluginId}@${expected.version ?? verified.version}`,
        },
      });
    }
    const id = verified.pluginId;
    if (this.isBuiltIn(id)) {
      throw new VvError('VV_CONFLICT', { params: { reason: `plugin "${id}" ships with this host (VV_PLUGINS_DIR); it cannot be installed, upgraded or removed at run time` } });
    }
    await this.ensureHostModules();
    const { dir, fresh } = await this.unpack(verified);
    try {
      const manifest = validateManifest(JSON.parse(readFileSync(join(dir, 'plugin.json'), 'utf8')), join(dir, 'plugin.json'));
      checkKernelRange(manifest, this.deps.kernelVersion);
      this.deps.plugins.ownership.check(id, manifest.routes ?? []);
      const others = [...this.deps.plugins.records.values()].filter((r) => r.id !== id && !r.id.startsWith('invalid:')).map((r) => r.manifest);
      const invalid = new Map(
        [...this.deps.plugins.records.values()].filter((r) => r.id !== id && (r.state === 'failed' || r.state === 'blocked') && r.error).map((r) => [r.id, r.error!]),
      );
      const graph = PluginGraph.build([...others, manifest], { kernelVersion: this.deps.kernelVersion, invalid });
      const entry = graph.get(id);
      if (entry && entry.status !== 'ok')
        throw entry.error ?? new VvError('VV_PLUGIN_FAILED', { params: { plugin: id, state: entry.status, reason: entry.reason ?? entry.status } });
      // Trust decides where the code runs: keys the operator marked `in-process` in the host, everything else sandboxed.
      const signer = verified.signer ? trust.trustedKeys.find((k) => k.keyId === verified.signer!.keyId) : undefined;
      if (signer && (signer.trust ?? 'in-process') === 'in-process') {
        return { verified, manifest, plugin: loadPluginModule(resolve(dir, manifest.main)), dir, graph, fresh };
      }
      const sandboxed = await loadSandboxedPlugin({
        pluginId: id,
        dir,
        entry: resolve(dir, manifest.main),
        logger: this.deps.logger,
        budgets: this.deps.sandboxBudgets?.(id),
      });
      return { verified, manifest, plugin: sandboxed.plugin, dir, graph, fresh, sandbox: sandboxed.sandbox };
    } catch (error) {
      await this.discardDir(id, verified.version, dir, fresh);
      throw error;
    }
  }

  /** A refused install leaves nothing behind: removes the folder `prepare` unpacked for it (never the running version's). */
  async discard(prepared: PreparedPlugin): Promise<void> {
    if (prepared.sandbox && prepared.sandbox.state !== 'stopped') await prepared.plugin.stop?.();
    return this.discardDir(prepared.manifest.id, prepared.manifest.version, prepared.dir, prepared.fresh);
  }

  private async discardDir(pluginId: string, version: string, dir: string, fresh: boolean): Promise<void> {
    if (!fresh || this.installed.get(pluginId) === version) return;
    await rm(dir, { recursive: true, force: true });
    for (const file of Object.keys(require.cache)) if (file.startsWith(`${dir}${sep}`)) delete require.cache[file];
    // The plugin's own folder too, when this was its only version here.
    await rmdir(join(this.deps.installDir, pluginId)).catch(() => undefined);
  }

  /** Names of the plugin's migrations applied in its schema (none when it has no schema yet). */
  async appliedMigrations(pluginId: string): Promise<string[]> {
    const db = this.deps.database;
    if (!db) return [];
    const schema = pluginSchemaOf(pluginId);
    const [exists] = await db.execute<{ found: string | null }>('select to_regclass($1) as found', [`"${schema}".mikro_orm_migrations`]);
    if (!exists?.found) return [];
    return (await db.execute<{ name: string }>(`select name from "${schema}".mikro_orm_migrations order by id`)).map((r) => r.name);
  }

  /**
   * Migrations applied that `prepared` does not know (a downgrade would leave them applied), oldest first.
   */
  async newerMigrations(prepared: PreparedPlugin): Promise<string[]> {
    const known = new Set((prepared.plugin.database?.migrations ?? []).map((m) => m.name));
    return (await this.appliedMigrations(prepared.manifest.id)).filter((name) => !known.has(name));
  }

  /**
   * Roll-back: runs the `down` steps of the migrations the running version applied and `target` does not know,
   * newest first, in one transaction, with the running version's module (only it has them).
   */
  async revertNewerMigrations(target: PreparedPlugin): Promise<string[]> {
    const running = this.record(target.manifest.id);
    const newer = await this.newerMigrations(target);
    if (newer.length === 0) return [];
    const model = running?.plugin?.database;
    if (!this.deps.database || !running || !model || !newer.every((name) => model.migrations.some((m) => m.name === name))) {
      throw new VvError('VV_DOWNGRADE_REFUSED', {
        params: { plugin: target.manifest.id, version: target.manifest.version, migrations: newer.join(', '), reason: 'the running version cannot revert them' },
      });
    }
    const reverted = await revertPluginDataModel(this.deps.database, running.manifest, model, newer[0]!);
    this.deps.logger.info({ plugin: target.manifest.id, reverted }, `plugin "${target.manifest.id}": reverted migrations for the roll-back`);
    return reverted;
  }

  /**
   * Migrates (forward, one transaction), sets up and starts `prepared` beside the running version, swaps it in and
   * drains and stops the old one. A failure before the swap reverts the migrations this call applied and throws.
   */
  async activate(prepared: PreparedPlugin, approvedPermissions: readonly string[]): Promise<void> {
    const { manifest, plugin, dir, graph } = prepared;
    const id = manifest.id;
    const { staging, registry, lifecycle, plugins, routers } = this.deps;
    const applied = await this.migrate(prepared);
    const record: PluginRecord = { id, dir, manifest, plugin, state: 'installed', since: new Date().toISOString(), sandbox: prepared.sandbox };
    staging.ids.add(id);
    staging.grants.set(id, grantedPublishPatterns(manifest, approvedPermissions));
    staging.routers.delete(id);
    registry.forget(id);
    try {
      await lifecycle.startStaged(record, graph);
    } finally {
      staging.ids.delete(id);
    }
    if (record.state !== 'running') {
      await lifecycle.stopOne(record);
      staging.routers.delete(id);
      await this.revertApplied(record, applied);
      throw record.error ?? new VvError('VV_PLUGIN_FAILED', { params: { plugin: id, state: record.state, reason: 'it did not start' } });
    }
    const router = staging.routers.get(id);
    staging.routers.delete(id);
    router?.seal();
    const old = plugins.records.get(id);
    // The swap: synchronous, so that no request sees a mix of the old and the new version.
    plugins.ownership.replace(id, manifest.routes ?? []);
    if (router) routers.set(id, router);
    else routers.delete(id);
    plugins.records.set(id, record);
    plugins.graph = graph;
    this.installed.set(id, manifest.version);
    this.deps.onChanged?.(id);
    if (old) {
      await this.drain(old);
      await lifecycle.stopOne(old);
    }
    this.deps.logger.info({ plugin: id, version: manifest.version, previous: old?.manifest.version, applied }, `plugin "${id}" ${manifest.version} is serving`);
  }

  /** Stops an installed plugin and forgets it on this instance: its routes answer 404 from the next request on. */
  async deactivate(pluginId: string): Promise<void> {
    const { plugins, routers, registry, lifecycle, staging } = this.deps;
    const old = plugins.records.get(pluginId);
    plugins.ownership.release(pluginId);
    routers.delete(pluginId);
    plugins.records.delete(pluginId);
    this.installed.delete(pluginId);
    staging.grants.delete(pluginId);
    this.deps.onChanged?.(pluginId);
    plugins.graph = PluginGraph.build(
      [...plugins.records.values()].filter((r) => !r.id.startsWith('invalid:')).map((r) => r.manifest),
      { kernelVersion: this.deps.kernelVersion },
    );
    if (!old) return;
    await this.drain(old);
    await lifecycle.stopOne(old);
    lifecycle.forget(pluginId);
    registry.withdraw(pluginId);
    registry.forget(pluginId);
  }

  /** Deletes the unpacked versions of a purged plugin. */
  async removeFiles(pluginId: string): Promise<void> {
    await rm(join(this.deps.installDir, pluginId), { recursive: true, force: true });
  }

  /** Forward migrations of the new version, in one transaction (rolled back when one fails). */
  private async migrate({ manifest, plugin }: PreparedPlugin): Promise<string[]> {
    const database = this.deps.database;
    if (!plugin.database || !database || !manifest.permissions?.includes('db')) return [];
    const schema = pluginSchemaOf(manifest.id);
    const [before] = await database.execute<{ found: string | null }>('select to_regnamespace($1)::text as found', [schema]);
    try {
      return await installPluginDataModel(database, manifest, plugin.database);
    } catch (error) {
      // A first install whose migration failed leaves no schema (it is created before the migrations' transaction).
      if (!before?.found) await database.execute(`drop schema if exists "${schema}" cascade`).catch(() => undefined);
      if (isVvError(error)) throw error;
      throw new VvError('VV_MIGRATION_FAILED', { params: { plugin: manifest.id, version: manifest.version, reason: (error as Error)?.message ?? String(error) }, cause: error });
    }
  }

  private async revertApplied(record: PluginRecord, applied: readonly string[]): Promise<void> {
    if (applied.length === 0 || !this.deps.database || !record.plugin?.database) return;
    try {
      await revertPluginDataModel(this.deps.database, record.manifest, record.plugin.database, applied[0]!);
    } catch (error) {
      this.deps.logger.error({ err: error, plugin: record.id, applied }, `plugin "${record.id}": could not revert the migrations of a failed install`);
    }
  }

  /** Waits until the record serves no request (or `drainMs` passed). */
  private async drain(record: PluginRecord): Promise<void> {
    const deadline = Date.now() + this.deps.drainMs;
    while ((record.inFlight ?? 0) > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    if ((record.inFlight ?? 0) > 0)
      this.deps.logger.warn({ plugin: record.id, inFlight: record.inFlight }, `plugin "${record.id}": stopping the old version with requests in flight`);
  }

  /** Unpacks to `<installDir>/<id>/<version>` once per integrity: through a temporary folder, renamed into place. */
  private async unpack(verified: VerifiedPackage): Promise<{ dir: string; fresh: boolean }> {
    const dir = join(this.deps.installDir, verified.pluginId, verified.version);
    const marker = join(dir, '.vv-integrity');
    if (existsSync(marker) && (await readFile(marker, 'utf8')) === verified.integrity) return { dir, fresh: false };
    const staging = `${dir}.tmp-${randomBytes(4).toString('hex')}`;
    await mkdir(dirname(dir), { recursive: true });
    try {
      await this.deps.codec!.unpack(verified, staging);
      await writeFile(join(staging, '.vv-integrity'), verified.integrity);
      await rm(dir, { recursive: true, force: true });
      await rename(staging, dir);
      // Other bytes under a version already loaded in this process (a re-upload): load them, not the cached module.
      for (const file of Object.keys(require.cache)) if (file.startsWith(`${dir}${sep}`)) delete require.cache[file];
    } catch (error) {
      await rm(staging, { recursive: true, force: true });
      throw isVvError(error) ? error : new VvError('VV_PACKAGE_INVALID', { params: { reason: `unpacking failed: ${(error as Error).message}` }, cause: error });
    }
    return { dir, fresh: true };
  }

  /**
   * `<installDir>/node_modules/…`: links to the host's SDK, the first-party plugins' packages (for their `/api`
   * entries) and the host's `@mikro-orm/core` (a plugin's `EntitySchema` must be the class the host's ORM knows),
   * which Node finds walking up from an unpacked package. Packing leaves exactly these out of the bundle.
   */
  private ensureHostModules(): Promise<void> {
    this.hostModules ??= (async () => {
      const modules = join(this.deps.installDir, 'node_modules');
      const links = new Map<string, string>([
        ['@valueverse/plugin-sdk', packageRoot(require.resolve('@valueverse/plugin-sdk'))],
        // Resolved from the kernel: the copy its data layer registers plugin entities with.
        ['@mikro-orm/core', packageRoot(require.resolve('@mikro-orm/core'))],
      ]);
      for (const pluginsDir of this.deps.pluginDirs) {
        for (const entry of await readdir(pluginsDir, { withFileTypes: true }).catch(() => [])) {
          if (!entry.isDirectory()) continue;
          const folder = join(pluginsDir, entry.name);
          const name = readPackageName(folder);
          if (name?.startsWith('@valueverse/plugin-')) links.set(name, resolve(folder));
        }
      }
      for (const [name, target] of links) {
        await mkdir(dirname(join(modules, name)), { recursive: true });
        await linkTo(join(modules, name), target);
      }
    })();
    // A failure (the folder cannot be written yet) is retried by the next install, not remembered.
    this.hostModules.catch(() => {
      this.hostModules = undefined;
    });
    return this.hostModules;
  }
}

function readPackageName(folder: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8')) as { name?: string }).name;
  } catch {
    return undefined;
  }
}

/** The folder holding the package.json of the package a file belongs to. */
function packageRoot(file: string): string {
  let dir = dirname(file);
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

/** A symlink at `path` to `target`, replacing one that points elsewhere (the host moved). */
async function linkTo(path: string, target: string): Promise<void> {
  const current = await lstat(path).catch(() => undefined);
  if (current?.isSymbolicLink() && (await readlink(path)) === target) return;
  if (current) await unlink(path).catch(() => rm(path, { recursive: true, force: true }));
  await symlink(target, path, 'dir').catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error;
  });
}
