import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { ModelSource } from './model-source';

const model = { horizon: 3, drivers: [{ key: 'hours', value: 10 }], benefit: 'hours * 50' };

describe('ModelSource', () => {
  let source: ModelSource;
  let http: HttpTestingController;

  beforeEach(() => {
    TestBed.configureTestingModule({ providers: [provideHttpClient(), provideHttpClientTesting()] });
    source = TestBed.inject(ModelSource);
    http = TestBed.inject(HttpTestingController);
  });

  it('offers the saved models, then the sample, without a note when they all fit in one page', async () => {
    const loading = source.load();
    http.expectOne('/api/v1/value-models?limit=100').flush({ items: [{ id: 'm1', name: 'Plant uptime', model }], nextCursor: null });
    await loading;
    expect(source.choices().map((c) => c.id)).toEqual(['m1', 'sample']);
    expect(source.note()).toBeUndefined();
  });

  it('says so when there are more saved models than one page holds', async () => {
    const loading = source.load();
    http.expectOne('/api/v1/value-models?limit=100').flush({ items: [{ id: 'm1', name: 'Plant uptime', model }], nextCursor: 'abc' });
    await loading;
    expect(source.note()).toMatch(/100 newest value models/);
  });

  it('falls back to the sample model when the plugin does not answer', async () => {
    const loading = source.load();
    http.expectOne('/api/v1/value-models?limit=100').flush({ code: 'VV_PLUGIN_NOT_ENABLED' }, { status: 404, statusText: 'Not Found' });
    await loading;
    expect(source.choices().map((c) => c.id)).toEqual(['sample']);
    expect(source.note()).toMatch(/not available/);
  });
});
