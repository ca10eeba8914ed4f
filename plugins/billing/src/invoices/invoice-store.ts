import { randomUUID } from 'node:crypto';
import { VvError, type PluginDatabase, type SqlTransaction } from '@valueverse/plugin-sdk';
import type { Customer } from '../customers/customer-store';
import type { MetricStore } from '../metrics/metric-store';
import type { GuaranteeStore } from '../outcomes/guarantee-store';
import type { OutcomeSource } from '../outcomes/outcome-source';
import type { OutcomeProperties, UsageQuantity } from '../pricing/charge-model';
import { money } from '../pricing/decimal-money';
import { quotePlan, taxOf, type Quote } from '../pricing/quote-plan';
import type { Plan } from '../plans/plan-store';
import { addDays, calendarPeriod, daysBetween, localDate, localMidnight } from '../subscriptions/local-calendar';
import { usageTotals } from '../usage/usage-totals';
import type { CreditNote, Invoice, InvoiceKind, InvoiceLine, InvoiceStatus, LineEvidence } from './invoice-model';

/** What an invoice bills: the recurring fee over [baseStart, baseEnd) and usage over [usageStart, usageEnd) (local dates). */
export interface InvoiceSpec {
  readonly customer: Customer;
  readonly subscriptionId: string | null;
  readonly kind: InvoiceKind;
  readonly plan: Plan;
  readonly base?: { readonly start: string; readonly end: string };
  readonly usage?: { readonly start: string; readonly end: string };
  /** When the draft may be finalized (the tenant's grace for late usage). */
  readonly finalizeAfter: Date;
}

interface InvoiceRow {
  id: string;
  customer_id: string;
  subscription_id: string | null;
  kind: InvoiceKind;
  number: string | null;
  status: InvoiceStatus;
  currency: string;
  plan: Plan | string;
  base_start: string | null;
  base_end: string | null;
  usage_start: string | null;
  usage_end: string | null;
  time_zone: string;
  tax_rate: string;
  lines: InvoiceLine[] | string;
  subtotal_cents: string;
  tax_cents: string;
  credits_cents: string;
  total_cents: string;
  credited_cents: string;
  paid_cents: string;
  payment_attempts: number;
  payment_status: string | null;
  created_at: Date;
  finalized_at: Date | null;
  paid_at: Date | null;
}

const columns = `id::text as id, customer_id::text as customer_id, subscription_id::text as subscription_id, kind, number, status, currency, plan,
  to_char(base_start, 'YYYY-MM-DD') as base_start, to_char(base_end, 'YYYY-MM-DD') as base_end, to_char(usage_start, 'YYYY-MM-DD') as usage_start,
  to_char(usage_end, 'YYYY-MM-DD') as usage_end, time_zone, tax_rate, lines, subtotal_cents::text as subtotal_cents, tax_cents::text as tax_cents,
  credits_cents::text as credits_cents, total_cents::text as total_cents, credited_cents::text as credited_cents, paid_cents::text as paid_cents,
  payment_attempts, payment_status, created_at, finalized_at, paid_at`;

const json = <T>(value: T | string): T => (typeof value === 'string' ? (JSON.parse(value) as T) : value);

/** The subscription's current period so far, priced as its invoice will be (`GET …/subscriptions/:id/upcoming-invoice`). */
export interface UpcomingInvoice {
  readonly currency: string;
  readonly periodStart: string;
  /** The period's end (exclusive); usage is counted up to `usageTo` (exclusive: the end of today, local). */
  readonly periodEnd: string;
  readonly usageTo: string;
  readonly lines: readonly InvoiceLine[];
  readonly subtotalCents: number;
  readonly taxCents: number;
  readonly totalCents: number;
}

/** An invoice's base and usage lines from its quote: descriptions, dates and the evidence of outcome lines. */
function linesOf(
  row: Pick<InvoiceRow, 'plan' | 'base_start' | 'base_end' | 'usage_start' | 'usage_end'>,
  quote: Quote & { readonly evidence: Readonly<Record<string, readonly LineEvidence[]>> },
): InvoiceLine[] {
  const plan = json<Plan>(row.plan);
  return quote.lines.map((line) =>
    line.kind === 'base'
      ? { ...line, kind: 'base', description: `${plan.name} (${row.base_start} – ${row.base_end})`, from: row.base_start!, to: row.base_end! }
      : {
          ...line,
          kind: 'usage',
          description: line.model === 'outcome' ? `${line.metric} (outcome: share of value realized)` : `${line.metric} (${line.model})`,
          from: row.usage_start!,
          to: row.usage_end!,
          ...(quote.evidence[line.metric!] && { evidence: quote.evidence[line.metric!] }),
        },
  );
}
const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

function fromRow(row: InvoiceRow, creditNotes: CreditNote[]): Invoice {
  const plan = json<Plan>(row.plan);
  const starts = [row.base_start, row.usage_start].filter((d): d is string => d !== null);
  const ends = [row.base_end, row.usage_end].filter((d): d is string => d !== null);
  const total = Number(row.total_cents);
  const credited = Number(row.credited_cents);
  const paid = Number(row.paid_cents);
  const open = row.status === 'finalized';
  return {
    id: row.id,
    number: row.number,
    status: row.status,
    kind: row.kind,
    customerId: row.customer_id,
    subscriptionId: row.subscription_id,
    planCode: plan.code,
    currency: row.currency,
    timeZone: row.time_zone,
    periodStart: starts.sort()[0]!,
    periodEnd: ends.sort().at(-1)!,
    lines: json<InvoiceLine[]>(row.lines),
    subtotalCents: Number(row.subtotal_cents),
    taxRate: row.tax_rate,
    taxCents: Number(row.tax_cents),
    creditsCents: Number(row.credits_cents),
    totalCents: total,
    creditedCents: credited,
    paidCents: paid,
    amountDueCents: open || row.status === 'draft' ? Math.max(total - credited - paid, 0) : 0,
    paymentAttempts: row.payment_attempts,
    paymentStatus: row.payment_status,
    creditNotes,
    createdAt: iso(row.created_at)!,
    finalizedAt: iso(row.finalized_at),
    paidAt: iso(row.paid_at),
  };
}

/** Asked for inside a transaction: outcome values not read yet, which `withOutcomes` reads outside it and retries. */
class OutcomesNeeded extends Error {
  constructor(readonly needs: readonly { key: string; tenantId: string; charge: OutcomeProperties; from: Date; to: Date }[]) {
    super('outcome values are read outside the transaction');
  }
}

type Realized = Awaited<ReturnType<OutcomeSource>>;

/** The invoices of a tenant: drafts priced from the rollups, finalized with a gapless number, then settled. */
export class InvoiceStore {
  /** Outcome values read for the run of `withOutcomes` in progress, by tenant, charge and period. */
  private readonly realized = new Map<string, Realized>();

  constructor(
    private readonly db: PluginDatabase,
    private readonly metrics: MetricStore,
    /** Value realized for outcome charges (value-executor); without it an outcome charge cannot be invoiced. */
    private readonly outcomes?: OutcomeSource,
    /** Guarantee credits for missed milestones; without it none are applied. */
    private readonly guarantees?: GuaranteeStore,
  ) {}

  /**
   * Runs `work` (a transaction that may price invoices) so that outcome values are read from value-executor before
   * it, never inside it: value-executor reads in its own transaction, which on the embedded database (one
   * connection) would wait for this one forever. A run that meets a value not read yet rolls back, the values are
   * read, and it runs again; they are forgotten afterwards, so the next run reads them fresh.
   */
  async withOutcomes<T>(work: () => Promise<T>): Promise<T> {
    const keys: string[] = [];
    try {
      for (let attempt = 0; ; attempt++) {
        try {
          return await work();
        } catch (error) {
          if (!(error instanceof OutcomesNeeded) || attempt >= 5) throw error;
          for (const need of error.needs) {
            this.realized.set(need.key, await this.outcomes!(need.tenantId, need.charge, need.from, need.to));
            keys.push(need.key);
          }
        }
      }
    } finally {
      for (const key of keys) this.realized.delete(key);
    }
  }

  /** Creates the draft for a spec, or finds the one a retried close already made (same subscription, kind and start). */
  async createDraft(tx: SqlTransaction, tenantId: string, spec: InvoiceSpec): Promise<string> {
    const [row] = await tx.query<{ id: string }>(
      `insert into invoices (id, tenant_id, customer_id, subscription_id, kind, status, currency, plan, base_start, base_end, usage_start, usage_end, time_zone, tax_rate, finalize_after)
       values ($2::uuid, $1, $3::uuid, $4::uuid, $5, 'draft', $6, $7::jsonb, $8::date, $9::date, $10::date, $11::date, $12, $13, $14)
       on conflict do nothing returning id::text as id`,
      [
        tenantId,
        randomUUID(),
        spec.customer.id,
        spec.subscriptionId,
        spec.kind,
        spec.plan.currency,
        JSON.stringify(spec.plan),
        spec.base?.start ?? null,
        spec.base?.end ?? null,
        spec.usage?.start ?? null,
        spec.usage?.end ?? null,
        spec.customer.timeZone,
        spec.customer.taxRate,
        spec.finalizeAfter.toISOString(),
      ],
    );
    const id = row?.id ?? (await this.findOnce(tx, tenantId, spec));
    await this.price(tx, tenantId, id);
    return id;
  }

  private async findOnce(tx: SqlTransaction, tenantId: string, spec: InvoiceSpec): Promise<string> {
    const [row] = await tx.query<{ id: string }>(
      `select id::text as id from invoices where tenant_id = $1 and subscription_id = $2::uuid and kind = $3 and coalesce(usage_start, base_start) = $4::date`,
      [tenantId, spec.subscriptionId, spec.kind, spec.usage?.start ?? spec.base?.start],
    );
    return row!.id;
  }

  /** Prices a draft's lines from the plan it carries and the rollups, exactly as `POST /billing/quote` would. */
  private async price(tx: SqlTransaction, tenantId: string, id: string): Promise<void> {
    const [row] = await tx.query<InvoiceRow>(`select ${columns} from invoices where tenant_id = $1 and id = $2::uuid`, [tenantId, id]);
    if (!row || row.status !== 'draft') return;
    const lines = linesOf(row, await this.quoteOf(tx, tenantId, row));
    lines.push(...(await this.adjustments(tx, tenantId, row)));
    lines.push(...(await this.guaranteeCredits(tx, tenantId, row, lines)));
    const subtotal = lines.reduce((sum, line) => sum + line.amountCents, 0);
    const tax = taxOf(subtotal, row.tax_rate);
    await tx.query(`update invoices set lines = $3::jsonb, subtotal_cents = $4, tax_cents = $5, total_cents = $6 - credits_cents where tenant_id = $1 and id = $2::uuid`, [
      tenantId,
      id,
      JSON.stringify(lines),
      subtotal,
      tax,
      subtotal + tax,
    ]);
  }

  /**
   * What a subscription's current period comes to so far, priced as its invoice will be: the plan's fee for the
   * period, and every usage charge (percentage charges with their per-event amounts, outcome charges with the value
   * realized so far and its evidence) over the period up to the end of today in the customer's time zone, and tax.
   * An estimate: adjustments, credits and proration are settled when the period closes.
   */
  async upcoming(tenantId: string, customer: Customer, subscription: { currentPeriodStart: string; currentPeriodEnd: string }, plan: Plan, now: Date): Promise<UpcomingInvoice> {
    const tomorrow = addDays(localDate(now, customer.timeZone), 1);
    const usageEnd = tomorrow < subscription.currentPeriodEnd ? tomorrow : subscription.currentPeriodEnd;
    const row: Pick<InvoiceRow, 'customer_id' | 'plan' | 'base_start' | 'base_end' | 'usage_start' | 'usage_end' | 'time_zone' | 'tax_rate'> = {
      customer_id: customer.id,
      plan,
      base_start: subscription.currentPeriodStart,
      base_end: subscription.currentPeriodEnd,
      usage_start: subscription.currentPeriodStart,
      usage_end: usageEnd,
      time_zone: customer.timeZone,
      tax_rate: customer.taxRate,
    };
    const quote = await this.withOutcomes(() => this.db.transaction(tenantId, (tx) => this.quoteOf(tx, tenantId, row)));
    return {
      currency: quote.currency,
      periodStart: subscription.currentPeriodStart,
      periodEnd: subscription.currentPeriodEnd,
      usageTo: usageEnd,
      lines: linesOf(row, quote),
      subtotalCents: quote.subtotalCents,
      taxCents: quote.taxCents,
      totalCents: quote.totalCents,
    };
  }

  /**
   * Credits of the customer's guarantees for missed milestones not yet applied, one line each, with the evidence. A
   * credit is at most what the invoice still comes to; the rest is carried to the customer's credit when it is
   * finalized.
   */
  private async guaranteeCredits(tx: SqlTransaction, tenantId: string, row: InvoiceRow, lines: readonly InvoiceLine[]): Promise<InvoiceLine[]> {
    if (!this.guarantees) return [];
    let left = Math.max(
      0,
      lines.reduce((sum, line) => sum + line.amountCents, 0),
    );
    const credits: InvoiceLine[] = [];
    for (const credit of await this.guarantees.pending(tx, tenantId, row.customer_id)) {
      const applied = Math.min(left, credit.amountCents);
      left -= applied;
      credits.push({
        kind: 'credit',
        description: `Guarantee: milestone "${credit.milestoneTitle}" missed`,
        quantity: '1',
        amountCents: -applied,
        creditCents: credit.amountCents,
        guaranteeCreditId: credit.id,
        evidence: [{ commitmentId: credit.commitmentId, title: credit.milestoneTitle, path: credit.evidence }],
        from: [row.base_start, row.usage_start].filter((d): d is string => d !== null).sort()[0]!,
        to: [row.base_end, row.usage_end]
          .filter((d): d is string => d !== null)
          .sort()
          .at(-1)!,
      });
    }
    return credits;
  }

  /** The invoice's base and usage lines, priced from the plan it carries and the rollups now; the evidence of outcome lines by line. */
  private async quoteOf(
    tx: SqlTransaction,
    tenantId: string,
    row: Pick<InvoiceRow, 'customer_id' | 'plan' | 'base_start' | 'base_end' | 'usage_start' | 'usage_end' | 'time_zone' | 'tax_rate'>,
  ): Promise<Quote & { readonly evidence: Readonly<Record<string, readonly LineEvidence[]>> }> {
    const plan = json<Plan>(row.plan);
    const usage: Record<string, UsageQuantity> = {};
    const evidence: Record<string, LineEvidence[]> = {};
    if (row.usage_start && row.usage_end) {
      const from = localMidnight(row.usage_start, row.time_zone);
      const to = localMidnight(row.usage_end, row.time_zone);
      const needs: ConstructorParameters<typeof OutcomesNeeded>[0][number][] = [];
      for (const charge of plan.charges) {
        if (charge.model !== 'outcome') continue;
        if (!this.outcomes) throw new VvError('VV_DEPENDENCY_UNAVAILABLE', { params: { dependency: 'value-executor', reason: 'outcome charges read value realized from it' } });
        const key = JSON.stringify([tenantId, charge.properties, from.toISOString(), to.toISOString()]);
        if (!this.realized.has(key)) needs.push({ key, tenantId, charge: charge.properties, from, to });
      }
      if (needs.length > 0) throw new OutcomesNeeded(needs);
      for (const charge of plan.charges) {
        if (charge.model === 'outcome') {
          const realized = this.realized.get(JSON.stringify([tenantId, charge.properties, from.toISOString(), to.toISOString()]))!;
          usage[charge.metric] = String(realized.value);
          evidence[charge.metric] = realized.parts.map((p) => ({ commitmentId: p.commitmentId, title: p.title, value: p.value, unit: p.unit, path: p.evidence }));
          continue;
        }
        const metric = await this.metrics.get(tenantId, charge.metric, tx);
        const totals = await usageTotals(tx, tenantId, row.customer_id, metric, from, to);
        usage[charge.metric] = charge.model === 'percentage' ? { sum: totals.sum, count: totals.count } : totals.quantity;
      }
    }
    let baseFactor = money(0);
    if (row.base_start && row.base_end) {
      const period = calendarPeriod(row.base_start, plan.interval);
      baseFactor = money(daysBetween(row.base_start, row.base_end)).div(daysBetween(period.start, period.end));
    }
    return { ...quotePlan({ ...plan, charges: row.usage_start ? plan.charges : [] }, usage, { baseFactor, taxRate: row.tax_rate }), evidence };
  }

  /**
   * Usage that arrived (inside the grace window) after the subscription's previous usage invoice was finalized goes
   * on this one: that invoice's usage is priced again from the rollups, and what differs from what it and earlier
   * adjustments billed becomes an adjustment line per metric. Finalized invoices stay as they were issued.
   */
  private async adjustments(tx: SqlTransaction, tenantId: string, row: InvoiceRow): Promise<InvoiceLine[]> {
    if (!row.subscription_id || !row.usage_start) return [];
    const [previous] = await tx.query<InvoiceRow>(
      `select ${columns} from invoices where tenant_id = $1 and subscription_id = $2::uuid and id <> $3::uuid and status in ('finalized', 'paid')
          and usage_start is not null and usage_end <= $4::date order by usage_end desc limit 1`,
      [tenantId, row.subscription_id, row.id, row.usage_start],
    );
    if (!previous) return [];
    const billed = new Map<string, { cents: number; quantity: string }>();
    for (const line of json<InvoiceLine[]>(previous.lines)) if (line.kind === 'usage' && line.metric) billed.set(line.metric, { cents: line.amountCents, quantity: line.quantity });
    // Adjustments already made for that invoice by other finalized invoices.
    const earlier = await tx.query<{ lines: InvoiceLine[] | string }>(
      `select lines from invoices where tenant_id = $1 and subscription_id = $2::uuid and id <> $3::uuid and status in ('finalized', 'paid') and lines @> $4::jsonb`,
      [tenantId, row.subscription_id, row.id, JSON.stringify([{ adjusts: previous.id }])],
    );
    for (const other of earlier) {
      for (const line of json<InvoiceLine[]>(other.lines)) {
        if (line.kind !== 'adjustment' || line.adjusts !== previous.id || !line.metric) continue;
        const entry = billed.get(line.metric);
        if (entry) billed.set(line.metric, { cents: entry.cents + line.amountCents, quantity: line.quantity });
      }
    }
    const now = await this.quoteOf(tx, tenantId, previous);
    const lines: InvoiceLine[] = [];
    for (const line of now.lines) {
      if (line.kind !== 'usage' || !line.metric) continue;
      const before = billed.get(line.metric);
      const difference = line.amountCents - (before?.cents ?? 0);
      if (difference === 0) continue;
      lines.push({
        kind: 'adjustment',
        description: `${line.metric}: usage received after ${previous.number} (${previous.usage_start} – ${previous.usage_end})`,
        metric: line.metric,
        quantity: line.quantity,
        amountCents: difference,
        adjusts: previous.id,
        from: previous.usage_start!,
        to: previous.usage_end!,
      });
    }
    return lines;
  }

  /**
   * Finalizes a draft: prices it once more (late usage inside the grace counts), applies the customer's credit,
   * and takes the next number of the year. All in the caller's transaction, so a rollback gives the number back.
   * Returns false when the invoice is not a draft (already finalized by a concurrent close).
   */
  async finalize(tx: SqlTransaction, tenantId: string, id: string, now: Date): Promise<boolean> {
    const [locked] = await tx.query<{ status: string; customer_id: string }>(
      `select status, customer_id::text as customer_id from invoices where tenant_id = $1 and id = $2::uuid for update`,
      [tenantId, id],
    );
    if (!locked || locked.status !== 'draft') return false;
    await this.price(tx, tenantId, id);
    const [totals] = await tx.query<{ due: string }>(`select (subtotal_cents + tax_cents)::text as due from invoices where tenant_id = $1 and id = $2::uuid`, [tenantId, id]);
    const [credit] = await tx.query<{ credit: string }>(`select credit_cents::text as credit from customers where tenant_id = $1 and id = $2::uuid for update`, [
      tenantId,
      locked.customer_id,
    ]);
    const credits = Math.min(Number(credit!.credit), Number(totals!.due));
    if (credits > 0) await tx.query('update customers set credit_cents = credit_cents - $3 where tenant_id = $1 and id = $2::uuid', [tenantId, locked.customer_id, credits]);
    // Guarantee credits on the invoice are now applied; what it could not absorb becomes the customer's credit.
    const [priced] = await tx.query<{ lines: InvoiceLine[] | string }>(`select lines from invoices where tenant_id = $1 and id = $2::uuid`, [tenantId, id]);
    const creditLines = json<InvoiceLine[]>(priced!.lines).filter((line) => line.kind === 'credit' && line.guaranteeCreditId);
    if (creditLines.length > 0) {
      await this.guarantees?.apply(
        tx,
        tenantId,
        id,
        creditLines.map((line) => line.guaranteeCreditId!),
      );
      const carried = creditLines.reduce((sum, line) => sum + (line.creditCents ?? 0) + line.amountCents, 0);
      if (carried > 0) await tx.query('update customers set credit_cents = credit_cents + $3 where tenant_id = $1 and id = $2::uuid', [tenantId, locked.customer_id, carried]);
    }
    const year = now.getUTCFullYear();
    const [sequence] = await tx.query<{ last: number }>(
      `insert into invoice_sequences (tenant_id, kind, year, last) values ($1, 'INV', $2, 1)
       on conflict (tenant_id, kind, year) do update set last = invoice_sequences.last + 1 returning last`,
      [tenantId, year],
    );
    const number = `INV-${year}-${String(sequence!.last).padStart(6, '0')}`;
    await tx.query(
      `update invoices set status = 'finalized', number = $3, finalized_at = $4, credits_cents = $5, total_cents = subtotal_cents + tax_cents - $5 where tenant_id = $1 and id = $2::uuid`,
      [tenantId, id, number, now.toISOString(), credits],
    );
    return true;
  }

  /** Drafts whose grace has passed, oldest first. */
  async dueDrafts(tx: SqlTransaction, tenantId: string, now: Date): Promise<string[]> {
    const rows = await tx.query<{ id: string }>(`select id::text as id from invoices where tenant_id = $1 and status = 'draft' and finalize_after <= $2 order by created_at, id`, [
      tenantId,
      now.toISOString(),
    ]);
    return rows.map((r) => r.id);
  }

  async get(tenantId: string, id: string, tx?: SqlTransaction): Promise<Invoice> {
    const run = async (t: SqlTransaction) => {
      const [row] = /^[0-9a-f-]{36}$/i.test(id) ? await t.query<InvoiceRow>(`select ${columns} from invoices where tenant_id = $1 and id = $2::uuid`, [tenantId, id]) : [];
      if (!row) throw new VvError('VV_NOT_FOUND', { detail: `Invoice ${id} not found` });
      return fromRow(row, await this.creditNotes(t, tenantId, id));
    };
    return tx ? run(tx) : this.db.transaction(tenantId, run);
  }

  private async creditNotes(tx: SqlTransaction, tenantId: string, invoiceId: string): Promise<CreditNote[]> {
    const rows = await tx.query<{ id: string; number: string; amount_cents: string; reason: string; created_at: Date }>(
      `select id::text as id, number, amount_cents::text as amount_cents, reason, created_at from credit_notes where tenant_id = $1 and invoice_id = $2::uuid order by created_at, number`,
      [tenantId, invoiceId],
    );
    return rows.map((r) => ({ id: r.id, number: r.number, amountCents: Number(r.amount_cents), reason: r.reason, createdAt: new Date(r.created_at).toISOString() }));
  }

  async list(tenantId: string, filter: { customerId?: string; status?: InvoiceStatus; limit: number }): Promise<Invoice[]> {
    return this.db.transaction(tenantId, async (tx) => {
      const rows = await tx.query<InvoiceRow>(
        `select ${columns} from invoices where tenant_id = $1 and ($2::uuid is null or customer_id = $2::uuid) and ($3::text is null or status = $3)
          order by created_at desc, id limit $4`,
        [tenantId, filter.customerId ?? null, filter.status ?? null, filter.limit],
      );
      return Promise.all(rows.map(async (r) => fromRow(r, await this.creditNotes(tx, tenantId, r.id))));
    });
  }

  /** Moves a finalized invoice to void or uncollectible (a paid one cannot be: credit it instead). */
  async settle(tenantId: string, id: string, to: 'void' | 'uncollectible', now: Date): Promise<{ before: Invoice; after: Invoice }> {
    return this.db.transaction(tenantId, async (tx) => {
      const before = await this.get(tenantId, id, tx);
      await tx.query('select 1 from invoices where tenant_id = $1 and id = $2::uuid for update', [tenantId, id]);
      const allowed = to === 'void' ? ['finalized', 'uncollectible'] : ['finalized'];
      if (!allowed.includes(before.status))
        throw new VvError('VV_CONFLICT', { params: { reason: `Invoice ${before.number ?? id} is ${before.status}; only ${allowed.join(' or ')} invoices can become ${to}` } });
      await tx.query(`update invoices set status = $3, voided_at = case when $3 = 'void' then $4::timestamptz else voided_at end where tenant_id = $1 and id = $2::uuid`, [
        tenantId,
        id,
        to,
        now.toISOString(),
      ]);
      return { before, after: await this.get(tenantId, id, tx) };
    });
  }

  /**
   * Issues a credit note on a finalized or paid invoice, at most what is left to credit. On an unpaid invoice it
   * lowers the amount due; on a paid one it becomes the customer's credit, applied to their next invoices.
   */
  async creditNote(tx: SqlTransaction, tenantId: string, id: string, amountCents: number, reason: string, now: Date): Promise<CreditNote> {
    const [row] = await tx.query<{ status: string; number: string | null; total: string; credited: string; paid: string; customer_id: string }>(
      `select status, number, total_cents::text as total, credited_cents::text as credited, paid_cents::text as paid, customer_id::text as customer_id
         from invoices where tenant_id = $1 and id = $2::uuid for update`,
      [tenantId, id],
    );
    if (!row) throw new VvError('VV_NOT_FOUND', { detail: `Invoice ${id} not found` });
    if (row.status !== 'finalized' && row.status !== 'paid')
      throw new VvError('VV_CONFLICT', { params: { reason: `Invoice ${row.number ?? id} is ${row.status}; credit notes are for finalized or paid invoices` } });
    const left = Number(row.total) - Number(row.credited);
    if (amountCents > left) throw VvError.validation([{ pointer: '/amountCents', message: `at most ${left} is left to credit on ${row.number}`, in: 'body' }]);
    const year = now.getUTCFullYear();
    const [sequence] = await tx.query<{ last: number }>(
      `insert into invoice_sequences (tenant_id, kind, year, last) values ($1, 'CN', $2, 1)
       on conflict (tenant_id, kind, year) do update set last = invoice_sequences.last + 1 returning last`,
      [tenantId, year],
    );
    const note: CreditNote = { id: randomUUID(), number: `CN-${year}-${String(sequence!.last).padStart(6, '0')}`, amountCents, reason, createdAt: now.toISOString() };
    await tx.query('insert into credit_notes (id, tenant_id, invoice_id, number, amount_cents, reason, created_at) values ($1::uuid, $2, $3::uuid, $4, $5, $6, $7)', [
      note.id,
      tenantId,
      id,
      note.number,
      amountCents,
      reason,
      note.createdAt,
    ]);
    await tx.query('update invoices set credited_cents = credited_cents + $3 where tenant_id = $1 and id = $2::uuid', [tenantId, id, amountCents]);
    // Money already received comes back as credit; an unpaid balance simply shrinks.
    if (row.status === 'paid')
      await tx.query('update customers set credit_cents = credit_cents + $3 where tenant_id = $1 and id = $2::uuid', [tenantId, row.customer_id, amountCents]);
    return note;
  }
}
