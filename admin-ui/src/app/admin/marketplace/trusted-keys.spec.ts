import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed, type ComponentFixture } from '@angular/core/testing';
import { MatDialog } from '@angular/material/dialog';
import { of } from 'rxjs';
import type { ConfirmData } from '../../ui/confirm-dialog';
import type { TrustedKey } from './marketplace-api';
import { TrustedKeys } from './trusted-keys';

const PEM = '-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=\n-----END PUBLIC KEY-----';
const key = (keyId: string, name: string): TrustedKey => ({ keyId, name, publicKeyPem: PEM, trust: 'in-process', addedBy: 'u-admin', addedAt: '2026-12-06T10:00:00Z' });

describe('TrustedKeys', () => {
  let fixture: ComponentFixture<TrustedKeys>;
  let http: HttpTestingController;
  let answer: boolean;
  let asked: ConfirmData | undefined;
  let emitted: (readonly TrustedKey[])[];
  const el = () => fixture.nativeElement as HTMLElement;
  const settle = async () => {
    await fixture.whenStable();
    await new Promise((r) => setTimeout(r));
    fixture.detectChanges();
  };
  const type = (selector: string, value: string) => {
    const input = el().querySelector<HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement>(selector)!;
    input.value = value;
    input.dispatchEvent(new Event(input instanceof HTMLSelectElement ? 'change' : 'input'));
  };
  const rows = () => [...el().querySelectorAll('tbody tr[data-key]')].map((r) => r.getAttribute('data-key'));

  beforeEach(async () => {
    asked = undefined;
    emitted = [];
    TestBed.configureTestingModule({
      imports: [TrustedKeys],
      providers: [
        provideHttpClient(),
        provideHttpClientTesting(),
        { provide: MatDialog, useValue: { open: (_c: unknown, config: { data: ConfirmData }) => ((asked = config.data), { afterClosed: () => of(answer) }) } },
      ],
    });
    http = TestBed.inject(HttpTestingController);
    fixture = TestBed.createComponent(TrustedKeys);
    fixture.componentInstance.keysChange.subscribe((keys) => emitted.push(keys));
    fixture.detectChanges();
    http.expectOne('/api/v1/admin/trusted-keys').flush({ items: [key('1111222233334444', 'Acme')] });
    await settle();
  });

  afterEach(() => http.verify());

  it('lists the keys and tells the page which are trusted', () => {
    expect(rows()).toEqual(['1111222233334444']);
    expect(el().querySelector('tr[data-key="1111222233334444"]')!.textContent).toContain('in-process');
    expect(emitted.at(-1)!.map((k) => k.keyId)).toEqual(['1111222233334444']);
  });

  it('adds a key with name, PEM and trust level, then lists it', async () => {
    type('input[formcontrolname="name"]', ' Globex ');
    type('select[formcontrolname="trust"]', 'sandboxed');
    type('textarea[formcontrolname="publicKeyPem"]', `${PEM}\n`);
    el().querySelector<HTMLFormElement>('form.add')!.dispatchEvent(new Event('submit'));
    await settle();
    const post = http.expectOne((r) => r.method === 'POST');
    expect(post.request.url).toBe('/api/v1/admin/trusted-keys');
    expect(post.request.body).toEqual({ name: 'Globex', trust: 'sandboxed', publicKeyPem: PEM });
    post.flush({ ...key('5555666677778888', 'Globex'), trust: 'sandboxed' }, { status: 201, statusText: 'Created' });
    await settle();
    http.expectOne('/api/v1/admin/trusted-keys').flush({ items: [key('1111222233334444', 'Acme'), { ...key('5555666677778888', 'Globex'), trust: 'sandboxed' }] });
    await settle();
    expect(rows()).toEqual(['1111222233334444', '5555666677778888']);
    expect(el().querySelector('.status-msg')!.textContent).toContain('Key 5555666677778888 (“Globex”) is trusted.');
    // Emptied for the next key, without "required" errors on the emptied fields.
    expect(el().querySelector<HTMLInputElement>('input[formcontrolname="name"]')!.value).toBe('');
    expect(el().querySelectorAll('mat-error')).toHaveLength(0);
  });

  it('refuses a form that is not a PEM before sending, and shows the server’s field problem on the field', async () => {
    type('input[formcontrolname="name"]', 'Bad');
    type('textarea[formcontrolname="publicKeyPem"]', 'not a key at all, just some text that is long enough');
    el().querySelector<HTMLFormElement>('form.add')!.dispatchEvent(new Event('submit'));
    await settle();
    http.expectNone((r) => r.method === 'POST');
    expect(el().querySelector('mat-error')!.textContent).toContain('Paste a whole PEM public key');

    type('textarea[formcontrolname="publicKeyPem"]', PEM);
    el().querySelector<HTMLFormElement>('form.add')!.dispatchEvent(new Event('submit'));
    await settle();
    http
      .expectOne((r) => r.method === 'POST')
      .flush(
        {
          title: 'Validation failed',
          status: 400,
          code: 'VV_VALIDATION',
          detail: 'The request is invalid',
          errors: [{ pointer: '/publicKeyPem', message: 'is not an Ed25519 public key (SPKI PEM): bad' }],
        },
        { status: 400, statusText: 'Bad Request' },
      );
    await settle();
    expect(el().querySelector('mat-error')!.textContent).toContain('is not an Ed25519 public key (SPKI PEM): bad');
  });

  it('removes a key after confirming, and keeps it when not confirmed', async () => {
    answer = false;
    el().querySelector<HTMLButtonElement>('button[aria-label="Remove Acme"]')!.click();
    await settle();
    expect(asked!.danger).toBe(true);
    expect(asked!.message).toContain('1111222233334444');
    http.expectNone((r) => r.method === 'DELETE');

    answer = true;
    el().querySelector<HTMLButtonElement>('button[aria-label="Remove Acme"]')!.click();
    await settle();
    http.expectOne((r) => r.method === 'DELETE' && r.url === '/api/v1/admin/trusted-keys/1111222233334444').flush(null, { status: 204, statusText: 'No Content' });
    await settle();
    http.expectOne('/api/v1/admin/trusted-keys').flush({ items: [] });
    await settle();
    expect(rows()).toEqual([]);
    expect(el().textContent).toContain('No keys are trusted yet');
    expect(emitted.at(-1)).toEqual([]);
  });
});
