import manifestSchema from './manifest.schema.json';

/** JSON Schema (draft-07) of `plugin.json`. The kernel validates every manifest against it, strictly. */
export const pluginManifestSchema: Readonly<Record<string, unknown>> = manifestSchema;

/** One navigation entry a plugin adds to the workspace shell. */
export interface PluginNavEntry {
  readonly label: string;
  /** Route path in the workspace, e.g. `commitments`. */
  readonly path: string;
  readonly icon?: string;
  /** Custom element tag rendered for this entry (third-party pages). */
  readonly element?: string;
}

/**
 * JSON Schema of a plugin's per-tenant configuration; `x-secret: true` marks secrets, and `x-secret-bound-to:
 * ["baseUrl"]` (on a secret) names the sibling properties that say where the secret is sent: changing one of them
 * requires sending the secret again, never the mask `"••••"`.
 */
export interface PluginConfigSchema {
  readonly type: 'object';
  readonly properties?: Record<string, Record<string, unknown>>;
  readonly required?: readonly string[];
  readonly [keyword: string]: unknown;
}

/** The parsed `plugin.json` of a plugin. See `manifest.schema.json` for the rules. */
export interface PluginManifest {
  readonly id: string;
  readonly version: string;
  readonly displayName: string;
  readonly description?: string;
  /** Kernel API semver range, e.g. `^1.0.0`. */
  readonly kernel: string;
  readonly main: string;
  readonly requires?: Readonly<Record<string, string>>;
  readonly optional?: Readonly<Record<string, string>>;
  readonly provides?: readonly string[];
  /**
   * Ids of multi-provider service refs (`createServiceRef({ multiple: true })`) the plugin depends on, e.g.
   * `["ai.chat"]`. Providers are not named: the plugin gets every running provider and picks per tenant.
   */
  readonly uses?: readonly string[];
  /**
   * `db`, `jobs`, `audit`, `http.outbound`, `http.public` (to register public routes, `access: 'public'`),
   * `events.publish:<pattern>`, `events.subscribe:<pattern>`.
   */
  readonly permissions?: readonly string[];
  /**
   * Where the plugin may call through `coreServices.outbound` (required with permission `http.outbound`, refused
   * without it). `origins`: fixed `https://host[:port]` (or `http://`) origins, `*.` matching any subdomain;
   * `configFields`: config properties holding a URL (e.g. `baseUrl`, or `slack.webhookUrl` inside an object) whose origin the plugin may call for
   * that tenant. Destinations in config fields are checked when the config is saved, too.
   */
  readonly outbound?: { readonly origins?: readonly string[]; readonly configFields?: readonly string[] };
  readonly config?: PluginConfigSchema;
  /** Path prefixes under `/api/v1` that this plugin owns. */
  readonly routes?: readonly string[];
  readonly ui?: { readonly nav?: readonly PluginNavEntry[]; readonly elements?: string };
}
