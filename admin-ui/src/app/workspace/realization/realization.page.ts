import { DecimalPipe, PercentPipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, computed, inject, resource } from '@angular/core';
import { ApiClient } from '../../api/api-client';
import { toProblem } from '../../api/problem';
import { LineChart, type LineSeries } from '../../charts/line-chart';
import { RequestState } from '../../ui/request-state';
import { CommitmentPicker } from '../commitment-picker';
import { commitmentSelection } from '../commitment-selection';
import { toRealization } from '../lifecycle-data';
import { realizationSeries, toMeasurements } from './realization-series';

/**
 * Realization tracking: for a commitment, committed against actual (and projected) value at each milestone, the
 * overall realization and at-risk status, and each committed driver's variance (value-executor).
 */
@Component({
  selector: 'vv-realization-page',
  imports: [DecimalPipe, PercentPipe, LineChart, RequestState, CommitmentPicker],
  templateUrl: './realization.page.html',
  styles: `
    .vv-toolbar h1 { margin: 0; }
    .status { text-transform: capitalize; }
    details { margin-top: 1rem; }
    .note { color: var(--vv-muted); }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class RealizationPage {
  private readonly api = inject(ApiClient);
  protected readonly selection = commitmentSelection();
  protected readonly report = resource({
    params: () => this.selection.selectedId(),
    loader: async ({ params, abortSignal }) => {
      const id = encodeURIComponent(params);
      const [report, measurements] = await Promise.all([
        this.api.get<unknown>(`/api/v1/realization/commitments/${id}`, undefined, abortSignal),
        // The history makes the chart a timeline; without it the chart still shows today's figures.
        this.api.get<unknown>('/api/v1/realization/measurements', { commitmentId: params, limit: 100 }, abortSignal).catch(() => undefined),
      ]);
      return { report: toRealization(report), measurements: toMeasurements(measurements) };
    },
  });
  protected readonly chart = computed(() => {
    const value = this.report.hasValue() ? this.report.value() : undefined;
    const r = value?.report;
    if (!r || r.milestones.length === 0) return undefined;
    const s = realizationSeries(r, value.measurements);
    const series: LineSeries[] = [
      { name: 'Committed', values: s.committed, color: '#0b57d0', dashed: true },
      { name: 'Actual', values: s.actual, color: '#146c2e' },
    ];
    if (s.projected.some((v) => v !== null)) series.push({ name: 'Projected', values: s.projected, color: '#b06000', dashed: true });
    return { labels: s.labels, series };
  });

  protected reportProblem() {
    const e = this.report.error();
    return e ? toProblem(e) : undefined;
  }

  protected statusClass(status: string): string {
    return status === 'achieved' || status === 'on-track' ? 'ok' : status === 'missed' ? 'danger' : status === 'at-risk' ? 'warn' : '';
  }
}
