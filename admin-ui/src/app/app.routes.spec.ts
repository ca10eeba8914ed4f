import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { Router, provideRouter } from '@angular/router';
import { RouterTestingHarness } from '@angular/router/testing';
import { routes } from './app.routes';
import { SESSION_KEY, SESSION_STORAGE } from './session/session.service';

describe('app routes (issue 19, bug 8: /login, /dashboard, /select-tenant were "Page not found")', () => {
  const session = {
    accessToken: 'a',
    refreshToken: 'r',
    expiresAt: Date.now() + 600_000,
    user: { id: 'u', email: 'u@x.io', platformAdmin: false },
    tenant: { id: 'demo', name: 'Demo Company', role: 'member' },
    tenants: [
      { id: 'demo', name: 'Demo Company', role: 'member' },
      { id: 'northwind', name: 'Northwind Labs', role: 'viewer' },
    ],
  };

  function setUp(signedIn: boolean) {
    TestBed.configureTestingModule({
      providers: [
        provideRouter(routes),
        provideHttpClient(),
        provideHttpClientTesting(),
        { provide: SESSION_STORAGE, useValue: { getItem: (k: string) => (signedIn && k === SESSION_KEY ? JSON.stringify(session) : null), setItem() {}, removeItem() {} } },
      ],
    });
  }

  it('sends /login to the sign-in page', async () => {
    setUp(false);
    const harness = await RouterTestingHarness.create();
    await harness.navigateByUrl('/login');
    expect(TestBed.inject(Router).url).toBe('/sign-in');
    expect(harness.routeNativeElement!.textContent).toContain('Sign in');
  });

  it('opens the dashboard at /dashboard and lists the tenants at /select-tenant', async () => {
    setUp(true);
    const harness = await RouterTestingHarness.create();
    await harness.navigateByUrl('/dashboard');
    expect(TestBed.inject(Router).url).toBe('/workspace');
    expect(harness.routeNativeElement!.querySelector('h1')!.textContent).toContain('Demo Company');
    await harness.navigateByUrl('/select-tenant');
    expect(harness.routeNativeElement!.querySelector('h1')!.textContent).toContain('Choose a tenant');
    expect([...harness.routeNativeElement!.querySelectorAll('li strong')].map((s) => s.textContent)).toEqual(['Demo Company', 'Northwind Labs']);
    TestBed.inject(HttpTestingController)
      .match(() => true)
      .forEach((r) => r.cancelled || r.flush({ items: [], nextCursor: null }));
  });
});
