import { CurrencyPipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, computed, inject, resource, signal } from '@angular/core';
import { ApiClient } from '../../api/api-client';
import { toProblem } from '../../api/problem';
import { RequestState } from '../../ui/request-state';
import { major, type BillingCustomer, type BillingMetric, type BillingPlan, type Quote } from './billing-data';

const B = '/api/v1/billing';

/**
 * Billing set-up for the vendor: billable metrics, plans with a live quote preview (the pure pricing endpoint, so
 * the preview is what an invoice would bill to the cent), and customers.
 */
@Component({
  selector: 'vv-billing-admin-page',
  imports: [CurrencyPipe, RequestState],
  templateUrl: './billing-admin.page.html',
  styles: `
    .vv-toolbar h1 {
      margin: 0;
    }
    .num {
      text-align: right;
      font-variant-numeric: tabular-nums;
    }
    .preview {
      display: grid;
      gap: 1rem;
      grid-template-columns: repeat(auto-fit, minmax(16rem, 1fr));
      align-items: start;
    }
    .field {
      display: flex;
      flex-direction: column;
      gap: 0.25rem;
      margin-bottom: 0.75rem;
    }
    .field-error {
      color: var(--vv-danger);
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class BillingAdminPage {
  private readonly api = inject(ApiClient);
  protected readonly major = major;

  protected readonly metrics = resource({ loader: async ({ abortSignal }) => (await this.api.get<{ items: BillingMetric[] }>(`${B}/metrics`, undefined, abortSignal)).items });
  protected readonly plans = resource({ loader: async ({ abortSignal }) => (await this.api.get<{ items: BillingPlan[] }>(`${B}/plans`, undefined, abortSignal)).items });
  protected readonly customers = resource({
    loader: async ({ abortSignal }) => (await this.api.get<{ items: BillingCustomer[] }>(`${B}/customers`, undefined, abortSignal)).items,
  });

  protected readonly chosenPlan = signal<string | undefined>(undefined);
  protected readonly plan = computed(() => {
    if (!this.plans.hasValue()) return undefined;
    const all = this.plans.value();
    return all.find((p) => p.code === this.chosenPlan()) ?? all[0];
  });
  /** Quantities typed for the preview, by metric (decimal text). */
  protected readonly quantities = signal<Readonly<Record<string, string>>>({});

  protected readonly quote = resource({
    params: () => {
      const plan = this.plan();
      return plan ? { plan: plan.code, charges: plan.charges, quantities: this.quantities() } : undefined;
    },
    loader: async ({ params, abortSignal }) => {
      const usage: Record<string, unknown> = {};
      for (const c of params.charges) {
        const typed = (params.quantities[c.metric] ?? '').trim();
        if (typed === '') continue;
        usage[c.metric] = c.model === 'percentage' ? { sum: typed, count: 1 } : typed;
      }
      return this.api.post<Quote>(`${B}/quote`, { planCode: params.plan, usage }, undefined, abortSignal);
    },
  });

  protected problemOf(r: { error(): unknown }) {
    const e = r.error();
    return e ? toProblem(e) : undefined;
  }

  protected choosePlan(event: Event): void {
    this.chosenPlan.set((event.target as HTMLSelectElement).value);
    this.quantities.set({});
  }

  protected setQuantity(metric: string, event: Event): void {
    const value = (event.target as HTMLInputElement).value;
    this.quantities.update((q) => ({ ...q, [metric]: value }));
  }

  protected describe(model: string, properties: Readonly<Record<string, unknown>>): string {
    if (model === 'standard') return `${String(properties['unitAmount'])} per unit`;
    if (model === 'percentage') return `${Number(properties['rate']) * 100} %`;
    if (model === 'outcome') return `${Number(properties['rate']) * 100} % of value realized${properties['cap'] ? `, at most ${String(properties['cap'])}` : ''}`;
    if (model === 'package') return `${String(properties['amount'])} per ${String(properties['packageSize'])}`;
    const tiers = properties['tiers'];
    return Array.isArray(tiers) ? `${tiers.length} tiers` : model;
  }
}
