import { EntitySchema } from '@mikro-orm/core';

// MikroORM mappings of the kernel tables (schema `kernel`, created by `kernel-migrations.ts`, never by schema diff).
// EntitySchema needs no decorator metadata, which sidesteps swc's circular-import trap (docs/stack.md "Known traps").
// Rows are plain objects; `PostgresKernelStore` turns them into the `*Record` types of `kernel-store.ts`.
// Every property has an explicit `type`: without one a `string | null` becomes varchar(255)/any.

export interface TenantRow {
  id: string;
  name: string;
  status: string;
  settings: Record<string, unknown>;
  createdAt: Date;
  updatedAt: Date;
}

export interface TenantPluginRow {
  tenantId: string;
  pluginId: string;
  enabled: boolean;
  version: string | null;
  config: Record<string, unknown>;
  permissions: string[];
  updatedAt: Date;
}

export interface UserRow {
  id: string;
  email: string;
  passwordHash: string;
  platformAdmin: boolean;
  createdAt: Date;
}

export interface MembershipRow {
  userId: string;
  tenantId: string;
  role: string;
}

export const TenantEntity = new EntitySchema<TenantRow>({
  name: 'KernelTenant',
  schema: 'kernel',
  tableName: 'tenants',
  properties: {
    id: { type: 'text', primary: true },
    name: { type: 'text' },
    status: { type: 'text' },
    settings: { type: 'json' },
    createdAt: { type: 'datetime', fieldName: 'created_at' },
    updatedAt: { type: 'datetime', fieldName: 'updated_at' },
  },
});

export const TenantPluginEntity = new EntitySchema<TenantPluginRow>({
  name: 'KernelTenantPlugin',
  schema: 'kernel',
  tableName: 'tenant_plugins',
  primaryKeys: ['tenantId', 'pluginId'],
  properties: {
    tenantId: { type: 'text', primary: true, fieldName: 'tenant_id' },
    pluginId: { type: 'text', primary: true, fieldName: 'plugin_id' },
    enabled: { type: 'boolean' },
    version: { type: 'text', nullable: true },
    config: { type: 'json' },
    permissions: { type: 'json' },
    updatedAt: { type: 'datetime', fieldName: 'updated_at' },
  },
});

export const UserEntity = new EntitySchema<UserRow>({
  name: 'KernelUser',
  schema: 'kernel',
  tableName: 'users',
  properties: {
    id: { type: 'text', primary: true },
    email: { type: 'text' },
    passwordHash: { type: 'text', fieldName: 'password_hash' },
    platformAdmin: { type: 'boolean', fieldName: 'platform_admin' },
    createdAt: { type: 'datetime', fieldName: 'created_at' },
  },
});

export const MembershipEntity = new EntitySchema<MembershipRow>({
  name: 'KernelMembership',
  schema: 'kernel',
  tableName: 'memberships',
  primaryKeys: ['userId', 'tenantId'],
  properties: {
    userId: { type: 'text', primary: true, fieldName: 'user_id' },
    tenantId: { type: 'text', primary: true, fieldName: 'tenant_id' },
    role: { type: 'text' },
  },
});

/** Every kernel entity; `openDatabase` registers them. */
export const kernelEntities = [TenantEntity, TenantPluginEntity, UserEntity, MembershipEntity] as const;
