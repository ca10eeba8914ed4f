import { DOCUMENT } from '@angular/common';
import { ChangeDetectionStrategy, Component, computed, effect, inject, input, resource, signal, untracked } from '@angular/core';
import { Title } from '@angular/platform-browser';
import { Router, RouterLink } from '@angular/router';
import { ApiClient } from '../../api/api-client';
import { describeProblem, toProblem, type Problem } from '../../api/problem';
import { formatMoney, formatNumber, formatPercent } from '../../ui/format';
import { displayValue, isPercentUnit, storedValue } from '../driver-units';
import { RequestState } from '../../ui/request-state';
import { CalculationApi, modelCurrency, type Driver, type Formula, type ModelEvaluation } from '../calculation-api';
import type { Hypothesis } from '../lifecycle-data';
import { isDriverLibrary, modelFromLibrary, type DriverLibrary, type LibraryIndustry } from '../library-model';
import { SAMPLE_MODEL } from '../sample-model';
import { HypothesesPanel } from './hypotheses-panel';
import { BLANK_DRAFT, describePointer, draftFromModel, modelFromDraft, withHypothesis, type ModelDraft } from './model-draft';
import { toSavedModel, type SavedModel } from './saved-model';
import { ValueModelHistory } from './value-model-history';

type Step = 'start' | 'drivers' | 'formulas' | 'review';

/** The route parameter of the wizard for a model not saved yet (`/workspace/value-models/new`). */
export const NEW_MODEL = 'new';

const STEPS: readonly { id: Step; label: string }[] = [
  { id: 'start', label: 'Start' },
  { id: 'drivers', label: 'Drivers' },
  { id: 'formulas', label: 'Formulas and costs' },
  { id: 'review', label: 'Review and save' },
];

interface Template {
  readonly id: string;
  readonly name: string;
  readonly description?: string;
  readonly draft: ModelDraft;
}

const OFFLINE_TEMPLATES: readonly Template[] = [
  { id: 'blank', name: 'Blank model', description: 'One driver and one formula to start from.', draft: BLANK_DRAFT },
  { id: 'sample', name: SAMPLE_MODEL.name ?? 'Sample', description: 'Helpdesk automation over three years.', draft: draftFromModel(SAMPLE_MODEL) },
];

/**
 * The value model wizard and editor: start from the driver library, edit drivers and formulas, check the model with
 * the calculation API, save it to the value-models plugin, and ask the AI panel for hypotheses.
 *
 * One route serves both `/workspace/value-models/new` and a saved model's deep link `/workspace/value-models/:id`,
 * so the first save can move the URL to the new model's link while this same instance (and what is on screen) stays.
 */
@Component({
  selector: 'vv-value-model-wizard-page',
  imports: [RouterLink, RequestState, HypothesesPanel, ValueModelHistory],
  templateUrl: './value-model-wizard.page.html',
  styleUrl: './value-model-wizard.page.scss',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class ValueModelWizardPage {
  private readonly api = inject(ApiClient);
  private readonly calc = inject(CalculationApi);
  private readonly router = inject(Router);
  private readonly title = inject(Title);

  /** The route's `:id`: a saved model's id, or `new`. */
  readonly id = input<string | undefined>(undefined);

  /** A saved model has no "Start" step: starting over is a new model (the list's "New value model"). */
  protected readonly steps = computed(() => (this.savedId() ? STEPS.slice(1) : STEPS));
  protected readonly step = signal<Step>('start');
  protected readonly draft = signal<ModelDraft>(BLANK_DRAFT);
  protected readonly templates = OFFLINE_TEMPLATES;
  /** Set when the "Start" step is first needed: a saved model's deep link never asks for the library. */
  private readonly libraryWanted = signal(false);
  protected readonly library = resource({
    params: () => (this.libraryWanted() ? true : undefined),
    loader: async ({ abortSignal }): Promise<DriverLibrary | undefined> => {
      try {
        const body = await this.api.get<unknown>('/api/v1/value-models/library', undefined, abortSignal);
        return isDriverLibrary(body) ? body : undefined;
      } catch {
        // No value-architect for this tenant: the built-in starters still work (saving will say what is missing).
        return undefined;
      }
    },
  });
  protected readonly industryKey = signal<string | undefined>(undefined);
  protected readonly industry = computed<LibraryIndustry | undefined>(() => {
    const lib = this.library.value();
    return lib?.industries.find((i) => i.key === this.industryKey()) ?? lib?.industries[0];
  });
  protected readonly pickedDrivers = signal<ReadonlySet<string> | undefined>(undefined);
  protected readonly picked = computed(() => this.pickedDrivers() ?? new Set(this.industry()?.drivers.map((d) => d.key) ?? []));
  private industryOfDraft: string | undefined;
  protected readonly evaluation = signal<ModelEvaluation | undefined>(undefined);
  protected readonly checkProblem = signal<Problem | undefined>(undefined);
  protected readonly checking = signal(false);
  protected readonly saving = signal(false);
  protected readonly saveMessage = signal<string | undefined>(undefined);
  protected readonly saveError = signal<string | undefined>(undefined);
  protected readonly savedId = signal<string | undefined>(undefined);
  /** The saved model's latest version: sent with each save, which the plugin refuses (409) when it is stale. */
  protected readonly savedVersion = signal<number | undefined>(undefined);
  protected readonly savedName = signal<string | undefined>(undefined);
  /** Loading a saved model from its deep link. */
  protected readonly loading = signal(false);
  protected readonly loadProblem = signal<Problem | undefined>(undefined);
  /** A save refused because someone saved a newer version meanwhile: the server's explanation. */
  protected readonly conflict = signal<string | undefined>(undefined);
  private generation = 0;
  private readonly document = inject(DOCUMENT);
  /** Errors of the drivers step, shown once the user tries to move on. */
  private readonly showDriverErrors = signal(false);
  protected readonly driverErrors = computed(() => driverProblems(this.draft()));
  /** Drivers with a range are what the model varies; those without are its assumptions (rates, costs). */
  protected readonly driverCount = computed(() => {
    const all = this.draft().drivers;
    const ranged = all.filter((d) => d.low !== undefined || d.high !== undefined || d.distribution !== undefined).length;
    const assumptions = all.length - ranged;
    return assumptions === 0 ? this.count(ranged, 'driver') : `${this.count(ranged, 'driver')} and ${this.count(assumptions, 'assumption')}`;
  });
  /** The model as last loaded or saved: saving it unchanged would only add a version. */
  private savedModelJson: string | undefined;
  protected readonly fieldProblems = computed(() => (this.checkProblem()?.errors ?? []).map((e) => `${describePointer(e.pointer, this.draft())}: ${e.message}`));

  constructor() {
    effect(() => {
      const id = this.id();
      untracked(() => this.follow(id));
    });
  }

  /** Follows the route: a new wizard, a saved model to load, or the model this page just saved (nothing to do). */
  private follow(id: string | undefined): void {
    if (!id || id === NEW_MODEL) {
      if (this.savedId() !== undefined || this.loading() || this.loadProblem()) this.reset();
      this.title.setTitle('New value model · ValueVerse');
      this.libraryWanted.set(true);
      return;
    }
    if (id === this.savedId()) return;
    this.title.setTitle('Value model · ValueVerse');
    void this.open(id);
  }

  private reset(): void {
    this.generation++;
    this.loading.set(false);
    this.loadProblem.set(undefined);
    this.draft.set(BLANK_DRAFT);
    this.industryOfDraft = undefined;
    this.setSaved(undefined);
    this.clearResults();
    this.step.set('start');
  }

  /** Loads a saved model into the editor (its deep link, a reload, or "Load the latest version" after a conflict). */
  protected async open(id: string): Promise<void> {
    const generation = ++this.generation;
    this.loading.set(true);
    this.loadProblem.set(undefined);
    try {
      const saved = toSavedModel(await this.api.get<unknown>(`/api/v1/value-models/${encodeURIComponent(id)}`));
      if (generation !== this.generation) return;
      if (!saved) throw new Error('The answer is not a value model this console can edit.');
      this.draft.set({ ...draftFromModel(saved.model), name: saved.name });
      this.savedModelJson = JSON.stringify(modelFromDraft(this.draft()));
      this.industryOfDraft = saved.industry ?? undefined;
      this.setSaved(saved);
      this.clearResults();
      if (this.step() === 'start') this.step.set('drivers');
    } catch (error) {
      if (generation !== this.generation) return;
      this.loadProblem.set(toProblem(error));
    } finally {
      if (generation === this.generation) this.loading.set(false);
    }
  }

  protected retryOpen(): void {
    const id = this.id();
    if (id && id !== NEW_MODEL) void this.open(id);
  }

  private setSaved(saved: Pick<SavedModel, 'id' | 'version' | 'name'> | undefined): void {
    this.savedId.set(saved?.id);
    this.savedVersion.set(saved?.version);
    this.savedName.set(saved?.name);
    this.title.setTitle(saved ? `${saved.name} · Value models · ValueVerse` : 'New value model · ValueVerse');
  }

  private clearResults(): void {
    this.evaluation.set(undefined);
    this.checkProblem.set(undefined);
    this.saveMessage.set(undefined);
    this.saveError.set(undefined);
    this.conflict.set(undefined);
  }

  protected go(step: Step): void {
    this.step.set(step);
    if (step === 'review') void this.check();
    // A new step starts at its top with focus on its heading (issue 19, bug 4: the old scroll position stayed and
    // focus was dropped on the body).
    setTimeout(() => {
      const heading = this.document.getElementById(`${step}-title`);
      heading?.focus({ preventScroll: true });
      heading?.scrollIntoView?.({ block: 'start' });
    });
  }

  /** Leaves the drivers step only without errors there; else focuses the first field in error. */
  protected next(step: Step): void {
    this.showDriverErrors.set(true);
    const first = this.driverErrors().findIndex((e) => e !== undefined);
    if (first !== -1) {
      setTimeout(() => this.document.getElementById(`driver-name-${first}`)?.focus());
      return;
    }
    this.go(step);
  }

  protected driverError(index: number): string | undefined {
    return this.showDriverErrors() ? this.driverErrors()[index] : undefined;
  }

  protected readonly num = (value: number) => formatNumber(value);
  /** Shares and rates are shown and typed as percentages, stored as decimals. */
  protected readonly percent = isPercentUnit;
  protected readonly shown = displayValue;
  protected readonly stored = storedValue;
  protected readonly money = (value: number | null) => formatMoney(value, modelCurrency(modelFromDraft(this.draft())));
  protected readonly pct = (ratio: number | null, digits: number) => formatPercent(ratio, { digits });
  protected rangeNote(range: { min: number; max: number; typical: number }, unit: string): string {
    if (isPercentUnit(unit)) return `${formatPercent(range.min)}–${formatPercent(range.max)} (${unit}), typically ${formatPercent(range.typical)}`;
    return `${formatNumber(range.min)}–${formatNumber(range.max)} ${unit}, typically ${formatNumber(range.typical)}`;
  }
  protected readonly count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;

  protected useTemplate(template: Template): void {
    this.start(template.draft, undefined);
  }

  protected chooseIndustry(key: string): void {
    this.industryKey.set(key);
    this.pickedDrivers.set(undefined);
  }

  protected toggleDriver(key: string, on: boolean): void {
    const next = new Set(this.picked());
    if (on) next.add(key);
    else next.delete(key);
    this.pickedDrivers.set(next);
  }

  protected useLibrary(): void {
    const industry = this.industry();
    const lib = this.library.value();
    if (!industry || !lib || this.picked().size === 0) return;
    const model = modelFromLibrary(industry, [...this.picked()], `${industry.label} value model`, lib.currency);
    this.start(draftFromModel(model), industry.key);
  }

  protected adoptHypothesis(h: Hypothesis): void {
    this.draft.update((d) => withHypothesis(d, h));
    this.evaluation.set(undefined);
    this.saveMessage.set(`Added ${h.driver.label}. Check and save the model again.`);
  }

  private start(draft: ModelDraft, industry: string | undefined): void {
    this.draft.set(draft);
    this.industryOfDraft = industry;
    this.setSaved(undefined);
    this.clearResults();
    this.go('drivers');
  }

  protected patch(change: Partial<ModelDraft>): void {
    this.draft.update((d) => ({ ...d, ...change }));
  }

  protected patchDriver(index: number, change: Partial<Driver>): void {
    this.draft.update((d) => ({ ...d, drivers: d.drivers.map((x, i) => (i === index ? { ...x, ...change } : x)) }));
  }

  protected addDriver(): void {
    this.draft.update((d) => ({ ...d, drivers: [...d.drivers, { name: `driver${d.drivers.length + 1}`, value: 0 }] }));
  }

  protected removeDriver(index: number): void {
    this.draft.update((d) => ({ ...d, drivers: d.drivers.filter((_, i) => i !== index) }));
  }

  protected patchFormula(index: number, change: Partial<Formula>): void {
    this.draft.update((d) => ({ ...d, formulas: d.formulas.map((x, i) => (i === index ? { ...x, ...change } : x)) }));
  }

  protected addFormula(): void {
    this.draft.update((d) => ({ ...d, formulas: [...d.formulas, { name: `formula${d.formulas.length + 1}`, expression: '' }] }));
  }

  protected removeFormula(index: number): void {
    this.draft.update((d) => ({ ...d, formulas: d.formulas.filter((_, i) => i !== index) }));
  }

  protected async check(): Promise<void> {
    this.checking.set(true);
    this.checkProblem.set(undefined);
    try {
      this.evaluation.set(await this.calc.evaluate(modelFromDraft(this.draft())));
    } catch (error) {
      this.evaluation.set(undefined);
      this.checkProblem.set(toProblem(error));
    } finally {
      this.checking.set(false);
    }
  }

  protected async save(): Promise<void> {
    this.saving.set(true);
    this.saveMessage.set(undefined);
    this.saveError.set(undefined);
    this.conflict.set(undefined);
    try {
      const model = modelFromDraft(this.draft());
      const id = this.savedId();
      const version = this.savedVersion();
      if (id && this.savedModelJson === JSON.stringify(model)) {
        this.saveMessage.set(`No changes since version ${version ?? 1}: nothing to save.`);
        return;
      }
      // PUT names the version it edits: the plugin refuses (409) a change based on an older version.
      const saved = id
        ? await this.api.put<{ id?: string; version?: number; name?: string }>(`/api/v1/value-models/${encodeURIComponent(id)}`, {
            name: model.name,
            model,
            ...(version ? { version } : {}),
          })
        : await this.api.post<{ id?: string; version?: number; name?: string }>('/api/v1/value-models', {
            name: model.name,
            model,
            ...(this.industryOfDraft ? { industry: this.industryOfDraft } : {}),
          });
      const savedId = saved?.id ? String(saved.id) : id;
      if (savedId) this.setSaved({ id: savedId, version: typeof saved?.version === 'number' ? saved.version : (version ?? 1), name: saved?.name ?? model.name ?? savedId });
      this.savedModelJson = JSON.stringify(model);
      this.saveMessage.set(`Model saved${typeof saved?.version === 'number' ? ` (version ${saved.version})` : ''}.`);
      // The first save gives the model its link: the URL moves there (same route, so this page and its state stay).
      if (!id && savedId) await this.router.navigate(['/workspace/value-models', savedId], { replaceUrl: true, scroll: 'manual' });
    } catch (error) {
      const problem = toProblem(error);
      if (problem.status === 409) this.conflict.set(describeProblem(problem));
      else this.saveError.set(problem.status === 404 && !this.savedId() ? 'Saving needs the value-models plugin, which is not enabled for this tenant.' : describeProblem(problem));
    } finally {
      this.saving.set(false);
    }
  }
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Per driver, what is wrong with it (a name formulas can use, unique; a number), or undefined. */
export function driverProblems(draft: ModelDraft): (string | undefined)[] {
  const names = draft.drivers.map((d) => d.name.trim());
  return draft.drivers.map((d, i) => {
    const name = names[i]!;
    if (!name) return 'A driver needs a name.';
    if (!IDENTIFIER.test(name)) return 'Letters, digits and _ only, not starting with a digit (formulas use the name).';
    if (names.indexOf(name) !== i) return `Another driver is already called ${name}.`;
    if (!Number.isFinite(d.value)) return 'The value must be a number.';
    return undefined;
  });
}
