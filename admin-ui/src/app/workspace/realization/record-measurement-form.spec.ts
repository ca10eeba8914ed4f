import { HttpHeaders, provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting, type TestRequest } from '@angular/common/http/testing';
import { TestBed, type ComponentFixture } from '@angular/core/testing';
import type { MeasurableCommitment } from './measurable-commitment';
import { RecordMeasurementForm, localToday } from './record-measurement-form';

const URL = '/api/v1/realization/measurements';
const commitment: MeasurableCommitment = {
  id: 'c1',
  title: 'Plant uptime',
  status: 'signed',
  measurable: true,
  metrics: [
    { metric: 'downtime_hours_avoided', group: 'Milestones', label: 'downtime_hours_avoided — Full rate: 70 by 2026-06-30' },
    { metric: 'maintenance_hours_saved', group: 'Success criteria', label: 'maintenance_hours_saved — success criterion >= 2500' },
  ],
};

describe('RecordMeasurementForm', () => {
  let fixture: ComponentFixture<RecordMeasurementForm>;
  let http: HttpTestingController;
  let recorded: number;
  const el = () => fixture.nativeElement as HTMLElement;
  const field = <T extends HTMLElement>(name: string) => el().querySelector<T>(`[formcontrolname="${name}"]`)!;
  const fill = (name: string, value: string) => {
    const control = field<HTMLInputElement | HTMLSelectElement>(name);
    control.value = value;
    control.dispatchEvent(new Event(control instanceof HTMLSelectElement ? 'change' : 'input'));
  };
  const errorOf = (name: string) =>
    el()
      .querySelector(`#${field(name).getAttribute('aria-describedby')}`)!
      .textContent!.trim();
  const submit = async () => {
    el().querySelector<HTMLButtonElement>('button[type="submit"]')!.click();
    await fixture.whenStable();
  };
  const settle = async () => {
    await fixture.whenStable();
    await new Promise((r) => setTimeout(r));
    fixture.detectChanges();
  };
  const networkFailure = (req: TestRequest) => req.error(new ProgressEvent('error'), { status: 0, statusText: 'Unknown Error' });

  beforeEach(() => {
    TestBed.configureTestingModule({ imports: [RecordMeasurementForm], providers: [provideHttpClient(), provideHttpClientTesting()] });
    http = TestBed.inject(HttpTestingController);
    fixture = TestBed.createComponent(RecordMeasurementForm);
    fixture.componentRef.setInput('commitment', commitment);
    recorded = 0;
    fixture.componentInstance.recorded.subscribe(() => recorded++);
    fixture.detectChanges();
  });

  afterEach(() => http.verify());

  it('offers the commitment’s metrics grouped, today as the date, and no later date', () => {
    const groups = [...el().querySelectorAll('optgroup')].map((g) => [g.label, [...g.querySelectorAll('option')].map((o) => o.value)]);
    expect(groups).toEqual([
      ['Milestones', ['downtime_hours_avoided']],
      ['Success criteria', ['maintenance_hours_saved']],
    ]);
    expect(field<HTMLSelectElement>('metric').value).toBe('downtime_hours_avoided');
    expect(field<HTMLInputElement>('measuredAt').value).toBe(localToday());
    expect(field<HTMLInputElement>('measuredAt').max).toBe(localToday());
    // Every field has a visible label of its own.
    const labels = ['metric', 'value', 'measuredAt', 'source', 'note'].map((name) => el().querySelector(`label[for="${field(name).id}"]`)?.textContent);
    expect(labels).toEqual(['Metric', 'Value', 'Measured on', 'Source (optional)', 'Note (optional)']);
    expect(field('note').tagName).toBe('TEXTAREA');
    expect(field('note').getAttribute('maxlength')).toBe('1000');
  });

  it('checks the fields before sending anything, and focuses the first to fix', async () => {
    await submit();
    fixture.detectChanges();
    expect(errorOf('value')).toBe('Enter the measured value.');
    expect(field('value').getAttribute('aria-invalid')).toBe('true');
    expect(document.activeElement).toBe(field('value'));

    fill('value', '1,250');
    fill('measuredAt', '2999-01-01');
    // Typed text stops at the textarea's maxlength; pasted or scripted text can still be longer.
    fill('note', 'n'.repeat(1001));
    await submit();
    fixture.detectChanges();
    expect(errorOf('value')).toContain('Enter a number');
    expect(errorOf('measuredAt')).toBe('The date must not be in the future.');
    expect(errorOf('note')).toBe('At most 1000 characters.');
    expect(field('note').getAttribute('aria-invalid')).toBe('true');
    http.expectNone(URL);
  });

  it('records the measurement with an Idempotency-Key, says so, and tells the page', async () => {
    fill('metric', 'maintenance_hours_saved');
    fill('value', ' 2750.5 ');
    fill('measuredAt', '2026-01-15');
    fill('source', ' CMMS export ');
    fill('note', ' Read after the night shift.\nLine 2 was down. ');
    await submit();
    const req = http.expectOne(URL);
    expect(req.request.method).toBe('POST');
    expect(req.request.body).toEqual({
      commitmentId: 'c1',
      metric: 'maintenance_hours_saved',
      value: 2750.5,
      measuredAt: '2026-01-15',
      source: 'CMMS export',
      note: 'Read after the night shift.\nLine 2 was down.',
    });
    expect(req.request.headers.get('Idempotency-Key')).toMatch(/^[0-9a-f-]{36}$/);
    req.flush({ id: 'm1' }, { status: 201, statusText: 'Created' });
    await settle();
    expect(el().querySelector('[role="status"]')!.textContent).toContain('Recorded 2750.5 for maintenance_hours_saved on 2026-01-15.');
    expect(recorded).toBe(1);
    // Ready for the next reading of the same metric, from the same source; the note belonged to this one.
    expect(field<HTMLInputElement>('value').value).toBe('');
    expect(field<HTMLTextAreaElement>('note').value).toBe('');
    expect(field<HTMLInputElement>('source').value).toBe(' CMMS export ');
    expect(field<HTMLSelectElement>('metric').value).toBe('maintenance_hours_saved');
  });

  it('retries a failed submission with the same key, and uses a new key once the content changes or it succeeded', async () => {
    fill('value', '20');
    fill('note', '   ');
    await submit();
    const first = http.expectOne(URL);
    // Blank optional fields are left out rather than sent empty.
    expect(first.request.body).toEqual({ commitmentId: 'c1', metric: 'downtime_hours_avoided', value: 20, measuredAt: localToday() });
    const key = first.request.headers.get('Idempotency-Key');
    networkFailure(first);
    await settle();
    expect(el().querySelector('[role="alert"]')!.textContent).toContain('Not recorded: the server could not be reached.');
    expect(recorded).toBe(0);

    // Pressed again, unchanged: the same attempt. The first one had reached the server, which replays its answer.
    await submit();
    const retry = http.expectOne(URL);
    expect(retry.request.headers.get('Idempotency-Key')).toBe(key);
    retry.flush({ id: 'm1' }, { status: 201, statusText: 'Created', headers: new HttpHeaders({ 'Idempotent-Replayed': 'true' }) });
    await settle();
    expect(el().querySelector('[role="status"]')!.textContent).toContain('Already recorded: 20 for downtime_hours_avoided');
    expect(el().querySelector('[role="alert"]')).toBeNull();
    expect(recorded).toBe(1);

    // The same reading again after a success is a new measurement: a new key.
    fill('value', '20');
    await submit();
    const again = http.expectOne(URL);
    expect(again.request.headers.get('Idempotency-Key')).not.toBe(key);
    const secondKey = again.request.headers.get('Idempotency-Key');
    networkFailure(again);
    await settle();

    // Edited after the failure: a different request, so a different key (the server would refuse the old one).
    fill('value', '21');
    await submit();
    const edited = http.expectOne(URL);
    expect(edited.request.headers.get('Idempotency-Key')).not.toBe(secondKey);
    expect(edited.request.body.value).toBe(21);
    edited.flush({ id: 'm2' }, { status: 201, statusText: 'Created' });
    await settle();
  });

  it('puts the server’s field problems on their fields and the rest in the summary', async () => {
    fill('value', '20');
    await submit();
    http.expectOne(URL).flush(
      {
        type: 'https://valueverse.dev/errors/VV_VALIDATION',
        title: 'Validation failed',
        status: 400,
        code: 'VV_VALIDATION',
        detail: 'The request is invalid',
        errors: [
          { pointer: '/value', message: 'must be a finite number' },
          { pointer: '/measuredAt', message: 'must not be in the future' },
        ],
      },
      { status: 400, statusText: 'Bad Request' },
    );
    await settle();
    expect(errorOf('value')).toBe('must be a finite number');
    expect(errorOf('measuredAt')).toBe('must not be in the future');
    expect(field('value').getAttribute('aria-invalid')).toBe('true');
    expect(document.activeElement).toBe(field('value'));
    expect(el().querySelector('[role="alert"]')!.textContent).toContain('some fields need attention');
    expect(recorded).toBe(0);

    // Editing the field clears the server's problem with it.
    fill('value', '21');
    fixture.detectChanges();
    expect(errorOf('value')).toBe('');
    // The date still carries its problem: nothing is sent until it is fixed too.
    await submit();
    http.expectNone(URL);
    fill('measuredAt', '2026-01-15');

    await submit();
    http
      .expectOne(URL)
      .flush(
        { code: 'VV_VALIDATION', title: 'Validation failed', status: 400, detail: 'The request is invalid', errors: [{ pointer: '/commitmentId', message: 'is required' }] },
        { status: 400, statusText: 'Bad Request' },
      );
    await settle();
    expect(el().querySelector('[role="alert"]')!.textContent).toContain('/commitmentId: is required');
  });

  it('puts the server’s problem with the note on the note field', async () => {
    fill('value', '20');
    fill('note', 'checked twice');
    await submit();
    const req = http.expectOne(URL);
    expect(req.request.body.note).toBe('checked twice');
    req.flush(
      {
        code: 'VV_VALIDATION',
        title: 'Validation failed',
        status: 400,
        detail: 'The request is invalid',
        errors: [{ pointer: '/note', message: 'must be at most 1000 characters' }],
      },
      { status: 400, statusText: 'Bad Request' },
    );
    await settle();
    expect(errorOf('note')).toBe('must be at most 1000 characters');
    expect(field('note').getAttribute('aria-invalid')).toBe('true');
    expect(document.activeElement).toBe(field('note'));
    expect(el().querySelector('[role="alert"]')!.textContent).toContain('some fields need attention');
    expect(recorded).toBe(0);

    fill('note', 'checked');
    fixture.detectChanges();
    expect(errorOf('note')).toBe('');
    await submit();
    http.expectOne(URL).flush({ id: 'm1' }, { status: 201, statusText: 'Created' });
    await settle();
    expect(recorded).toBe(1);
  });

  it('explains a refusal that is not about a field', async () => {
    fill('value', '20');
    await submit();
    http
      .expectOne(URL)
      .flush(
        { code: 'VV_CONFLICT', title: 'Conflict', status: 409, detail: 'commitment c1 is closed; only signed or active commitments take measurements' },
        { status: 409, statusText: 'Conflict' },
      );
    await settle();
    expect(el().querySelector('[role="alert"]')!.textContent).toContain('Not recorded: commitment c1 is closed');
  });
});
