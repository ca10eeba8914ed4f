import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { Component } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { Router, provideRouter } from '@angular/router';
import { SESSION_KEY, SESSION_STORAGE } from '../session/session.service';
import { WorkspacePlugins } from './workspace-plugins';

@Component({ template: '' })
class Blank {}

function storageWithSession(): Storage {
  const session = {
    accessToken: 'a',
    refreshToken: 'r',
    expiresAt: Date.now() + 600_000,
    user: { id: 'u', email: 'u@x.io', platformAdmin: false },
    tenant: { id: 'demo', name: 'Demo', role: 'member' },
    tenants: [],
  };
  const data = new Map([[SESSION_KEY, JSON.stringify(session)]]);
  return { getItem: (k: string) => data.get(k) ?? null, setItem: (k: string, v: string) => void data.set(k, v), removeItem: (k: string) => void data.delete(k) } as Storage;
}

describe('WorkspacePlugins', () => {
  let http: HttpTestingController;
  let plugins: WorkspacePlugins;
  let router: Router;

  beforeEach(() => {
    TestBed.configureTestingModule({
      providers: [
        provideRouter([
          {
            path: '',
            component: Blank,
            children: [
              { path: 'workspace', component: Blank },
              { path: '**', component: Blank },
            ],
          },
        ]),
        provideHttpClient(),
        provideHttpClientTesting(),
        { provide: SESSION_STORAGE, useValue: storageWithSession() },
      ],
    });
    http = TestBed.inject(HttpTestingController);
    plugins = TestBed.inject(WorkspacePlugins);
    router = TestBed.inject(Router);
  });

  const insights = {
    pluginId: 'insights',
    displayName: 'Insights',
    version: '1.0.0',
    state: 'running',
    enabled: true,
    config: {},
    requires: [],
    dependants: [],
    ui: { nav: [{ label: 'Insights', path: 'insights', element: 'x-insights' }] },
  };

  it('loads the tenant’s plugins and registers a route for each third-party page', async () => {
    const loading = plugins.load();
    http.expectOne('/api/v1/admin/tenants/demo/plugins').flush({ items: [insights] });
    expect(await loading).toBe(true);
    expect(plugins.nav().map((e) => e.label)).toEqual(['Insights']);
    expect(router.config[0]!.children!.map((r) => r.path)).toEqual(['workspace', 'workspace/insights', '**']);
    // A reload with the same set changes nothing.
    const again = plugins.load();
    http.expectOne('/api/v1/admin/tenants/demo/plugins').flush({ items: [insights] });
    expect(await again).toBe(false);
  });

  it('falls back to /me for members who may not read the admin list', async () => {
    const loading = plugins.load();
    http.expectOne('/api/v1/admin/tenants/demo/plugins').flush({ code: 'VV_FORBIDDEN' }, { status: 403, statusText: 'Forbidden' });
    await Promise.resolve();
    await new Promise((r) => setTimeout(r));
    http.expectOne('/api/v1/me').flush({ user: {}, plugins: [{ ...insights, enabled: undefined }] });
    await loading;
    expect(plugins.nav().map((e) => e.path)).toEqual(['insights']);
  });

  it('keeps the error for the shell to show, and never rejects', async () => {
    const loading = plugins.load();
    http.expectOne('/api/v1/admin/tenants/demo/plugins').flush({ code: 'VV_INTERNAL', title: 'Internal error' }, { status: 500, statusText: 'Server Error' });
    await expect(loading).resolves.toBe(false);
    expect(plugins.status()).toBe('error');
    expect(plugins.problem()?.code).toBe('VV_INTERNAL');
  });
});
