import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting, type TestRequest } from '@angular/common/http/testing';
import { TestBed, type ComponentFixture } from '@angular/core/testing';
import type { ModelEvaluation } from '../calculation-api';
import { ModelSource } from '../model-source';
import { SAMPLE_MODEL } from '../sample-model';
import { RECOMPUTE_DEBOUNCE_MS, WhatIfPage } from './what-if.page';

const evaluation = (npv: number): ModelEvaluation => ({
  drivers: {},
  periods: [],
  cashFlows: [-60000, 15000, 40000, npv],
  metrics: {
    npv: { value: npv, formula: '' },
    irr: { value: 0.12 },
    roi: { value: 0.4, totalBenefits: 1, totalCosts: 1 },
    payback: { value: 2.1, paysBack: true },
    discountedPayback: { value: 2.5, paysBack: true },
  },
});

describe('WhatIfPage', () => {
  let fixture: ComponentFixture<WhatIfPage>;
  let http: HttpTestingController;
  const el = () => fixture.nativeElement as HTMLElement;
  const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const models = () => http.match('/api/v1/calculate/model');

  beforeEach(async () => {
    TestBed.configureTestingModule({ imports: [WhatIfPage], providers: [provideHttpClient(), provideHttpClientTesting()] });
    http = TestBed.inject(HttpTestingController);
    fixture = TestBed.createComponent(WhatIfPage);
    fixture.detectChanges();
    // No value-models plugin: the sample model is used.
    http.expectOne('/api/v1/value-models?limit=100').flush({ code: 'VV_PLUGIN_NOT_ENABLED' }, { status: 404, statusText: 'Not Found' });
    await fixture.whenStable();
    await wait(RECOMPUTE_DEBOUNCE_MS + 20);
    const [first] = models();
    first!.flush(evaluation(16747));
    await wait(0);
    models()[0]!.flush(evaluation(16747)); // the baseline
    await fixture.whenStable();
    fixture.detectChanges();
  });

  afterEach(() => http.verify());

  it('shows a labelled slider per driver and the computed NPV', () => {
    const sliders = el().querySelectorAll<HTMLInputElement>('input[type="range"]');
    expect([...sliders].map((s) => s.dataset['driver'])).toEqual(['users', 'hoursSaved', 'hourlyRate', 'license']);
    expect(el().querySelector('label[for="driver-users"]')?.textContent).toContain('users');
    expect(el().querySelector('[data-testid="npv"]')?.textContent).toContain('$16,747');
  });

  it('recomputes once the drag pauses, with the dragged driver overridden, and cancels what it superseded', async () => {
    const slider = el().querySelector<HTMLInputElement>('input[data-driver="users"]')!;
    for (const value of ['110', '130', '150']) {
      slider.value = value;
      slider.dispatchEvent(new Event('input'));
      await wait(RECOMPUTE_DEBOUNCE_MS / 4);
    }
    expect(models()).toHaveLength(0);
    await wait(RECOMPUTE_DEBOUNCE_MS + 20);
    const [request] = models() as TestRequest[];
    const users = (request!.request.body as { model: { drivers: { name: string; value: number }[] } }).model.drivers.find((d) => d.name === 'users');
    expect(users!.value).toBe(150);
    request!.flush(evaluation(100071));
    await fixture.whenStable();
    fixture.detectChanges();
    expect(el().querySelector('[data-testid="npv"]')?.textContent).toContain('$100,071');
    expect(el().textContent).toContain('+$83,324 vs. base');
  });

  it('shows the calculation API’s error with a retry', async () => {
    const slider = el().querySelector<HTMLInputElement>('input[data-driver="license"]')!;
    slider.value = '12000';
    slider.dispatchEvent(new Event('input'));
    await wait(RECOMPUTE_DEBOUNCE_MS + 20);
    models()[0]!.flush({ code: 'VV_PLUGIN_NOT_ENABLED', title: 'Not enabled', detail: 'Plugin "calculation" is not enabled' }, { status: 404, statusText: 'Not Found' });
    await fixture.whenStable();
    fixture.detectChanges();
    expect(el().querySelector('[role="alert"]')?.textContent).toContain('What-if is not available');
  });
});

describe('WhatIfPage model picker', () => {
  it('shows the model the page computes, even when saved models are listed before it (a second visit)', async () => {
    TestBed.configureTestingModule({ imports: [WhatIfPage], providers: [provideHttpClient(), provideHttpClientTesting()] });
    const http = TestBed.inject(HttpTestingController);
    // ModelSource is shared by the pages: on a second visit its choices are there before the page renders.
    const source = TestBed.inject(ModelSource);
    const saved = { id: 'm1', name: 'Plant uptime', model: { ...SAMPLE_MODEL, name: 'Plant uptime' } };
    source.choices.set([saved, ...source.choices()]);
    const fixture = TestBed.createComponent(WhatIfPage);
    fixture.detectChanges();
    http.expectOne('/api/v1/value-models?limit=100').flush({ items: [{ id: 'm1', name: 'Plant uptime', model: saved.model }] });
    await fixture.whenStable();
    const select = (fixture.nativeElement as HTMLElement).querySelector('select')!;
    expect([...select.options].map((o) => o.value)).toEqual(['m1', 'sample']);
    expect(select.value).toBe('sample');
    expect(select.selectedOptions[0]!.textContent).toBe(SAMPLE_MODEL.name);
    http.match(() => true).forEach((r) => r.flush(evaluation(1)));
  });
});
