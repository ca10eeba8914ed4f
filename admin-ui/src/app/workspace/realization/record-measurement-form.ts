import { ChangeDetectionStrategy, Component, ElementRef, inject, input, output, signal, type OnInit } from '@angular/core';
import { NonNullableFormBuilder, ReactiveFormsModule, Validators, type AbstractControl, type ValidationErrors } from '@angular/forms';
import { ApiClient } from '../../api/api-client';
import { describeProblem, toProblem } from '../../api/problem';
import { applyServerErrors } from '../../ui/server-errors';
import { IdempotentSubmission } from './idempotent-submission';
import type { MeasurableCommitment } from './measurable-commitment';

/** Today in the user's time zone, as the date input writes it (yyyy-mm-dd). */
export function localToday(now = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

// The value-executor's number syntax (measurement-checker `numberPattern`): no thousands separators, no hex.
const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

function numberText(control: AbstractControl<string>): ValidationErrors | null {
  const text = control.value.trim();
  if (text === '') return null;
  return NUMBER.test(text) && Number.isFinite(Number(text)) ? null : { number: true };
}

function notInFuture(control: AbstractControl<string>): ValidationErrors | null {
  // ISO dates compare as text. The server allows a day of clock skew, so a local "today" ahead of UTC is accepted.
  return control.value && control.value > localToday() ? { future: true } : null;
}

/** value-executor's limit for a measurement's note (`MAX_NOTE`, counted in characters there). */
const MAX_NOTE = 1000;

type FieldName = 'metric' | 'value' | 'measuredAt' | 'source' | 'note';

const NETWORK_HINT = 'Press “Record measurement” again to retry: the retry repeats the same attempt, so the value cannot be recorded twice.';

/**
 * Records one actual measurement of a commitment (POST /api/v1/realization/measurements). Each attempt carries an
 * `Idempotency-Key`, reused when the same content is sent again after a failure. Field problems from the server land
 * on their fields.
 */
@Component({
  selector: 'vv-record-measurement-form',
  imports: [ReactiveFormsModule],
  templateUrl: './record-measurement-form.html',
  styleUrl: './realization-forms.scss',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class RecordMeasurementForm implements OnInit {
  private readonly api = inject(ApiClient);
  private readonly host = inject<ElementRef<HTMLElement>>(ElementRef);
  private readonly submission = new IdempotentSubmission();

  readonly commitment = input.required<MeasurableCommitment>();
  /** A measurement was stored (or an earlier attempt's was confirmed): the figures are out of date. */
  readonly recorded = output<void>();

  protected readonly today = localToday();
  protected readonly form = inject(NonNullableFormBuilder).group({
    metric: ['', Validators.required],
    value: ['', [Validators.required, numberText]],
    measuredAt: [this.today, [Validators.required, notInFuture]],
    source: ['', Validators.maxLength(200)],
    note: ['', Validators.maxLength(MAX_NOTE)],
  });
  protected readonly busy = signal(false);
  protected readonly error = signal<string | undefined>(undefined);
  protected readonly notice = signal<string | undefined>(undefined);

  ngOnInit(): void {
    this.form.controls.metric.setValue(this.commitment().metrics[0]?.metric ?? '');
  }

  /** What is wrong with a field, once the user has been there (server problems are marked touched). */
  protected problemOf(name: FieldName): string | undefined {
    const control = this.form.controls[name];
    if (!control.invalid || !control.touched) return undefined;
    if (control.hasError('server')) return String(control.getError('server'));
    if (control.hasError('required'))
      return { metric: 'Choose a metric.', value: 'Enter the measured value.', measuredAt: 'Enter the date of the measurement.', source: '', note: '' }[name];
    if (control.hasError('number')) return 'Enter a number, such as 1250 or 12.5 (no thousands separators).';
    if (control.hasError('future')) return 'The date must not be in the future.';
    if (control.hasError('maxlength')) return `At most ${(control.getError('maxlength') as { requiredLength: number }).requiredLength} characters.`;
    return 'Check this field.';
  }

  protected groups(): { name: string; metrics: MeasurableCommitment['metrics'] }[] {
    const metrics = this.commitment().metrics;
    return (['Milestones', 'Success criteria'] as const).map((name) => ({ name, metrics: metrics.filter((m) => m.group === name) })).filter((g) => g.metrics.length > 0);
  }

  protected async submit(): Promise<void> {
    if (this.busy()) return;
    this.error.set(undefined);
    this.notice.set(undefined);
    if (this.form.invalid) {
      this.form.markAllAsTouched();
      this.focusFirstInvalid();
      return;
    }
    const v = this.form.getRawValue();
    const source = v.source.trim();
    // Blank optional fields are left out: the server takes no empty `source` or `note`.
    const note = v.note.trim();
    const body = {
      commitmentId: this.commitment().id,
      metric: v.metric,
      value: Number(v.value.trim()),
      measuredAt: v.measuredAt,
      ...(source ? { source } : {}),
      ...(note ? { note } : {}),
    };
    const key = this.submission.keyFor(body);
    this.busy.set(true);
    try {
      const response = await this.api.postResponse<unknown>('/api/v1/realization/measurements', body, { headers: { 'Idempotency-Key': key } });
      this.submission.settle();
      const what = `${body.value} for ${body.metric} on ${body.measuredAt}`;
      this.notice.set(response.headers.get('Idempotent-Replayed') === 'true' ? `Already recorded: ${what} (the earlier attempt reached the server).` : `Recorded ${what}.`);
      this.form.controls.value.reset('');
      // A note is about one reading; the source usually stays the same for the next.
      this.form.controls.note.reset('');
      this.recorded.emit();
    } catch (error) {
      const problem = toProblem(error);
      // Another request already used this key (it cannot be this one's): the next attempt starts afresh.
      if (problem.code === 'VV_IDEMPOTENCY_KEY_REUSED') this.submission.settle();
      const unmatched = applyServerErrors(this.form, problem.errors);
      if (problem.code === 'VV_NETWORK') this.error.set(`Not recorded: the server could not be reached. ${NETWORK_HINT}`);
      else if (problem.errors.length > 0 && unmatched.length === 0) this.error.set('Not recorded: some fields need attention.');
      else this.error.set(['Not recorded:', describeProblem(problem), ...unmatched].join(' '));
      this.focusFirstInvalid();
    } finally {
      this.busy.set(false);
    }
  }

  /** Keyboard users land on the first field to fix. */
  private focusFirstInvalid(): void {
    const name = Object.entries(this.form.controls).find(([, control]) => control.invalid)?.[0];
    if (name) this.host.nativeElement.querySelector<HTMLElement>(`[formcontrolname="${name}"]`)?.focus();
  }
}
