import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { Component } from '@angular/core';
import { TestBed, type ComponentFixture } from '@angular/core/testing';
import { Router, provideRouter } from '@angular/router';
import { SESSION_STORAGE } from './session.service';
import { SignInPage } from './sign-in.page';

@Component({ template: 'target' })
class Target {}

describe('SignInPage', () => {
  let fixture: ComponentFixture<SignInPage>;
  let http: HttpTestingController;
  const el = () => fixture.nativeElement as HTMLElement;
  const fill = (selector: string, value: string) => {
    const input = el().querySelector<HTMLInputElement>(selector)!;
    input.value = value;
    input.dispatchEvent(new Event('input'));
  };
  const settle = async () => {
    await fixture.whenStable();
    await new Promise((r) => setTimeout(r));
    fixture.detectChanges();
  };
  const submit = async () => {
    el().querySelector<HTMLButtonElement>('button[type="submit"]')!.click();
    await fixture.whenStable();
  };
  const tokens = (tenants: { id: string; name: string; role: string }[]) => ({
    accessToken: 'a1',
    refreshToken: 'r1',
    expiresIn: 900,
    user: { id: 'u', email: 'ann@x.io', platformAdmin: false },
    tenant: tenants[0],
    tenants,
  });

  beforeEach(async () => {
    TestBed.configureTestingModule({
      imports: [SignInPage],
      providers: [
        provideRouter([
          { path: 'workspace', component: Target },
          { path: 'workspace/what-if', component: Target },
        ]),
        provideHttpClient(),
        provideHttpClientTesting(),
        { provide: SESSION_STORAGE, useValue: null },
      ],
    });
    http = TestBed.inject(HttpTestingController);
    await TestBed.inject(Router).navigateByUrl('/workspace');
    fixture = TestBed.createComponent(SignInPage);
    fixture.detectChanges();
  });

  afterEach(() => http.verify());

  it('validates before sending anything', async () => {
    await submit();
    fixture.detectChanges();
    expect(el().textContent).toContain('Enter your email address.');
    expect(el().textContent).toContain('Enter your password.');
    http.expectNone('/api/v1/auth/login');
  });

  it('asks for the TOTP code when the account has one, then signs in with it', async () => {
    fill('input[type="email"]', 'ann@x.io');
    fill('input[type="password"]', 'secret');
    await submit();
    http.expectOne('/api/v1/auth/login').flush({ code: 'VV_MFA_REQUIRED', title: 'Second factor required' }, { status: 401, statusText: 'Unauthorized' });
    await settle();
    expect(el().querySelector('h1')!.textContent).toBe('Two-step verification');

    fill('input[autocomplete="one-time-code"]', '12345');
    await submit();
    fixture.detectChanges();
    expect(el().textContent).toContain('The code is 6 digits.');

    fill('input[autocomplete="one-time-code"]', '123456');
    await submit();
    await settle();
    const request = http.expectOne('/api/v1/auth/login');
    expect(request.request.body).toEqual({ email: 'ann@x.io', password: 'secret', totp: '123456' });
    request.flush(tokens([{ id: 'demo', name: 'Demo', role: 'member' }]));
    await settle();
    http.expectOne('/api/v1/admin/tenants/demo/plugins').flush({ items: [] });
    await fixture.whenStable();
    await new Promise((r) => setTimeout(r));
    expect(TestBed.inject(Router).url).toBe('/workspace');
  });

  it('signs in with a recovery code in place of the TOTP code, and says when it is not valid', async () => {
    fill('input[type="email"]', 'ann@x.io');
    fill('input[type="password"]', 'secret');
    await submit();
    http.expectOne('/api/v1/auth/login').flush({ code: 'VV_MFA_REQUIRED', title: 'Second factor required' }, { status: 401, statusText: 'Unauthorized' });
    await settle();
    const toggle = [...el().querySelectorAll('button')].find((b) => b.textContent!.trim() === 'Use a recovery code instead')!;
    toggle.click();
    await settle();
    expect(el().querySelector('mat-label')!.textContent).toBe('Recovery code');
    expect(document.activeElement).toBe(el().querySelector('input[maxlength="20"]'));
    fill('input[maxlength="20"]', 'abcde-fghjk');
    await submit();
    await settle();
    const wrong = http.expectOne('/api/v1/auth/login');
    expect(wrong.request.body).toEqual({ email: 'ann@x.io', password: 'secret', recoveryCode: 'abcde-fghjk' });
    wrong.flush({ code: 'VV_TOTP_RECOVERY_CODE_INVALID', title: 'Recovery code invalid', status: 401 }, { status: 401, statusText: 'Unauthorized' });
    await settle();
    expect(el().querySelector('[role="alert"]')!.textContent).toContain('That recovery code is not valid or was used already.');
    fill('input[maxlength="20"]', 'mnpqr-stuvw');
    await submit();
    await settle();
    http.expectOne('/api/v1/auth/login').flush(tokens([{ id: 'demo', name: 'Demo', role: 'member' }]));
    await settle();
    http.expectOne('/api/v1/admin/tenants/demo/plugins').flush({ items: [] });
    await fixture.whenStable();
    await new Promise((r) => setTimeout(r));
    expect(TestBed.inject(Router).url).toBe('/workspace');
  });

  it('lets a user with several tenants choose one, switching through a refresh', async () => {
    fill('input[type="email"]', 'ann@x.io');
    fill('input[type="password"]', 'secret');
    await submit();
    http.expectOne('/api/v1/auth/login').flush(
      tokens([
        { id: 'demo', name: 'Demo', role: 'member' },
        { id: 'acme', name: 'Acme', role: 'tenant-admin' },
      ]),
    );
    await settle();
    const choices = [...el().querySelectorAll<HTMLButtonElement>('button.tenant')];
    expect(choices.map((b) => b.querySelector('.name')!.textContent)).toEqual(['Demo', 'Acme']);
    choices[1]!.click();
    await settle();
    const refresh = http.expectOne('/api/v1/auth/refresh');
    expect(refresh.request.body).toEqual({ refreshToken: 'r1', tenantId: 'acme' });
    refresh.flush({ ...tokens([{ id: 'acme', name: 'Acme', role: 'tenant-admin' }]) });
    await fixture.whenStable();
    await new Promise((r) => setTimeout(r));
    http.expectOne('/api/v1/admin/tenants/acme/plugins').flush({ items: [] });
  });

  it('says the code is wrong, not the password, when the server refuses a TOTP code', async () => {
    fill('input[type="email"]', 'ann@x.io');
    fill('input[type="password"]', 'secret');
    await submit();
    http.expectOne('/api/v1/auth/login').flush({ code: 'VV_MFA_REQUIRED', title: 'Second factor required' }, { status: 401, statusText: 'Unauthorized' });
    await settle();
    fill('input[autocomplete="one-time-code"]', '000000');
    await submit();
    // The kernel answers a wrong or replayed code with VV_UNAUTHENTICATED, like a wrong password.
    http
      .expectOne('/api/v1/auth/login')
      .flush(
        { code: 'VV_UNAUTHENTICATED', title: 'Authentication required', detail: 'The one-time code is wrong or was already used' },
        { status: 401, statusText: 'Unauthorized' },
      );
    await settle();
    expect(el().querySelector('h1')!.textContent).toBe('Two-step verification');
    expect(el().querySelector('[role="alert"]')!.textContent).toContain('That code is not valid.');
  });

  it('says when the password is wrong', async () => {
    fill('input[type="email"]', 'ann@x.io');
    fill('input[type="password"]', 'nope');
    await submit();
    http.expectOne('/api/v1/auth/login').flush({ code: 'VV_UNAUTHENTICATED', title: 'Authentication required' }, { status: 401, statusText: 'Unauthorized' });
    await settle();
    expect(el().querySelector('[role="alert"]')!.textContent).toContain('Email or password is wrong.');
  });
});
