import { ChangeDetectionStrategy, Component, DestroyRef, computed, effect, inject, resource, signal, untracked } from '@angular/core';
import { toProblem, type Problem } from '../../api/problem';
import { CashFlowChart } from '../../charts/cash-flow-chart';
import { TornadoChart } from '../../charts/tornado-chart';
import { formatMoney, formatNumber, formatPercent } from '../../ui/format';
import { RequestState } from '../../ui/request-state';
import { CalculationApi, driverRange, modelCurrency, withDriverValues, type ModelEvaluation } from '../calculation-api';
import { modelSelection } from '../model-source';

/** How long dragging must pause before a recompute is sent. */
export const RECOMPUTE_DEBOUNCE_MS = 120;

/**
 * What-if: one slider per driver; moving one recomputes the model through the calculation API (debounced, the
 * previous request cancelled), so NPV, IRR, ROI and payback follow the hand.
 */
@Component({
  selector: 'vv-what-if-page',
  imports: [CashFlowChart, TornadoChart, RequestState],
  templateUrl: './what-if.page.html',
  styleUrl: './what-if.page.scss',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class WhatIfPage {
  private readonly calc = inject(CalculationApi);
  protected readonly selection = modelSelection();
  protected readonly source = this.selection.source;

  protected readonly choice = this.selection.choice;
  protected readonly values = signal<Record<string, number>>({});
  protected readonly sliders = computed(() => this.choice().model.drivers.map((d) => ({ driver: d, range: driverRange(d), value: this.values()[d.name] ?? d.value })));
  protected readonly result = signal<ModelEvaluation | undefined>(undefined);
  protected readonly baseline = signal<ModelEvaluation | undefined>(undefined);
  protected readonly problem = signal<Problem | undefined>(undefined);
  protected readonly computing = signal(false);
  protected readonly delta = computed(() => {
    const r = this.result();
    const b = this.baseline();
    return r && b ? r.metrics.npv.value - b.metrics.npv.value : 0;
  });

  private timer: ReturnType<typeof setTimeout> | undefined;
  private inflight: AbortController | undefined;

  constructor() {
    void this.source.load();
    // A new model: reset the sliders to its values and compute its baseline.
    effect(() => {
      const choice = this.choice();
      untracked(() => {
        this.values.set(Object.fromEntries(choice.model.drivers.map((d) => [d.name, d.value])));
        this.baseline.set(undefined);
      });
    });
    effect(() => {
      const values = this.values();
      // Nothing to compute on the sample while the saved models (one of which the page will show) are on their way.
      if (this.source.loaded()) untracked(() => this.schedule(values));
    });
    inject(DestroyRef).onDestroy(() => {
      clearTimeout(this.timer);
      this.inflight?.abort();
    });
  }

  /** The model's currency (its formulas' `USD/year` units), for the money figures. */
  protected readonly currency = computed(() => modelCurrency(this.choice().model));
  /** Which drivers matter most, for the base case of the model (not recomputed while sliders move). */
  protected readonly sensitivity = resource({
    params: () => (this.source.loaded() ? this.choice().model : undefined),
    loader: ({ params, abortSignal }) => this.calc.sensitivity(params, abortSignal),
  });
  protected readonly driverLabels = computed(() => Object.fromEntries(this.choice().model.drivers.map((d) => [d.name, d.description ?? d.name])));
  protected readonly num = (value: number | null, digits?: number) => formatNumber(value, { maximumFractionDigits: digits });
  protected readonly money = (value: number | null) => formatMoney(value, this.currency());
  protected readonly pct = (value: number | null) => formatPercent(value);

  protected setValue(name: string, raw: string): void {
    const value = Number(raw);
    if (Number.isFinite(value)) this.values.update((v) => ({ ...v, [name]: value }));
  }

  protected reset(): void {
    this.values.set(Object.fromEntries(this.choice().model.drivers.map((d) => [d.name, d.value])));
  }

  protected retry(): void {
    this.schedule(this.values());
  }

  private schedule(values: Record<string, number>): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.compute(values), RECOMPUTE_DEBOUNCE_MS);
  }

  private async compute(values: Record<string, number>): Promise<void> {
    this.inflight?.abort();
    const controller = new AbortController();
    this.inflight = controller;
    this.computing.set(true);
    try {
      const model = withDriverValues(this.choice().model, values);
      const result = await this.calc.evaluate(model, controller.signal);
      if (controller.signal.aborted) return;
      this.result.set(result);
      this.problem.set(undefined);
      if (!this.baseline()) this.baseline.set(await this.calc.evaluate(this.choice().model, controller.signal));
    } catch (error) {
      if (controller.signal.aborted) return;
      this.problem.set(toProblem(error));
    } finally {
      if (this.inflight === controller) {
        this.inflight = undefined;
        this.computing.set(false);
      }
    }
  }
}
