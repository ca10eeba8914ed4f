import { CurrencyPipe, DatePipe, PercentPipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, inject, resource, signal } from '@angular/core';
import { FormArray, NonNullableFormBuilder, ReactiveFormsModule, Validators } from '@angular/forms';
import { ApiClient } from '../../api/api-client';
import { describeProblem, toProblem } from '../../api/problem';
import { RequestState } from '../../ui/request-state';
import { applyServerErrors } from '../../ui/server-errors';
import { NEXT_STATUSES, toCommitments, type Commitment } from '../lifecycle-data';
import { toChoice, type ModelChoice } from '../model-source';

/**
 * Commitments with their milestones (value-committer): create one from a saved value model (the committed value is
 * the Monte Carlo percentile matching the confidence), and move it through draft → proposed → signed → active.
 */
@Component({
  selector: 'vv-commitments-page',
  imports: [CurrencyPipe, DatePipe, PercentPipe, ReactiveFormsModule, RequestState],
  templateUrl: './commitments.page.html',
  styleUrl: './commitments.page.scss',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class CommitmentsPage {
  private readonly api = inject(ApiClient);
  private readonly fb = inject(NonNullableFormBuilder);
  protected readonly next = NEXT_STATUSES;
  protected readonly confidences = [0.5, 0.7, 0.8, 0.9, 0.95];

  protected readonly commitments = resource({
    loader: async ({ abortSignal }) => toCommitments(await this.api.get<unknown>('/api/v1/commitments', { limit: 100 }, abortSignal)),
  });
  protected readonly models = resource({
    loader: async ({ abortSignal }): Promise<ModelChoice[]> => {
      const body = await this.api.get<{ items?: unknown[] }>('/api/v1/value-models', { limit: 100 }, abortSignal);
      return (body.items ?? []).map(toChoice).filter((c): c is ModelChoice => !!c);
    },
  });

  protected readonly form = this.fb.group({
    modelId: ['', Validators.required],
    title: ['', [Validators.maxLength(200)]],
    confidence: [0.8, Validators.required],
    milestones: this.fb.array<ReturnType<CommitmentsPage['milestoneGroup']>>([]),
  });
  protected readonly saving = signal(false);
  protected readonly error = signal<string | undefined>(undefined);
  protected readonly busyId = signal<string | undefined>(undefined);
  protected readonly rowError = signal<{ id: string; text: string } | undefined>(undefined);

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

  protected async transition(c: Commitment, to: string): Promise<void> {
    this.busyId.set(c.id);
    this.rowError.set(undefined);
    try {
      await this.api.post(`/api/v1/commitments/${encodeURIComponent(c.id)}/transitions`, { to });
      this.commitments.reload();
    } catch (error) {
      this.rowError.set({ id: c.id, text: describeProblem(toProblem(error)) });
    } finally {
      this.busyId.set(undefined);
    }
  }
}
