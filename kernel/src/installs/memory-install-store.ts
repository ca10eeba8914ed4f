import { VvError } from '@valueverse/plugin-sdk';
import type { InstallRecord, InstallStore, InstanceInstallState, StoredPackage, TrustedKeyRecord } from './install-store';

/** `InstallStore` in memory: one instance, tests and the embedded SDK harness. Same semantics as the PostgreSQL one. */
export class MemoryInstallStore implements InstallStore {
  private readonly installs = new Map<string, InstallRecord>();
  private readonly packages = new Map<string, StoredPackage>();
  private readonly instances = new Map<string, InstanceInstallState>();
  private readonly keys = new Map<string, TrustedKeyRecord>();

  constructor(private readonly now: () => Date = () => new Date()) {}

  async listInstalls(): Promise<InstallRecord[]> {
    return [...this.installs.values()].sort((a, b) => (a.pluginId < b.pluginId ? -1 : a.pluginId > b.pluginId ? 1 : 0));
  }

  async getInstall(pluginId: string): Promise<InstallRecord | undefined> {
    return this.installs.get(pluginId);
  }

  async saveInstall(record: InstallRecord): Promise<void> {
    this.installs.set(record.pluginId, { ...record, approvedPermissions: [...record.approvedPermissions] });
  }

  async deleteInstall(pluginId: string): Promise<void> {
    this.installs.delete(pluginId);
    for (const key of [...this.packages.keys()]) if (key.startsWith(`${pluginId}@`)) this.packages.delete(key);
    for (const [key, state] of [...this.instances]) if (state.pluginId === pluginId) this.instances.delete(key);
  }

  async listPurgeDue(now: Date): Promise<InstallRecord[]> {
    return (await this.listInstalls()).filter((r) => r.state === 'uninstalled' && r.purgeAfter !== null && new Date(r.purgeAfter) <= now);
  }

  async savePackage(pluginId: string, version: string, pkg: StoredPackage): Promise<void> {
    this.packages.set(`${pluginId}@${version}`, { ...pkg, bytes: Buffer.from(pkg.bytes) });
  }

  async getPackage(pluginId: string, version: string): Promise<StoredPackage | undefined> {
    return this.packages.get(`${pluginId}@${version}`);
  }

  async setInstanceState(state: Omit<InstanceInstallState, 'updatedAt'>): Promise<void> {
    this.instances.set(`${state.pluginId} ${state.instanceId}`, { ...state, updatedAt: this.now().toISOString() });
  }

  async listInstanceStates(pluginId?: string): Promise<InstanceInstallState[]> {
    return [...this.instances.values()]
      .filter((s) => pluginId === undefined || s.pluginId === pluginId)
      .sort((a, b) => (a.pluginId + ' ' + a.instanceId < b.pluginId + ' ' + b.instanceId ? -1 : 1));
  }

  async listTrustedKeys(): Promise<TrustedKeyRecord[]> {
    return [...this.keys.values()].sort((a, b) => (a.keyId < b.keyId ? -1 : 1));
  }

  async addTrustedKey(key: Omit<TrustedKeyRecord, 'addedAt'>): Promise<TrustedKeyRecord> {
    if (this.keys.has(key.keyId)) throw new VvError('VV_CONFLICT', { params: { reason: `key "${key.keyId}" is already trusted` } });
    const record = { ...key, addedAt: this.now().toISOString() };
    this.keys.set(key.keyId, record);
    return record;
  }

  async removeTrustedKey(keyId: string): Promise<boolean> {
    return this.keys.delete(keyId);
  }
}
