import { EntitySchema } from '@mikro-orm/core';
import type { ValueModel } from '@valueverse/plugin-calculation/api';
import type { ValueModelOrigin, ValueModelStatus } from '../value-models-api';

const SCHEMA = 'value_architect';

/** The current state of a value model (row of `value_models`). */
export interface ValueModelRow {
  id: string;
  tenantId: string;
  version: number;
  name: string;
  description: string | null;
  industry: string | null;
  status: ValueModelStatus;
  currency: string;
  model: ValueModel;
  origin: ValueModelOrigin | null;
  createdBy: string;
  createdAt: Date;
  updatedBy: string;
  updatedAt: Date;
  /** Set by DELETE: the model disappears from the API but its versions stay for commitments made from them. */
  deletedAt: Date | null;
}

/** One saved version (row of `value_model_versions`). */
export interface ValueModelVersionRow {
  modelId: string;
  version: number;
  tenantId: string;
  name: string;
  description: string | null;
  industry: string | null;
  status: ValueModelStatus;
  currency: string;
  model: ValueModel;
  origin: ValueModelOrigin | null;
  createdBy: string;
  createdAt: Date;
}

// Every property has an explicit type (docs/stack.md "Known traps": a `string | null` without one becomes varchar(255)/any).
export const ValueModelEntity = new EntitySchema<ValueModelRow>({
  name: 'ValueArchitectModel',
  schema: SCHEMA,
  tableName: 'value_models',
  properties: {
    id: { type: 'text', primary: true },
    tenantId: { type: 'text', fieldName: 'tenant_id' },
    version: { type: 'integer' },
    name: { type: 'text' },
    description: { type: 'text', nullable: true },
    industry: { type: 'text', nullable: true },
    status: { type: 'text' },
    currency: { type: 'text' },
    model: { type: 'json' },
    origin: { type: 'json', nullable: true },
    createdBy: { type: 'text', fieldName: 'created_by' },
    createdAt: { type: 'datetime', fieldName: 'created_at', columnType: 'timestamptz' },
    updatedBy: { type: 'text', fieldName: 'updated_by' },
    updatedAt: { type: 'datetime', fieldName: 'updated_at', columnType: 'timestamptz' },
    deletedAt: { type: 'datetime', fieldName: 'deleted_at', columnType: 'timestamptz', nullable: true },
  },
});

export const ValueModelVersionEntity = new EntitySchema<ValueModelVersionRow>({
  name: 'ValueArchitectModelVersion',
  schema: SCHEMA,
  tableName: 'value_model_versions',
  properties: {
    modelId: { type: 'text', fieldName: 'model_id', primary: true },
    version: { type: 'integer', primary: true },
    tenantId: { type: 'text', fieldName: 'tenant_id' },
    name: { type: 'text' },
    description: { type: 'text', nullable: true },
    industry: { type: 'text', nullable: true },
    status: { type: 'text' },
    currency: { type: 'text' },
    model: { type: 'json' },
    origin: { type: 'json', nullable: true },
    createdBy: { type: 'text', fieldName: 'created_by' },
    createdAt: { type: 'datetime', fieldName: 'created_at', columnType: 'timestamptz' },
  },
});
