import { randomUUID } from 'node:crypto';
import { decodeCursor, encodeCursor, type PluginDatabase } from '@valueverse/plugin-sdk';
import { MeasurementEntity, type MeasurementRow } from '../data/measurement-entity';
import type { SeriesPoint } from '../realization/compute-realization';
import { guardCumulative, type DecreaseProblem, type EffectiveReading } from './cumulative-guard';
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
  /** Why this reading corrects earlier ones of a cumulative metric, or null. */
  readonly correctionReason: string | null;
  /** The correction that replaced this reading (it no longer counts), or null. */
  readonly supersededBy: string | null;
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
    correctionReason: row.correctionReason ?? null,
    supersededBy: row.supersededBy ?? null,
    importId: row.importId,
    recordedBy: row.recordedBy,
    recordedAt: row.recordedAt.toISOString(),
  };
}

// The cursor is the (measuredAt, id) of the last item of a page: opaque to clients, stable under inserts. Decoded by
// the SDK's shared decoder, which checks the instant and the uuid before they reach the query.
const cursorOf = (row: MeasurementRow): string => encodeCursor([row.measuredAt.toISOString(), row.id]);

export interface InsertMeta {
  readonly recordedBy: string | null;
  readonly importId: string | null;
}

/** A correction that was stored, with the readings it replaced. */
export interface StoredCorrection {
  readonly measurement: Measurement;
  readonly superseded: readonly EffectiveReading[];
}

export interface InsertResult {
  readonly stored: Measurement[];
  readonly corrections: readonly StoredCorrection[];
}

/** The key of one measured series in `insert`'s `cumulative` set. */
export const seriesKey = (commitmentId: string, metric: string): string => `${commitmentId}\u0000${metric}`;

/** New readings that would make a cumulative series fall (by index of the inputs); nothing was stored. */
export class MeasurementsRefused extends Error {
  constructor(readonly problems: readonly DecreaseProblem[]) {
    super(`${problems.length} reading(s) would make a cumulative series fall`);
  }
}

/** The executor's measurements table, always within one tenant (MikroORM tenant filter and row-level security). */
export class MeasurementStore {
  constructor(private readonly db: PluginDatabase) {}

  /**
   * Stores the measurements in one transaction. The series named in `cumulative` (keys from `seriesKey`) must not
   * fall: each is locked for the transaction (so two requests cannot both pass the check), its counted readings are
   * checked with the new ones (`guardCumulative`), and the readings a correction replaces are marked with its id.
   * A series that would fall stores nothing and throws `MeasurementsRefused`.
   */
  async insert(tenantId: string, inputs: readonly MeasurementInput[], meta: InsertMeta, cumulative: ReadonlySet<string> = new Set()): Promise<InsertResult> {
    if (inputs.length === 0) return { stored: [], corrections: [] };
    const recordedAt = new Date();
    const rows = inputs.map((input) => ({ id: randomUUID(), ...input }));
    return this.db.transaction(tenantId, async (tx) => {
      const groups = new Map<string, number[]>();
      rows.forEach((row, index) => {
        const key = seriesKey(row.commitmentId, row.metric);
        if (cumulative.has(key)) groups.set(key, [...(groups.get(key) ?? []), index]);
      });
      const problems: DecreaseProblem[] = [];
      const supersede: { correction: number; readings: readonly EffectiveReading[] }[] = [];
      // Sorted keys: two requests lock shared series in the same order and cannot deadlock.
      for (const key of [...groups.keys()].sort()) {
        const indexes = groups.get(key)!;
        const { commitmentId, metric } = rows[indexes[0]!]!;
        // JSON keeps the parts apart (ids may contain ':') and carries no NUL, which PostgreSQL text refuses.
        await tx.query('select pg_advisory_xact_lock(hashtext($1))', [JSON.stringify(['value_executor.measurements', tenantId, commitmentId, metric])]);
        const counted = await tx.query<{ id: string; value: number; measured_at: Date | string }>(
          'select id, value, measured_at from measurements where commitment_id = $1 and metric = $2 and superseded_by is null order by measured_at, id',
          [commitmentId, metric],
        );
        const result = guardCumulative(
          counted.map((r) => ({ id: r.id, value: Number(r.value), measuredAt: new Date(r.measured_at) })),
          indexes.map((index) => ({ index, value: rows[index]!.value, measuredAt: rows[index]!.measuredAt, correctionReason: rows[index]!.correctionReason })),
        );
        problems.push(...result.problems);
        for (const [correction, readings] of result.supersedes) supersede.push({ correction, readings });
      }
      if (problems.length > 0) throw new MeasurementsRefused(problems.sort((a, b) => a.index - b.index));

      // Multi-row inserts, 500 rows (6,000 parameters) at a time: a 10,000-row import is 20 statements, not 10,000.
      for (let start = 0; start < rows.length; start += 500) {
        const chunk = rows.slice(start, start + 500);
        const params: unknown[] = [];
        const values = chunk.map((r) => {
          params.push(r.id, tenantId, r.commitmentId, r.metric, r.value, r.measuredAt, r.source, r.note, r.correctionReason, meta.importId, meta.recordedBy, recordedAt);
          const n = params.length - 12;
          return `(${Array.from({ length: 12 }, (_, i) => `$${n + i + 1}`).join(', ')})`;
        });
        await tx.query(
          `insert into measurements (id, tenant_id, commitment_id, metric, value, measured_at, source, note, correction_reason, import_id, recorded_by, recorded_at)
           values ${values.join(', ')}`,
          params,
        );
      }
      for (const { correction, readings } of supersede) {
        await tx.query('update measurements set superseded_by = $1 where id = any($2::uuid[])', [rows[correction]!.id, readings.map((r) => r.id)]);
      }
      const stored: Measurement[] = rows.map((r) => ({
        id: r.id,
        commitmentId: r.commitmentId,
        metric: r.metric,
        value: r.value,
        measuredAt: r.measuredAt.toISOString(),
        source: r.source,
        note: r.note,
        correctionReason: r.correctionReason,
        supersededBy: null,
        importId: meta.importId,
        recordedBy: meta.recordedBy,
        recordedAt: recordedAt.toISOString(),
      }));
      return { stored, corrections: supersede.map(({ correction, readings }) => ({ measurement: stored[correction]!, superseded: readings })) };
    });
  }

  /** The counted (not superseded) readings of one series, oldest first. */
  async counted(tenantId: string, commitmentId: string, metric: string): Promise<EffectiveReading[]> {
    const rows = await this.db.em(tenantId, (em) => em.find(MeasurementEntity, { commitmentId, metric, supersededBy: null }, { orderBy: { measuredAt: 'asc', id: 'asc' } }));
    return rows.map((r) => ({ id: r.id, value: r.value, measuredAt: r.measuredAt }));
  }

  /** One measurement; undefined for unknown ids (uuid or not) and other tenants' ids. */
  async get(tenantId: string, id: string): Promise<Measurement | undefined> {
    if (!uuidPattern.test(id)) return undefined;
    const row = await this.db.em(tenantId, (em) => em.findOne(MeasurementEntity, { id }));
    return row ? toMeasurement(row) : undefined;
  }

  /** Every counted measurement of a commitment (corrected ones left out), oldest first. */
  async series(tenantId: string, commitmentId: string): Promise<SeriesPoint[]> {
    const rows = await this.db.em(tenantId, (em) => em.find(MeasurementEntity, { commitmentId, supersededBy: null }, { orderBy: { measuredAt: 'asc', id: 'asc' } }));
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
    const rows = await this.db.em(tenantId, (em) => em.find(MeasurementEntity, where, { orderBy: { measuredAt: 'desc', id: 'desc' }, limit: options.limit + 1 }));
    const page = rows.slice(0, options.limit);
    return { items: page.map(toMeasurement), nextCursor: rows.length > options.limit ? cursorOf(page[page.length - 1]!) : null };
  }
}
