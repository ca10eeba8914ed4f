import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed, type ComponentFixture } from '@angular/core/testing';
import { Router, provideRouter } from '@angular/router';
import type { ModelEvaluation } from '../calculation-api';
import { SAMPLE_MODEL } from '../sample-model';
import { ValueReportPage } from './value-report.page';
import { settle } from '../../../testing/settle';

const evaluation: ModelEvaluation = {
  drivers: {},
  periods: [],
  cashFlows: [-60000, 15000, 40000, 40000],
  metrics: {
    npv: { value: 16747, formula: '' },
    irr: { value: 0.12 },
    roi: { value: 0.4, totalBenefits: 1, totalCosts: 1 },
    payback: { value: 2.1, paysBack: true },
    discountedPayback: { value: 2.5, paysBack: true },
  },
};

const CASE = {
  persona: 'executive',
  personaLabel: 'Executive view',
  title: 'Plant uptime',
  modelId: 'm1',
  version: 1,
  currency: 'USD',
  preparedBy: 'Demo',
  customer: null,
  date: '2026-12-06',
  branding: { primaryColor: '#3f51b5', accentColor: '#00897b', logo: null },
  headline: 'Plant uptime returns $16,747.',
  figures: [],
  sections: [],
};

describe('ValueReportPage', () => {
  let fixture: ComponentFixture<ValueReportPage>;
  let http: HttpTestingController;
  const el = () => fixture.nativeElement as HTMLElement;
  const tick = () => settle(fixture);
  const saved = { id: 'm1', name: 'Plant uptime', model: { ...SAMPLE_MODEL, name: 'Plant uptime', horizon: 5 } };

  beforeEach(() => {
    TestBed.configureTestingModule({ imports: [ValueReportPage], providers: [provideRouter([]), provideHttpClient(), provideHttpClientTesting()] });
    http = TestBed.inject(HttpTestingController);
  });

  const tornado = {
    metric: 'npv',
    base: 16747,
    bars: [
      { driver: 'users', unit: 'users', low: { input: 50, value: -20000 }, high: { input: 150, value: 60000 }, swing: 80000 },
      { driver: 'hourlyRate', low: { input: 40, value: 5000 }, high: { input: 60, value: 28000 }, swing: 23000 },
    ],
  };
  const flushSensitivity = () => http.match('/api/v1/calculate/sensitivity').forEach((r) => r.cancelled || r.flush(tornado));

  afterEach(() => {
    flushSensitivity();
    // The business-case panel of a saved model asks for its case (its own spec checks it).
    http.match((r) => r.url.endsWith('/business-case')).forEach((r) => r.cancelled || r.flush(CASE));
    http.verify();
  });

  it('opens on the newest saved model when one exists, not the sample (issue 19, bug 3)', async () => {
    fixture = TestBed.createComponent(ValueReportPage);
    fixture.detectChanges();
    http.expectOne('/api/v1/value-models?limit=100').flush({ items: [saved] });
    await tick();
    const select = el().querySelector('select')!;
    expect([...select.options].map((o) => o.value)).toEqual(['m1', 'sample']);
    expect(select.value).toBe('m1');
    expect(el().querySelector('.note')!.textContent).toContain('Plant uptime · 5 periods');
    const request = http.expectOne('/api/v1/calculate/model');
    expect(request.request.body.model.name).toBe('Plant uptime');
    request.flush(evaluation);
    http.expectOne('/api/v1/calculate/simulate').flush({ code: 'VV_PLUGIN_NOT_ENABLED', title: 'Not enabled' }, { status: 404, statusText: 'Not Found' });
    await tick();
    expect(el().querySelector('[data-testid="report-npv"]')!.textContent).toContain('$16,747');
    expect(el().querySelector('vv-business-case-panel')).not.toBeNull();
  });

  it('reports on the model chosen in the picker, and keeps it in the link', async () => {
    fixture = TestBed.createComponent(ValueReportPage);
    fixture.detectChanges();
    http.expectOne('/api/v1/value-models?limit=100').flush({ items: [saved] });
    await tick();
    http.expectOne('/api/v1/calculate/model').flush(evaluation);
    http.expectOne('/api/v1/calculate/simulate').flush({ code: 'VV_PLUGIN_NOT_ENABLED', title: 'Not enabled' }, { status: 404, statusText: 'Not Found' });
    await tick();
    const select = el().querySelector('select')!;
    select.value = 'sample';
    select.dispatchEvent(new Event('change'));
    await tick();
    const request = http.expectOne('/api/v1/calculate/model');
    expect(request.request.body.model.name).toBe(SAMPLE_MODEL.name);
    request.flush(evaluation);
    http.expectOne('/api/v1/calculate/simulate').flush({ code: 'VV_PLUGIN_NOT_ENABLED', title: 'Not enabled' }, { status: 404, statusText: 'Not Found' });
    await tick();
    expect(select.value).toBe('sample');
    expect(TestBed.inject(Router).url).toContain('model=sample');
  });

  it('shows what moves NPV as a tornado from the sensitivity API, widest first (issue 19)', async () => {
    fixture = TestBed.createComponent(ValueReportPage);
    fixture.detectChanges();
    http.expectOne('/api/v1/value-models?limit=100').flush({ items: [saved] });
    await tick();
    const request = http.expectOne('/api/v1/calculate/sensitivity');
    expect(request.request.body).toMatchObject({ metric: 'npv', model: { name: 'Plant uptime' } });
    request.flush(tornado);
    http.expectOne('/api/v1/calculate/model').flush(evaluation);
    http.expectOne('/api/v1/calculate/simulate').flush({ code: 'VV_PLUGIN_NOT_ENABLED', title: 'Not enabled' }, { status: 404, statusText: 'Not Found' });
    await tick();
    const chart = el().querySelector('[data-testid="report-tornado"] ol')!;
    expect(chart.getAttribute('aria-label')).toContain('users from -$20K to $60K; hourlyRate from $5K to $28K');
    expect(chart.querySelectorAll('li')).toHaveLength(2);
  });
});
