import { CurrencyPipe, DecimalPipe } from '@angular/common';
import { HttpClient } from '@angular/common/http';
import { ChangeDetectionStrategy, Component, computed, inject, resource, signal } from '@angular/core';
import { firstValueFrom } from 'rxjs';
import { ApiClient } from '../../api/api-client';
import { toProblem } from '../../api/problem';
import { TimeChart } from '../../charts/time-chart';
import { RequestState } from '../../ui/request-state';
import { daysOf, major, usageChart, type BillingCustomer, type BillingInvoice, type BillingPlan, type BillingSubscription, type Quote, type UsageSummary } from './billing-data';

const B = '/api/v1/billing';

/**
 * A customer's billing: the plan it is on, this period's usage by day, the upcoming invoice (priced by the API from
 * the usage and value realized so far, exactly as the invoice will be), and its invoices with the PDF and payment.
 */
@Component({
  selector: 'vv-billing-page',
  imports: [CurrencyPipe, DecimalPipe, RequestState, TimeChart],
  templateUrl: './billing.page.html',
  styles: `
    .vv-toolbar h1 {
      margin: 0;
    }
    .facts {
      display: flex;
      flex-wrap: wrap;
      gap: 1.5rem;
      margin: 0;
    }
    .facts dt {
      color: var(--vv-muted);
      font-size: 0.875rem;
    }
    .facts dd {
      margin: 0;
      font-weight: 600;
    }
    .num {
      text-align: right;
      font-variant-numeric: tabular-nums;
    }
    .actions {
      display: flex;
      gap: 0.5rem;
    }
    .note {
      color: var(--vv-muted);
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class BillingPage {
  private readonly api = inject(ApiClient);
  private readonly http = inject(HttpClient);
  protected readonly major = major;
  protected readonly chosen = signal<string | undefined>(undefined);
  protected readonly message = signal<string | undefined>(undefined);
  protected readonly paying = signal<string | undefined>(undefined);

  protected readonly customers = resource({
    loader: async ({ abortSignal }) => (await this.api.get<{ items: BillingCustomer[] }>(`${B}/customers`, undefined, abortSignal)).items,
  });
  protected readonly customerId = computed(() => this.chosen() ?? (this.customers.hasValue() ? this.customers.value()[0]?.externalId : undefined));
  protected readonly customer = computed(() => (this.customers.hasValue() ? this.customers.value().find((c) => c.externalId === this.customerId()) : undefined));

  protected readonly account = resource({
    params: () => this.customerId(),
    loader: async ({ params: customerId, abortSignal }) => {
      const q = { customerId };
      const [subscriptions, invoices] = await Promise.all([
        this.api.get<{ items: BillingSubscription[] }>(`${B}/subscriptions`, q, abortSignal),
        this.api.get<{ items: BillingInvoice[] }>(`${B}/invoices`, q, abortSignal),
      ]);
      const subscription = subscriptions.items.find((s) => s.status === 'active');
      if (!subscription) return { subscription, invoices: invoices.items, plan: undefined, chart: undefined, upcoming: undefined };
      const plan = await this.api.get<BillingPlan>(`${B}/plans/${encodeURIComponent(subscription.planCode)}`, undefined, abortSignal);
      const today = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
      const to = today < subscription.currentPeriodEnd ? today : subscription.currentPeriodEnd;
      const metered = plan.charges.filter((c) => c.model !== 'outcome');
      const summaries = new Map<string, UsageSummary>();
      // The upcoming invoice is priced by the API as the invoice will be (percentage charges' per-event amounts and
      // outcome charges' value realized so far included); the summaries draw the usage chart.
      const [upcoming] = await Promise.all([
        this.api.get<Quote>(`${B}/subscriptions/${encodeURIComponent(subscription.id)}/upcoming-invoice`, undefined, abortSignal),
        ...metered.map(async (c) => {
          const s = await this.api.get<UsageSummary>(
            `${B}/usage/summary`,
            { customerId, metric: c.metric, from: `${subscription.currentPeriodStart}T00:00:00Z`, to: `${to}T00:00:00Z`, granularity: 'day' },
            abortSignal,
          );
          summaries.set(c.metric, s);
        }),
      ]);
      return { subscription, invoices: invoices.items, plan, chart: usageChart(daysOf(subscription.currentPeriodStart, to), summaries), upcoming };
    },
  });

  protected choose(event: Event): void {
    this.message.set(undefined);
    this.chosen.set((event.target as HTMLSelectElement).value);
  }

  protected problemOf(r: { error(): unknown }) {
    const e = r.error();
    return e ? toProblem(e) : undefined;
  }

  /** Downloads the invoice PDF with the session's credentials. */
  protected async pdf(invoice: BillingInvoice): Promise<void> {
    const blob = await firstValueFrom(this.http.get(`${B}/invoices/${invoice.id}/pdf`, { responseType: 'blob' }));
    const url = URL.createObjectURL(blob);
    const link = document.createElement('a');
    link.href = url;
    link.download = `${invoice.number ?? invoice.id}.pdf`;
    link.click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }

  /** Pays what is due through Stripe, once per click (a fresh Idempotency-Key; a retry of the same click replays). */
  protected async pay(invoice: BillingInvoice): Promise<void> {
    this.paying.set(invoice.id);
    this.message.set(undefined);
    try {
      const res = await this.api.postResponse<{ payment: { status: string } }>(`${B}/invoices/${invoice.id}/pay`, {}, { headers: { 'Idempotency-Key': crypto.randomUUID() } });
      this.message.set(`Payment of ${invoice.number}: ${res.body.payment.status}.`);
      this.account.reload();
    } catch (error) {
      this.message.set(`Payment of ${invoice.number} failed: ${toProblem(error).detail}`);
    } finally {
      this.paying.set(undefined);
    }
  }
}
