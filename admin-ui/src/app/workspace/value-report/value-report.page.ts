import { ChangeDetectionStrategy, Component, computed, inject, resource } from '@angular/core';
import { toProblem } from '../../api/problem';
import { CashFlowChart } from '../../charts/cash-flow-chart';
import { HistogramChart } from '../../charts/histogram-chart';
import { TornadoChart } from '../../charts/tornado-chart';
import { formatMoney, formatNumber, formatPercent } from '../../ui/format';
import { RequestState } from '../../ui/request-state';
import { CalculationApi, modelCurrency } from '../calculation-api';
import { modelSelection } from '../model-source';
import { BusinessCasePanel } from './business-case-panel';

/** Trials of the report's simulation: enough for stable percentiles, fast enough to wait for. */
const TRIALS = 20_000;
const SEED = 20_240_601;

/** The value report: cash flows, NPV / ROI / payback / IRR, and a seeded Monte Carlo with P10 / P50 / P90. */
@Component({
  selector: 'vv-value-report-page',
  imports: [BusinessCasePanel, CashFlowChart, HistogramChart, TornadoChart, RequestState],
  templateUrl: './value-report.page.html',
  styles: `
    .vv-toolbar h1 {
      margin: 0;
    }
    select {
      font: inherit;
      padding: 0.3rem 0.5rem;
      border: 1px solid var(--vv-border);
      border-radius: 6px;
      background: var(--vv-surface);
    }
    .grid {
      display: grid;
      grid-template-columns: minmax(0, 1fr) minmax(0, 1fr);
      gap: 1rem;
    }
    @media (max-width: 1000px) {
      .grid {
        grid-template-columns: minmax(0, 1fr);
      }
    }
    .note {
      color: var(--vv-muted);
      font-size: 0.85rem;
    }
    .print {
      font: inherit;
      background: none;
      border: 1px solid var(--vv-border);
      border-radius: 999px;
      padding: 0.3rem 0.9rem;
      color: var(--vv-primary);
      cursor: pointer;
    }
    @media print {
      .print,
      select {
        display: none;
      }
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class ValueReportPage {
  private readonly calc = inject(CalculationApi);
  protected readonly selection = modelSelection();
  protected readonly source = this.selection.source;
  protected readonly choice = this.selection.choice;

  /** The model to report on, once the saved models are known (else the sample would be computed first, for nothing). */
  private readonly model = computed(() => (this.source.loaded() ? this.choice().model : undefined));
  protected readonly evaluation = resource({ params: () => this.model(), loader: ({ params, abortSignal }) => this.calc.evaluate(params, abortSignal) });
  protected readonly simulation = resource({
    params: () => this.model(),
    loader: ({ params, abortSignal }) => this.calc.simulate(params, { trials: TRIALS, seed: SEED, bins: 30 }, abortSignal),
  });

  protected readonly sensitivity = resource({ params: () => this.model(), loader: ({ params, abortSignal }) => this.calc.sensitivity(params, abortSignal) });
  protected readonly currency = computed(() => modelCurrency(this.choice().model));
  protected readonly driverLabels = computed(() => Object.fromEntries(this.choice().model.drivers.map((d) => [d.name, d.description ?? d.name])));
  protected readonly money = (value: number | null) => formatMoney(value, this.currency());
  protected readonly percent = (ratio: number | null, digits: number) => formatPercent(ratio, { digits });
  protected readonly number = (value: number | null, digits: number) => formatNumber(value, { maximumFractionDigits: digits });

  constructor() {
    void this.source.load();
  }

  protected sensitivityProblem() {
    const e = this.sensitivity.error();
    return e ? toProblem(e) : undefined;
  }

  protected evaluationProblem() {
    const e = this.evaluation.error();
    return e ? toProblem(e) : undefined;
  }

  protected simulationProblem() {
    const e = this.simulation.error();
    return e ? toProblem(e) : undefined;
  }

  protected print(): void {
    window.print();
  }
}
