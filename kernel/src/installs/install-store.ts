/**
 * How far a deployment trusts a publisher key: `in-process` packages run inside the host like first-party plugins;
 * `sandboxed` packages (and unsigned ones) run each in its own sandbox process with only the SDK services their
 * manifest declares (kernel/src/sandbox, docs/sandbox.md). The admin API shows the level of every install.
 */
export type TrustLevel = 'in-process' | 'sandboxed';

/** The trust an install ends up with: its signer's level, or `unsigned` when VV_ALLOW_UNSIGNED_PLUGINS admitted it. */
export type InstallTrust = TrustLevel | 'unsigned';

/** Desired state of one installed package, shared by every instance (`kernel.installs`). */
export interface InstallRecord {
  readonly pluginId: string;
  readonly version: string;
  /** The version this one replaced (what a roll-back returns to); null for a first install. */
  readonly previousVersion: string | null;
  /** `sha512-<base64>` of the package file. */
  readonly integrity: string;
  readonly signerKeyId: string | null;
  readonly trust: InstallTrust;
  readonly source: 'registry' | 'upload';
  /** Permissions outside the plugin's own namespace that an operator approved (e.g. `events.publish:commitment.*`). */
  readonly approvedPermissions: readonly string[];
  readonly approvedBy: string | null;
  /** `installed`, or `uninstalled`: stopped everywhere, its data kept until `purgeAfter`. */
  readonly state: 'installed' | 'uninstalled';
  readonly requestedBy: string;
  readonly requestedAt: string;
  readonly purgeAfter: string | null;
}

/** What one instance made of the desired state of one plugin. */
export interface InstanceInstallState {
  readonly pluginId: string;
  readonly instanceId: string;
  /** The version the instance serves (null when it serves none). */
  readonly version: string | null;
  readonly state: 'running' | 'failed' | 'removed';
  readonly error: { readonly code: string; readonly message: string } | null;
  readonly updatedAt: string;
}

/** A package file as installed: its bytes, their integrity, and where they came from. */
export interface StoredPackage {
  readonly integrity: string;
  readonly source: InstallRecord['source'];
  readonly bytes: Buffer;
}

export interface TrustedKeyRecord {
  readonly keyId: string;
  readonly publicKeyPem: string;
  readonly name: string;
  readonly trust: TrustLevel;
  readonly addedBy: string;
  readonly addedAt: string;
}

/**
 * Where installs live: `kernel.installs`, `kernel.install_packages`, `kernel.install_instances` and
 * `kernel.trusted_keys` on PostgreSQL (`PostgresInstallStore`), or memory (one instance, tests).
 */
export interface InstallStore {
  /** Every install, uninstalled ones still retained included, by plugin id. */
  listInstalls(): Promise<InstallRecord[]>;
  getInstall(pluginId: string): Promise<InstallRecord | undefined>;
  /** Creates or replaces the install of `record.pluginId`. */
  saveInstall(record: InstallRecord): Promise<void>;
  /** Forgets the install, its stored packages and instance states (after a purge). */
  deleteInstall(pluginId: string): Promise<void>;
  /** Uninstalled installs whose `purgeAfter` is at or before `now`. */
  listPurgeDue(now: Date): Promise<InstallRecord[]>;

  /** Keeps an installed version's package file, so that every instance (and a later roll-back) reads it here. */
  savePackage(pluginId: string, version: string, pkg: StoredPackage): Promise<void>;
  getPackage(pluginId: string, version: string): Promise<StoredPackage | undefined>;

  setInstanceState(state: Omit<InstanceInstallState, 'updatedAt'>): Promise<void>;
  /** Instance states, of one plugin or of all. */
  listInstanceStates(pluginId?: string): Promise<InstanceInstallState[]>;

  listTrustedKeys(): Promise<TrustedKeyRecord[]>;
  /** Throws `VV_CONFLICT` when the key id is already trusted. */
  addTrustedKey(key: Omit<TrustedKeyRecord, 'addedAt'>): Promise<TrustedKeyRecord>;
  /** False when no such key was trusted. */
  removeTrustedKey(keyId: string): Promise<boolean>;
}
