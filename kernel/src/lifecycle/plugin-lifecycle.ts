import { VvError, isVvError, type PluginManifest, type PluginPrivacy, type ServiceRef } from '@valueverse/plugin-sdk';
import type { ServiceRegistry } from '../di/service-registry';
import type { KernelLogger } from '../observability/kernel-logger';
import type { PluginRecord, PluginState } from './plugin-state';
import { withTimeout } from './with-timeout';

export interface LifecycleTimeouts {
  readonly setupMs: number;
  readonly startMs: number;
  readonly stopMs: number;
}

/** What the lifecycle needs of the dependency graph. */
export interface LifecycleGraph {
  /** Plugin ids in dependency order (requirements first). */
  readonly order: readonly string[];
  /** Transitive dependants (plugins that require `id`, directly or not). */
  dependantsOf(id: string): readonly string[];
  providerOf(refId: string): string | undefined;
}

/**
 * Runs setup → start for every plugin in dependency order and stop in reverse start order, each phase under a
 * timeout. A plugin that throws or times out is `failed`; every plugin that requires it is `blocked`; everything
 * else starts (Backstage BackendStartupError: start what can start, then report every failure at once).
 */
export class PluginLifecycle {
  private readonly started: string[] = [];

  constructor(
    private readonly records: Map<string, PluginRecord>,
    private readonly registry: ServiceRegistry,
    private readonly timeouts: LifecycleTimeouts,
    private readonly logger: KernelLogger,
    /** Runs before a plugin's setup (installs its data model); a throw fails the plugin like a failing setup. */
    private readonly beforeSetup: (record: PluginRecord) => Promise<void> = async () => {},
  ) {}

  async startAll(graph: LifecycleGraph): Promise<PluginRecord[]> {
    for (const id of graph.order) {
      const record = this.records.get(id);
      if (!record || record.state !== 'installed') continue;
      await this.setup(record, graph);
    }
    for (const id of graph.order) {
      const record = this.records.get(id);
      if (!record || record.state !== 'ready') continue;
      await this.start(record, graph);
    }
    const failures = [...this.records.values()].filter((r) => r.state === 'failed' || r.state === 'blocked');
    if (failures.length > 0) {
      this.logger.error(
        { failures: failures.map((r) => ({ plugin: r.id, state: r.state, code: r.error?.code, error: r.error?.message })) },
        `${failures.length} plugin(s) did not start; the others are serving`,
      );
    }
    return failures;
  }

  /**
   * Sets up and starts one plugin installed at run time, beside whatever serves under its id now: a failure marks
   * only `record` failed (nothing it provides is withdrawn, no dependant is blocked), so the running version and
   * its dependants are untouched. The caller swaps the record in when it ends `running`. The installer migrated its
   * data model already (to report a failing migration as such), so the `beforeSetup` hook does not run.
   */
  async startStaged(record: PluginRecord, graph: LifecycleGraph): Promise<void> {
    await this.setup(record, graph, true);
    if (record.state === 'ready') await this.start(record, graph, true);
  }

  /** Stops one plugin (uninstalled, or the old version after an upgrade); a failing stop is logged. */
  async stopOne(record: PluginRecord): Promise<void> {
    const wasFailed = record.state === 'failed' || record.state === 'blocked';
    if (!wasFailed) this.transition(record, 'stopping');
    try {
      if (record.plugin?.stop) await withTimeout(() => record.plugin!.stop!(), this.timeouts.stopMs, record.id, 'stop');
    } catch (error) {
      this.logger.error({ err: error, plugin: record.id }, `plugin "${record.id}" failed to stop cleanly`);
    }
    if (!wasFailed) this.transition(record, 'stopped');
  }

  /** After `stopOne` of an uninstalled plugin: it is no longer stopped at shutdown. */
  forget(pluginId: string): void {
    const at = this.started.indexOf(pluginId);
    if (at !== -1) this.started.splice(at, 1);
  }

  private async setup(record: PluginRecord, graph: LifecycleGraph, staged = false): Promise<void> {
    const plugin = record.plugin;
    if (!plugin)
      return this.fail(record, new VvError('VV_PLUGIN_FAILED', { params: { plugin: record.id, state: 'failed', reason: 'no module loaded' } }), graph, undefined, staged);
    this.transition(record, 'setting-up');
    try {
      if (!staged) await this.beforeSetup(record);
      const deps = this.registry.resolveDependencies(
        record.manifest,
        plugin.deps,
        (refId) => graph.providerOf(refId),
        (pluginId) => {
          const state = this.records.get(pluginId)?.state;
          return state === 'ready' || state === 'running';
        },
      );
      const manifest: PluginManifest = record.manifest;
      let open = true;
      const registrar = {
        provide: <T>(ref: ServiceRef<T>, implementation: T) => {
          // A plugin whose setup timed out may still call provide later; the kernel has moved on without it.
          if (!open) throw new VvError('VV_PLUGIN_FAILED', { params: { plugin: manifest.id, state: record.state, reason: 'setup already ended' } });
          this.registry.provide(manifest, ref as ServiceRef<unknown>, implementation);
        },
        privacy: (handlers: PluginPrivacy) => {
          if (!open) throw new VvError('VV_PLUGIN_FAILED', { params: { plugin: manifest.id, state: record.state, reason: 'setup already ended' } });
          record.privacy = handlers;
        },
        onReseal: (hook: (tenantId: string) => Promise<void> | void) => {
          if (!open) throw new VvError('VV_PLUGIN_FAILED', { params: { plugin: manifest.id, state: record.state, reason: 'setup already ended' } });
          record.reseal = hook;
        },
      };
      try {
        await withTimeout(() => plugin.setup(deps, registrar), this.timeouts.setupMs, record.id, 'setup');
      } finally {
        open = false;
      }
      // Data the kernel could not export, erase or purge must not be collected at all.
      if (manifest.personalData === true && !record.privacy) throw new VvError('VV_PRIVACY_HANDLERS_MISSING', { params: { plugin: manifest.id } });
      this.transition(record, 'ready');
    } catch (error) {
      this.fail(record, error, graph, 'setup', staged);
    }
  }

  private async start(record: PluginRecord, graph: LifecycleGraph, staged = false): Promise<void> {
    const started = () => {
      if (!this.started.includes(record.id)) this.started.push(record.id);
    };
    try {
      if (record.plugin?.start) await withTimeout(() => record.plugin!.start!(), this.timeouts.startMs, record.id, 'start');
      started();
      this.transition(record, 'running');
    } catch (error) {
      // It ran setup: still give it a chance to release resources at stop (a staged one is stopped by its installer).
      if (!staged) started();
      this.fail(record, error, graph, 'start', staged);
    }
  }

  /** Stops plugins in reverse start order; a failing or hanging stop is logged and does not hold up the others. */
  async stopAll(): Promise<void> {
    for (const id of [...this.started].reverse()) {
      const record = this.records.get(id);
      if (!record) continue;
      const wasFailed = record.state === 'failed' || record.state === 'blocked';
      if (!wasFailed) this.transition(record, 'stopping');
      try {
        if (record.plugin?.stop) await withTimeout(() => record.plugin!.stop!(), this.timeouts.stopMs, record.id, 'stop');
      } catch (error) {
        this.logger.error({ err: error, plugin: id }, `plugin "${id}" failed to stop cleanly`);
      }
      if (!wasFailed) this.transition(record, 'stopped');
    }
    this.started.length = 0;
  }

  private fail(record: PluginRecord, error: unknown, graph: LifecycleGraph, phase?: string, staged = false): void {
    const vv = isVvError(error)
      ? error
      : new VvError('VV_PLUGIN_FAILED', {
          params: { plugin: record.id, state: 'failed', reason: `${phase ?? 'lifecycle'} threw: ${(error as Error)?.message ?? String(error)}` },
          cause: error,
        });
    record.error = vv;
    this.transition(record, 'failed');
    this.logger.error({ err: error, plugin: record.id, phase, code: vv.code, staged }, `plugin "${record.id}" failed: ${vv.message}`);
    if (staged) return;
    this.registry.withdraw(record.id);
    for (const dependant of graph.dependantsOf(record.id)) {
      const other = this.records.get(dependant);
      if (!other || other.state === 'failed' || other.state === 'blocked') continue;
      other.error = new VvError('VV_PLUGIN_FAILED', {
        params: { plugin: dependant, state: 'blocked', reason: `it requires "${record.id}", which failed: ${vv.message}` },
      });
      this.registry.withdraw(dependant);
      this.transition(other, 'blocked');
    }
  }

  /** Told of every transition (the kernel counts them: `vv_plugin_transitions_total`). */
  onTransition?: (pluginId: string, state: PluginState) => void;

  private transition(record: PluginRecord, state: PluginState): void {
    record.state = state;
    record.since = new Date().toISOString();
    this.onTransition?.(record.id, state);
  }
}
