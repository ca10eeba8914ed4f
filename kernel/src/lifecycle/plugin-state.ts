import type { PluginManifest, PluginPrivacy, VvError, VvPlugin } from '@valueverse/plugin-sdk';
import type { SandboxStatus } from '../sandbox/plugin-sandbox';

/**
 * installed → setting-up → ready (setup done) → running (started) → stopped.
 * failed: its own manifest, setup or start failed. blocked: a plugin it requires is failed or blocked.
 */
export type PluginState = 'installed' | 'setting-up' | 'ready' | 'running' | 'stopping' | 'stopped' | 'failed' | 'blocked';

export const pluginStates: readonly PluginState[] = ['installed', 'setting-up', 'ready', 'running', 'stopping', 'stopped', 'failed', 'blocked'];

/** The kernel's record of one installed plugin. */
export interface PluginRecord {
  readonly id: string;
  readonly dir?: string;
  manifest: PluginManifest;
  plugin?: VvPlugin;
  state: PluginState;
  error?: VvError;
  /** When the state last changed (ISO). */
  since: string;
  /** Requests its handlers are serving now (asynchronously): an upgrade or uninstall waits for 0 before it stops it. */
  inFlight?: number;
  /** The privacy contract the plugin registered in setup (`registrar.privacy`). */
  privacy?: PluginPrivacy;
  /** The plugin's part of an encryption-key re-seal, per tenant (`registrar.onReseal`). */
  reseal?: (tenantId: string) => Promise<void> | void;
  /** Set when the plugin runs sandboxed (an untrusted package): its sandbox's state, restarts and budget hits. */
  sandbox?: SandboxStatus;
}
