import type { PluginConfigSchema, PluginManifest } from '@valueverse/plugin-sdk';
import type { PluginRecord } from '../lifecycle/plugin-state';

/** What tenancy needs to know about installed plugins. */
export interface PluginCatalog {
  get(pluginId: string): PluginRecord | undefined;
  all(): readonly PluginRecord[];
  /** Plugins `pluginId` requires, transitively, requirements first. */
  requirementsOf(pluginId: string): readonly string[];
  /** Plugins that require `pluginId`, transitively. */
  dependantsOf(pluginId: string): readonly string[];
}

/** Encrypts, decrypts and masks the `x-secret` fields of a plugin config (implemented by SecretBox). */
export interface ConfigSecrets {
  sealConfig(config: Readonly<Record<string, unknown>>, schema: PluginConfigSchema | undefined): Record<string, unknown>;
  openConfig(config: Readonly<Record<string, unknown>>, schema: PluginConfigSchema | undefined): Record<string, unknown>;
  maskConfig(config: Readonly<Record<string, unknown>>, schema: PluginConfigSchema | undefined): Record<string, unknown>;
  /** Seals one secret string (AES-256-GCM), e.g. a TOTP secret. */
  seal(plaintext: string): string;
  open(sealed: string): string;
}

export type { PluginManifest };
