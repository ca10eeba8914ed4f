import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed, type ComponentFixture } from '@angular/core/testing';
import { settle } from '../../testing/settle';
import { AccountProfile } from './account-profile';

describe('AccountProfile', () => {
  let fixture: ComponentFixture<AccountProfile>;
  let http: HttpTestingController;
  const el = () => fixture.nativeElement as HTMLElement;
  const tick = () => settle(fixture);
  const type = (id: string, value: string) => {
    const input = el().querySelector<HTMLInputElement | HTMLSelectElement>(`#${id}`)!;
    input.value = value;
    input.dispatchEvent(new Event(input.tagName === 'SELECT' ? 'change' : 'input'));
  };

  beforeEach(async () => {
    TestBed.configureTestingModule({ imports: [AccountProfile], providers: [provideHttpClient(), provideHttpClientTesting()] });
    http = TestBed.inject(HttpTestingController);
    fixture = TestBed.createComponent(AccountProfile);
    fixture.detectChanges();
    await tick();
    http.expectOne('/api/v1/me/profile').flush({ displayName: 'Ann', locale: null, timeZone: null });
    await tick();
  });
  afterEach(() => http.verify());

  it('shows the saved profile and saves a new one, blank fields as null', async () => {
    expect(el().querySelector<HTMLInputElement>('#profile-name')!.value).toBe('Ann');
    type('profile-name', ' Ann Lee ');
    type('profile-locale', 'de-de');
    type('profile-zone', 'Europe/Berlin');
    el().querySelector('form')!.dispatchEvent(new Event('submit'));
    await tick();
    const put = http.expectOne((r) => r.method === 'PUT' && r.url === '/api/v1/me/profile');
    expect(put.request.body).toEqual({ displayName: 'Ann Lee', locale: 'de-de', timeZone: 'Europe/Berlin' });
    put.flush({ displayName: 'Ann Lee', locale: 'de-DE', timeZone: 'Europe/Berlin' });
    await tick();
    expect(el().querySelector('[data-testid="profile-message"]')!.textContent).toContain('Profile saved.');
    // The canonical form the server stored is shown.
    expect(el().querySelector<HTMLInputElement>('#profile-locale')!.value).toBe('de-DE');
  });

  it('puts a refused locale on its field', async () => {
    type('profile-locale', 'klingon please');
    el().querySelector('form')!.dispatchEvent(new Event('submit'));
    await tick();
    http
      .expectOne('/api/v1/me/profile')
      .flush(
        { type: 'about:blank', title: 'Validation failed', status: 400, code: 'VV_VALIDATION', errors: [{ pointer: '/locale', message: 'is not a BCP 47 language tag' }] },
        { status: 400, statusText: 'Bad Request', headers: { 'content-type': 'application/problem+json' } },
      );
    await tick();
    expect(el().querySelector('#profile-locale')!.getAttribute('aria-invalid')).toBe('true');
    expect(el().querySelector('#profile-locale-error')!.textContent).toContain('is not a BCP 47 language tag');
    expect(el().querySelector('[role="alert"]')).not.toBeNull();
  });
});
