import type { PluginManifest } from '@valueverse/plugin-sdk';

const defaultPort = (protocol: string): string => (protocol === 'https:' ? '443' : '80');

/** The origin parts of a URL: scheme, lower-case host without brackets, port with the scheme's default filled in. */
function partsOf(url: URL): { protocol: string; host: string; port: string } {
  return { protocol: url.protocol, host: url.hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase(), port: url.port || defaultPort(url.protocol) };
}

/**
 * True when `url` has the origin `pattern` names: same scheme, same port (the scheme's default when none is written),
 * and the same host, or for `https://*.example.com` any host ending in `.example.com` (not the apex itself).
 */
export function originMatches(pattern: string, url: URL): boolean {
  const match = /^(https?:)\/\/(\*\.)?([^:]+)(?::(\d+))?$/.exec(pattern);
  if (!match) return false;
  const [, protocol, wildcard, host, port] = match;
  const target = partsOf(url);
  if (target.protocol !== protocol || target.port !== (port ?? defaultPort(protocol!))) return false;
  return wildcard ? target.host.endsWith(`.${host}`) : target.host === host;
}

/** True when `url` has the same origin as the URL written in `configured` (a tenant's config value). */
export function sameOrigin(configured: unknown, url: URL): boolean {
  if (typeof configured !== 'string') return false;
  let base: URL;
  try {
    base = new URL(configured);
  } catch {
    return false;
  }
  const a = partsOf(base);
  const b = partsOf(url);
  return a.protocol === b.protocol && a.host === b.host && a.port === b.port;
}

/**
 * The value a plugin sees for a config field: the tenant's, else the schema default (config stored before it
 * existed). A dotted field (`slack.webhookUrl`) is read through nested objects.
 */
export function configValue(manifest: PluginManifest, config: Readonly<Record<string, unknown>>, field: string): unknown {
  let value: unknown = config;
  let schema: unknown = manifest.config;
  for (const key of field.split('.')) {
    const properties = (schema as { properties?: Record<string, unknown> } | undefined)?.properties;
    schema = properties?.[key];
    const own = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
    value = own ?? (schema as { default?: unknown } | undefined)?.default;
  }
  return value;
}

/**
 * Whether the manifest's `outbound` allowlist lets the plugin call `url`: one of its fixed `origins`, or (for a
 * call made for a tenant) the origin of that tenant's value of one of its `configFields`.
 */
export function allowlistAllows(manifest: PluginManifest, url: URL, tenantConfig: Readonly<Record<string, unknown>> | undefined): boolean {
  const outbound = manifest.outbound;
  if (!outbound) return false;
  if ((outbound.origins ?? []).some((pattern) => originMatches(pattern, url))) return true;
  if (!tenantConfig) return false;
  return (outbound.configFields ?? []).some((field) => sameOrigin(configValue(manifest, tenantConfig, field), url));
}
