import { VvError, type FieldProblem, type PluginDatabase, type SqlTransaction } from '@valueverse/plugin-sdk';
import type { BillableMetric } from '../metrics/metric-store';
import { ReferenceCache } from './reference-cache';
import { crossThresholds, type Crossing, type UsageThresholds } from './usage-thresholds';

/** One usage event as a client sends it. */
export interface UsageEventInput {
  /** The client's id for the event: the same id is counted once per tenant, however often it is sent. */
  readonly transactionId: string;
  /** The customer's id or external id. */
  readonly customerId: string;
  readonly metric: string;
  /** ISO 8601 date-time of the usage. */
  readonly timestamp: string;
  readonly properties?: Readonly<Record<string, unknown>>;
}

export interface IngestResult {
  /** Events stored and counted by this request. */
  readonly counted: number;
  /** Transaction ids already counted (by an earlier request, or earlier in this batch): not counted again. */
  readonly duplicates: readonly string[];
}

export interface IngestOptions {
  /** How far back an event may be, in hours (the tenant's grace window). */
  readonly graceHours: number;
  readonly now?: Date;
  /** The tenant's usage thresholds per metric code: crossing one in a period is recorded (and announced) once. */
  readonly thresholds?: UsageThresholds;
}

export interface IngestorOptions {
  /**
   * Most writes in flight per tenant on this instance (each one transaction on one pooled connection); default 6.
   * A write's latency is mostly waiting (round trips, the commit's WAL flush, a busy machine's scheduler), so more
   * writes in flight carry more events per second; concurrent commits share their WAL flushes, and since writes only
   * append (events and rollup deltas) they do not wait on each other's locks. The pool has 10 connections.
   */
  readonly writesPerTenant?: number;
  /** Most events one write takes from the queue (whole requests only; one request may exceed it); default 5,000. */
  readonly eventsPerWrite?: number;
  /** Called with the crossings a write recorded, after it committed. */
  readonly onCrossings?: (tenantId: string, crossings: readonly Crossing[]) => Promise<void>;
  /**
   * Called in the write's transaction, before it commits, when it recorded crossings: where the plugin queues the
   * sweep that announces them should this instance stop before `onCrossings` (a job of a write that then rolls
   * back finds nothing to announce).
   */
  readonly onCrossingsRecorded?: (tenantId: string) => Promise<void>;
  /** How long after a write its rollup deltas are merged into the rollups, in ms; default 1,000 (0: not by a timer). */
  readonly mergeDelayMs?: number;
  /** Told when a merge after a write failed (the scheduled merge catches up). */
  readonly onMergeError?: (tenantId: string, error: unknown) => void;
}

/** Most deltas one merge statement folds (one transaction each); a merge runs statements until none is left. */
const mergeChunk = 20_000;

// Clocks drift; a client a few minutes ahead is not wrong, one a day ahead is.
const futureToleranceMs = 5 * 60_000;
const numeric = /^-?[0-9]{1,20}(\.[0-9]{1,12})?$/;
const uuidShape = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface Prepared {
  readonly transactionId: string;
  readonly customerId: string;
  readonly metric: string;
  /** The definition the event was checked against (the write checks it still holds). */
  readonly definition: BillableMetric;
  readonly occurredAt: string;
  readonly value: string | null;
  readonly distinctValue: string | null;
  readonly groupKey: string;
  readonly properties: string;
}

/** What a write relies on having read: the customers' ids and the metrics' definitions, checked again as it writes. */
interface References {
  readonly customers: ReadonlyMap<string, string>;
  readonly metrics: ReadonlyMap<string, BillableMetric>;
}

/** One request's checked events, waiting for a write. */
interface Pending {
  readonly events: readonly Prepared[];
  readonly input: readonly UsageEventInput[];
  readonly options: IngestOptions;
  readonly pointerOf: (index: number) => string;
  readonly resolve: (result: IngestResult) => void;
  readonly reject: (error: unknown) => void;
}

interface TenantQueue {
  readonly pending: Pending[];
  writing: number;
}

function valueOf(metric: BillableMetric, properties: Readonly<Record<string, unknown>>): { value: string | null; distinct: string | null; problem?: string } {
  if (metric.aggregation === 'count') return { value: null, distinct: null };
  const raw = properties[metric.field!];
  if (metric.aggregation === 'unique_count') {
    if (raw === undefined || raw === null || typeof raw === 'object')
      return { value: null, distinct: null, problem: `needs a scalar "${metric.field}" (metric ${metric.code} counts its distinct values)` };
    return { value: null, distinct: String(raw) };
  }
  const text = typeof raw === 'number' && Number.isFinite(raw) ? String(raw) : typeof raw === 'string' ? raw : '';
  if (!numeric.test(text)) return { value: null, distinct: null, problem: `needs a numeric "${metric.field}" (a number or decimal string) for metric ${metric.code}` };
  return { value: text, distinct: null };
}

function groupKeyOf(metric: BillableMetric, properties: Readonly<Record<string, unknown>>): string {
  if (metric.groupBy.length === 0) return '';
  // A JSON object in groupBy order: unambiguous, and readable back as the group's properties.
  return JSON.stringify(Object.fromEntries(metric.groupBy.map((key) => [key, properties[key] === undefined ? null : String(properties[key])])));
}

/** How a metric turns events into rollups: a write checks the stored metric still says the same. */
const definitionOf = (metric: BillableMetric): string => JSON.stringify([metric.aggregation, metric.field, metric.groupBy]);

// The write is one call of `ingest_usage` (usage-migrations.ts): one statement that checks the references, inserts
// the events and upserts their rollups. A function, so its plan is cached per connection: planning that statement
// costs as much as running it for a few events.
const ingestSql = 'select valid_refs as ok, stored_count as stored, stored_ids as inserted from ingest_usage($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)';

/** Serialization and deadlock failures: the statement did nothing and may simply run again. */
function retryable(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return code === '40P01' || code === '40001';
}

class StaleReferences extends Error {}

/**
 * Usage ingestion, exactly once per (tenant, transaction id). A request's events are checked first (nothing is
 * written when any is refused), then written with the events of the requests that arrived meanwhile: one
 * transaction, one multi-row insert and one append of rollup deltas (one per customer, metric, group and hour) for
 * them all, so the commit's WAL flush (a disk sync, the dominant cost of a small write) is shared. Deltas are
 * appended, not upserted, so writes touching the same hours do not wait on each other's row locks; a merge shortly
 * after (and a scheduled one) folds them into the rollups, and readers add the ones not merged yet. A request
 * arriving while no write runs is written at once: batching costs a lone request nothing. The customers and metrics
 * the events are checked against come from a cache that every write verifies in its statement; a write that finds
 * one changed writes nothing, and its requests run again, each on its own, against fresh reads.
 */
export class UsageIngestor {
  private readonly customerIds = new ReferenceCache<string>();
  private readonly metricDefinitions = new ReferenceCache<BillableMetric>();
  private readonly queues = new Map<string, TenantQueue>();
  private readonly writesPerTenant: number;
  private readonly eventsPerWrite: number;
  /** Tenants with a merge due (its timer) or running. */
  private readonly merges = new Map<string, { timer?: NodeJS.Timeout; running?: Promise<unknown>; again?: boolean }>();
  private closed = false;

  constructor(
    private readonly db: PluginDatabase,
    private readonly options: IngestorOptions = {},
  ) {
    this.writesPerTenant = Math.max(1, options.writesPerTenant ?? 6);
    this.eventsPerWrite = Math.max(1, options.eventsPerWrite ?? 5000);
  }

  async ingest(tenantId: string, events: readonly UsageEventInput[], options: IngestOptions, pointerOf: (index: number) => string): Promise<IngestResult> {
    const { references, cached } = await this.cachedReferences(tenantId, events);
    let prepared: Prepared[];
    try {
      prepared = prepare(events, references, options, pointerOf);
    } catch (error) {
      if (!cached) throw error;
      // Refused against cached definitions (a metric deleted and created again differently, say): refused only if
      // the current ones refuse it too.
      this.customerIds.forgetTenant(tenantId);
      this.metricDefinitions.forgetTenant(tenantId);
      prepared = prepare(events, await this.db.transaction(tenantId, (tx) => this.readReferences(tx, tenantId, events)), options, pointerOf);
    }
    return new Promise<IngestResult>((resolve, reject) => {
      let queue = this.queues.get(tenantId);
      if (!queue) this.queues.set(tenantId, (queue = { pending: [], writing: 0 }));
      queue.pending.push({ events: prepared, input: events, options, pointerOf, resolve, reject });
      this.drain(tenantId, queue);
    });
  }

  /**
   * Folds the tenant's rollup deltas into its rollups (`merge_usage_deltas`), a chunk a transaction, until none is
   * left; returns how many were merged. Safe beside writes, reads and merges on other instances.
   */
  async mergeDeltas(tenantId: string): Promise<number> {
    let total = 0;
    for (;;) {
      const [row] = await this.retrying(() =>
        this.db.transaction(tenantId, (tx) => tx.query<{ merged: number }>('select merge_usage_deltas($1, $2) as merged', [tenantId, mergeChunk])),
      );
      total += row!.merged;
      if (row!.merged < mergeChunk) return total;
    }
  }

  /** Stops merging after writes (a merge running finishes). */
  async close(): Promise<void> {
    this.closed = true;
    const running: Promise<unknown>[] = [];
    for (const merge of this.merges.values()) {
      clearTimeout(merge.timer);
      if (merge.running) running.push(merge.running);
    }
    await Promise.allSettled(running);
  }

  /** A write appended deltas: the tenant's merge runs `mergeDelayMs` later (once for all writes meanwhile). */
  private mergeSoon(tenantId: string): void {
    const delay = this.options.mergeDelayMs ?? 1000;
    if (this.closed || delay <= 0) return;
    const due = this.merges.get(tenantId);
    if (due) {
      if (due.running) due.again = true;
      return;
    }
    const merge: { timer?: NodeJS.Timeout; running?: Promise<unknown>; again?: boolean } = {};
    merge.timer = setTimeout(() => {
      merge.timer = undefined;
      merge.running = this.mergeDeltas(tenantId)
        .catch((error: unknown) => this.options.onMergeError?.(tenantId, error))
        .finally(() => {
          this.merges.delete(tenantId);
          if (merge.again) this.mergeSoon(tenantId);
        });
    }, delay);
    merge.timer.unref();
    this.merges.set(tenantId, merge);
  }

  /** Starts writes while the tenant's queue has requests and a write slot is free. */
  private drain(tenantId: string, queue: TenantQueue): void {
    while (queue.pending.length > 0 && queue.writing < this.writesPerTenant) {
      const taken: Pending[] = [];
      let size = 0;
      while (queue.pending.length > 0 && (taken.length === 0 || size + queue.pending[0]!.events.length <= this.eventsPerWrite)) {
        const next = queue.pending.shift()!;
        taken.push(next);
        size += next.events.length;
      }
      queue.writing += 1;
      void this.writeTogether(tenantId, taken).finally(() => {
        queue.writing -= 1;
        if (queue.pending.length > 0) this.drain(tenantId, queue);
        else if (queue.writing === 0) this.queues.delete(tenantId);
      });
    }
  }

  private async writeTogether(tenantId: string, requests: readonly Pending[]): Promise<void> {
    try {
      const thresholds = requests[requests.length - 1]!.options.thresholds;
      const { results, crossings } = await this.retrying(async () => {
        // Without thresholds to check, the write is its one statement: begin, statement and commit travel in one
        // round trip (db.statement) instead of three.
        if (!thresholds) return { results: (await write(this.oneStatement(tenantId), tenantId, requests)).results, crossings: [] };
        return this.db.transaction(tenantId, async (tx) => {
          const written = await write(tx, tenantId, requests);
          const crossed = thresholds ? await crossThresholds(tx, tenantId, written.touched, thresholds, requests[0]!.options.now ?? new Date()) : [];
          if (crossed.length > 0) await this.options.onCrossingsRecorded?.(tenantId);
          return { results: written.results, crossings: crossed };
        });
      });
      requests.forEach((request, i) => request.resolve(results[i]!));
      if (results.some((r) => r.counted > 0)) this.mergeSoon(tenantId);
      await this.announce(tenantId, crossings);
    } catch (error) {
      if (!(error instanceof StaleReferences)) {
        for (const request of requests) request.reject(error);
        return;
      }
      // A customer or metric changed since it was cached: forget the tenant's, and check each request again.
      this.customerIds.forgetTenant(tenantId);
      this.metricDefinitions.forgetTenant(tenantId);
      for (const request of requests) {
        await this.writeAlone(tenantId, request).then(request.resolve, request.reject);
      }
    }
  }

  /** A transaction handle whose one query is a transaction of its own, in one round trip (`write` sends one). */
  private oneStatement(tenantId: string): SqlTransaction {
    let used = false;
    return {
      query: async <R = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<R[]> => {
        if (used) throw new Error('oneStatement: a second statement would run in a transaction of its own');
        used = true;
        return this.db.statement<R>(tenantId, sql, params);
      },
    };
  }

  /** One request, checked against fresh reads in its own write transaction (after a write found the cache stale). */
  private async writeAlone(tenantId: string, request: Pending): Promise<IngestResult> {
    const { result, crossings } = await this.retrying(() =>
      this.db.transaction(tenantId, async (tx) => {
        const references = await this.readReferences(tx, tenantId, request.input);
        const events = prepare(request.input, references, request.options, request.pointerOf);
        const written = await write(tx, tenantId, [{ ...request, events }]);
        const thresholds = request.options.thresholds;
        const crossed = thresholds ? await crossThresholds(tx, tenantId, written.touched, thresholds, request.options.now ?? new Date()) : [];
        if (crossed.length > 0) await this.options.onCrossingsRecorded?.(tenantId);
        return { result: written.results[0]!, crossings: crossed };
      }),
    );
    if (result.counted > 0) this.mergeSoon(tenantId);
    await this.announce(tenantId, crossings);
    return result;
  }

  private async announce(tenantId: string, crossings: readonly Crossing[]): Promise<void> {
    if (crossings.length === 0 || !this.options.onCrossings) return;
    // The events were counted and answered for; an announcement that fails now is retried by the sweep.
    await this.options.onCrossings(tenantId, crossings).catch(() => undefined);
  }

  /** A deadlock or serialization failure rolled the whole transaction back: it simply runs again. */
  private async retrying<T>(work: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await work();
      } catch (error) {
        if (attempt >= 5 || !retryable(error)) throw error;
      }
    }
  }

  /** The request's customers and metrics, from the cache; the ones missing are read (and cached) first. */
  private async cachedReferences(tenantId: string, events: readonly UsageEventInput[]): Promise<{ references: References; cached: boolean }> {
    const customers = new Map<string, string>();
    const metrics = new Map<string, BillableMetric>();
    const missingCustomers = new Set<string>();
    const missingMetrics = new Set<string>();
    let hits = 0;
    for (const event of events) {
      if (!customers.has(event.customerId)) {
        const id = this.customerIds.get(tenantId, event.customerId);
        if (id) {
          customers.set(event.customerId, id);
          hits += 1;
        } else missingCustomers.add(event.customerId);
      }
      if (!metrics.has(event.metric)) {
        const metric = this.metricDefinitions.get(tenantId, event.metric);
        if (metric) {
          metrics.set(event.metric, metric);
          hits += 1;
        } else missingMetrics.add(event.metric);
      }
    }
    if (missingCustomers.size > 0 || missingMetrics.size > 0) {
      const read = await this.db.transaction(tenantId, (tx) =>
        this.readReferences(
          tx,
          tenantId,
          [...missingCustomers].map((customerId) => ({ customerId, metric: '' })),
          [...missingMetrics],
        ),
      );
      for (const [name, id] of read.customers) customers.set(name, id);
      for (const [code, metric] of read.metrics) metrics.set(code, metric);
    }
    return { references: { customers, metrics }, cached: hits > 0 };
  }

  /** Reads the customers and metrics `events` name, and caches what it found (nothing is cached for a name not found). */
  private async readReferences(
    tx: SqlTransaction,
    tenantId: string,
    events: readonly Pick<UsageEventInput, 'customerId' | 'metric'>[],
    metricCodes: readonly string[] = [...new Set(events.map((e) => e.metric))],
  ): Promise<References> {
    const names = [...new Set(events.map((e) => e.customerId))];
    const customers = new Map<string, string>();
    if (names.length > 0) {
      // By external id, or by id for names shaped like one: `id::text = any(…)` would read every customer of the tenant.
      const rows = await tx.query<{ id: string; external_id: string }>(
        'select id::text as id, external_id from customers where tenant_id = $1 and (external_id = any($2::text[]) or id = any($3::uuid[]))',
        [tenantId, names, names.filter((n) => uuidShape.test(n))],
      );
      for (const c of rows) {
        for (const name of [c.external_id, c.id]) {
          customers.set(name, c.id);
          this.customerIds.set(tenantId, name, c.id);
        }
      }
      // An id given in capitals names the same customer.
      for (const name of names) if (!customers.has(name) && uuidShape.test(name) && customers.has(name.toLowerCase())) customers.set(name, customers.get(name.toLowerCase())!);
    }
    const metrics = new Map<string, BillableMetric>();
    if (metricCodes.length > 0) {
      const rows = await tx.query<{ code: string; name: string; aggregation: BillableMetric['aggregation']; field: string | null; group_by: string[] }>(
        'select code, name, aggregation, field, group_by from metrics where tenant_id = $1 and code = any($2::text[])',
        [tenantId, metricCodes],
      );
      for (const m of rows) {
        const metric: BillableMetric = { code: m.code, name: m.name, aggregation: m.aggregation, field: m.field, groupBy: m.group_by, createdAt: '' };
        metrics.set(m.code, metric);
        this.metricDefinitions.set(tenantId, m.code, metric);
      }
    }
    return { customers, metrics };
  }
}

/** Checks a request's events against its references: every problem at once, or the events ready to write. */
function prepare(events: readonly UsageEventInput[], references: References, options: IngestOptions, pointerOf: (index: number) => string): Prepared[] {
  const now = options.now ?? new Date();
  const problems: FieldProblem[] = [];
  const late: string[] = [];
  const oldest = now.getTime() - options.graceHours * 3_600_000;
  const prepared: Prepared[] = [];
  for (const [index, event] of events.entries()) {
    const at = pointerOf(index);
    const customerId = references.customers.get(event.customerId);
    if (!customerId) problems.push({ pointer: `${at}/customerId`, message: `no customer "${event.customerId}" in this tenant`, in: 'body' });
    const metric = references.metrics.get(event.metric);
    if (!metric) problems.push({ pointer: `${at}/metric`, message: `no billable metric "${event.metric}" in this tenant`, in: 'body' });
    const occurredAt = new Date(event.timestamp);
    if (Number.isNaN(occurredAt.getTime())) problems.push({ pointer: `${at}/timestamp`, message: 'is not a date-time', in: 'body' });
    else if (occurredAt.getTime() > now.getTime() + futureToleranceMs) problems.push({ pointer: `${at}/timestamp`, message: 'is in the future', in: 'body' });
    else if (occurredAt.getTime() < oldest) late.push(`${at || 'the event'} (${event.transactionId})`);
    const properties = event.properties ?? {};
    if (!metric || !customerId || Number.isNaN(occurredAt.getTime())) continue;
    const { value, distinct, problem } = valueOf(metric, properties);
    if (problem) problems.push({ pointer: `${at}/properties/${metric.field}`, message: problem, in: 'body' });
    prepared.push({
      transactionId: event.transactionId,
      customerId,
      metric: metric.code,
      definition: metric,
      occurredAt: occurredAt.toISOString(),
      value,
      distinctValue: distinct,
      groupKey: groupKeyOf(metric, properties),
      properties: JSON.stringify(properties),
    });
  }
  if (problems.length > 0) throw VvError.validation(problems);
  if (late.length > 0)
    throw new VvError('VV_BILLING_USAGE_LATE', {
      params: { graceHours: String(options.graceHours), events: late.slice(0, 10).join(', ') + (late.length > 10 ? ` and ${late.length - 10} more` : '') },
    });
  return prepared;
}

/** The (customer, metric) pairs a write stored events for: what threshold checks look at. */
export interface Touched {
  readonly customerId: string;
  readonly metric: BillableMetric;
}

/**
 * Writes the requests' events in one statement and tells each request what it counted. An id several requests (or
 * one twice) carry is written for the first and a duplicate for the others; an id stored before is a duplicate.
 */
async function write(tx: SqlTransaction, tenantId: string, requests: readonly Pick<Pending, 'events'>[]): Promise<{ results: IngestResult[]; touched: Touched[] }> {
  const first = new Map<string, number>(); // transaction id → the request that writes it
  const unique: Prepared[] = [];
  const duplicates: string[][] = requests.map(() => []);
  requests.forEach((request, r) => {
    for (const event of request.events) {
      if (first.has(event.transactionId)) duplicates[r]!.push(event.transactionId);
      else {
        first.set(event.transactionId, r);
        unique.push(event);
      }
    }
  });
  unique.sort((a, b) => (a.transactionId < b.transactionId ? -1 : a.transactionId > b.transactionId ? 1 : 0));
  const customerIds = [...new Set(unique.map((e) => e.customerId))];
  const definitions = new Map<string, BillableMetric>();
  for (const event of unique) {
    const known = definitions.get(event.metric);
    // Requests checked against two versions of one metric: one of them is stale.
    if (known && known !== event.definition && definitionOf(known) !== definitionOf(event.definition)) throw new StaleReferences('a metric changed while it was read');
    definitions.set(event.metric, event.definition);
  }
  const [row] = await tx.query<{ ok: boolean; stored: number; inserted: string[] | null }>(ingestSql, [
    tenantId,
    unique.map((e) => e.transactionId),
    unique.map((e) => e.customerId),
    unique.map((e) => e.metric),
    unique.map((e) => e.occurredAt),
    unique.map((e) => e.value),
    unique.map((e) => e.distinctValue),
    unique.map((e) => e.groupKey),
    unique.map((e) => e.properties),
    customerIds,
    [...definitions.keys()],
    [...definitions.values()].map(definitionOf),
  ]);
  if (!row!.ok) throw new StaleReferences('a customer or metric changed since it was read');
  const inserted = row!.inserted === null ? undefined : new Set(row!.inserted);
  const counted = requests.map(() => 0);
  const touched = new Map<string, Touched>();
  for (const event of unique) {
    const r = first.get(event.transactionId)!;
    if (inserted && !inserted.has(event.transactionId)) duplicates[r]!.push(event.transactionId);
    else {
      counted[r]! += 1;
      const key = `${event.customerId}\u0000${event.metric}`;
      if (!touched.has(key)) touched.set(key, { customerId: event.customerId, metric: definitions.get(event.metric)! });
    }
  }
  return { results: requests.map((_, r) => ({ counted: counted[r]!, duplicates: duplicates[r]! })), touched: [...touched.values()] };
}
