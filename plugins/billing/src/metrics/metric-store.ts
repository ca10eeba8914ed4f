import { VvError, type PluginDatabase, type SqlTransaction } from '@valueverse/plugin-sdk';

export type Aggregation = 'count' | 'sum' | 'max' | 'unique_count' | 'latest';

/** A billable metric: how events of one code become a quantity over a period. */
export interface BillableMetric {
  readonly code: string;
  readonly name: string;
  readonly aggregation: Aggregation;
  /** The event property aggregated (sum, max, latest: a number; unique_count: any value); none for count. */
  readonly field: string | null;
  /** Event properties that split the quantity into groups (e.g. `region`). */
  readonly groupBy: readonly string[];
  readonly createdAt: string;
}

interface MetricRow {
  code: string;
  name: string;
  aggregation: Aggregation;
  field: string | null;
  group_by: string[];
  created_at: Date;
}

const fromRow = (row: MetricRow): BillableMetric => ({
  code: row.code,
  name: row.name,
  aggregation: row.aggregation,
  field: row.field,
  groupBy: row.group_by,
  createdAt: new Date(row.created_at).toISOString(),
});

const columns = 'code, name, aggregation, field, group_by, created_at';

/** The tenant's billable metrics. A metric's aggregation never changes once created: stored usage depends on it. */
export class MetricStore {
  constructor(private readonly db: PluginDatabase) {}

  async create(tenantId: string, input: { code: string; name: string; aggregation: Aggregation; field?: string; groupBy?: readonly string[] }): Promise<BillableMetric> {
    if (input.aggregation === 'count' && input.field) throw VvError.validation([{ pointer: '/field', message: 'a count metric counts events and has no field', in: 'body' }]);
    if (input.aggregation !== 'count' && !input.field)
      throw VvError.validation([{ pointer: '/field', message: `a ${input.aggregation} metric needs the event property it aggregates`, in: 'body' }]);
    return this.db.transaction(tenantId, async (tx) => {
      const [row] = await tx.query<MetricRow>(
        `insert into metrics (tenant_id, code, name, aggregation, field, group_by) values ($1, $2, $3, $4, $5, $6::text[])
         on conflict (tenant_id, code) do nothing returning ${columns}`,
        [tenantId, input.code, input.name, input.aggregation, input.field ?? null, [...(input.groupBy ?? [])]],
      );
      if (!row) throw new VvError('VV_CONFLICT', { params: { reason: `A metric with code "${input.code}" exists` } });
      return fromRow(row);
    });
  }

  async list(tenantId: string, tx?: SqlTransaction): Promise<BillableMetric[]> {
    const run = async (t: SqlTransaction) => (await t.query<MetricRow>(`select ${columns} from metrics where tenant_id = $1 order by code`, [tenantId])).map(fromRow);
    return tx ? run(tx) : this.db.transaction(tenantId, run);
  }

  async find(tenantId: string, code: string, tx?: SqlTransaction): Promise<BillableMetric | undefined> {
    const run = async (t: SqlTransaction) => {
      const [row] = await t.query<MetricRow>(`select ${columns} from metrics where tenant_id = $1 and code = $2`, [tenantId, code]);
      return row && fromRow(row);
    };
    return tx ? run(tx) : this.db.transaction(tenantId, run);
  }

  async get(tenantId: string, code: string, tx?: SqlTransaction): Promise<BillableMetric> {
    const metric = await this.find(tenantId, code, tx);
    if (!metric) throw new VvError('VV_NOT_FOUND', { detail: `Metric ${code} not found` });
    return metric;
  }

  async rename(tenantId: string, code: string, name: string): Promise<{ before: BillableMetric; after: BillableMetric }> {
    return this.db.transaction(tenantId, async (tx) => {
      const before = await this.get(tenantId, code, tx);
      const [row] = await tx.query<MetricRow>(`update metrics set name = $3 where tenant_id = $1 and code = $2 returning ${columns}`, [tenantId, code, name]);
      return { before, after: fromRow(row!) };
    });
  }

  /** Deletes a metric no event used; one with usage is `VV_CONFLICT`. */
  async delete(tenantId: string, code: string): Promise<BillableMetric> {
    return this.db.transaction(tenantId, async (tx) => {
      const metric = await this.get(tenantId, code, tx);
      const [used] = await tx.query('select 1 from usage_events where tenant_id = $1 and metric = $2 limit 1', [tenantId, code]);
      if (used) throw new VvError('VV_CONFLICT', { params: { reason: `Metric ${code} has usage; metrics with usage are kept` } });
      await tx.query('delete from metrics where tenant_id = $1 and code = $2', [tenantId, code]);
      return metric;
    });
  }
}
