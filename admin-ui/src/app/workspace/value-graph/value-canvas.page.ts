import { ChangeDetectionStrategy, Component, DestroyRef, computed, effect, inject, signal, untracked } from '@angular/core';
import { takeUntilDestroyed, toSignal } from '@angular/core/rxjs-interop';
import { ActivatedRoute, RouterLink } from '@angular/router';
import { map } from 'rxjs';
import { ApiClient } from '../../api/api-client';
import { describeProblem, toProblem, type Problem } from '../../api/problem';
import { SessionService } from '../../session/session.service';
import { LiveUpdates } from '../../shell/live-updates';
import { formatMoney, formatNumber } from '../../ui/format';
import { CalculationApi, driverRange, modelCurrency, type ModelEvaluation, type SensitivityResult, type ValueModel } from '../calculation-api';
import { modelSelection } from '../model-source';
import { PresenceBar, presenceOn } from '../presence/presence';
import { toSavedModel, type SavedModel } from '../value-models/saved-model';
import { canvasFigures, canvasWeights } from './canvas-figures';
import { BENEFIT_NODE, RECURRING_NODE, UPFRONT_NODE, buildValueGraph, sameGraph } from './value-graph';
import { ValueGraphView } from './value-graph-view';

/** How long editing must pause before the model is evaluated again. */
export const CANVAS_RECOMPUTE_MS = 150;

/**
 * The value canvas (issue 20, item 3): a saved model as a graph (drivers → formulas → benefit and costs → NPV),
 * laid out in layers; node values from the calculation plugin's evaluation, edge widths from its sensitivity.
 * Selecting a node edits it; every change is evaluated again (debounced), and cycles and errors show on their
 * node. Saving is optimistic: the version the edit started from must still be the latest (else 409, shown).
 */
@Component({
  selector: 'vv-value-canvas-page',
  imports: [ValueGraphView, PresenceBar, RouterLink],
  templateUrl: './value-canvas.page.html',
  styleUrl: './value-canvas.page.scss',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class ValueCanvasPage {
  private readonly api = inject(ApiClient);
  private readonly calc = inject(CalculationApi);
  protected readonly selection = modelSelection();
  protected readonly source = this.selection.source;
  private readonly modelId = toSignal(inject(ActivatedRoute).queryParamMap.pipe(map((p) => p.get('model') ?? undefined)));

  /** The saved model as last loaded or saved (undefined for the sample). */
  protected readonly saved = signal<SavedModel | undefined>(undefined);
  /** The working copy: what the canvas shows and evaluates. */
  protected readonly draft = signal<ValueModel | undefined>(undefined);
  protected readonly dirty = signal(false);
  protected readonly selected = signal<string | undefined>(undefined);
  protected readonly evaluation = signal<ModelEvaluation | undefined>(undefined);
  protected readonly sensitivity = signal<SensitivityResult | undefined>(undefined);
  protected readonly problem = signal<Problem | undefined>(undefined);
  protected readonly loadProblem = signal<Problem | undefined>(undefined);
  protected readonly computing = signal(false);
  protected readonly saving = signal(false);
  protected readonly conflict = signal<string | undefined>(undefined);
  protected readonly notice = signal<string | undefined>(undefined);

  protected readonly savedId = computed(() => this.saved()?.id);
  /** Viewers explore (every change is evaluated) but cannot save: value-architect needs a member to write. */
  private readonly session = inject(SessionService);
  protected readonly canSave = computed(() => this.session.hasRole('member'));
  protected readonly others = presenceOn(
    'value-models',
    this.savedId,
    computed(() => (this.dirty() ? 'editing' : 'viewing')),
  );

  protected readonly graph = computed(
    () => {
      const d = this.draft();
      return d ? buildValueGraph(d) : { nodes: [], edges: [] };
    },
    { equal: sameGraph },
  );
  protected readonly currency = computed(() => this.saved()?.currency ?? (this.draft() ? modelCurrency(this.draft()!) : 'USD'));
  protected readonly figures = computed(() => {
    const d = this.draft();
    const problem = this.problem();
    return d ? canvasFigures(d, this.currency(), problem ? undefined : this.evaluation(), problem?.errors ?? []) : new Map();
  });
  protected readonly edgeWeights = computed(() => canvasWeights(this.graph(), this.sensitivity(), this.currency()));
  protected readonly npv = computed(() => (this.problem() ? undefined : this.evaluation()?.metrics.npv.value));
  /** Problems that are about no node in particular. */
  protected readonly generalProblem = computed(() => {
    const p = this.problem();
    return p && p.errors.length === 0 ? describeProblem(p) : undefined;
  });

  protected readonly node = computed(() => {
    const id = this.selected();
    const d = this.draft();
    if (!id || !d) return undefined;
    const n = this.graph().nodes.find((x) => x.id === id);
    if (!n) return undefined;
    const driverIndex = d.drivers.findIndex((x) => x.name === id);
    const driver = driverIndex >= 0 ? d.drivers[driverIndex] : undefined;
    const base = this.saved()?.model.drivers.find((x) => x.name === id) ?? driver;
    return { ...n, driver, range: base ? driverRange(base) : undefined, figures: this.figures().get(id) };
  });

  protected readonly money = (v: number | null | undefined) => formatMoney(v, this.currency());
  protected readonly num = (v: number | null | undefined) => formatNumber(v, { maximumFractionDigits: 4 });

  private timer: ReturnType<typeof setTimeout> | undefined;
  private inflight: AbortController | undefined;

  constructor() {
    void this.source.load();
    // `?model=<id>`: the saved model with its version (for saving); without one, the picker's choice (or sample).
    effect(() => {
      const id = this.modelId();
      if (id && id !== 'sample') {
        untracked(() => void this.load(id));
        return;
      }
      const choice = this.selection.choice();
      if (this.source.loaded()) untracked(() => (choice.id === 'sample' ? this.show(undefined, choice.model) : void this.load(choice.id)));
    });
    effect(() => {
      const d = this.draft();
      if (d) untracked(() => this.schedule(d));
    });
    // Others' saves appear live; a save of ours comes back with the version we already hold.
    inject(LiveUpdates)
      .events.pipe(takeUntilDestroyed())
      .subscribe((event) => {
        const saved = this.saved();
        if (!saved || event.payload['modelId'] !== saved.id) return;
        const version = Number(event.payload['version']);
        if (event.name === 'value-model.updated' && version > saved.version) {
          if (this.dirty()) this.notice.set(`Someone saved version ${version} of this model. Saving your changes will conflict: reload to see theirs.`);
          else void this.load(saved.id, `Updated to version ${version}, saved by someone else.`);
        } else if (event.name === 'value-model.deleted') {
          this.notice.set('This model was deleted by someone else.');
        }
      });
    inject(DestroyRef).onDestroy(() => {
      clearTimeout(this.timer);
      this.inflight?.abort();
    });
  }

  protected selectNode(id: string): void {
    this.selected.set(this.selected() === id ? undefined : id);
  }

  protected setDriver(name: string, raw: string): void {
    const value = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(value)) return;
    this.edit((m) => ({ ...m, drivers: m.drivers.map((d) => (d.name === name ? { ...d, value } : d)) }));
  }

  protected setExpression(id: string, expression: string): void {
    this.edit((m) => {
      if (id === BENEFIT_NODE) return { ...m, benefit: expression };
      if (id === UPFRONT_NODE || id === RECURRING_NODE) {
        const key = id === UPFRONT_NODE ? 'upfront' : 'recurring';
        const n = Number(expression);
        return { ...m, costs: { ...m.costs, [key]: expression.trim() !== '' && Number.isFinite(n) ? n : expression } };
      }
      return { ...m, formulas: (m.formulas ?? []).map((f) => (f.name === id ? { ...f, expression } : f)) };
    });
  }

  protected async save(): Promise<void> {
    const saved = this.saved();
    const draft = this.draft();
    if (!saved || !draft) return;
    this.saving.set(true);
    this.conflict.set(undefined);
    try {
      const result = toSavedModel(await this.api.put<unknown>(`/api/v1/value-models/${encodeURIComponent(saved.id)}`, { model: draft, version: saved.version }));
      if (result) this.saved.set(result);
      this.dirty.set(false);
      this.notice.set(`Saved as version ${result?.version ?? saved.version + 1}.`);
    } catch (error) {
      const problem = toProblem(error);
      if (problem.code === 'VV_CONFLICT') {
        this.conflict.set(`Not saved: someone else saved this model after you opened it (${describeProblem(problem)}). Reload to get their version, then make your change again.`);
      } else {
        this.problem.set(problem);
      }
    } finally {
      this.saving.set(false);
    }
  }

  protected async reload(): Promise<void> {
    const saved = this.saved();
    this.conflict.set(undefined);
    if (saved) await this.load(saved.id);
  }

  protected discard(): void {
    const saved = this.saved();
    if (saved) this.show(saved, saved.model);
  }

  private edit(change: (m: ValueModel) => ValueModel): void {
    const d = this.draft();
    if (!d) return;
    this.draft.set(change(d));
    this.dirty.set(true);
  }

  private async load(id: string, notice?: string): Promise<void> {
    try {
      const saved = toSavedModel(await this.api.get<unknown>(`/api/v1/value-models/${encodeURIComponent(id)}`));
      if (!saved) throw new Error('The value model could not be read.');
      this.loadProblem.set(undefined);
      this.show(saved, saved.model);
      this.notice.set(notice);
    } catch (error) {
      this.loadProblem.set(toProblem(error));
    }
  }

  private show(saved: SavedModel | undefined, model: ValueModel): void {
    this.saved.set(saved);
    this.draft.set(model);
    this.dirty.set(false);
    this.conflict.set(undefined);
  }

  private schedule(model: ValueModel): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.compute(model), CANVAS_RECOMPUTE_MS);
  }

  private async compute(model: ValueModel): Promise<void> {
    this.inflight?.abort();
    const controller = new AbortController();
    this.inflight = controller;
    this.computing.set(true);
    try {
      const [evaluation, sensitivity] = await Promise.all([this.calc.evaluate(model, controller.signal), this.calc.sensitivity(model, controller.signal).catch(() => undefined)]);
      if (controller.signal.aborted) return;
      this.evaluation.set(evaluation);
      if (sensitivity) this.sensitivity.set(sensitivity);
      this.problem.set(undefined);
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
