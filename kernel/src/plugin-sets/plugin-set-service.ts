import { VvError, type FieldProblem, type PluginConfigSchema, type PluginManifest } from '@valueverse/plugin-sdk';
import type { SchemaValidator } from '../http/schema-validator';
import type { KernelStore, TenantPluginRecord } from '../tenancy/kernel-store';
import type { ConfigSecrets, PluginCatalog } from './plugin-catalog';
import { SECRET_MASK } from '../tenancy/secret-box';
import { assertSecretsRebound } from './secret-binding';

/** One installed plugin as a tenant sees it. */
export interface TenantPluginView {
  readonly pluginId: string;
  readonly displayName: string;
  readonly description?: string;
  readonly version: string;
  /** Kernel-wide state of the plugin (running, failed, blocked, ...). */
  readonly state: string;
  readonly error?: { code: string; message: string };
  readonly enabled: boolean;
  /** Config with secrets masked as "••••". */
  readonly config: Record<string, unknown>;
  readonly configSchema?: PluginConfigSchema;
  readonly requires: readonly string[];
  readonly dependants: readonly string[];
  readonly ui?: unknown;
}

export interface PluginChange {
  readonly enabled?: boolean;
  readonly config?: Record<string, unknown>;
}

export interface PluginSetPlan {
  readonly tenantId: string;
  /** What would change (or changed), cascaded plugins included. */
  readonly changes: readonly { pluginId: string; enabled: boolean; configChanged: boolean; reason: string }[];
}

/**
 * Enables, disables and configures plugins for a tenant, all-or-nothing: a plugin is enabled only with all it
 * requires (or `cascade` enables those too) and only with a config that validates; a plugin is disabled only
 * when no enabled plugin requires it (or `cascade` disables those too). The whole plan is written in one store call.
 */
export class PluginSetService {
  private readonly validators = new Map<string, (config: unknown) => FieldProblem[]>();

  constructor(
    private readonly store: KernelStore,
    private readonly catalog: PluginCatalog,
    private readonly secrets: ConfigSecrets,
    private readonly schemas: SchemaValidator,
    /** Called after every change written (not on dry runs), e.g. to publish `plugin-set.changed`. */
    private readonly onChanged?: (plan: PluginSetPlan) => Promise<void>,
    /** Refuses a config whose destinations (manifest `outbound.configFields`) are refused addresses. */
    private readonly checkDestinations?: (manifest: PluginManifest, config: Record<string, unknown>) => void,
  ) {}

  /** Drops what was compiled from a plugin's manifest (its config validator): it was installed again at another version. */
  forgetPlugin(pluginId: string): void {
    this.validators.delete(pluginId);
  }

  async list(tenantId: string): Promise<TenantPluginView[]> {
    await this.requireTenant(tenantId);
    const stored = new Map((await this.store.listTenantPlugins(tenantId)).map((r) => [r.pluginId, r]));
    return this.catalog.all().map((record) => {
      const row = stored.get(record.id);
      const schema = record.manifest.config;
      const config = row ? this.secrets.maskConfig(this.secrets.openConfig(row.config, schema), schema) : {};
      return {
        pluginId: record.id,
        displayName: record.manifest.displayName,
        description: record.manifest.description,
        version: record.manifest.version,
        state: record.state,
        error: record.error ? { code: record.error.code, message: record.error.message } : undefined,
        enabled: row?.enabled ?? false,
        config,
        configSchema: schema,
        requires: Object.keys(record.manifest.requires ?? {}),
        dependants: [...this.catalog.dependantsOf(record.id)],
        ui: record.manifest.ui,
      };
    });
  }

  /** Works out the change (validating everything) and, unless `dryRun`, writes it. */
  async change(tenantId: string, pluginId: string, change: PluginChange, options: { cascade: boolean; dryRun?: boolean }): Promise<PluginSetPlan> {
    await this.requireTenant(tenantId);
    const target = this.catalog.get(pluginId);
    if (!target) throw new VvError('VV_PLUGIN_UNKNOWN', { params: { plugin: pluginId } });
    const rows = new Map((await this.store.listTenantPlugins(tenantId)).map((r) => [r.pluginId, r]));
    const isEnabled = (id: string) => rows.get(id)?.enabled === true;
    const next = new Map<string, Omit<TenantPluginRecord, 'updatedAt'>>();
    const changes: { pluginId: string; enabled: boolean; configChanged: boolean; reason: string }[] = [];
    const enable = change.enabled ?? isEnabled(pluginId);

    if (enable) {
      const missing = this.catalog.requirementsOf(pluginId).filter((id) => !isEnabled(id));
      const notInstalled = Object.keys(target.manifest.requires ?? {}).filter((id) => !this.catalog.get(id));
      if (notInstalled.length > 0) {
        throw new VvError('VV_PLUGIN_MISSING_DEPENDENCY', {
          params: { plugin: pluginId, dependency: notInstalled.join(', '), range: '', reason: 'not installed on this platform' },
          extensions: { missing: notInstalled },
        });
      }
      if (missing.length > 0 && !options.cascade) {
        throw new VvError('VV_PLUGIN_MISSING_DEPENDENCY', {
          params: {
            plugin: pluginId,
            dependency: missing.join('", "'),
            range: missing.map((id) => target.manifest.requires?.[id] ?? '(transitive)').join(', '),
            reason: `not enabled for tenant "${tenantId}"; enable it first or pass ?cascade=true`,
          },
          extensions: { missing },
        });
      }
      for (const id of missing) {
        const existing = rows.get(id);
        const config = this.validated(id, existing ? this.secrets.openConfig(existing.config, this.schemaOf(id)) : {});
        next.set(id, this.record(tenantId, id, true, config));
        changes.push({ pluginId: id, enabled: true, configChanged: false, reason: `required by "${pluginId}"` });
      }
    } else {
      const dependants = this.catalog.dependantsOf(pluginId).filter(isEnabled);
      if (dependants.length > 0 && !options.cascade) {
        throw new VvError('VV_CONFLICT', {
          params: { reason: `Cannot disable "${pluginId}" for tenant "${tenantId}": enabled plugins require it: ${dependants.join(', ')}; pass ?cascade=true to disable them too` },
          extensions: { dependants },
        });
      }
      for (const id of dependants) {
        const existing = rows.get(id)!;
        next.set(id, { ...existing, enabled: false });
        changes.push({ pluginId: id, enabled: false, configChanged: false, reason: `requires "${pluginId}"` });
      }
    }

    const current = rows.get(pluginId);
    const currentConfig = current ? this.secrets.openConfig(current.config, target.manifest.config) : {};
    const merged = change.config === undefined ? currentConfig : this.keepSecrets(change.config, currentConfig, target.manifest.config);
    const config = enable || change.config !== undefined ? this.validated(pluginId, merged) : currentConfig;
    // A kept secret (sent as the mask, or left out) stays where it was sent: moving its destination needs the secret.
    if (change.config !== undefined) assertSecretsRebound(target.manifest.config, currentConfig, change.config, config);
    next.set(pluginId, this.record(tenantId, pluginId, enable, config));
    changes.unshift({ pluginId, enabled: enable, configChanged: change.config !== undefined, reason: 'requested' });

    if (options.dryRun) return { tenantId, changes };
    await this.store.saveTenantPlugins(tenantId, [...next.values()]);
    await this.onChanged?.({ tenantId, changes });
    return { tenantId, changes };
  }

  private async requireTenant(tenantId: string): Promise<void> {
    if (!(await this.store.getTenant(tenantId))) throw new VvError('VV_TENANT_UNKNOWN', { params: { tenant: tenantId } });
  }

  private schemaOf(pluginId: string): PluginConfigSchema | undefined {
    return this.catalog.get(pluginId)?.manifest.config;
  }

  private record(tenantId: string, pluginId: string, enabled: boolean, config: Record<string, unknown>): Omit<TenantPluginRecord, 'updatedAt'> {
    const manifest = this.catalog.get(pluginId)!.manifest;
    return { tenantId, pluginId, enabled, version: manifest.version, config: this.secrets.sealConfig(config, manifest.config), permissions: [...(manifest.permissions ?? [])] };
  }

  /**
   * A secret sent back as the mask (or left out) keeps its stored value: clients never see secrets to resend. A
   * secret sent as `null` is removed (then the schema decides whether the config is still valid without it).
   */
  private keepSecrets(incoming: Record<string, unknown>, current: Record<string, unknown>, schema: PluginConfigSchema | undefined): Record<string, unknown> {
    const result: Record<string, unknown> = { ...incoming };
    for (const [key, property] of Object.entries(schema?.properties ?? {})) {
      if (property['x-secret'] !== true) {
        // Secrets at any depth (notifications' `email.smtp.password`): before, a nested mask was stored as "••••".
        const [sent, stored] = [result[key], current[key]];
        if (property.properties && isPlainObject(sent)) result[key] = this.keepSecrets(sent, isPlainObject(stored) ? stored : {}, property as PluginConfigSchema);
        continue;
      }
      if (result[key] === null) {
        delete result[key];
        continue;
      }
      if ((result[key] === undefined || result[key] === SECRET_MASK) && current[key] !== undefined) result[key] = current[key];
      if (result[key] === SECRET_MASK) delete result[key];
    }
    return result;
  }

  /** Validates (applying schema defaults) against the plugin's config schema; VV_CONFIG_INVALID with pointers. */
  private validated(pluginId: string, config: Record<string, unknown>): Record<string, unknown> {
    const schema = this.schemaOf(pluginId);
    if (!schema) return config;
    let validate = this.validators.get(pluginId);
    if (!validate) {
      validate = this.schemas.compile(schema, 'config');
      this.validators.set(pluginId, validate);
    }
    const copy = structuredClone(config);
    const problems = validate(copy);
    if (problems.length > 0) {
      throw new VvError('VV_CONFIG_INVALID', {
        params: { subject: `plugin "${pluginId}"`, problems: problems.map((p) => `${p.pointer || '/'} ${p.message}`).join('; ') },
        errors: problems,
        extensions: { plugin: pluginId },
      });
    }
    this.checkDestinations?.(this.catalog.get(pluginId)!.manifest, copy);
    return copy;
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
