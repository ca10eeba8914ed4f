import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { ActivatedRoute } from '@angular/router';
import { of } from 'rxjs';
import { SESSION_KEY, SESSION_STORAGE } from '../session/session.service';
import type { ElementApi } from './element-api';
import { PluginElementPage } from './plugin-element.page';
import type { NavEntry } from './plugin-nav';

// What a third-party bundle defines: properties with setters, which a pre-upgrade assignment would shadow.
class TestInsights extends HTMLElement {
  received: { tenant?: unknown; api?: ElementApi } = {};
  set tenant(value: unknown) {
    this.received.tenant = value;
    this.textContent = `Insights for ${(value as { name: string }).name}`;
  }
  set api(value: ElementApi) {
    this.received.api = value;
  }
}

describe('PluginElementPage', () => {
  const session = {
    accessToken: 'a',
    expiresAt: Date.now() + 600_000,
    user: { id: 'u', email: 'u@x.io', platformAdmin: false },
    tenant: { id: 'demo', name: 'Demo Company', role: 'member' },
    tenants: [],
  };
  const setup = (entry: Partial<NavEntry>) => {
    TestBed.configureTestingModule({
      imports: [PluginElementPage],
      providers: [
        provideHttpClient(),
        provideHttpClientTesting(),
        { provide: SESSION_STORAGE, useValue: { getItem: (k: string) => (k === SESSION_KEY ? JSON.stringify(session) : null), setItem() {}, removeItem() {} } },
        { provide: ActivatedRoute, useValue: { data: of({ entry: { pluginId: 'insights', label: 'Insights', path: 'insights', available: true, ...entry } }) } },
      ],
    });
    const fixture = TestBed.createComponent(PluginElementPage);
    fixture.detectChanges();
    return fixture;
  };

  it('creates the element once its tag is defined and passes the tenant and an API client', async () => {
    if (!customElements.get('vv-test-insights')) customElements.define('vv-test-insights', TestInsights);
    const fixture = setup({ element: 'vv-test-insights' });
    await fixture.whenStable();
    await new Promise((r) => setTimeout(r));
    const element = (fixture.nativeElement as HTMLElement).querySelector('vv-test-insights') as TestInsights;
    expect(element).toBeInstanceOf(TestInsights);
    expect(element.textContent).toBe('Insights for Demo Company');
    expect(element.received.tenant).toEqual({ id: 'demo', name: 'Demo Company', role: 'member' });

    const http = TestBed.inject(HttpTestingController);
    const answer = element.received.api!.get('/api/v1/insights/summary');
    const request = http.expectOne('/api/v1/insights/summary');
    expect(request.request.headers.get('Authorization')).toBeNull(); // no interceptor in this test; the shell adds it
    request.flush({ message: 'ok' });
    await expect(answer).resolves.toEqual({ message: 'ok' });
    expect(() => element.received.api!.get('https://evil.example.com/steal')).toThrow(/only call \/api\//);
  });

  it('says so when the plugin ships no page', async () => {
    const fixture = setup({});
    await fixture.whenStable();
    fixture.detectChanges();
    expect((fixture.nativeElement as HTMLElement).textContent).toContain('ships no page for this console');
  });
});
