import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed, type ComponentFixture } from '@angular/core/testing';
import { SESSION_STORAGE } from '../session/session.service';
import { AccountSecurityPage } from './account-security.page';
import { settle } from '../../testing/settle';

const SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
const CODES = Array.from({ length: 10 }, (_, i) => `abcd${i}-efgh${i}`);
const URI = `otpauth://totp/ValueVerse:ann%40x.io?secret=${SECRET}&issuer=ValueVerse`;

describe('AccountSecurityPage', () => {
  let fixture: ComponentFixture<AccountSecurityPage>;
  let http: HttpTestingController;
  const el = () => fixture.nativeElement as HTMLElement;
  const tick = () => settle(fixture);
  const button = (text: string) => [...el().querySelectorAll('button')].find((b) => b.textContent!.trim() === text);
  const state = () => el().querySelector('[data-testid="totp-state"]')?.textContent?.trim();
  const typeCode = (id: string, value: string) => {
    const input = el().querySelector<HTMLInputElement>(`#${id}`)!;
    input.value = value;
    input.dispatchEvent(new Event('input'));
  };
  const submit = async (id: string) => {
    el().querySelector(`#${id}`)!.closest('form')!.dispatchEvent(new Event('submit'));
    await tick();
  };

  beforeEach(async () => {
    TestBed.configureTestingModule({ imports: [AccountSecurityPage], providers: [provideHttpClient(), provideHttpClientTesting(), { provide: SESSION_STORAGE, useValue: null }] });
    http = TestBed.inject(HttpTestingController);
    fixture = TestBed.createComponent(AccountSecurityPage);
    fixture.detectChanges();
    await tick();
    // The profile card below the security sections (account-profile.spec.ts tests it).
    http.expectOne('/api/v1/me/profile').flush({ displayName: null, locale: null, timeZone: null });
    await tick();
  });

  afterEach(() => http.verify());

  it('turns the second factor on: shows the secret and the otpauth URI as text, then confirms a code', async () => {
    expect(el().querySelector('[role="status"]')!.textContent).toContain('Loading the two-step verification status');
    http.expectOne('/api/v1/me/totp').flush({ enabled: false, pending: false });
    await tick();
    expect(state()).toBe('Two-step verification is off.');

    button('Set up two-step verification')!.click();
    const enrol = http.expectOne((r) => r.method === 'POST' && r.url === '/api/v1/me/totp');
    enrol.flush({ secret: SECRET, otpauthUri: URI }, { status: 201, statusText: 'Created' });
    await tick();
    expect(el().querySelector('[data-testid="totp-secret"]')!.textContent).toBe(SECRET);
    expect(el().querySelector('[data-testid="totp-uri"]')!.textContent).toBe(URI);
    expect(document.activeElement?.id).toBe('confirm-code');
    expect(el().querySelector('label[for="confirm-code"]')!.textContent).toBe('Verification code');

    // Checked before anything is sent.
    typeCode('confirm-code', '12345');
    await submit('confirm-code');
    expect(el().querySelector('#confirm-code-error')!.textContent).toContain('The code is 6 digits.');
    expect(el().querySelector('#confirm-code')!.getAttribute('aria-invalid')).toBe('true');
    http.expectNone('/api/v1/me/totp/confirm');

    typeCode('confirm-code', '123456');
    await submit('confirm-code');
    const confirm = http.expectOne('/api/v1/me/totp/confirm');
    expect(confirm.request.body).toEqual({ code: '123456' });
    confirm.flush({ recoveryCodes: CODES });
    await tick();
    expect(state()).toBe('Two-step verification is on.');
    expect(el().querySelector('[data-testid="totp-secret"]')).toBeNull();
    expect(el().textContent).toContain('Signing in now asks for a code');
    // The recovery codes, shown this once.
    const shown = [...el().querySelectorAll('[data-testid="recovery-codes"] li')].map((li) => li.textContent!.trim());
    expect(shown).toEqual(CODES);
    expect(el().textContent).toContain('they are not shown again');
    button('I saved them')!.click();
    await tick();
    expect(el().querySelector('[data-testid="recovery-codes"]')).toBeNull();
    expect(el().querySelector('[data-testid="recovery-left"]')!.textContent).toContain('10 recovery codes left.');
  });

  it('makes new recovery codes with a current code, and says when few are left', async () => {
    http.expectOne('/api/v1/me/totp').flush({ enabled: true, pending: false, recoveryCodesLeft: 2 });
    await tick();
    expect(el().querySelector('[data-testid="recovery-left"]')!.textContent!.replace(/\s+/g, ' ').trim()).toBe('2 recovery codes left. Make new ones before you run out.');
    typeCode('recovery-code', '12');
    await submit('recovery-code');
    http.expectNone('/api/v1/me/totp/recovery-codes');
    typeCode('recovery-code', '111222');
    await submit('recovery-code');
    const regenerate = http.expectOne('/api/v1/me/totp/recovery-codes');
    expect(regenerate.request.body).toEqual({ code: '111222' });
    regenerate.flush({ recoveryCodes: CODES });
    await tick();
    expect(el().querySelectorAll('[data-testid="recovery-codes"] li')).toHaveLength(10);
    expect(el().textContent).toContain('the old ones no longer work');
  });

  it('puts a wrong code’s error on the code field', async () => {
    http.expectOne('/api/v1/me/totp').flush({ enabled: false, pending: true });
    await tick();
    expect(el().textContent).toContain('A setup was started but not finished.');
    button('Set up two-step verification')!.click();
    http.expectOne((r) => r.method === 'POST' && r.url === '/api/v1/me/totp').flush({ secret: SECRET, otpauthUri: URI });
    await tick();
    typeCode('confirm-code', '000000');
    await submit('confirm-code');
    http
      .expectOne('/api/v1/me/totp/confirm')
      .flush(
        { code: 'VV_VALIDATION', title: 'Validation failed', errors: [{ pointer: '/code', message: 'the one-time code is wrong or was already used' }] },
        { status: 400, statusText: 'Bad Request' },
      );
    await tick();
    expect(el().querySelector('#confirm-code-error')!.textContent).toContain('The one-time code is wrong or was already used.');
    expect(el().querySelector('[data-testid="totp-secret"]')!.textContent).toBe(SECRET);
  });

  it('turns the second factor off with a current code', async () => {
    http.expectOne('/api/v1/me/totp').flush({ enabled: true, pending: false });
    await tick();
    expect(state()).toBe('Two-step verification is on.');
    expect(button('Set up two-step verification')).toBeUndefined();
    typeCode('disable-code', '654321');
    await submit('disable-code');
    const disable = http.expectOne('/api/v1/me/totp/disable');
    expect(disable.request.body).toEqual({ code: '654321' });
    disable.flush(null, { status: 204, statusText: 'No Content' });
    await tick();
    expect(state()).toBe('Two-step verification is off.');
    expect(el().textContent).toContain('Signing in asks for your password only.');
  });

  it('shows a refused enrolment (the factor is already on elsewhere) as an alert', async () => {
    http.expectOne('/api/v1/me/totp').flush({ enabled: false, pending: false });
    await tick();
    button('Set up two-step verification')!.click();
    http
      .expectOne((r) => r.method === 'POST' && r.url === '/api/v1/me/totp')
      .flush({ code: 'VV_CONFLICT', title: 'Conflict', detail: 'A second factor is already on; turn it off first' }, { status: 409, statusText: 'Conflict' });
    await tick();
    expect(el().querySelector('.error[role="alert"]')!.textContent).toContain('A second factor is already on');
  });

  it('shows a status that cannot be loaded, with a retry', async () => {
    http
      .expectOne('/api/v1/me/totp')
      .flush({ code: 'VV_UNAVAILABLE', title: 'Unavailable', detail: 'The database is not reachable' }, { status: 503, statusText: 'Service Unavailable' });
    await tick();
    const alert = el().querySelector('[role="alert"]')!;
    expect(alert.textContent).toContain('The database is not reachable');
    alert.querySelector('button')!.click();
    await tick();
    http.expectOne('/api/v1/me/totp').flush({ enabled: false, pending: false });
    await tick();
    expect(state()).toBe('Two-step verification is off.');
  });
});
