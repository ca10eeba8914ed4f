import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { Component, signal, type WritableSignal } from '@angular/core';
import { TestBed, type ComponentFixture } from '@angular/core/testing';
import { Router, provideRouter } from '@angular/router';
import { SESSION_KEY, SESSION_STORAGE } from '../session/session.service';
import { LiveUpdates } from './live-updates';
import { Shell } from './shell';
import { WorkspacePlugins } from './workspace-plugins';

@Component({ template: '' })
class Blank {}

const TENANTS = [
  { id: 'demo', name: 'Demo Company', role: 'member' },
  { id: 'northwind', name: 'Northwind Labs', role: 'member' },
];

/** Storage as a reload finds it: signed in, in the second of two tenants. */
function storageIn(tenantId: string, as: { platformAdmin?: boolean; role?: string } = {}): Storage {
  const tenants = TENANTS.map((t) => ({ ...t, role: as.role ?? t.role }));
  const session = {
    accessToken: 'a',
    refreshToken: 'r',
    expiresAt: Date.now() + 600_000,
    user: { id: 'u', email: 'ann@x.io', platformAdmin: as.platformAdmin ?? false },
    tenant: tenants.find((t) => t.id === tenantId),
    tenants,
  };
  const data = new Map([[SESSION_KEY, JSON.stringify(session)]]);
  return { getItem: (k: string) => data.get(k) ?? null, setItem: (k: string, v: string) => void data.set(k, v), removeItem: (k: string) => void data.delete(k) } as Storage;
}

function configure(storage: Storage, load: () => Promise<boolean>): void {
  TestBed.configureTestingModule({
    imports: [Shell],
    providers: [
      provideRouter([
        { path: 'workspace', component: Blank },
        { path: 'account/security', component: Blank },
      ]),
      provideHttpClient(),
      provideHttpClientTesting(),
      { provide: SESSION_STORAGE, useValue: storage },
      // The navigation and the live stream have their own specs: here they only need to be there.
      { provide: WorkspacePlugins, useValue: { status: signal('ready'), nav: signal([]), plugins: signal([]), problem: signal(undefined), load } },
      { provide: LiveUpdates, useValue: { mode: signal('live'), inboxChanges: signal(0), start: () => undefined, stop: () => undefined } },
    ],
  });
}

describe('Shell', () => {
  let fixture: ComponentFixture<Shell>;
  let http: HttpTestingController;
  const load = jest.fn(async () => true);
  const el = () => fixture.nativeElement as HTMLElement;

  beforeEach(async () => {
    load.mockClear();
    configure(storageIn('northwind'), load);
    http = TestBed.inject(HttpTestingController);
    fixture = TestBed.createComponent(Shell);
    await fixture.whenStable();
  });

  afterEach(() => http.verify());

  it('shows the session’s tenant in the picker after a reload, even when it is not the first option', () => {
    const select = el().querySelector<HTMLSelectElement>('.tenant select')!;
    expect([...select.options].map((o) => o.textContent)).toEqual(['Demo Company', 'Northwind Labs']);
    expect(select.value).toBe('northwind');
    expect(select.selectedOptions[0]!.textContent).toBe('Northwind Labs');
  });

  it('switches tenant from the picker', async () => {
    const select = el().querySelector<HTMLSelectElement>('.tenant select')!;
    select.value = 'demo';
    select.dispatchEvent(new Event('change'));
    const refresh = http.expectOne('/api/v1/auth/refresh');
    expect(refresh.request.body).toEqual({ refreshToken: 'r', tenantId: 'demo' });
    refresh.flush({ accessToken: 'b', refreshToken: 'r2', expiresIn: 900, user: { id: 'u', email: 'ann@x.io', platformAdmin: false }, tenant: TENANTS[0], tenants: TENANTS });
    await fixture.whenStable();
    expect(load).toHaveBeenCalled();
    expect(TestBed.inject(Router).url).toBe('/workspace');
    expect(select.value).toBe('demo');
  });

  it('offers the value agent beside the page only when the tenant enabled value-agent', async () => {
    expect(el().querySelector('[data-testid="agent-toggle"]')).toBeNull();
    const plugins = TestBed.inject(WorkspacePlugins).plugins as WritableSignal<unknown[]>;
    plugins.set([{ pluginId: 'value-agent', enabled: true, state: 'running', version: '1.0.0' }]);
    await fixture.whenStable();
    const toggle = el().querySelector<HTMLButtonElement>('[data-testid="agent-toggle"]')!;
    expect(toggle.getAttribute('aria-expanded')).toBe('false');
    toggle.click();
    await fixture.whenStable();
    expect(toggle.getAttribute('aria-expanded')).toBe('true');
    expect(el().querySelector('#agent-panel')).not.toBeNull();
    plugins.set([{ pluginId: 'value-agent', enabled: false, state: 'running', version: '1.0.0' }]);
    await fixture.whenStable();
    expect(el().querySelector('#agent-panel')).toBeNull();
  });

  it('links to the account security page from the header', () => {
    const link = el().querySelector<HTMLAnchorElement>('header a.account')!;
    expect(link.getAttribute('href')).toBe('/account/security');
    expect(link.textContent!.trim()).toBe('Account security');
  });
});

describe('Shell administration navigation', () => {
  const adminLinks = async (storage: Storage): Promise<string[]> => {
    configure(storage, async () => true);
    const fixture = TestBed.createComponent(Shell);
    await fixture.whenStable();
    return [...(fixture.nativeElement as HTMLElement).querySelectorAll<HTMLAnchorElement>('ul[aria-labelledby="nav-admin"] a')].map((a) => a.textContent!.trim());
  };

  it('shows the Marketplace beside Tenants to platform admins', async () => {
    expect(await adminLinks(storageIn('demo', { platformAdmin: true }))).toEqual(['Tenants', 'Marketplace', 'Failed jobs', 'Plugin health', 'Audit log', 'Data and privacy']);
  });

  it('does not show the Marketplace to tenant admins', async () => {
    expect(await adminLinks(storageIn('demo', { role: 'tenant-admin' }))).toEqual([
      'Tenant settings',
      'Members',
      'API keys',
      'Branding',
      'Plugin health',
      'Audit log',
      'Data and privacy',
    ]);
  });
});
