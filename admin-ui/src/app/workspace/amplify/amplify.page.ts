import { ChangeDetectionStrategy, Component, computed, inject, resource } from '@angular/core';
import { ApiClient } from '../../api/api-client';
import { toProblem } from '../../api/problem';
import { WaterfallChart, type WaterfallStep } from '../../charts/waterfall-chart';
import { formatMoney, formatNumber, formatPercent } from '../../ui/format';
import { RequestState } from '../../ui/request-state';
import { CommitmentPicker } from '../commitment-picker';
import { commitmentSelection } from '../commitment-selection';
import { toRecommendations } from '../lifecycle-data';

/** Amplifier recommendations for a commitment: drivers to act on, ranked by the value their gap is worth. */
@Component({
  selector: 'vv-amplify-page',
  imports: [RequestState, CommitmentPicker, WaterfallChart],
  templateUrl: './amplify.page.html',
  styles: `
    .vv-toolbar h1 {
      margin: 0;
    }
    .recs {
      list-style: none;
      padding: 0;
    }
    .recs h2 {
      margin: 0;
      display: flex;
      gap: 0.5rem;
      align-items: baseline;
    }
    .rank {
      color: var(--vv-muted);
      font-weight: 400;
    }
    .facts {
      display: flex;
      flex-wrap: wrap;
      gap: 1rem;
      color: var(--vv-muted);
      margin-bottom: 0;
    }
    .loss {
      color: var(--vv-danger);
    }
    .gain {
      color: var(--vv-ok);
    }
    .note {
      color: var(--vv-muted);
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class AmplifyPage {
  private readonly api = inject(ApiClient);
  protected readonly selection = commitmentSelection();
  protected readonly report = resource({
    params: () => this.selection.selectedId(),
    loader: async ({ params, abortSignal }) =>
      toRecommendations(await this.api.get<unknown>(`/api/v1/amplify/commitments/${encodeURIComponent(params)}/recommendations`, undefined, abortSignal)),
  });

  protected readonly commitment = computed(() => {
    const list = this.selection.commitments.hasValue() ? this.selection.commitments.value() : [];
    return list.find((c) => c.id === this.selection.selectedId());
  });

  /**
   * Unmeasured drivers split into the commitment's metrics not measured yet and the model's assumptions (rates,
   * costs), which are never measured (issue 19, bug 7: assumptions were listed as "Not measured yet").
   */
  protected readonly unmeasured = computed(() => {
    const r = this.report.hasValue() ? this.report.value() : undefined;
    const c = this.commitment();
    if (!r) return { metrics: [], assumptions: [] };
    const tracked = new Set([...(c?.metrics ?? []).map((m) => m.key), ...(c?.milestones ?? []).map((m) => m.metric), ...(c?.successCriteria ?? []).map((s) => s.metric)]);
    // Without the commitment's metrics to tell them apart, every unmeasured driver is shown as not measured yet.
    if (tracked.size === 0) return { metrics: r.unmeasured, assumptions: [] };
    return { metrics: r.unmeasured.filter((k) => tracked.has(k)), assumptions: r.unmeasured.filter((k) => !tracked.has(k)) };
  });

  /** Committed value → each measured driver's gap → the value at current actuals. */
  protected readonly waterfall = computed<WaterfallStep[] | undefined>(() => {
    const r = this.report.hasValue() ? this.report.value() : undefined;
    const c = this.commitment();
    const moves = (r?.recommendations ?? []).filter((x) => x.valueImpact !== null && x.valueImpact !== 0);
    if (!r || !c || moves.length === 0) return undefined;
    const end = c.committedValue + moves.reduce((sum, x) => sum + x.valueImpact!, 0);
    return [
      { label: 'Committed value', value: c.committedValue, total: true },
      ...moves.map((x) => ({ label: x.label, value: x.valueImpact! })),
      { label: 'At current actuals', value: end, total: true },
    ];
  });

  protected readonly pct = formatPercent;
  protected money(value: number | null, currency: string): string {
    return formatMoney(value, currency);
  }

  /** A driver quantity in its unit: money when the unit is a currency (`USD`), else the number and its unit. */
  protected quantity(value: number | null, unit: string): string {
    if (value === null) return '—';
    if (/^[A-Z]{3}$/.test(unit)) return formatMoney(value, unit);
    return `${formatNumber(value)} ${unit}`.trim();
  }

  protected reportProblem() {
    const e = this.report.error();
    return e ? toProblem(e) : undefined;
  }
}
