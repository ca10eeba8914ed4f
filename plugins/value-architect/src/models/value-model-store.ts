import { randomUUID } from 'node:crypto';
import { LockMode, type EntityManager } from '@mikro-orm/core';
import { decodeCursor, encodeCursor, type Page, type PluginDatabase } from '@valueverse/plugin-sdk';
import type { ValueModel } from '@valueverse/plugin-calculation/api';
import { ValueModelEntity, ValueModelVersionEntity, type ValueModelRow, type ValueModelVersionRow } from '../data/value-model-entities';
import type { ValueModelOrigin, ValueModelStatus, ValueModelVersion } from '../value-models-api';

/** The editable content of a value model. */
export interface ValueModelContent {
  readonly name: string;
  readonly description: string | null;
  readonly industry: string | null;
  readonly status: ValueModelStatus;
  readonly currency: string;
  readonly model: ValueModel;
  readonly origin: ValueModelOrigin | null;
}

/** A value model as the API shows it: the latest version plus who created it and who changed it last. */
export interface ValueModelResource extends ValueModelContent {
  readonly id: string;
  readonly tenantId: string;
  readonly version: number;
  readonly createdBy: string;
  readonly createdAt: string;
  readonly updatedBy: string;
  readonly updatedAt: string;
}

/** One entry of a model's history, without the model body (fetch the version for it). */
export interface ValueModelVersionSummary {
  readonly version: number;
  readonly name: string;
  readonly status: ValueModelStatus;
  readonly createdBy: string;
  readonly createdAt: string;
}

export interface ValueModelFilter {
  readonly industry?: string;
  readonly status?: ValueModelStatus;
  /** Case-insensitive substring of the name or description. */
  readonly q?: string;
}

export interface PageRequest {
  readonly limit: number;
  readonly cursor?: string;
}

/** Thrown by `update` when the caller's `expectedVersion` is not the latest. */
export class StaleVersionError extends Error {
  constructor(readonly current: number) {
    super(`the model is at version ${current}`);
  }
}

const contentKeys = ['name', 'description', 'industry', 'status', 'currency', 'model', 'origin'] as const;

function contentOf(row: ValueModelContent): ValueModelContent {
  const { name, description, industry, status, currency, model, origin } = row;
  return { name, description, industry, status, currency, model, origin };
}

function toResource(row: ValueModelRow): ValueModelResource {
  const { id, tenantId, version, createdBy, createdAt, updatedBy, updatedAt } = row;
  return { id, tenantId, version, ...contentOf(row), createdBy, createdAt: createdAt.toISOString(), updatedBy, updatedAt: updatedAt.toISOString() };
}

function toVersion(row: ValueModelVersionRow): ValueModelVersion {
  return { id: row.modelId, tenantId: row.tenantId, version: row.version, ...contentOf(row), createdBy: row.createdBy, createdAt: row.createdAt.toISOString() };
}

/** A `value_models` row as raw SQL returns it: timestamps as text (as MikroORM's pg and PGlite connections give them). */
type StoredValueModel = Omit<ValueModelRow, 'createdAt' | 'updatedAt' | 'deletedAt'> & { createdAt: string; updatedAt: string; deletedAt: string | null };

// The entity's columns under its property names (value-model-entities.ts).
const listColumns = [
  'id',
  'tenant_id as "tenantId"',
  'version',
  'name',
  'description',
  'industry',
  'status',
  'currency',
  'model',
  'origin',
  'created_by as "createdBy"',
  'created_at as "createdAt"',
  'updated_by as "updatedBy"',
  'updated_at as "updatedAt"',
  'deleted_at as "deletedAt"',
].join(', ');

function fromStored(row: StoredValueModel): ValueModelRow {
  return { ...row, createdAt: new Date(row.createdAt), updatedAt: new Date(row.updatedAt), deletedAt: row.deletedAt === null ? null : new Date(row.deletedAt) };
}

function likePattern(q: string): string {
  return `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * Value models and their versions in the plugin's schema. Every save writes the new state to `value_models` and a
 * full snapshot to `value_model_versions` in one transaction; the tenant filter and row-level security keep each
 * tenant to its own rows, so another tenant's id is simply not found.
 */
export class ValueModelStore {
  constructor(private readonly db: PluginDatabase) {}

  create(tenantId: string, actor: string, content: ValueModelContent): Promise<ValueModelResource> {
    return this.db.em(tenantId, async (em) => {
      const now = new Date();
      const row = em.create(ValueModelEntity, {
        id: randomUUID(),
        tenantId,
        version: 1,
        ...content,
        createdBy: actor,
        createdAt: now,
        updatedBy: actor,
        updatedAt: now,
        deletedAt: null,
      });
      // The version row references the model row: write the model first (no ORM relation orders the inserts).
      await em.persist(row).flush();
      em.persist(this.snapshot(em, row));
      return toResource(row);
    });
  }

  /** One model, or undefined (unknown, deleted, or another tenant's). One statement, like `list`. */
  async get(tenantId: string, id: string): Promise<ValueModelResource | undefined> {
    const rows = await this.db.transaction(tenantId, (tx) =>
      tx.query<StoredValueModel>(`select ${listColumns} from value_models where tenant_id = $1 and id = $2 and deleted_at is null`, [tenantId, id]),
    );
    return rows[0] ? toResource(fromStored(rows[0])) : undefined;
  }

  /**
   * One page, newest first. The busiest read of the plugin, so it is one SQL statement in a tenant transaction
   * (three round trips, no EntityManager, issue #14) rather than `em.find`, which cost about six times the CPU
   * for an empty page. It names the tenant in its condition as the entity filter would, and row-level security
   * holds it to the tenant's rows as well.
   */
  list(tenantId: string, filter: ValueModelFilter, page: PageRequest): Promise<Page<ValueModelResource>> {
    const params: unknown[] = [tenantId];
    const param = (value: unknown): string => `$${params.push(value)}`;
    const where = ['tenant_id = $1', 'deleted_at is null'];
    if (filter.industry !== undefined) where.push(`industry = ${param(filter.industry)}`);
    if (filter.status !== undefined) where.push(`status = ${param(filter.status)}`);
    if (filter.q !== undefined && filter.q !== '') {
      const pattern = param(likePattern(filter.q));
      where.push(`(name ilike ${pattern} or description ilike ${pattern})`);
    }
    if (page.cursor !== undefined) {
      const [at, id] = decodeCursor(page.cursor, ['timestamp', 'string']);
      // (created_at, id) below the cursor's pair: what the (tenant_id, created_at desc, id desc) index walks.
      where.push(`(created_at, id) < (${param(new Date(at).toISOString())}::timestamptz, ${param(id)})`);
    }
    const sql = `select ${listColumns} from value_models where ${where.join(' and ')} order by created_at desc, id desc limit ${param(page.limit + 1)}`;
    return this.db.transaction(tenantId, async (tx) => {
      const rows = (await tx.query<StoredValueModel>(sql, params)).map(fromStored);
      const items = rows.slice(0, page.limit);
      const last = items[items.length - 1];
      return { items: items.map(toResource), nextCursor: rows.length > page.limit && last ? encodeCursor([last.createdAt.toISOString(), last.id]) : null };
    });
  }

  /**
   * Applies `changes` as a new version; returns undefined for an unknown model. Nothing changed → no new version.
   * `expectedVersion` (optimistic concurrency) must be the latest version when given.
   */
  update(
    tenantId: string,
    id: string,
    actor: string,
    changes: Partial<ValueModelContent>,
    expectedVersion?: number,
  ): Promise<{ resource: ValueModelResource; changed: boolean } | undefined> {
    return this.db.em(tenantId, async (em) => {
      // Row lock: two concurrent saves must not both write version n + 1.
      const row = await em.findOne(ValueModelEntity, { id, deletedAt: null }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!row) return undefined;
      if (expectedVersion !== undefined && expectedVersion !== row.version) throw new StaleVersionError(row.version);
      const changed = contentKeys.filter((k) => changes[k] !== undefined && JSON.stringify(changes[k]) !== JSON.stringify(row[k]));
      if (changed.length === 0) return { resource: toResource(row), changed: false };
      // Plain assignment, not em.assign: the JSON `model` must be replaced, never merged with the old one.
      Object.assign(row, { ...Object.fromEntries(changed.map((k) => [k, changes[k]])), version: row.version + 1, updatedBy: actor, updatedAt: new Date() });
      em.persist(this.snapshot(em, row));
      return { resource: toResource(row), changed: true };
    });
  }

  /** Soft delete: the model and its versions leave the API and `getVersion`; the rows stay for the audit trail. */
  delete(tenantId: string, id: string, actor: string): Promise<ValueModelResource | undefined> {
    return this.db.em(tenantId, async (em) => {
      const row = await em.findOne(ValueModelEntity, { id, deletedAt: null }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!row) return undefined;
      Object.assign(row, { deletedAt: new Date(), updatedBy: actor, updatedAt: new Date() });
      return toResource(row);
    });
  }

  /** The model's history, newest first; undefined for an unknown model. */
  versions(tenantId: string, id: string, page: PageRequest): Promise<Page<ValueModelVersionSummary> | undefined> {
    const before = page.cursor === undefined ? undefined : decodeCursor(page.cursor, ['integer'])[0];
    return this.db.em(tenantId, async (em) => {
      if ((await em.count(ValueModelEntity, { id, deletedAt: null })) === 0) return undefined;
      const rows = await em.find(
        ValueModelVersionEntity,
        { modelId: id, ...(before === undefined ? {} : { version: { $lt: before } }) },
        { orderBy: { version: 'desc' }, limit: page.limit + 1, fields: ['modelId', 'version', 'name', 'status', 'createdBy', 'createdAt'] },
      );
      const items = rows.slice(0, page.limit);
      const last = items[items.length - 1];
      return {
        items: items.map((r) => ({ version: r.version, name: r.name, status: r.status, createdBy: r.createdBy, createdAt: r.createdAt.toISOString() })),
        nextCursor: rows.length > page.limit && last ? encodeCursor([last.version]) : null,
      };
    });
  }

  /** One version (the latest when `version` is omitted) of a model that is not deleted. */
  getVersion(tenantId: string, id: string, version?: number): Promise<ValueModelVersion | undefined> {
    return this.db.em(tenantId, async (em) => {
      const current = await em.findOne(ValueModelEntity, { id, deletedAt: null }, { fields: ['id', 'version'] });
      if (!current) return undefined;
      const row = await em.findOne(ValueModelVersionEntity, { modelId: id, version: version ?? current.version });
      return row ? toVersion(row) : undefined;
    });
  }

  private snapshot(em: EntityManager, row: ValueModelRow): ValueModelVersionRow {
    return em.create(ValueModelVersionEntity, {
      modelId: row.id,
      version: row.version,
      tenantId: row.tenantId,
      name: row.name,
      description: row.description,
      industry: row.industry,
      status: row.status,
      currency: row.currency,
      model: row.model,
      origin: row.origin,
      createdBy: row.updatedBy,
      createdAt: row.updatedAt,
    });
  }
}
