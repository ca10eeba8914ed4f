import { HttpClient, provideHttpClient, withInterceptors } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import { firstValueFrom } from 'rxjs';
import { authInterceptor } from './auth.interceptor';
import type { TokenResponse } from './session';
import { SESSION_KEY, SESSION_STORAGE, SessionService } from './session.service';

function memoryStorage(): Storage {
  const data = new Map<string, string>();
  return {
    get length() {
      return data.size;
    },
    clear: () => data.clear(),
    getItem: (k) => data.get(k) ?? null,
    key: (i) => [...data.keys()][i] ?? null,
    removeItem: (k) => void data.delete(k),
    setItem: (k, v) => void data.set(k, v),
  };
}

const tokens = (n: number, tenant = 'demo'): TokenResponse => ({
  accessToken: `access-${n}`,
  refreshToken: `refresh-${n}`,
  tokenType: 'Bearer',
  expiresIn: 900,
  user: { id: 'u1', email: 'admin@example.com', platformAdmin: false },
  tenant: { id: tenant, name: tenant === 'demo' ? 'Demo Company' : 'Acme', role: 'tenant-admin' },
  tenants: [
    { id: 'demo', name: 'Demo Company', role: 'tenant-admin' },
    { id: 'acme', name: 'Acme', role: 'member' },
  ],
});

describe('SessionService', () => {
  let storage: Storage;
  let http: HttpTestingController;
  let session: SessionService;

  beforeEach(() => {
    storage = memoryStorage();
    TestBed.configureTestingModule({
      providers: [provideRouter([]), provideHttpClient(withInterceptors([authInterceptor])), provideHttpClientTesting(), { provide: SESSION_STORAGE, useValue: storage }],
    });
    http = TestBed.inject(HttpTestingController);
    session = TestBed.inject(SessionService);
  });

  afterEach(() => http.verify());

  async function signIn(): Promise<void> {
    const done = session.signIn({ email: 'admin@example.com', password: 'pw' });
    http.expectOne('/api/v1/auth/login').flush(tokens(1));
    await done;
  }

  it('signs in, keeps the session in storage and exposes the tenant', async () => {
    await signIn();
    expect(session.signedIn()).toBe(true);
    expect(session.tenant()?.name).toBe('Demo Company');
    expect(session.hasRole('tenant-admin')).toBe(true);
    expect(session.hasRole('platform-admin')).toBe(false);
    expect(JSON.parse(storage.getItem(SESSION_KEY)!).refreshToken).toBe('refresh-1');
  });

  it('reports the TOTP step on 401 VV_MFA_REQUIRED and sends the code on the next attempt', async () => {
    const first = session.signIn({ email: 'a@b.c', password: 'pw' });
    http.expectOne('/api/v1/auth/login').flush({ code: 'VV_MFA_REQUIRED', title: 'Second factor required', detail: 'Enter the code' }, { status: 401, statusText: 'Unauthorized' });
    expect(await first).toEqual({ status: 'mfa-required', message: '' });

    const second = session.signIn({ email: 'a@b.c', password: 'pw', totp: '123456' });
    const request = http.expectOne('/api/v1/auth/login');
    expect(request.request.body).toEqual({ email: 'a@b.c', password: 'pw', totp: '123456' });
    request.flush(tokens(1));
    expect((await second).status).toBe('signed-in');
  });

  it('rejects other sign-in failures with the problem', async () => {
    const attempt = session.signIn({ email: 'a@b.c', password: 'bad' });
    http
      .expectOne('/api/v1/auth/login')
      .flush({ code: 'VV_UNAUTHENTICATED', title: 'Authentication required', detail: 'Email or password is wrong' }, { status: 401, statusText: 'Unauthorized' });
    await expect(attempt).rejects.toMatchObject({ problem: { code: 'VV_UNAUTHENTICATED' } });
    expect(session.signedIn()).toBe(false);
  });

  it('refreshes with the stored refresh token, once for concurrent callers, and stores the rotated one', async () => {
    await signIn();
    const a = session.refresh();
    const b = session.refresh();
    const request = http.expectOne('/api/v1/auth/refresh');
    expect(request.request.body).toEqual({ refreshToken: 'refresh-1' });
    request.flush(tokens(2));
    expect((await a).accessToken).toBe('access-2');
    expect(await b).toEqual(await a);
    expect(JSON.parse(storage.getItem(SESSION_KEY)!).refreshToken).toBe('refresh-2');
  });

  it('switches tenant through a refresh naming the tenant', async () => {
    await signIn();
    const switching = session.switchTenant('acme');
    const request = http.expectOne('/api/v1/auth/refresh');
    expect(request.request.body).toEqual({ refreshToken: 'refresh-1', tenantId: 'acme' });
    request.flush(tokens(2, 'acme'));
    await switching;
    expect(session.tenant()?.id).toBe('acme');
  });

  it('adopts the tokens another tab already rotated instead of spending the old refresh token', async () => {
    await signIn();
    // Another tab refreshed: storage holds newer tokens than this tab's memory.
    const other = { ...JSON.parse(storage.getItem(SESSION_KEY)!), accessToken: 'access-9', refreshToken: 'refresh-9', expiresAt: Date.now() + 900_000 };
    storage.setItem(SESSION_KEY, JSON.stringify(other));
    const refreshed = await session.refresh();
    expect(refreshed.accessToken).toBe('access-9');
    http.expectNone('/api/v1/auth/refresh');
  });

  it('follows sign-in and sign-out in other tabs through the storage event', async () => {
    await signIn();
    storage.removeItem(SESSION_KEY);
    window.dispatchEvent(new StorageEvent('storage', { key: SESSION_KEY }));
    expect(session.signedIn()).toBe(false);
  });

  it('signs out locally even when the server cannot be reached', async () => {
    await signIn();
    const out = session.signOut();
    expect(session.signedIn()).toBe(false);
    expect(storage.getItem(SESSION_KEY)).toBeNull();
    const request = http.expectOne('/api/v1/auth/logout');
    expect(request.request.body).toEqual({ refreshToken: 'refresh-1' });
    request.error(new ProgressEvent('error'));
    await out;
  });

  describe('authInterceptor', () => {
    it('adds the bearer token to API calls but not to the auth routes or other origins', async () => {
      await signIn();
      const client = TestBed.inject(HttpClient);
      void firstValueFrom(client.get('/api/v1/me'));
      expect(http.expectOne('/api/v1/me').request.headers.get('Authorization')).toBe('Bearer access-1');
      void firstValueFrom(client.get('/assets/x.json'));
      expect(http.expectOne('/assets/x.json').request.headers.has('Authorization')).toBe(false);
    });

    it('answers a 401 with one refresh and a retry carrying the new token', async () => {
      await signIn();
      const result = firstValueFrom(TestBed.inject(HttpClient).get<{ ok: boolean }>('/api/v1/me'));
      http.expectOne('/api/v1/me').flush({ code: 'VV_UNAUTHENTICATED' }, { status: 401, statusText: 'Unauthorized' });
      await Promise.resolve();
      http.expectOne('/api/v1/auth/refresh').flush(tokens(2));
      await new Promise((r) => setTimeout(r));
      const retry = http.expectOne('/api/v1/me');
      expect(retry.request.headers.get('Authorization')).toBe('Bearer access-2');
      retry.flush({ ok: true });
      expect(await result).toEqual({ ok: true });
    });

    it('ends the session when the refresh is refused', async () => {
      await signIn();
      const result = firstValueFrom(TestBed.inject(HttpClient).get('/api/v1/me'));
      http.expectOne('/api/v1/me').flush({ code: 'VV_UNAUTHENTICATED' }, { status: 401, statusText: 'Unauthorized' });
      await Promise.resolve();
      http.expectOne('/api/v1/auth/refresh').flush({ code: 'VV_UNAUTHENTICATED' }, { status: 401, statusText: 'Unauthorized' });
      await expect(result).rejects.toMatchObject({ status: 401 });
      expect(session.signedIn()).toBe(false);
      expect(session.endedBecause()).toMatch(/expired/);
    });
  });
});
