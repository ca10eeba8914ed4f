import { ChangeDetectionStrategy, Component, ElementRef, inject, input, output, signal } from '@angular/core';
import { NonNullableFormBuilder, ReactiveFormsModule, Validators } from '@angular/forms';
import { ApiClient } from '../../api/api-client';
import { describeProblem, toProblem } from '../../api/problem';
import { applyServerErrors } from '../../ui/server-errors';
import { IdempotentSubmission } from './idempotent-submission';
import { refusedImport, toImportReport, type ImportReport } from './import-report';
import type { MeasurableCommitment } from './measurable-commitment';

const NETWORK_HINT = 'Press “Import” again to retry: the retry repeats the same attempt, so no row is stored twice.';

/**
 * Imports measurements from CSV (POST /api/v1/realization/imports with the JSON form `{csv}`): a chosen file or
 * pasted text, optionally all rows or none (`?atomic=true`), then a report of the accepted and rejected rows. Rows
 * without a commitmentId go to the commitment on screen. Each attempt carries an `Idempotency-Key`, reused when the
 * same content is sent again after a failure.
 */
@Component({
  selector: 'vv-csv-import-form',
  imports: [ReactiveFormsModule],
  templateUrl: './csv-import-form.html',
  styleUrl: './realization-forms.scss',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class CsvImportForm {
  private readonly api = inject(ApiClient);
  private readonly host = inject<ElementRef<HTMLElement>>(ElementRef);
  private readonly submission = new IdempotentSubmission();

  readonly commitment = input.required<MeasurableCommitment>();
  /** Rows were stored: the figures are out of date. */
  readonly imported = output<void>();

  protected readonly form = inject(NonNullableFormBuilder).group({
    csv: ['', [Validators.required, Validators.pattern(/\S/)]],
    atomic: [false],
  });
  protected readonly fileName = signal<string | undefined>(undefined);
  protected readonly busy = signal(false);
  protected readonly error = signal<string | undefined>(undefined);
  protected readonly report = signal<(ImportReport & { readonly stored: boolean; readonly replayed: boolean }) | undefined>(undefined);

  protected csvProblem(): string | undefined {
    const control = this.form.controls.csv;
    if (!control.invalid || !control.touched) return undefined;
    if (control.hasError('server')) return `CSV: ${String(control.getError('server'))}`;
    return 'Choose a .csv file or paste CSV text.';
  }

  /** A chosen file replaces the text (which stays editable). */
  protected async choose(input: HTMLInputElement): Promise<void> {
    const file = input.files?.[0];
    if (!file) return;
    this.error.set(undefined);
    try {
      const text = await file.text();
      this.form.controls.csv.setValue(text);
      this.form.controls.csv.markAsTouched();
      this.fileName.set(file.name);
    } catch (error) {
      this.error.set(`Could not read ${file.name}: ${(error as Error).message}`);
    }
  }

  protected async submit(): Promise<void> {
    if (this.busy()) return;
    this.error.set(undefined);
    this.report.set(undefined);
    if (this.form.invalid) {
      this.form.markAllAsTouched();
      this.focusCsv();
      return;
    }
    const { csv, atomic } = this.form.getRawValue();
    const body = { csv, commitmentId: this.commitment().id };
    const key = this.submission.keyFor({ body, atomic });
    this.busy.set(true);
    try {
      const response = await this.api.postResponse<unknown>('/api/v1/realization/imports', body, {
        query: { atomic: atomic || undefined },
        headers: { 'Idempotency-Key': key },
      });
      this.submission.settle();
      const report = toImportReport(response.body);
      this.report.set({ ...report, stored: true, replayed: response.headers.get('Idempotent-Replayed') === 'true' });
      if (report.accepted > 0) this.imported.emit();
    } catch (error) {
      const problem = toProblem(error);
      if (problem.code === 'VV_IDEMPOTENCY_KEY_REUSED') this.submission.settle();
      const refused = refusedImport(problem);
      if (refused) {
        this.report.set({ ...refused, stored: false, replayed: false });
        return;
      }
      const unmatched = applyServerErrors(this.form, problem.errors);
      if (problem.code === 'VV_NETWORK') this.error.set(`Not imported: the server could not be reached. ${NETWORK_HINT}`);
      else if (problem.errors.length > 0 && unmatched.length === 0) this.error.set('Not imported: the CSV needs attention.');
      else this.error.set(['Not imported:', describeProblem(problem), ...unmatched].join(' '));
      if (this.form.controls.csv.invalid) this.focusCsv();
    } finally {
      this.busy.set(false);
    }
  }

  private focusCsv(): void {
    this.host.nativeElement.querySelector<HTMLElement>('[formcontrolname="csv"]')?.focus();
  }
}
