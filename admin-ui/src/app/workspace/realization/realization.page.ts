import { DecimalPipe, PercentPipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, computed, inject, resource } from '@angular/core';
import { ApiClient } from '../../api/api-client';
import { toProblem } from '../../api/problem';
import { TimeChart, type TimeBand, type TimeSeries } from '../../charts/time-chart';
import { SessionService } from '../../session/session.service';
import { RequestState } from '../../ui/request-state';
import { CommitmentPicker } from '../commitment-picker';
import { commitmentSelection } from '../commitment-selection';
import { toRealization } from '../lifecycle-data';
import { CsvImportForm } from './csv-import-form';
import { toMeasurableCommitment } from './measurable-commitment';
import { realizationTimeline, toMeasurements } from './realization-series';
import { RecordMeasurementForm } from './record-measurement-form';

/**
 * Realization tracking: for a commitment, committed against actual (and projected) value at each milestone, the
 * overall realization and at-risk status, and each committed driver's variance (value-executor). Members and up
 * record actuals here, one at a time or from CSV; the figures refresh after each.
 */
@Component({
  selector: 'vv-realization-page',
  imports: [DecimalPipe, PercentPipe, TimeChart, RequestState, CommitmentPicker, RecordMeasurementForm, CsvImportForm],
  templateUrl: './realization.page.html',
  styles: `
    .vv-toolbar h1 {
      margin: 0;
    }
    .status {
      text-transform: capitalize;
    }
    details {
      margin-top: 1rem;
    }
    .note {
      color: var(--vv-muted);
    }
    .actuals {
      display: grid;
      grid-template-columns: minmax(0, 1fr);
      gap: 1.5rem;
    }
    .actuals > h2 {
      margin: 0;
    }
    .actuals > vv-csv-import-form {
      border-top: 1px solid var(--vv-border);
      padding-top: 1rem;
    }
    .updating {
      opacity: 0.6;
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class RealizationPage {
  private readonly api = inject(ApiClient);
  private readonly session = inject(SessionService);
  protected readonly selection = commitmentSelection();
  /** Recording takes a member (the API answers 403 to viewers): viewers get no forms. */
  protected readonly canRecord = computed(() => this.session.hasRole('member'));
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
  /** The selected commitment's status and metrics, for the forms (loaded only for those who may record). */
  protected readonly measurable = resource({
    params: () => (this.canRecord() ? this.selection.selectedId() : undefined),
    loader: async ({ params, abortSignal }) => toMeasurableCommitment(await this.api.get<unknown>(`/api/v1/commitments/${encodeURIComponent(params)}`, undefined, abortSignal)),
  });
  protected readonly recordable = computed(() => (this.measurable.hasValue() ? this.measurable.value() : undefined));
  /** One chart per milestone metric: actual readings, the committed path, and the engine's projection band. */
  protected readonly charts = computed(() => {
    const value = this.report.hasValue() ? this.report.value() : undefined;
    const r = value?.report;
    if (!r) return [];
    return realizationTimeline(r, value.measurements).map((t) => {
      const series: TimeSeries[] = [
        { id: 'committed', name: 'Committed', color: '#0b57d0', points: t.committed, style: 'line', dashed: true },
        { id: 'actual', name: 'Actual', color: '#146c2e', points: t.actual, style: 'both' },
      ];
      const bands: TimeBand[] = t.projection ? [{ id: 'projection', name: 'Projected (80% interval)', color: '#b06000', from: t.projection.from, to: t.projection.to }] : [];
      return { ...t, series, bands };
    });
  });

  protected reportProblem() {
    const e = this.report.error();
    return e ? toProblem(e) : undefined;
  }

  protected measurableProblem() {
    const e = this.measurable.error();
    return e ? toProblem(e) : undefined;
  }

  /** A measurement was recorded or imported: reload the figures, keeping the current ones on screen meanwhile. */
  protected refresh(): void {
    this.report.reload();
  }

  /** Milestone statuses and the commitment's outlook read as words (`insufficient-data` → "insufficient data"). */
  protected statusLabel(status: string): string {
    return status.replace(/-/g, ' ');
  }

  protected statusClass(status: string): string {
    return status === 'achieved' || status === 'on-track' ? 'ok' : status === 'missed' ? 'danger' : status === 'at-risk' ? 'warn' : '';
  }
}
