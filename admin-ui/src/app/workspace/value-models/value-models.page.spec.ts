import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting, type TestRequest } from '@angular/common/http/testing';
import { Component } from '@angular/core';
import { TestBed, type ComponentFixture } from '@angular/core/testing';
import { Router, provideRouter } from '@angular/router';
import { ValueModelsPage } from './value-models.page';

@Component({ template: '' })
class Blank {}

const model = (id: string, name: string, extra: Record<string, unknown> = {}) => ({
  id,
  name,
  version: 2,
  status: 'draft',
  industry: 'manufacturing',
  currency: 'USD',
  model: {
    name,
    horizon: 3,
    discountRate: 0.1,
    drivers: [
      { name: 'a', value: 1 },
      { name: 'b', value: 2 },
    ],
    benefit: 'a',
  },
  updatedAt: '2026-03-01T10:00:00.000Z',
  ...extra,
});
const library = {
  currency: 'USD',
  industries: [
    { key: 'manufacturing', label: 'Manufacturing', drivers: [] },
    { key: 'software', label: 'Software', drivers: [] },
  ],
};

describe('ValueModelsPage', () => {
  let fixture: ComponentFixture<ValueModelsPage>;
  let http: HttpTestingController;
  let router: Router;
  const el = () => fixture.nativeElement as HTMLElement;
  const settle = async () => {
    await fixture.whenStable();
    await new Promise((r) => setTimeout(r));
    fixture.detectChanges();
  };
  const list = (): TestRequest => http.expectOne((r) => r.url === '/api/v1/value-models');

  const open = async (url = '/workspace/value-models') => {
    TestBed.configureTestingModule({
      providers: [
        provideRouter([
          { path: 'workspace/value-models', component: ValueModelsPage },
          { path: 'workspace/value-models/:id', component: Blank },
        ]),
        provideHttpClient(),
        provideHttpClientTesting(),
      ],
    });
    http = TestBed.inject(HttpTestingController);
    router = TestBed.inject(Router);
    await router.navigateByUrl(url);
    fixture = TestBed.createComponent(ValueModelsPage);
    fixture.detectChanges();
    http.expectOne('/api/v1/value-models/library').flush(library);
  };

  afterEach(() => http.verify());

  it('shows a loading state, then the models with a link to each, the industry by name and the version', async () => {
    await open();
    expect(el().querySelector('[role="status"]')?.textContent).toContain('Loading value models');
    const request = list();
    expect(request.request.params.get('limit')).toBe('20');
    expect(request.request.params.has('cursor')).toBe(false);
    request.flush({ items: [model('m1', 'Plant uptime'), model('m2', 'Helpdesk', { industry: null, status: 'published', version: 5 })], nextCursor: null });
    await settle();
    const rows = [...el().querySelectorAll('tbody tr')].map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent!.trim()));
    expect(rows.map((r) => r.slice(0, 5))).toEqual([
      ['Plant uptime', 'Manufacturing', 'draft', '2', '2'],
      ['Helpdesk', '—', 'published', '5', '2'],
    ]);
    expect(el().querySelector<HTMLAnchorElement>('tbody a')!.getAttribute('href')).toBe('/workspace/value-models/m1');
    // From a model to the pages that use it (issue 19, bug 3).
    const links = [...el().querySelectorAll<HTMLAnchorElement>('tbody tr:first-child a')].map((a) => a.getAttribute('href'));
    expect(links).toEqual(['/workspace/value-models/m1', '/workspace/value-canvas?model=m1', '/workspace/what-if?model=m1', '/workspace/value-report?model=m1']);
    expect(el().querySelector('caption')?.textContent).toContain('Saved value models');
    expect(el().textContent).not.toContain('Load more');
  });

  it('sends the filters from the URL and puts applied filters back into it', async () => {
    await open('/workspace/value-models?q=plant&status=published');
    const request = list();
    expect(request.request.params.get('q')).toBe('plant');
    expect(request.request.params.get('status')).toBe('published');
    expect(request.request.params.has('industry')).toBe(false);
    request.flush({ items: [], nextCursor: null });
    await settle();
    expect(el().querySelector<HTMLInputElement>('input[type="search"]')!.value).toBe('plant');
    expect(el().textContent).toContain('No value models match these filters.');

    const industry = [...el().querySelectorAll('label')].find((l) => l.textContent!.includes('Industry'))!.querySelector('select')!;
    industry.value = industry.options[1]!.value;
    industry.dispatchEvent(new Event('change'));
    el().querySelector<HTMLButtonElement>('button[type="submit"]')!.click();
    await settle();
    expect(router.url).toBe('/workspace/value-models?q=plant&status=published&industry=manufacturing');
    const again = list();
    expect(again.request.params.get('industry')).toBe('manufacturing');
    again.flush({ items: [model('m1', 'Plant uptime')], nextCursor: null });
    await settle();
    expect(el().querySelectorAll('tbody tr')).toHaveLength(1);
  });

  it('pages with the cursor, appending the next page', async () => {
    await open();
    list().flush({ items: [model('m1', 'First')], nextCursor: 'c-1' });
    await settle();
    const more = [...el().querySelectorAll('button')].find((b) => b.textContent!.includes('Load more'))!;
    more.click();
    const next = list();
    expect(next.request.params.get('cursor')).toBe('c-1');
    next.flush({ items: [model('m2', 'Second')], nextCursor: null });
    await settle();
    expect([...el().querySelectorAll('tbody td:first-child a')].map((a) => a.textContent)).toEqual(['First', 'Second']);
    expect(el().textContent).not.toContain('Load more');
  });

  it('keeps the models shown when the next page fails', async () => {
    await open();
    list().flush({ items: [model('m1', 'First')], nextCursor: 'c-1' });
    await settle();
    [...el().querySelectorAll('button')].find((b) => b.textContent!.includes('Load more'))!.click();
    list().flush({ code: 'VV_INTERNAL', title: 'Internal error', detail: 'Database unavailable' }, { status: 500, statusText: 'Server Error' });
    await settle();
    expect(el().querySelector('[role="alert"]')!.textContent).toContain('More models could not be loaded: Database unavailable');
    expect(el().querySelectorAll('tbody tr')).toHaveLength(1);
  });

  it('has an empty state that leads to the wizard', async () => {
    await open();
    list().flush({ items: [], nextCursor: null });
    await settle();
    expect(el().textContent).toContain('No value models yet');
    const links = [...el().querySelectorAll<HTMLAnchorElement>('a')].filter((a) => a.textContent!.includes('New value model'));
    expect(links.map((a) => a.getAttribute('href'))).toEqual(['/workspace/value-models/new', '/workspace/value-models/new']);
  });

  it('explains that value models are not available when the plugin is off, and retries', async () => {
    await open();
    list().flush(
      { code: 'VV_PLUGIN_NOT_ENABLED', title: 'Plugin not enabled', detail: 'Plugin "value-architect" is not enabled for tenant "demo"' },
      { status: 404, statusText: 'Not Found' },
    );
    await settle();
    const alert = el().querySelector('[role="alert"]')!;
    expect(alert.textContent).toContain('Value models is not available');
    expect(el().querySelector('table')).toBeNull();
    alert.querySelector('button')!.click();
    list().flush({ items: [model('m1', 'Back again')], nextCursor: null });
    await settle();
    expect(el().querySelector('tbody a')!.textContent).toBe('Back again');
  });
});
