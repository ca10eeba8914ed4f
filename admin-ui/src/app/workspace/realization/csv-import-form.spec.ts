import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed, type ComponentFixture } from '@angular/core/testing';
import { CsvImportForm } from './csv-import-form';
import type { MeasurableCommitment } from './measurable-commitment';

const URL = '/api/v1/realization/imports';
const commitment: MeasurableCommitment = { id: 'c1', title: 'Plant uptime', status: 'active', measurable: true, metrics: [] };
const CSV = 'metric,value,measuredAt\ndowntime_hours_avoided,30,2026-01-10\ndowntime_hours_avoided,abc,2026-01-11\ndowntime_hours_avoided,35,2026-01-12';

describe('CsvImportForm', () => {
  let fixture: ComponentFixture<CsvImportForm>;
  let http: HttpTestingController;
  let imported: number;
  const el = () => fixture.nativeElement as HTMLElement;
  const textarea = () => el().querySelector<HTMLTextAreaElement>('textarea')!;
  const paste = (text: string) => {
    textarea().value = text;
    textarea().dispatchEvent(new Event('input'));
  };
  const submit = async () => {
    el().querySelector<HTMLButtonElement>('button[type="submit"]')!.click();
    await fixture.whenStable();
  };
  const settle = async () => {
    await fixture.whenStable();
    await new Promise((r) => setTimeout(r));
    fixture.detectChanges();
  };
  const rejectedRows = () => [...el().querySelectorAll('[data-testid="rejected-rows"] tbody tr')].map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent!.trim()));

  beforeEach(() => {
    TestBed.configureTestingModule({ imports: [CsvImportForm], providers: [provideHttpClient(), provideHttpClientTesting()] });
    http = TestBed.inject(HttpTestingController);
    fixture = TestBed.createComponent(CsvImportForm);
    fixture.componentRef.setInput('commitment', commitment);
    imported = 0;
    fixture.componentInstance.imported.subscribe(() => imported++);
    fixture.detectChanges();
  });

  afterEach(() => http.verify());

  it('asks for a file or text before sending anything', async () => {
    await submit();
    fixture.detectChanges();
    expect(el().querySelector(`#${textarea().getAttribute('aria-describedby')!.split(' ')[1]}`)!.textContent).toContain('Choose a .csv file or paste CSV text.');
    expect(document.activeElement).toBe(textarea());
    http.expectNone(URL);
  });

  it('sends the JSON form {csv} with an Idempotency-Key and reports the accepted and rejected rows', async () => {
    paste(CSV);
    await submit();
    const req = http.expectOne((r) => r.url === URL);
    expect(req.request.body).toEqual({ csv: CSV, commitmentId: 'c1' });
    expect(req.request.params.has('atomic')).toBe(false);
    expect(req.request.headers.get('Idempotency-Key')).toMatch(/^[0-9a-f-]{36}$/);
    req.flush(
      {
        importId: 'i1',
        atomic: false,
        rows: 3,
        accepted: 2,
        rejected: 1,
        measurements: [
          { row: 2, id: 'm1' },
          { row: 4, id: 'm2' },
        ],
        errors: [{ row: 3, column: 'value', pointer: '/rows/3/value', message: 'must be a finite number' }],
        ignoredColumns: [],
      },
      { status: 201, statusText: 'Created' },
    );
    await settle();
    expect(el().querySelector('[data-testid="import-summary"]')!.textContent).toContain('Imported: 2 accepted, 1 rejected.');
    expect(el().querySelector('[data-testid="import-accepted"]')!.textContent).toBe('2');
    expect(el().querySelector('[data-testid="import-rejected"]')!.textContent).toBe('1');
    expect(rejectedRows()).toEqual([['3', 'value', 'must be a finite number']]);
    expect(imported).toBe(1);
  });

  it('imports all rows or none with ?atomic=true, and shows what was refused', async () => {
    paste(CSV);
    el().querySelector<HTMLInputElement>('input[type="checkbox"]')!.click();
    await submit();
    const req = http.expectOne((r) => r.url === URL);
    expect(req.request.params.get('atomic')).toBe('true');
    req.flush(
      {
        code: 'VV_VALIDATION',
        title: 'Validation failed',
        status: 400,
        detail: 'CSV: 1 of 3 rows are invalid; nothing was stored (atomic import)',
        errors: [{ pointer: '/rows/3/value', message: 'row 3: must be a finite number' }],
        rows: 3,
        rejected: 1,
        accepted: 0,
      },
      { status: 400, statusText: 'Bad Request' },
    );
    await settle();
    expect(el().querySelector('[data-testid="import-summary"]')!.textContent).toContain('Nothing was imported: 1 row is invalid');
    expect(el().querySelector('[data-testid="import-accepted"]')!.textContent).toBe('0');
    expect(rejectedRows()).toEqual([['3', 'value', 'must be a finite number']]);
    expect(imported).toBe(0);
  });

  it('puts a problem with the file itself on the CSV field', async () => {
    paste('metric,value,measuredAt');
    await submit();
    http
      .expectOne((r) => r.url === URL)
      .flush(
        {
          code: 'VV_VALIDATION',
          title: 'Validation failed',
          status: 400,
          detail: 'CSV: has a header but no data rows',
          errors: [{ pointer: '/csv', message: 'has a header but no data rows' }],
        },
        { status: 400, statusText: 'Bad Request' },
      );
    await settle();
    expect(textarea().getAttribute('aria-invalid')).toBe('true');
    expect(el().textContent).toContain('CSV: has a header but no data rows');
    expect(el().querySelector('[role="alert"]')!.textContent).toContain('the CSV needs attention');
    expect(el().querySelector('[data-testid="import-report"]')).toBeNull();
  });

  it('retries after a network failure with the same key; a changed option is a new request with a new key', async () => {
    paste(CSV);
    await submit();
    const first = http.expectOne((r) => r.url === URL);
    const key = first.request.headers.get('Idempotency-Key');
    first.error(new ProgressEvent('error'), { status: 0, statusText: 'Unknown Error' });
    await settle();
    expect(el().querySelector('[role="alert"]')!.textContent).toContain('Not imported: the server could not be reached.');

    await submit();
    const retry = http.expectOne((r) => r.url === URL);
    expect(retry.request.headers.get('Idempotency-Key')).toBe(key);
    retry.error(new ProgressEvent('error'), { status: 0, statusText: 'Unknown Error' });
    await settle();

    el().querySelector<HTMLInputElement>('input[type="checkbox"]')!.click();
    await submit();
    const atomic = http.expectOne((r) => r.url === URL);
    expect(atomic.request.headers.get('Idempotency-Key')).not.toBe(key);
    atomic.flush({ atomic: true, rows: 3, accepted: 3, rejected: 0, errors: [], ignoredColumns: ['comment'] }, { status: 201, statusText: 'Created' });
    await settle();
    expect(el().textContent).toContain('Ignored columns: comment.');
    expect(el().querySelector('[data-testid="rejected-rows"]')).toBeNull();
  });

  it('reads a chosen file into the text field', async () => {
    const input = el().querySelector<HTMLInputElement>('input[type="file"]')!;
    expect(input.accept).toBe('.csv,text/csv');
    const file = new File([CSV], 'january.csv', { type: 'text/csv' });
    // jsdom's Blob has no text() (every browser the console supports has).
    Object.defineProperty(file, 'text', { value: () => Promise.resolve(CSV) });
    Object.defineProperty(input, 'files', { value: [file] });
    input.dispatchEvent(new Event('change'));
    await settle();
    expect(textarea().value).toBe(CSV);
    expect(el().textContent).toContain('Loaded from january.csv');
  });
});
