import { randomUUID } from 'node:crypto';
import { decodeCursor, encodeCursor, type PluginDatabase } from '@valueverse/plugin-sdk';
import { MeasurementEntity, type MeasurementRow } from '../data/measurement-entity';
import type { SeriesPoint } from '../realization/compute-realization';
import type { MeasurementInput } from './measurement-checker';

/** A stored measurement as the API shows it. */
export interface Measurement {
  readonly id: string;
  readonly commitmentId: string;
  readonly metric: string;
  readonly value: number;
  readonly measuredAt: string;
  readonly source: string;
  /** Free text from whoever reported the value; null when none was given. */
  readonly note: string | null;
  readonly importId: string | null;
  readonly recordedBy: string | null;
  readonly recordedAt: string;
}

export interface MeasurementPage {
  readonly items: Measurement[];
  /** Pass as `cursor` for the next page; null on the last page. */
  readonly nextCursor: string | null;
}

export interface ListOptions {
  readonly commitmentId?: string;
  readonly metric?: string;
  readonly limit: number;
  readonly cursor?: string;
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function toMeasurement(row: MeasurementRow): Measurement {
  return {
    id: row.id,
    commitmentId: row.commitmentId,
    metric: row.metric,
    value: row.value,
    measuredAt: row.measuredAt.toISOString(),
    source: row.source,
    // Rows from before `0003-measurement-notes` and inserts without one come back null, never undefined.
    note: row.note ?? null,
    importId: row.importId,
    recordedBy: row.recordedBy,
    recordedAt: row.recordedAt.toISOString(),
  };
}

// The cursor is the (measuredAt, id) of the last item of a page: opaque to clients, stable under inserts. Decoded by
// the SDK's shared decoder, which checks the instant and the uuid before they reach the query.
const cursorOf = (row: MeasurementRow): string => encodeCursor([row.measuredAt.toISOString(), row.id]);

/** The executor's measurements table, always within one tenant (MikroORM tenant filter and row-level security). */
export class MeasurementStore {
  constructor(private readonly db: PluginDatabase) {}

  /** Stores the measurements in one transaction. */
  async insert(tenantId: string, inputs: readonly MeasurementInput[], meta: { recordedBy: string | null; importId: string | null }): Promise<Measurement[]> {
    if (inputs.length === 0) return [];
    const recordedAt = new Date();
    const rows = await this.db.em(tenantId, async (em) => {
      const created = inputs.map((input) =>
        em.create(MeasurementEntity, { id: randomUUID(), tenantId, ...input, importId: meta.importId, recordedBy: meta.recordedBy, recordedAt }),
      );
      em.persist(created);
      return created;
    });
    return rows.map(toMeasurement);
  }

  /** One measurement; undefined for unknown ids (uuid or not) and other tenants' ids. */
  async get(tenantId: string, id: string): Promise<Measurement | undefined> {
    if (!uuidPattern.test(id)) return undefined;
    const row = await this.db.em(tenantId, (em) => em.findOne(MeasurementEntity, { id }));
    return row ? toMeasurement(row) : undefined;
  }

  /** Every measurement of a commitment, oldest first. */
  async series(tenantId: string, commitmentId: string): Promise<SeriesPoint[]> {
    const rows = await this.db.em(tenantId, (em) => em.find(MeasurementEntity, { commitmentId }, { orderBy: { measuredAt: 'asc', id: 'asc' } }));
    return rows.map((r) => ({ metric: r.metric, value: r.value, measuredAt: r.measuredAt }));
  }

  /** Newest first, `limit` at a time. */
  async list(tenantId: string, options: ListOptions): Promise<MeasurementPage> {
    const where: Record<string, unknown> = {};
    if (options.commitmentId !== undefined) where.commitmentId = options.commitmentId;
    if (options.metric !== undefined) where.metric = options.metric;
    if (options.cursor !== undefined) {
      const [measuredAt, id] = decodeCursor(options.cursor, ['timestamp', 'uuid']);
      const at = new Date(measuredAt);
      where.$or = [{ measuredAt: { $lt: at } }, { measuredAt: at, id: { $lt: id } }];
    }
    const rows = await this.db.em(tenantId, (em) =>
      em.find(MeasurementEntity, where, { orderBy: { measuredAt: 'desc', id: 'desc' }, limit: options.limit + 1 }),
    );
    const page = rows.slice(0, options.limit);
    return { items: page.map(toMeasurement), nextCursor: rows.length > options.limit ? cursorOf(page[page.length - 1]!) : null };
  }
}
