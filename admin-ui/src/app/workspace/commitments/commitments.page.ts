import { CurrencyPipe, DOCUMENT, DatePipe, PercentPipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, computed, inject, resource, signal } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { FormArray, NonNullableFormBuilder, ReactiveFormsModule, Validators } from '@angular/forms';
import { ActivatedRoute, RouterLink } from '@angular/router';
import { ApiClient } from '../../api/api-client';
import { describeProblem, toProblem } from '../../api/problem';
import { SessionService } from '../../session/session.service';
import { formatMoney } from '../../ui/format';
import { RequestState } from '../../ui/request-state';
import { statusTone } from '../../ui/status';
import { applyServerErrors } from '../../ui/server-errors';
import { canAmend, type Commitment, type CommitmentPage } from '../lifecycle-data';
import { toChoice, type ModelChoice } from '../model-source';
import { toModelPage } from '../value-models/saved-model';

/**
 * Commitments with their milestones (value-committer): create one from a saved value model (the committed value is
 * the Monte Carlo percentile matching the confidence), move it through draft → proposed → signed → active, and amend
 * a signed or active one (a new draft version linked to it; signing that closes the old one).
 */
@Component({
  selector: 'vv-commitments-page',
  imports: [CurrencyPipe, DatePipe, PercentPipe, ReactiveFormsModule, RouterLink, RequestState],
  templateUrl: './commitments.page.html',
  styleUrl: './commitments.page.scss',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class CommitmentsPage {
  private readonly api = inject(ApiClient);
  private readonly fb = inject(NonNullableFormBuilder);
  private readonly document = inject(DOCUMENT);
  private readonly session = inject(SessionService);
  protected readonly canAmend = canAmend;
  protected readonly tone = statusTone;
  protected readonly money = formatMoney;
  protected readonly confidences = [0.5, 0.7, 0.8, 0.9, 0.95];

  protected readonly commitments = resource({
    loader: async ({ abortSignal }) => (await this.api.get<CommitmentPage>('/api/v1/commitments', { limit: 100 }, abortSignal)).items,
  });
  protected readonly models = resource({
    loader: async ({ abortSignal }): Promise<ModelChoice[]> => {
      return toModelPage(await this.api.get<unknown>('/api/v1/value-models', { limit: 100 }, abortSignal)).items.map(toChoice);
    },
  });

  protected readonly form = this.fb.group({
    // A model's page links here with `?model=`: the new commitment starts from it.
    modelId: [inject(ActivatedRoute).snapshot.queryParamMap.get('model') ?? '', Validators.required],
    title: ['', [Validators.maxLength(200)]],
    confidence: [0.8, Validators.required],
    milestones: this.fb.array<ReturnType<CommitmentsPage['milestoneGroup']>>([]),
  });
  protected readonly saving = signal(false);
  protected readonly error = signal<string | undefined>(undefined);
  protected readonly busyId = signal<string | undefined>(undefined);
  protected readonly rowError = signal<{ id: string; text: string } | undefined>(undefined);

  /** The commitment whose amendment form is open (one at a time). */
  protected readonly amendingId = signal<string | undefined>(undefined);
  protected readonly amendForm = this.fb.group({
    reason: ['', [Validators.required, Validators.pattern(/\S/), Validators.maxLength(1000)]],
    title: ['', [Validators.maxLength(200)]],
    confidence: [0.8, Validators.required],
  });
  protected readonly amendBusy = signal(false);
  protected readonly amendError = signal<string | undefined>(undefined);
  /** What the last amendment made, announced politely. */
  protected readonly notice = signal<string | undefined>(undefined);

  /** The chosen model's drivers: what a milestone can measure (issue 19, bug 6: the metric was free text). */
  private readonly chosenModelId = toSignal(this.form.controls.modelId.valueChanges, { initialValue: this.form.controls.modelId.value });
  protected readonly metricChoices = computed(() => {
    const model = (this.models.hasValue() ? this.models.value() : []).find((m) => m.id === this.chosenModelId());
    return (model?.model.drivers ?? []).map((d) => ({ key: d.name, label: d.description ? `${d.description} (${d.name})` : d.name }));
  });

  /** The transition awaiting confirmation (signing binds; closing ends tracking). */
  protected readonly confirming = signal<{ id: string; to: string } | undefined>(undefined);

  protected get milestoneRows(): FormArray<ReturnType<CommitmentsPage['milestoneGroup']>> {
    return this.form.controls.milestones;
  }

  protected problem() {
    const e = this.commitments.error();
    return e ? toProblem(e) : undefined;
  }

  protected milestoneGroup() {
    return this.fb.group({
      title: ['', Validators.required],
      dueDate: ['', Validators.required],
      metric: ['', Validators.required],
      target: [0, Validators.required],
    });
  }

  protected addMilestone(): void {
    this.milestoneRows.push(this.milestoneGroup());
  }

  protected removeMilestone(index: number): void {
    this.milestoneRows.removeAt(index);
  }

  protected async create(): Promise<void> {
    this.error.set(undefined);
    if (this.form.invalid) {
      this.form.markAllAsTouched();
      return;
    }
    const v = this.form.getRawValue();
    this.saving.set(true);
    try {
      await this.api.post('/api/v1/commitments', {
        modelId: v.modelId,
        confidence: Number(v.confidence),
        ...(v.title.trim() ? { title: v.title.trim() } : {}),
        milestones: v.milestones.map((m) => ({ ...m, target: Number(m.target) })),
      });
      this.form.reset({ modelId: '', title: '', confidence: 0.8 });
      this.milestoneRows.clear();
      this.commitments.reload();
    } catch (error) {
      const problem = toProblem(error);
      const unmatched = applyServerErrors(this.form, problem.errors);
      this.error.set(unmatched.length || !problem.errors.length ? [describeProblem(problem), ...unmatched].join(' ') : 'Some fields need attention.');
    } finally {
      this.saving.set(false);
    }
  }

  /** A commitment of the list by id (amendments link versions by id). */
  protected byId(id: string | null): Commitment | undefined {
    if (!id || !this.commitments.hasValue()) return undefined;
    return this.commitments.value().find((c) => c.id === id);
  }

  /** The confidence levels offered, with the commitment's own when it is not one of them. */
  protected confidencesFor(c: Commitment): number[] {
    return this.confidences.includes(c.confidence) ? this.confidences : [...this.confidences, c.confidence].sort((a, b) => a - b);
  }

  /** Moves focus to a version's card (the target of the links between amendments). */
  protected reveal(id: string): void {
    const heading = this.document.getElementById(`commitment-${id}`);
    heading?.scrollIntoView?.({ block: 'center' });
    heading?.focus();
  }

  protected openAmend(c: Commitment): void {
    this.amendingId.set(c.id);
    this.amendError.set(undefined);
    this.amendForm.reset({ reason: '', title: c.title, confidence: c.confidence });
    setTimeout(() => this.document.getElementById(`amend-reason-${c.id}`)?.focus());
  }

  protected closeAmend(): void {
    this.amendingId.set(undefined);
    this.amendError.set(undefined);
  }

  /** POST /commitments/:id/amendments: only what changed is sent (a new confidence re-runs the simulation). */
  protected async amend(c: Commitment): Promise<void> {
    this.amendError.set(undefined);
    if (this.amendForm.invalid) {
      this.amendForm.markAllAsTouched();
      return;
    }
    const v = this.amendForm.getRawValue();
    const title = v.title.trim();
    const confidence = Number(v.confidence);
    this.amendBusy.set(true);
    try {
      const created = await this.api.post<Commitment>(`/api/v1/commitments/${encodeURIComponent(c.id)}/amendments`, {
        reason: v.reason.trim(),
        ...(title && title !== c.title ? { title } : {}),
        ...(confidence !== c.confidence ? { confidence } : {}),
      });
      this.amendingId.set(undefined);
      this.notice.set(`Version ${created.version} is a draft amendment of version ${c.version}. Propose and sign it to replace version ${c.version}.`);
      this.commitments.reload();
    } catch (error) {
      const problem = toProblem(error);
      const unmatched = applyServerErrors(this.amendForm, problem.errors);
      this.amendError.set(unmatched.length || !problem.errors.length ? [describeProblem(problem), ...unmatched].join(' ') : 'Some fields need attention.');
    } finally {
      this.amendBusy.set(false);
    }
  }

  /** Signing and closing are asked about first; the other moves are undone as easily as made. */
  protected requestTransition(c: Commitment, to: string): void {
    if (to === 'signed' || to === 'closed') {
      this.confirming.set({ id: c.id, to });
      setTimeout(() => this.document.getElementById(`confirm-${c.id}`)?.focus());
    } else void this.transition(c, to);
  }

  /** Who signed: "you" for the signed-in user, else the user id the server recorded. */
  protected signer(c: Commitment): string {
    const by = c.signedBy;
    if (!by) return 'an unknown user';
    return by === this.session.user()?.id ? 'you' : by;
  }

  protected async transition(c: Commitment, to: string): Promise<void> {
    this.confirming.set(undefined);
    this.busyId.set(c.id);
    this.rowError.set(undefined);
    try {
      await this.api.post(`/api/v1/commitments/${encodeURIComponent(c.id)}/transitions`, { to });
      this.notice.set(`${c.title} is ${to}.`);
      this.commitments.reload();
    } catch (error) {
      this.rowError.set({ id: c.id, text: describeProblem(toProblem(error)) });
    } finally {
      this.busyId.set(undefined);
    }
  }
}
