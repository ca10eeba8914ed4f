import { CurrencyPipe, PercentPipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, computed, inject, resource, signal } from '@angular/core';
import { ApiClient } from '../../api/api-client';
import { describeProblem, toProblem, type Problem } from '../../api/problem';
import { RequestState } from '../../ui/request-state';
import { CalculationApi, type Driver, type Formula, type ModelEvaluation } from '../calculation-api';
import type { Hypothesis } from '../lifecycle-data';
import { isDriverLibrary, modelFromLibrary, type DriverLibrary, type LibraryIndustry } from '../library-model';
import { SAMPLE_MODEL } from '../sample-model';
import { HypothesesPanel } from './hypotheses-panel';
import { BLANK_DRAFT, describePointer, draftFromModel, modelFromDraft, withHypothesis, type ModelDraft } from './model-draft';

type Step = 'start' | 'drivers' | 'formulas' | 'review';

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
 * The value model wizard: start from the driver library, edit drivers and formulas, check the model with the
 * calculation API, save it to the value-models plugin, and ask the AI panel for hypotheses.
 */
@Component({
  selector: 'vv-value-model-wizard-page',
  imports: [CurrencyPipe, PercentPipe, RequestState, HypothesesPanel],
  templateUrl: './value-model-wizard.page.html',
  styleUrl: './value-model-wizard.page.scss',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class ValueModelWizardPage {
  private readonly api = inject(ApiClient);
  private readonly calc = inject(CalculationApi);

  protected readonly steps: readonly { id: Step; label: string }[] = [
    { id: 'start', label: 'Start' },
    { id: 'drivers', label: 'Drivers' },
    { id: 'formulas', label: 'Formulas and costs' },
    { id: 'review', label: 'Review and save' },
  ];
  protected readonly step = signal<Step>('start');
  protected readonly draft = signal<ModelDraft>(BLANK_DRAFT);
  protected readonly templates = OFFLINE_TEMPLATES;
  protected readonly library = resource({
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
  private savedVersion: number | undefined;
  private industryOfDraft: string | undefined;
  protected readonly evaluation = signal<ModelEvaluation | undefined>(undefined);
  protected readonly checkProblem = signal<Problem | undefined>(undefined);
  protected readonly checking = signal(false);
  protected readonly saving = signal(false);
  protected readonly saveMessage = signal<string | undefined>(undefined);
  protected readonly saveError = signal<string | undefined>(undefined);
  protected readonly savedId = signal<string | undefined>(undefined);
  protected readonly fieldProblems = computed(() => (this.checkProblem()?.errors ?? []).map((e) => `${describePointer(e.pointer, this.draft())}: ${e.message}`));

  protected go(step: Step): void {
    this.step.set(step);
    if (step === 'review') void this.check();
  }

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
    this.savedId.set(undefined);
    this.savedVersion = undefined;
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

  protected optionalNumber(raw: string): number | undefined {
    return raw.trim() === '' ? undefined : Number(raw);
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
    try {
      const model = modelFromDraft(this.draft());
      const id = this.savedId();
      // PUT names the version it edits: the plugin refuses (409) a change based on an older version.
      const saved = id
        ? await this.api.put<{ id?: string; version?: number }>(`/api/v1/value-models/${encodeURIComponent(id)}`, { name: model.name, model, ...(this.savedVersion ? { version: this.savedVersion } : {}) })
        : await this.api.post<{ id?: string; version?: number }>('/api/v1/value-models', { name: model.name, model, ...(this.industryOfDraft ? { industry: this.industryOfDraft } : {}) });
      if (saved?.id) this.savedId.set(String(saved.id));
      if (typeof saved?.version === 'number') this.savedVersion = saved.version;
      this.saveMessage.set(`Model saved${this.savedVersion ? ` (version ${this.savedVersion})` : ''}.`);
    } catch (error) {
      const problem = toProblem(error);
      this.saveError.set(problem.status === 404 ? 'Saving needs the value-models plugin, which is not enabled for this tenant.' : describeProblem(problem));
    } finally {
      this.saving.set(false);
    }
  }
}
