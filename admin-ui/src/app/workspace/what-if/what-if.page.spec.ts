import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting, type TestRequest } from '@angular/common/http/testing';
import { ApplicationRef } from '@angular/core';
import { TestBed, type ComponentFixture } from '@angular/core/testing';
import { Router, provideRouter } from '@angular/router';
import type { ModelEvaluation } from '../calculation-api';
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
    TestBed.configureTestingModule({ imports: [WhatIfPage], providers: [provideRouter([]), provideHttpClient(), provideHttpClientTesting()] });
    http = TestBed.inject(HttpTestingController);
    fixture = TestBed.createComponent(WhatIfPage);
    fixture.detectChanges();
    // No value-models plugin: the sample model is used.
    http.expectOne('/api/v1/value-models?limit=100').flush({ code: 'VV_PLUGIN_NOT_ENABLED' }, { status: 404, statusText: 'Not Found' });
    await wait(0);
    fixture.detectChanges();
    // The tornado of the base case (stability waits for it).
    http.expectOne('/api/v1/calculate/sensitivity').flush({ metric: 'npv', base: 16747, bars: [] });
    await fixture.whenStable();
    fixture.detectChanges();
    await wait(RECOMPUTE_DEBOUNCE_MS + 20);
    const [first] = models();
    first!.flush(evaluation(16747));
    await wait(0);
    models()[0]!.flush(evaluation(16747)); // the baseline
    await fixture.whenStable();
    fixture.detectChanges();
  });

  afterEach(() => {
    http.match('/api/v1/calculate/sensitivity').forEach((r) => r.cancelled || r.flush({ metric: 'npv', base: 16747, bars: [] }));
    http.verify();
  });

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

describe('WhatIfPage model picker (issue 19, bug 3)', () => {
  const saved = (id: string, name: string, drivers = SAMPLE_MODEL.drivers) => ({ id, name, status: 'draft', version: 1, model: { ...SAMPLE_MODEL, name, drivers } });

  async function open(query: Record<string, string>, items: object[]) {
    TestBed.configureTestingModule({ imports: [WhatIfPage], providers: [provideRouter([]), provideHttpClient(), provideHttpClientTesting()] });
    const http = TestBed.inject(HttpTestingController);
    await TestBed.inject(Router).navigate([], { queryParams: query });
    const fixture = TestBed.createComponent(WhatIfPage);
    fixture.detectChanges();
    http.expectOne('/api/v1/value-models?limit=100').flush({ items, nextCursor: null });
    await fixture.whenStable();
    fixture.detectChanges();
    return { fixture, http, el: fixture.nativeElement as HTMLElement };
  }

  it('opens on the newest saved model, not the sample, when saved models exist', async () => {
    const { el, http } = await open({}, [saved('m2', 'Helpdesk deflection'), saved('m1', 'Plant uptime')]);
    const select = el.querySelector('select')!;
    expect([...select.options].map((o) => o.value)).toEqual(['m2', 'm1', 'sample']);
    expect(select.value).toBe('m2');
    http.match(() => true).forEach((r) => r.cancelled || r.flush(r.request.url.endsWith('sensitivity') ? { metric: 'npv', base: 1, bars: [] } : evaluation(1)));
  });

  it('opens the model the link names (?model=)', async () => {
    const { el, http } = await open({ model: 'm1' }, [saved('m2', 'Helpdesk deflection'), saved('m1', 'Plant uptime')]);
    expect(el.querySelector('select')!.value).toBe('m1');
    http.match(() => true).forEach((r) => r.cancelled || r.flush(r.request.url.endsWith('sensitivity') ? { metric: 'npv', base: 1, bars: [] } : evaluation(1)));
  });

  it('shows small driver values with the decimals they need (0.015, a minimum of 0.002)', async () => {
    const drivers = [{ name: 'deflection_rate', label: 'Deflection rate', value: 0.015, low: 0.002, high: 0.05, unit: 'ratio' }];
    const { el, http } = await open({}, [saved('m1', 'Rates', drivers as never)]);
    expect(el.querySelector('output')!.textContent).toContain('0.015');
    expect(el.querySelector('.bounds')!.textContent).toContain('0.002');
    http.match(() => true).forEach((r) => r.cancelled || r.flush(r.request.url.endsWith('sensitivity') ? { metric: 'npv', base: 1, bars: [] } : evaluation(1)));
  });

  it('shows which drivers move NPV most, from the sensitivity API (issue 19)', async () => {
    const { el, http } = await open({}, [saved('m1', 'Plant uptime')]);
    http.expectOne('/api/v1/calculate/sensitivity').flush({
      metric: 'npv',
      base: 16747,
      bars: [{ driver: 'users', unit: 'users', low: { input: 50, value: -20000 }, high: { input: 150, value: 60000 }, swing: 80000 }],
    });
    await new Promise((r) => setTimeout(r));
    http.match(() => true).forEach((r) => r.cancelled || r.flush(evaluation(1)));
    await new Promise((r) => setTimeout(r, RECOMPUTE_DEBOUNCE_MS + 20));
    http.match(() => true).forEach((r) => r.cancelled || r.flush(evaluation(1)));
    await new Promise((r) => setTimeout(r));
    TestBed.inject(ApplicationRef).tick();
    expect(el.querySelector('[data-testid="what-if-tornado"] ol')!.getAttribute('aria-label')).toContain('users from -$20K to $60K');
  });
});
