import { provideHttpClient } from '@angular/common/http';
import { provideHttpClientTesting } from '@angular/common/http/testing';
import { Component } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { Router, provideRouter } from '@angular/router';
import { SESSION_KEY, SESSION_STORAGE } from '../../session/session.service';
import { adminRoutes } from '../admin.routes';

@Component({ template: '' })
class Blank {}

function storageAs(user: { platformAdmin: boolean }, role: string): Storage {
  const tenant = { id: 'demo', name: 'Demo Company', role };
  const session = { accessToken: 'a', refreshToken: 'r', expiresAt: Date.now() + 600_000, user: { id: 'u', email: 'ann@x.io', ...user }, tenant, tenants: [tenant] };
  const data = new Map([[SESSION_KEY, JSON.stringify(session)]]);
  return { getItem: (k: string) => data.get(k) ?? null, setItem: (k: string, v: string) => void data.set(k, v), removeItem: (k: string) => void data.delete(k) } as Storage;
}

describe('the /admin/marketplace route', () => {
  const navigateAs = async (storage: Storage): Promise<string> => {
    TestBed.configureTestingModule({
      providers: [
        provideRouter([
          { path: 'admin', children: adminRoutes },
          { path: 'workspace', component: Blank },
        ]),
        provideHttpClient(),
        provideHttpClientTesting(),
        { provide: SESSION_STORAGE, useValue: storage },
      ],
    });
    const router = TestBed.inject(Router);
    await router.navigateByUrl('/admin/marketplace');
    return router.url;
  };

  it('sends a tenant admin back to the workspace', async () => {
    expect(await navigateAs(storageAs({ platformAdmin: false }, 'tenant-admin'))).toBe('/workspace?denied=platform-admin');
  });

  it('opens for a platform admin', async () => {
    expect(await navigateAs(storageAs({ platformAdmin: true }, 'member'))).toBe('/admin/marketplace');
  });
});
