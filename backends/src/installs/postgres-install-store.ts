import { VvError } from '@valueverse/plugin-sdk';
import type { Database, InstallRecord, InstallStore, InstanceInstallState, StoredPackage, TrustedKeyRecord } from '@valueverse/kernel';

// Raw SQL on the tables of kernel_0008_installs (run by the kernel store's init()).

interface InstallRow {
  plugin_id: string;
  version: string;
  previous_version: string | null;
  integrity: string;
  signer_key_id: string | null;
  trust: InstallRecord['trust'];
  source: InstallRecord['source'];
  approved_permissions: string[];
  approved_by: string | null;
  state: InstallRecord['state'];
  requested_by: string;
  requested_at: string;
  purge_after: string | null;
}

const iso = (value: unknown): string | null => (value === null || value === undefined ? null : new Date(value as string).toISOString());

const toInstall = (r: InstallRow): InstallRecord => ({
  pluginId: r.plugin_id,
  version: r.version,
  previousVersion: r.previous_version,
  integrity: r.integrity,
  signerKeyId: r.signer_key_id,
  trust: r.trust,
  source: r.source,
  approvedPermissions: r.approved_permissions,
  approvedBy: r.approved_by,
  state: r.state,
  requestedBy: r.requested_by,
  requestedAt: iso(r.requested_at)!,
  purgeAfter: iso(r.purge_after),
});

export class PostgresInstallStore implements InstallStore {
  constructor(private readonly db: Database) {}

  async listInstalls(): Promise<InstallRecord[]> {
    return (await this.db.execute<InstallRow>('select * from kernel.installs order by plugin_id')).map(toInstall);
  }

  async getInstall(pluginId: string): Promise<InstallRecord | undefined> {
    const rows = await this.db.execute<InstallRow>('select * from kernel.installs where plugin_id = $1', [pluginId]);
    return rows[0] ? toInstall(rows[0]) : undefined;
  }

  async saveInstall(r: InstallRecord): Promise<void> {
    await this.db.execute(
      `insert into kernel.installs (plugin_id, version, previous_version, integrity, signer_key_id, trust, source, approved_permissions, approved_by, state, requested_by, requested_at, purge_after)
       values ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9, $10, $11, $12, $13)
       on conflict (plugin_id) do update set version = excluded.version, previous_version = excluded.previous_version, integrity = excluded.integrity,
         signer_key_id = excluded.signer_key_id, trust = excluded.trust, source = excluded.source, approved_permissions = excluded.approved_permissions,
         approved_by = excluded.approved_by, state = excluded.state, requested_by = excluded.requested_by, requested_at = excluded.requested_at,
         purge_after = excluded.purge_after`,
      [
        r.pluginId,
        r.version,
        r.previousVersion,
        r.integrity,
        r.signerKeyId,
        r.trust,
        r.source,
        JSON.stringify(r.approvedPermissions),
        r.approvedBy,
        r.state,
        r.requestedBy,
        r.requestedAt,
        r.purgeAfter,
      ],
    );
  }

  async deleteInstall(pluginId: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.query('delete from kernel.install_packages where plugin_id = $1', [pluginId]);
      await tx.query('delete from kernel.install_instances where plugin_id = $1', [pluginId]);
      await tx.query('delete from kernel.installs where plugin_id = $1', [pluginId]);
    });
  }

  async listPurgeDue(now: Date): Promise<InstallRecord[]> {
    const rows = await this.db.execute<InstallRow>(
      "select * from kernel.installs where state = 'uninstalled' and purge_after is not null and purge_after <= $1 order by plugin_id",
      [now.toISOString()],
    );
    return rows.map(toInstall);
  }

  async savePackage(pluginId: string, version: string, pkg: StoredPackage): Promise<void> {
    await this.db.execute(
      `insert into kernel.install_packages (plugin_id, version, integrity, source, bytes) values ($1, $2, $3, $4, $5)
       on conflict (plugin_id, version) do update set integrity = excluded.integrity, source = excluded.source, bytes = excluded.bytes`,
      [pluginId, version, pkg.integrity, pkg.source, pkg.bytes],
    );
  }

  async getPackage(pluginId: string, version: string): Promise<StoredPackage | undefined> {
    const rows = await this.db.execute<{ integrity: string; source: StoredPackage['source']; bytes: Uint8Array }>(
      'select integrity, source, bytes from kernel.install_packages where plugin_id = $1 and version = $2',
      [pluginId, version],
    );
    return rows[0] ? { integrity: rows[0].integrity, source: rows[0].source, bytes: Buffer.from(rows[0].bytes) } : undefined;
  }

  async setInstanceState(s: Omit<InstanceInstallState, 'updatedAt'>): Promise<void> {
    await this.db.execute(
      `insert into kernel.install_instances (plugin_id, instance_id, version, state, error, updated_at) values ($1, $2, $3, $4, $5::jsonb, now())
       on conflict (plugin_id, instance_id) do update set version = excluded.version, state = excluded.state, error = excluded.error, updated_at = now()`,
      [s.pluginId, s.instanceId, s.version, s.state, s.error === null ? null : JSON.stringify(s.error)],
    );
  }

  async listInstanceStates(pluginId?: string): Promise<InstanceInstallState[]> {
    const rows = await this.db.execute<{
      plugin_id: string;
      instance_id: string;
      version: string | null;
      state: InstanceInstallState['state'];
      error: InstanceInstallState['error'];
      updated_at: string;
    }>(
      pluginId === undefined
        ? 'select * from kernel.install_instances order by plugin_id, instance_id'
        : 'select * from kernel.install_instances where plugin_id = $1 order by plugin_id, instance_id',
      pluginId === undefined ? [] : [pluginId],
    );
    return rows.map((r) => ({ pluginId: r.plugin_id, instanceId: r.instance_id, version: r.version, state: r.state, error: r.error ?? null, updatedAt: iso(r.updated_at)! }));
  }

  async listTrustedKeys(): Promise<TrustedKeyRecord[]> {
    const rows = await this.db.execute<{ key_id: string; public_key_pem: string; name: string; trust: TrustedKeyRecord['trust']; added_by: string; added_at: string }>(
      'select * from kernel.trusted_keys order by key_id',
    );
    return rows.map((r) => ({ keyId: r.key_id, publicKeyPem: r.public_key_pem, name: r.name, trust: r.trust, addedBy: r.added_by, addedAt: iso(r.added_at)! }));
  }

  async addTrustedKey(key: Omit<TrustedKeyRecord, 'addedAt'>): Promise<TrustedKeyRecord> {
    const rows = await this.db.execute<{ added_at: string }>(
      `insert into kernel.trusted_keys (key_id, public_key_pem, name, trust, added_by) values ($1, $2, $3, $4, $5)
       on conflict (key_id) do nothing returning added_at`,
      [key.keyId, key.publicKeyPem, key.name, key.trust, key.addedBy],
    );
    if (rows.length === 0) throw new VvError('VV_CONFLICT', { params: { reason: `key "${key.keyId}" is already trusted` } });
    return { ...key, addedAt: iso(rows[0]!.added_at)! };
  }

  async removeTrustedKey(keyId: string): Promise<boolean> {
    return (await this.db.execute('delete from kernel.trusted_keys where key_id = $1 returning key_id', [keyId])).length === 1;
  }
}
