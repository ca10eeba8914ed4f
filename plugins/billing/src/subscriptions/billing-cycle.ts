import { randomUUID } from 'node:crypto';
import { VvError, type EventBus, type PluginDatabase, type SqlTransaction } from '@valueverse/plugin-sdk';
import { billingEvents } from '../billing-api';
import type { Customer, CustomerStore } from '../customers/customer-store';
import type { InvoiceStore } from '../invoices/invoice-store';
import type { Plan, PlanStore } from '../plans/plan-store';
import { money, toMinorUnits } from '../pricing/decimal-money';
import { addDays, calendarPeriod, daysBetween, localDate, localMidnight, maxDate } from './local-calendar';
import { subscriptionColumns, subscriptionFromRow, type Subscription, type SubscriptionRow } from './subscription-model';

export interface CycleOptions {
  /** Hours a period's draft invoice waits for late usage before it is finalized. */
  readonly graceHours: number;
  readonly now: Date;
}

export interface PlanChange {
  readonly kind: 'upgrade' | 'downgrade';
  /** The subscription in force after the change (the new one on an upgrade, the same one on a downgrade). */
  readonly subscription: Subscription;
  /** Local date the new plan takes effect. */
  readonly effectiveDate: string;
  /** On an upgrade: the invoice for the old plan's days (in arrears) and credit note ids (paid in advance). */
  readonly terminationInvoiceId?: string;
  readonly creditNoteNumbers?: readonly string[];
}

type Pending = { name: string; payload: Record<string, unknown> }[];

/** The days of [start, end) the recurring fee bills: none during the trial. */
function baseDays(start: string, end: string, trialEnd: string | null): { start: string; end: string } | undefined {
  const from = trialEnd ? maxDate(start, trialEnd) : start;
  return from < end ? { start: from, end } : undefined;
}

/** Fee per day of a plan's period holding `date` (Lago's rule compares these to tell an upgrade from a downgrade). */
function dailyFee(plan: Plan, date: string) {
  const period = calendarPeriod(date, plan.interval);
  return money(plan.amount).div(daysBetween(period.start, period.end));
}

/**
 * Subscriptions through their periods: start (an in-advance fee is invoiced at once), period close in the
 * customer's time zone, plan changes with day-based proration, cancellation now or at the period end.
 */
export class BillingCycle {
  constructor(private readonly deps: { db: PluginDatabase; customers: CustomerStore; plans: PlanStore; invoices: InvoiceStore; events: EventBus }) {}

  /** A transaction that may price invoices: outcome values are read from value-executor outside it (invoice-store.ts). */
  private transaction<T>(tenantId: string, run: (tx: SqlTransaction) => Promise<T>): Promise<T> {
    return this.deps.invoices.withOutcomes(() => this.deps.db.transaction(tenantId, run));
  }

  private async lock(tx: SqlTransaction, tenantId: string, id: string): Promise<SubscriptionRow> {
    const [row] = /^[0-9a-f-]{36}$/i.test(id)
      ? await tx.query<SubscriptionRow>(`select ${subscriptionColumns} from subscriptions where tenant_id = $1 and id = $2::uuid for update`, [tenantId, id])
      : [];
    if (!row) throw new VvError('VV_NOT_FOUND', { detail: `Subscription ${id} not found` });
    return row;
  }

  async get(tenantId: string, id: string): Promise<Subscription> {
    return this.transaction(tenantId, async (tx) => subscriptionFromRow(await this.lock(tx, tenantId, id)));
  }

  async list(tenantId: string, filter: { customerId?: string; status?: string }): Promise<Subscription[]> {
    return this.transaction(tenantId, async (tx) => {
      const customer = filter.customerId ? await this.deps.customers.get(tenantId, filter.customerId, tx) : undefined;
      const rows = await tx.query<SubscriptionRow>(
        `select ${subscriptionColumns} from subscriptions where tenant_id = $1 and ($2::uuid is null or customer_id = $2::uuid) and ($3::text is null or status = $3) order by created_at desc limit 500`,
        [tenantId, customer?.id ?? null, filter.status ?? null],
      );
      return rows.map(subscriptionFromRow);
    });
  }

  /** Publishes after the transaction committed: an event never announces something a rollback undid. */
  private async publish(tenantId: string, pending: Pending): Promise<void> {
    for (const event of pending) await this.deps.events.publish(event.name, tenantId, event.payload);
  }

  async subscribe(tenantId: string, input: { customerId: string; planCode: string; startDate?: string }, options: CycleOptions): Promise<Subscription> {
    const pending: Pending = [];
    const subscription = await this.transaction(tenantId, async (tx) => {
      const customer = await this.deps.customers.get(tenantId, input.customerId, tx);
      const plan = await this.deps.plans.get(tenantId, input.planCode, tx);
      if (plan.currency !== customer.currency)
        throw VvError.validation([
          { pointer: '/planCode', message: `plan ${plan.code} bills in ${plan.currency}; customer ${customer.externalId} pays in ${customer.currency}`, in: 'body' },
        ]);
      const today = localDate(options.now, customer.timeZone);
      const startDate = input.startDate ?? today;
      if (startDate > today) throw VvError.validation([{ pointer: '/startDate', message: `must not be after today (${today} in ${customer.timeZone})`, in: 'body' }]);
      const [active] = await tx.query('select 1 from subscriptions where tenant_id = $1 and customer_id = $2::uuid and status = $3', [tenantId, customer.id, 'active']);
      if (active) throw new VvError('VV_CONFLICT', { params: { reason: `Customer ${customer.externalId} already has an active subscription; change its plan instead` } });
      return this.start(tx, tenantId, customer, plan, { startDate, trialDays: plan.trialDays, previousId: null }, options, pending);
    });
    await this.publish(tenantId, pending);
    await this.finalizeDue(tenantId, options.now);
    return this.get(tenantId, subscription.id);
  }

  private async start(
    tx: SqlTransaction,
    tenantId: string,
    customer: Customer,
    plan: Plan,
    at: { startDate: string; trialDays: number; previousId: string | null },
    options: CycleOptions,
    pending: Pending,
  ): Promise<Subscription> {
    const trialEnd = at.trialDays > 0 ? addDays(at.startDate, at.trialDays) : null;
    const periodEnd = calendarPeriod(at.startDate, plan.interval).end;
    const [row] = await tx.query<SubscriptionRow>(
      `insert into subscriptions (id, tenant_id, customer_id, plan_code, status, start_date, trial_end_date, period_start, period_end, previous_id)
       values ($1::uuid, $2, $3::uuid, $4, 'active', $5::date, $6::date, $5::date, $7::date, $8::uuid) returning ${subscriptionColumns}`,
      [randomUUID(), tenantId, customer.id, plan.code, at.startDate, trialEnd, periodEnd, at.previousId],
    );
    const subscription = subscriptionFromRow(row!);
    pending.push({ name: 'billing.subscription.started', payload: { subscriptionId: subscription.id, customerId: customer.id, planCode: plan.code } });
    const base = plan.payInAdvance ? baseDays(at.startDate, periodEnd, trialEnd) : undefined;
    if (base) await this.deps.invoices.createDraft(tx, tenantId, { customer, subscriptionId: subscription.id, kind: 'start', plan, base, finalizeAfter: options.now });
    return subscription;
  }

  /**
   * Closes every period that has ended (in its customer's time zone) and finalizes drafts past their grace. Each
   * period is closed in its own transaction with the subscription row locked, and its invoice is unique per
   * (subscription, kind, start): a retried or concurrent run bills a period once.
   */
  async closeDue(tenantId: string, options: CycleOptions): Promise<{ closed: number; finalized: string[] }> {
    let closed = 0;
    const candidates = await this.transaction(tenantId, (tx) =>
      tx.query<{ id: string; time_zone: string; period_end: string }>(
        `select s.id::text as id, c.time_zone, to_char(s.period_end, 'YYYY-MM-DD') as period_end from subscriptions s join customers c on c.tenant_id = s.tenant_id and c.id = s.customer_id
          where s.tenant_id = $1 and s.status = 'active' and s.period_end <= ($2::date + 1) order by s.period_end, s.id`,
        [tenantId, options.now.toISOString().slice(0, 10)],
      ),
    );
    for (const candidate of candidates) {
      for (;;) {
        const pending: Pending = [];
        const again = await this.transaction(tenantId, (tx) => this.closeOne(tx, tenantId, candidate.id, options, pending));
        await this.publish(tenantId, pending);
        if (!again) break;
        closed += 1;
      }
    }
    const finalized = await this.finalizeDue(tenantId, options.now);
    return { closed, finalized };
  }

  /** Closes the subscription's current period if it has ended; true when it did. */
  private async closeOne(tx: SqlTransaction, tenantId: string, id: string, options: CycleOptions, pending: Pending): Promise<boolean> {
    const row = await this.lock(tx, tenantId, id);
    if (row.status !== 'active') return false;
    const customer = await this.deps.customers.get(tenantId, row.customer_id, tx);
    if (localMidnight(row.period_end, customer.timeZone) > options.now) return false;
    const plan = await this.deps.plans.get(tenantId, row.plan_code, tx);
    const base = plan.payInAdvance ? undefined : baseDays(row.period_start, row.period_end, row.trial_end_date);
    const finalizeAfter = new Date(options.now.getTime() + options.graceHours * 3_600_000);
    await this.deps.invoices.createDraft(tx, tenantId, {
      customer,
      subscriptionId: id,
      kind: 'period',
      plan,
      base,
      usage: { start: row.period_start, end: row.period_end },
      finalizeAfter,
    });
    if (row.cancel_at_period_end) {
      await tx.query(`update subscriptions set status = 'canceled', ended_on = period_end where tenant_id = $1 and id = $2::uuid`, [tenantId, id]);
      pending.push({ name: 'billing.subscription.ended', payload: { subscriptionId: id, customerId: customer.id, endedOn: row.period_end } });
      return true;
    }
    // A pending downgrade takes effect with the new period.
    const next = row.pending_plan_code ? await this.deps.plans.get(tenantId, row.pending_plan_code, tx) : plan;
    const nextEnd = calendarPeriod(row.period_end, next.interval).end;
    await tx.query(`update subscriptions set period_start = period_end, period_end = $3::date, plan_code = $4, pending_plan_code = null where tenant_id = $1 and id = $2::uuid`, [
      tenantId,
      id,
      nextEnd,
      next.code,
    ]);
    const advance = next.payInAdvance ? baseDays(row.period_end, nextEnd, row.trial_end_date) : undefined;
    if (advance) await this.deps.invoices.createDraft(tx, tenantId, { customer, subscriptionId: id, kind: 'start', plan: next, base: advance, finalizeAfter: options.now });
    return true;
  }

  /** Finalizes drafts past their grace, each in its own transaction, and announces each. */
  async finalizeDue(tenantId: string, now: Date): Promise<string[]> {
    const numbers: string[] = [];
    const due = await this.transaction(tenantId, (tx) => this.deps.invoices.dueDrafts(tx, tenantId, now));
    for (const id of due) {
      const invoice = await this.transaction(tenantId, async (tx) =>
        (await this.deps.invoices.finalize(tx, tenantId, id, now)) ? this.deps.invoices.get(tenantId, id, tx) : undefined,
      );
      if (!invoice) continue;
      numbers.push(invoice.number!);
      await this.deps.events.publish(billingEvents.invoiceFinalized, tenantId, {
        invoiceId: invoice.id,
        number: invoice.number,
        customerId: invoice.customerId,
        totalCents: invoice.totalCents,
        currency: invoice.currency,
      });
    }
    return numbers;
  }

  /**
   * Ends a subscription today: the days used are invoiced at once (usage, and the fee in arrears); a fee paid in
   * advance is credited for the unused days (a credit note on the invoice that billed it).
   */
  private async terminate(
    tx: SqlTransaction,
    tenantId: string,
    row: SubscriptionRow,
    customer: Customer,
    options: CycleOptions,
    pending: Pending,
  ): Promise<{ invoiceId: string; creditNotes: string[] }> {
    const plan = await this.deps.plans.get(tenantId, row.plan_code, tx);
    const today = localDate(options.now, customer.timeZone);
    const end = maxDate(today, row.period_start);
    await tx.query(`update subscriptions set status = 'canceled', ended_on = $3::date, canceled_at = $4 where tenant_id = $1 and id = $2::uuid`, [
      tenantId,
      row.id,
      end,
      options.now.toISOString(),
    ]);
    const base = plan.payInAdvance ? undefined : baseDays(row.period_start, end, row.trial_end_date);
    const invoiceId = await this.deps.invoices.createDraft(tx, tenantId, {
      customer,
      subscriptionId: row.id,
      kind: 'termination',
      plan,
      base,
      usage: { start: row.period_start, end },
      finalizeAfter: options.now,
    });
    const creditNotes: string[] = [];
    const unused = plan.payInAdvance ? baseDays(end, row.period_end, row.trial_end_date) : undefined;
    if (unused) {
      const [paidBy] = await tx.query<{ id: string; status: string }>(
        `select id::text as id, status from invoices where tenant_id = $1 and subscription_id = $2::uuid and kind = 'start' and base_start <= $3::date and base_end > $3::date`,
        [tenantId, row.id, unused.start],
      );
      if (paidBy) {
        if (paidBy.status === 'draft') await this.deps.invoices.finalize(tx, tenantId, paidBy.id, options.now);
        const period = calendarPeriod(unused.start, plan.interval);
        const amount = toMinorUnits(money(plan.amount).times(daysBetween(unused.start, unused.end)).div(daysBetween(period.start, period.end)), plan.currency);
        if (amount > 0) {
          const note = await this.deps.invoices.creditNote(tx, tenantId, paidBy.id, amount, `Unused days ${unused.start} – ${unused.end} of ${plan.name}`, options.now);
          creditNotes.push(note.number);
        }
      }
    }
    pending.push({ name: 'billing.subscription.ended', payload: { subscriptionId: row.id, customerId: customer.id, endedOn: end } });
    return { invoiceId, creditNotes };
  }

  async cancel(tenantId: string, id: string, when: 'now' | 'period_end', options: CycleOptions): Promise<Subscription> {
    // Periods that have ended are closed first, so what is ended or changed is the period open today.
    await this.closeDue(tenantId, options);
    const pending: Pending = [];
    await this.transaction(tenantId, async (tx) => {
      const row = await this.lock(tx, tenantId, id);
      if (row.status !== 'active') throw new VvError('VV_CONFLICT', { params: { reason: `Subscription ${id} has ended` } });
      const customer = await this.deps.customers.get(tenantId, row.customer_id, tx);
      if (when === 'period_end')
        await tx.query('update subscriptions set cancel_at_period_end = true, canceled_at = $3 where tenant_id = $1 and id = $2::uuid', [tenantId, id, options.now.toISOString()]);
      else await this.terminate(tx, tenantId, row, customer, options, pending);
    });
    await this.publish(tenantId, pending);
    await this.finalizeDue(tenantId, options.now);
    return this.get(tenantId, id);
  }

  /**
   * Lago's rule: a change whose daily fee is at least the old one's is an upgrade and applies today (the old plan's
   * days are invoiced or credited at once); a cheaper one is a downgrade and applies at the period end.
   */
  async changePlan(tenantId: string, id: string, planCode: string, options: CycleOptions): Promise<PlanChange> {
    await this.closeDue(tenantId, options);
    const pending: Pending = [];
    const change = await this.transaction(tenantId, async (tx): Promise<PlanChange> => {
      const row = await this.lock(tx, tenantId, id);
      if (row.status !== 'active') throw new VvError('VV_CONFLICT', { params: { reason: `Subscription ${id} has ended` } });
      const customer = await this.deps.customers.get(tenantId, row.customer_id, tx);
      const [current, next] = [await this.deps.plans.get(tenantId, row.plan_code, tx), await this.deps.plans.get(tenantId, planCode, tx)];
      if (next.code === current.code) throw new VvError('VV_CONFLICT', { params: { reason: `Subscription ${id} is already on plan ${planCode}` } });
      if (next.currency !== customer.currency)
        throw VvError.validation([{ pointer: '/planCode', message: `plan ${next.code} bills in ${next.currency}; the customer pays in ${customer.currency}`, in: 'body' }]);
      const today = localDate(options.now, customer.timeZone);
      if (dailyFee(next, today).lt(dailyFee(current, today))) {
        await tx.query('update subscriptions set pending_plan_code = $3 where tenant_id = $1 and id = $2::uuid', [tenantId, id, next.code]);
        return { kind: 'downgrade', subscription: subscriptionFromRow(await this.lock(tx, tenantId, id)), effectiveDate: row.period_end };
      }
      const ended = await this.terminate(tx, tenantId, row, customer, options, pending);
      const start = maxDate(today, row.period_start);
      const remainingTrial = row.trial_end_date && row.trial_end_date > start ? daysBetween(start, row.trial_end_date) : 0;
      const subscription = await this.start(tx, tenantId, customer, next, { startDate: start, trialDays: remainingTrial, previousId: row.id }, options, pending);
      return { kind: 'upgrade', subscription, effectiveDate: start, terminationInvoiceId: ended.invoiceId, creditNoteNumbers: ended.creditNotes };
    });
    await this.publish(tenantId, pending);
    await this.finalizeDue(tenantId, options.now);
    return { ...change, subscription: await this.get(tenantId, change.subscription.id) };
  }
}
