import Stripe from 'stripe';
import {
  VvError,
  type AuditLog,
  type EventBus,
  type JobQueue,
  type Logger,
  type OutboundHttp,
  type PluginConfigReader,
  type PluginDatabase,
  type SqlTransaction,
} from '@valueverse/plugin-sdk';
import { billingEvents } from '../billing-api';
import type { CustomerStore } from '../customers/customer-store';
import type { Invoice } from '../invoices/invoice-model';
import type { InvoiceStore } from '../invoices/invoice-store';
import { stripeFor, type StripeSettings } from './stripe-client';

export interface PaymentResult {
  readonly invoice: Invoice;
  readonly payment: { readonly status: 'succeeded' | 'processing' | 'requires_action' | 'failed'; readonly paymentIntentId: string | null; readonly attempt: number };
}

/** Hours after a failed attempt that the next one is made (Stripe's Smart Retries default to similar spacing). */
export const defaultDunningHours = [24, 72, 120];

export interface InvoicePaymentDeps {
  readonly db: PluginDatabase;
  readonly invoices: InvoiceStore;
  readonly customers: CustomerStore;
  readonly config: PluginConfigReader;
  readonly outbound: OutboundHttp;
  readonly events: EventBus;
  readonly jobs: JobQueue;
  readonly audit: AuditLog;
  readonly logger: Logger;
  readonly dunningDelayMs?: (hours: number) => number;
}

type IntentStatus = PaymentResult['payment']['status'];
type Outcome = { readonly id: string | null; readonly status: IntentStatus; readonly attempt: number; readonly reason?: string };
type Announcement = { readonly name: string; readonly payload: Record<string, unknown> };

function statusOf(intent: Stripe.PaymentIntent): IntentStatus {
  if (intent.status === 'succeeded') return 'succeeded';
  if (intent.status === 'processing') return 'processing';
  if (intent.status === 'requires_action' || intent.status === 'requires_confirmation') return 'requires_action';
  return 'failed';
}

/**
 * Payments of invoices through Stripe: one PaymentIntent per attempt, created and confirmed with the idempotency key
 * `invoice-<id>-attempt-<n>` (a retried call reaches the same intent, never a second charge); failures retry on a
 * dunning schedule; webhooks settle what a call left open.
 */
export class InvoicePayments {
  constructor(private readonly deps: InvoicePaymentDeps) {}

  private async settings(tenantId: string): Promise<StripeSettings & { dunningHours: number[] }> {
    const config = (await this.deps.config.forTenant(tenantId)) as StripeSettings & { dunningHours?: number[] };
    return { ...config, dunningHours: config.dunningHours ?? defaultDunningHours };
  }

  /** Charges what is due on a finalized invoice. A new attempt starts only when the last one failed. */
  async pay(tenantId: string, invoiceId: string, paymentMethod: string | undefined): Promise<PaymentResult> {
    // Another tenant's (or no) invoice is 404 before anything about this tenant's Stripe settings is said.
    await this.deps.invoices.get(tenantId, invoiceId);
    const settings = await this.settings(tenantId);
    const stripe = stripeFor(tenantId, settings, this.deps.outbound);
    const claim = await this.deps.db.transaction(tenantId, async (tx) => {
      const invoice = await this.deps.invoices.get(tenantId, invoiceId, tx);
      if (invoice.status !== 'finalized' || invoice.amountDueCents <= 0)
        throw new VvError('VV_CONFLICT', {
          params: {
            reason: `Invoice ${invoice.number ?? invoice.id} is ${invoice.status} with ${invoice.amountDueCents} due; only finalized invoices with an amount due are paid`,
          },
        });
      const customer = await this.deps.customers.get(tenantId, invoice.customerId, tx);
      const [row] = await tx.query<{ payment_method: string | null }>('select payment_method from invoices where tenant_id = $1 and id = $2::uuid for update', [
        tenantId,
        invoiceId,
      ]);
      const method = paymentMethod ?? row!.payment_method ?? undefined;
      if (!method && !customer.stripeCustomerId)
        throw VvError.validation([{ pointer: '/paymentMethod', message: 'give a payment method, or set the customer’s Stripe customer id', in: 'body' }]);
      // The same attempt again while its outcome is unknown (Stripe answers the same intent); a new one after a failure.
      const fresh = invoice.paymentAttempts === 0 || invoice.paymentStatus === 'failed';
      const attempt = fresh ? invoice.paymentAttempts + 1 : invoice.paymentAttempts;
      // A new attempt forgets the last one's intent: its outcome no longer decides the invoice's payment status.
      await tx.query(
        `update invoices set payment_attempts = $3, payment_status = 'pending', payment_method = $4,
           payment_intent_id = case when $5::boolean then null else payment_intent_id end where tenant_id = $1 and id = $2::uuid`,
        [tenantId, invoiceId, attempt, method ?? null, fresh],
      );
      return { invoice, customer, method, attempt };
    });
    let intent: Stripe.PaymentIntent;
    try {
      intent = await stripe.paymentIntents.create(
        {
          amount: claim.invoice.amountDueCents,
          currency: claim.invoice.currency.toLowerCase(),
          ...(claim.customer.stripeCustomerId && { customer: claim.customer.stripeCustomerId }),
          ...(claim.method && { payment_method: claim.method }),
          confirm: true,
          off_session: true,
          description: `Invoice ${claim.invoice.number}`,
          metadata: { tenantId, invoiceId, invoiceNumber: claim.invoice.number ?? '', attempt: String(claim.attempt) },
        },
        { idempotencyKey: `invoice-${invoiceId}-attempt-${claim.attempt}` },
      );
    } catch (error) {
      // A declined card is an answer, not a failure of the call: the attempt failed.
      const declined = error instanceof Stripe.errors.StripeCardError ? (error.payment_intent as Stripe.PaymentIntent | undefined) : undefined;
      if (error instanceof Stripe.errors.StripeCardError) {
        await this.record(tenantId, invoiceId, { id: declined?.id ?? null, status: 'failed', attempt: claim.attempt, reason: error.code ?? 'card_error' }, 'api');
        return { invoice: await this.deps.invoices.get(tenantId, invoiceId), payment: { status: 'failed', paymentIntentId: declined?.id ?? null, attempt: claim.attempt } };
      }
      this.deps.logger.warn({ err: error, tenantId, invoiceId }, 'Stripe payment call failed');
      // The outcome is unknown: the attempt stays pending and the next call reuses its idempotency key.
      if (error instanceof Stripe.errors.StripeConnectionError)
        throw new VvError('VV_DEPENDENCY_UNAVAILABLE', { params: { dependency: 'Stripe', reason: 'unreachable' }, headers: { 'Retry-After': '30' } });
      throw new VvError('VV_UPSTREAM_FAILED', { params: { service: 'Stripe', reason: error instanceof Stripe.errors.StripeError ? (error.code ?? error.type) : 'error' } });
    }
    const status = statusOf(intent);
    await this.record(tenantId, invoiceId, { id: intent.id, status, attempt: claim.attempt, reason: intent.last_payment_error?.code ?? undefined }, 'api');
    return { invoice: await this.deps.invoices.get(tenantId, invoiceId), payment: { status, paymentIntentId: intent.id, attempt: claim.attempt } };
  }

  /**
   * Applies what is known of an attempt, tolerant of order: paid is final (a late failure of an older attempt
   * changes nothing), and a failure counts only for the attempt in progress.
   */
  private async record(tenantId: string, invoiceId: string, outcome: Outcome, source: 'api' | 'webhook'): Promise<void> {
    const event = await this.deps.db.transaction(tenantId, (tx) => this.apply(tx, tenantId, invoiceId, outcome, source));
    await this.announce(tenantId, invoiceId, outcome, source, event);
  }

  private async apply(t: SqlTransaction, tenantId: string, invoiceId: string, outcome: Outcome, source: 'api' | 'webhook'): Promise<Announcement | undefined> {
    {
      const [row] = await t.query<{
        status: string;
        payment_attempts: number;
        payment_intent_id: string | null;
        number: string;
        customer_id: string;
        total: string;
        credited: string;
        currency: string;
      }>(
        `select status, payment_attempts, payment_intent_id, number, customer_id::text as customer_id, total_cents::text as total, credited_cents::text as credited, currency
           from invoices where tenant_id = $1 and id = $2::uuid for update`,
        [tenantId, invoiceId],
      );
      if (!row || row.status === 'paid' || row.status === 'void') return undefined;
      if (outcome.status === 'succeeded') {
        const paid = Number(row.total) - Number(row.credited);
        await t.query(
          `update invoices set status = 'paid', paid_cents = $3, paid_at = now(), payment_status = 'succeeded', payment_intent_id = coalesce($4, payment_intent_id) where tenant_id = $1 and id = $2::uuid`,
          [tenantId, invoiceId, paid, outcome.id],
        );
        return {
          name: billingEvents.invoicePaid,
          payload: { invoiceId, number: row.number, customerId: row.customer_id, paidCents: paid, currency: row.currency, paymentIntentId: outcome.id, source },
        };
      }
      const current = outcome.attempt === row.payment_attempts && (row.payment_intent_id === null || outcome.id === null || row.payment_intent_id === outcome.id);
      if (!current) return undefined;
      await t.query('update invoices set payment_status = $3, payment_intent_id = coalesce($4, payment_intent_id) where tenant_id = $1 and id = $2::uuid', [
        tenantId,
        invoiceId,
        outcome.status,
        outcome.id,
      ]);
      if (outcome.status !== 'failed') return undefined;
      return {
        name: billingEvents.paymentFailed,
        payload: { invoiceId, number: row.number, customerId: row.customer_id, attempt: outcome.attempt, reason: outcome.reason ?? 'failed', paymentIntentId: outcome.id, source },
      };
    }
  }

  /** After the commit: the event, the audit entry and, for a failure, the next dunning attempt. */
  private async announce(tenantId: string, invoiceId: string, outcome: Outcome, source: 'api' | 'webhook', event: Announcement | undefined): Promise<void> {
    if (!event) return;
    await this.deps.events.publish(event.name, tenantId, event.payload);
    // The kernel prefixes audit actions with the plugin id.
    await this.deps.audit.record({ action: event.name.replace(/^billing\./, ''), tenantId, actor: `stripe:${source}`, target: invoiceId, after: event.payload });
    if (event.name === billingEvents.paymentFailed) await this.scheduleRetry(tenantId, invoiceId, outcome.attempt);
  }

  private async scheduleRetry(tenantId: string, invoiceId: string, attempt: number): Promise<void> {
    const { dunningHours } = await this.settings(tenantId);
    const hours = dunningHours[attempt - 1];
    if (hours === undefined) return;
    await this.deps.jobs.enqueue(
      'retry-payment',
      tenantId,
      { invoiceId, afterAttempt: attempt },
      { delayMs: this.deps.dunningDelayMs?.(hours) ?? hours * 3_600_000, jobId: `retry-payment-${invoiceId}-${attempt}` },
    );
  }

  /** The dunning job: pays again with the last method when the attempt it follows is still the last one and failed. */
  async retry(tenantId: string, invoiceId: string, afterAttempt: number): Promise<void> {
    const invoice = await this.deps.invoices.get(tenantId, invoiceId);
    if (invoice.status !== 'finalized' || invoice.paymentStatus !== 'failed' || invoice.paymentAttempts !== afterAttempt) return;
    await this.pay(tenantId, invoiceId, undefined);
  }

  /**
   * A Stripe webhook: verified with the tenant's webhook secret (`stripe.webhooks.constructEvent`), applied once
   * per event id (the id is stored in the same transaction as its effect), in any order.
   */
  async webhook(tenantId: string, rawBody: string | Buffer, signature: string | undefined): Promise<{ received: true; duplicate: boolean }> {
    const settings = await this.settings(tenantId);
    if (!settings.stripeWebhookSecret) throw new VvError('VV_BILLING_PAYMENTS_NOT_CONFIGURED', { params: { tenant: tenantId } });
    let event: Stripe.Event;
    try {
      event = Stripe.webhooks.constructEvent(rawBody, signature ?? '', settings.stripeWebhookSecret);
    } catch (error) {
      throw new VvError('VV_BILLING_WEBHOOK_SIGNATURE_INVALID', {
        params: { reason: error instanceof Error && /timestamp/i.test(error.message) ? 'timestamp outside the tolerance' : 'no matching signature' },
      });
    }
    const intent = event.type.startsWith('payment_intent.') ? (event.data.object as Stripe.PaymentIntent) : undefined;
    const invoiceId = intent?.metadata?.invoiceId;
    const status: IntentStatus | undefined =
      event.type === 'payment_intent.succeeded'
        ? 'succeeded'
        : event.type === 'payment_intent.payment_failed'
          ? 'failed'
          : event.type === 'payment_intent.processing'
            ? 'processing'
            : undefined;
    const outcome: Outcome | undefined =
      intent && status ? { id: intent.id, status, attempt: Number(intent.metadata?.attempt ?? 0), reason: intent.last_payment_error?.code ?? undefined } : undefined;
    const applies = outcome && invoiceId && intent.metadata.tenantId === tenantId;
    // The event id is stored in the transaction that applies it: a delivery either did both or neither.
    const result = await this.deps.db.transaction(tenantId, async (tx) => {
      const [fresh] = await tx.query('insert into stripe_events (tenant_id, event_id, type, payment_intent_id) values ($1, $2, $3, $4) on conflict do nothing returning event_id', [
        tenantId,
        event.id,
        event.type,
        intent?.id ?? null,
      ]);
      if (!fresh) return { duplicate: true, announcement: undefined };
      return { duplicate: false, announcement: applies ? await this.apply(tx, tenantId, invoiceId, outcome, 'webhook') : undefined };
    });
    if (applies) await this.announce(tenantId, invoiceId, outcome, 'webhook', result.announcement);
    return { received: true, duplicate: result.duplicate };
  }
}
