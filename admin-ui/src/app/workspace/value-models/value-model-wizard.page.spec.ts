import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { Component } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { Title } from '@angular/platform-browser';
import { Router, provideRouter, withComponentInputBinding } from '@angular/router';
import { RouterTestingHarness } from '@angular/router/testing';
import type { ModelEvaluation } from '../calculation-api';
import { ValueModelWizardPage } from './value-model-wizard.page';

@Component({ template: 'list' })
class ListStub {}

const evaluation: ModelEvaluation = {
  drivers: {},
  periods: [],
  cashFlows: [-100, 200],
  metrics: {
    npv: { value: 1234, formula: '' },
    irr: { value: 0.2 },
    roi: { value: 0.5, totalBenefits: 1, totalCosts: 1 },
    payback: { value: 1, paysBack: true },
    discountedPayback: { value: 1, paysBack: true },
  },
};

const library = {
  currency: 'USD',
  industries: [
    {
      key: 'software',
      label: 'Software',
      defaults: { horizon: 3, discountRate: 0.1, upfront: 1000, recurring: 100, rampUp: [1] },
      assumptions: [{ key: 'rate', label: 'Rate', unit: 'USD/h', value: 80 }],
      drivers: [{ key: 'hours', label: 'Hours saved', unit: 'h/year', range: { min: 10, typical: 20, max: 40 }, formula: 'hours * rate', description: '' }],
    },
  ],
};

const saved = (version: number, extra: Record<string, unknown> = {}) => ({
  id: 'm1',
  tenantId: 'demo',
  version,
  name: 'Plant uptime',
  status: 'draft',
  industry: 'manufacturing',
  currency: 'USD',
  description: null,
  model: {
    name: 'Plant uptime',
    horizon: 3,
    discountRate: 0.1,
    convention: 'excel',
    drivers: [{ name: 'downtime', unit: 'h', value: 70, distribution: { type: 'pert', min: 20, mode: 60, max: 120 } }],
    formulas: [{ name: 'downtime_value', expression: 'downtime * 500' }],
    benefit: 'downtime_value',
    costs: { upfront: 1000, recurring: 100 },
  },
  createdBy: 'u1',
  createdAt: '2026-03-01T10:00:00.000Z',
  updatedBy: 'u1',
  updatedAt: '2026-03-02T10:00:00.000Z',
  ...extra,
});

describe('ValueModelWizardPage', () => {
  let harness: RouterTestingHarness;
  let http: HttpTestingController;
  const el = () => harness.routeNativeElement as HTMLElement;
  // Not whenStable: the version history's request is often pending, and stability waits for it.
  const settle = async () => {
    for (let i = 0; i < 3; i++) {
      await new Promise((r) => setTimeout(r));
      harness.detectChanges();
    }
  };
  const button = (text: string) => [...el().querySelectorAll('button')].find((b) => b.textContent!.trim().includes(text))!;
  const labelled = (text: string) =>
    [...el().querySelectorAll('input')].find((i) => i.getAttribute('aria-label') === text || i.closest('label')?.textContent?.trim().startsWith(text))!;
  const versions = (items: { version: number }[]) =>
    http
      .expectOne((r) => r.url === '/api/v1/value-models/m1/versions')
      .flush({ items: items.map((v) => ({ name: 'Plant uptime', status: 'draft', createdBy: 'u1', createdAt: '2026-03-02T10:00:00.000Z', ...v })), nextCursor: null });
  /** Goes to the review step and answers the check. */
  const review = async () => {
    button('Review and save').click();
    http.expectOne('/api/v1/calculate/model').flush(evaluation);
    await settle();
  };

  beforeEach(async () => {
    TestBed.configureTestingModule({
      providers: [
        provideRouter(
          [
            { path: 'workspace/value-models', component: ListStub },
            { path: 'workspace/value-models/:id', component: ValueModelWizardPage },
          ],
          withComponentInputBinding(),
        ),
        provideHttpClient(),
        provideHttpClientTesting(),
      ],
    });
    http = TestBed.inject(HttpTestingController);
    harness = await RouterTestingHarness.create();
  });

  afterEach(() => http.verify());

  it('saves a new model from the driver library, then moves to its deep link on the same page', async () => {
    const page = await harness.navigateByUrl('/workspace/value-models/new', ValueModelWizardPage);
    expect(el().querySelector('h1')!.textContent).toBe('New value model');
    expect(TestBed.inject(Title).getTitle()).toBe('New value model · ValueVerse');
    http.expectOne('/api/v1/value-models/library').flush(library);
    await settle();
    button('Use 1 driver').click();
    await settle();
    expect(labelled('Driver 1 name').value).toBe('hours');
    await review();
    button('Save model').click();
    const post = http.expectOne((r) => r.method === 'POST' && r.url === '/api/v1/value-models');
    expect(post.request.body).toMatchObject({ name: 'Software value model', industry: 'software', model: { benefit: 'annual_benefit' } });
    post.flush({ ...saved(1), name: 'Software value model' });
    await settle();

    expect(TestBed.inject(Router).url).toBe('/workspace/value-models/m1');
    // The same instance stays (no GET of the model it just saved), on the review step with its message.
    expect(harness.routeDebugElement!.componentInstance).toBe(page);
    expect(el().textContent).toContain('Model saved (version 1).');
    expect(el().querySelector('h1')!.textContent).toBe('Software value model');
    expect(TestBed.inject(Title).getTitle()).toBe('Software value model · Value models · ValueVerse');
    // The "Start" step is gone: starting over is a new model.
    expect([...el().querySelectorAll('nav[aria-label="Wizard steps"] button')].map((b) => b.textContent!.replace(/\d/g, '').trim())).toEqual([
      'Drivers',
      'Formulas and costs',
      'Review and save',
    ]);
    expect(el().querySelector('vv-hypotheses-panel')!.textContent).toContain('Generate hypotheses');
    versions([{ version: 1 }]);
    await settle();
    expect(el().querySelector('[data-testid="model-versions"]')!.textContent).toContain('Version 1');
  });

  it('loads a saved model from its deep link: name, drivers, formulas, version history', async () => {
    await harness.navigateByUrl('/workspace/value-models/m1', ValueModelWizardPage);
    expect(el().querySelector('[role="status"]')!.textContent).toContain('Loading the value model');
    http.expectOne('/api/v1/value-models/m1').flush(saved(2));
    await settle();
    versions([{ version: 2 }, { version: 1 }]);
    await settle();
    expect(el().querySelector('h1')!.textContent).toBe('Plant uptime');
    expect(TestBed.inject(Title).getTitle()).toBe('Plant uptime · Value models · ValueVerse');
    expect(el().querySelector('[data-testid="model-version"]')!.textContent).toContain('version 2');
    expect(labelled('Model name').value).toBe('Plant uptime');
    expect(labelled('Driver 1 name').value).toBe('downtime');
    expect(labelled('Driver 1 value').value).toBe('70');
    const history = el().querySelector('[data-testid="model-versions"]')!;
    expect([...history.querySelectorAll('li strong')].map((s) => s.textContent)).toEqual(['Version 2', 'Version 1']);
    expect(history.querySelector('li')!.textContent).toContain('current');

    button('Formulas and costs').click();
    await settle();
    expect([...el().querySelectorAll<HTMLInputElement>('.formula input')].map((i) => i.value)).toEqual(['downtime_value', 'downtime * 500']);
  });

  it('saves a change with the version it edits, and reloads the history', async () => {
    await harness.navigateByUrl('/workspace/value-models/m1', ValueModelWizardPage);
    http.expectOne('/api/v1/value-models/m1').flush(saved(2));
    await settle();
    versions([{ version: 2 }, { version: 1 }]);
    const value = labelled('Driver 1 value');
    value.value = '80';
    value.dispatchEvent(new Event('input'));
    await review();
    button('Save model').click();
    const put = http.expectOne((r) => r.method === 'PUT' && r.url === '/api/v1/value-models/m1');
    expect(put.request.body.version).toBe(2);
    expect(put.request.body.model.drivers[0]).toMatchObject({ name: 'downtime', value: 80, distribution: { type: 'pert' } });
    // Fields the form does not edit survive the round trip.
    expect(put.request.body.model.convention).toBe('excel');
    put.flush(saved(3));
    await settle();
    expect(el().textContent).toContain('Model saved (version 3).');
    versions([{ version: 3 }, { version: 2 }, { version: 1 }]);
    await settle();
    expect(el().querySelectorAll('[data-testid="model-versions"] li')).toHaveLength(3);
  });

  it('says clearly when a save is refused as stale (409), and loads the latest version on request', async () => {
    await harness.navigateByUrl('/workspace/value-models/m1', ValueModelWizardPage);
    http.expectOne('/api/v1/value-models/m1').flush(saved(2));
    await settle();
    versions([{ version: 2 }]);
    const value = labelled('Driver 1 value');
    value.value = '75';
    value.dispatchEvent(new Event('input'));
    await review();
    button('Save model').click();
    http
      .expectOne((r) => r.method === 'PUT')
      .flush(
        { code: 'VV_CONFLICT', title: 'Conflict', status: 409, detail: 'Value model m1 is at version 3, not 2: reload and apply your change again' },
        { status: 409, statusText: 'Conflict' },
      );
    await settle();
    const conflict = el().querySelector('[data-testid="save-conflict"]')!;
    expect(conflict.getAttribute('role')).toBe('alert');
    expect(conflict.textContent).toContain('Not saved: this model was changed elsewhere since you opened it.');
    expect(conflict.textContent).toContain('is at version 3, not 2');
    expect(el().textContent).not.toContain('Model saved');

    button('Load the latest version').click();
    http.expectOne('/api/v1/value-models/m1').flush(saved(3, { name: 'Plant uptime (renamed)' }));
    await settle();
    versions([{ version: 3 }, { version: 2 }]);
    await settle();
    expect(el().querySelector('[data-testid="save-conflict"]')).toBeNull();
    expect(el().querySelector('h1')!.textContent).toBe('Plant uptime (renamed)');
    expect(el().querySelector('[data-testid="model-version"]')!.textContent).toContain('version 3');
  });

  it('shows why a deep link cannot be loaded, with the way back and no pointless retry (issue 19, bug 8)', async () => {
    await harness.navigateByUrl('/workspace/value-models/gone', ValueModelWizardPage);
    http.expectOne('/api/v1/value-models/gone').flush({ code: 'VV_NOT_FOUND', title: 'Not found', detail: 'Value model gone not found' }, { status: 404, statusText: 'Not Found' });
    await settle();
    const alert = el().querySelector('[role="alert"]')!;
    expect(alert.textContent).toMatch(/The value model could not be loaded/i);
    expect(alert.textContent).toContain('Value model gone not found');
    expect(el().querySelector('nav[aria-label="Wizard steps"]')).toBeNull();
    expect(el().querySelector<HTMLAnchorElement>('a[href="/workspace/value-models"]')).not.toBeNull();
    expect(alert.querySelector('button')).toBeNull();
  });

  describe('issue 19, bug 4', () => {
    it('writes the library as text people read: a space after each name, "1 driver", the friendly label kept', async () => {
      await harness.navigateByUrl('/workspace/value-models/new', ValueModelWizardPage);
      http.expectOne('/api/v1/value-models/library').flush(library);
      await settle();
      expect(el().querySelector('.drivers li')!.textContent!.replace(/\s+/g, ' ')).toContain('Hours saved · 10–40 h/year');
      expect(button('Use 1 driver').textContent!.trim()).toBe('Use 1 driver');
      button('Use 1 driver').click();
      await settle();
      // The drivers picked and the assumptions their formulas read are told apart, and labels stay friendly.
      expect(el().querySelector('[data-testid="driver-count"]')!.textContent).toContain('1 driver and 1 assumption');
      expect(labelled('Driver 1 label').value).toBe('Hours saved');
      expect(labelled('Driver 2 label').value).toBe('Rate');
    });

    it('moves focus to the new step’s heading', async () => {
      await harness.navigateByUrl('/workspace/value-models/new', ValueModelWizardPage);
      http.expectOne('/api/v1/value-models/library').flush(library);
      await settle();
      button('Use 1 driver').click();
      await settle();
      expect(document.activeElement?.id).toBe('drivers-title');
      button('Next: formulas').click();
      await settle();
      expect(document.activeElement?.id).toBe('formulas-title');
    });

    it('points at the field in error before leaving the drivers step, not only at review', async () => {
      await harness.navigateByUrl('/workspace/value-models/new', ValueModelWizardPage);
      http.expectOne('/api/v1/value-models/library').flush(library);
      await settle();
      button('Use 1 driver').click();
      await settle();
      const name = labelled('Driver 1 name');
      name.value = '';
      name.dispatchEvent(new Event('input'));
      button('Next: formulas').click();
      await settle();
      expect(el().querySelector('#drivers-title')).not.toBeNull();
      expect(name.getAttribute('aria-invalid')).toBe('true');
      expect(document.activeElement).toBe(name);
      expect(el().querySelector(`#${name.getAttribute('aria-describedby')}`)!.textContent).toContain('A driver needs a name');
    });

    it('does not save a new version when nothing changed', async () => {
      await harness.navigateByUrl('/workspace/value-models/m1', ValueModelWizardPage);
      http.expectOne('/api/v1/value-models/m1').flush(saved(2));
      await settle();
      versions([{ version: 2 }]);
      await review();
      button('Save model').click();
      await settle();
      expect(http.match((r) => r.method === 'PUT')).toHaveLength(0);
      expect(el().textContent).toContain('No changes since version 2');
    });
  });
  it('shows a share or rate driver and the discount rate as percentages, and stores decimals (issue 19, bug 4)', async () => {
    await harness.navigateByUrl('/workspace/value-models/m1', ValueModelWizardPage);
    const model = saved(2).model;
    const rated = {
      ...model,
      drivers: [{ name: 'uptime_gain', unit: 'share of output', value: 0.078, low: 0.02, high: 0.125 }],
      formulas: [{ name: 'downtime_value', expression: 'uptime_gain * 50000' }],
    };
    http.expectOne('/api/v1/value-models/m1').flush(saved(2, { model: rated }));
    await settle();
    versions([{ version: 2 }]);
    await settle();
    const value = labelled('Driver 1 value (%)');
    expect(value.value).toBe('7.8');
    expect(labelled('Driver 1 low (%)').value).toBe('2');
    expect(labelled('Driver 1 high (%)').value).toBe('12.5');
    expect(value.closest('.unit-input')!.textContent).toContain('%');
    value.value = '8.5';
    value.dispatchEvent(new Event('input'));
    await settle();
    button('Next: formulas').click();
    await settle();
    const discount = labelled('Discount rate (%)');
    expect(discount.value).toBe('10');
    discount.value = '12';
    discount.dispatchEvent(new Event('input'));
    button('Review and save').click();
    const check = http.expectOne('/api/v1/calculate/model');
    expect(check.request.body.model.drivers[0]).toMatchObject({ value: 0.085, low: 0.02, high: 0.125 });
    expect(check.request.body.model.discountRate).toBe(0.12);
    check.flush(evaluation);
    await settle();
    // Review figures through the one formatter.
    expect(el().querySelector('[data-testid="review-npv"]')!.textContent).toBe('$1,234');
    expect(el().querySelector('[data-testid="review-irr"]')!.textContent).toBe('20%');
  });
});
