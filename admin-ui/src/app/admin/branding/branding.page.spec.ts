import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed, type ComponentFixture } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import { BrandingPage, MAX_LOGO_BYTES, logoFromFile } from './branding.page';
import { settle } from '../../../testing/settle';

const PNG_BYTES = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);

describe('logoFromFile', () => {
  it('reads a PNG as base64 and refuses SVG and files over 64 kB', async () => {
    const png = await logoFromFile(new File([PNG_BYTES], 'logo.png', { type: 'image/png' }));
    expect(png).toEqual({ logo: { mediaType: 'image/png', data: btoa(String.fromCharCode(...PNG_BYTES)) } });
    const svg = await logoFromFile(new File(['<svg/>'], 'logo.svg', { type: 'image/svg+xml' }));
    expect(svg).toEqual({ problem: expect.stringContaining('PNG or JPEG') });
    const big = await logoFromFile(new File([new Uint8Array(MAX_LOGO_BYTES + 1)], 'big.png', { type: 'image/png' }));
    expect(big).toEqual({ problem: 'The logo must be at most 64 kB; this file is 65 kB.' });
  });
});

describe('BrandingPage', () => {
  let fixture: ComponentFixture<BrandingPage>;
  let http: HttpTestingController;
  const el = () => fixture.nativeElement as HTMLElement;
  const tick = () => settle(fixture);

  beforeEach(async () => {
    TestBed.configureTestingModule({ imports: [BrandingPage], providers: [provideRouter([]), provideHttpClient(), provideHttpClientTesting()] });
    http = TestBed.inject(HttpTestingController);
    fixture = TestBed.createComponent(BrandingPage);
    fixture.componentRef.setInput('tenantId', 'acme');
    fixture.detectChanges();
    await tick();
  });
  afterEach(() => http.verify());

  it('shows the saved colours and logo in a preview, and saves changes (a removed logo as null)', async () => {
    http.expectOne('/api/v1/admin/tenants/acme/branding').flush({ primaryColor: '#123456', logo: { mediaType: 'image/png', data: 'iVBORw0KGgo=' } });
    await tick();
    const primary = el().querySelector<HTMLInputElement>('#primary-color')!;
    expect(primary.value).toBe('#123456');
    expect(el().querySelector<HTMLInputElement>('#accent-color')!.value).toBe('#00897b');
    expect(el().querySelector('[data-testid="branding-preview"] img')!.getAttribute('src')).toBe('data:image/png;base64,iVBORw0KGgo=');

    primary.value = '#aa0000';
    primary.dispatchEvent(new Event('input'));
    await tick();
    expect((el().querySelector('[data-testid="branding-preview"]') as HTMLElement).style.background).toBe('rgb(170, 0, 0)');
    [...el().querySelectorAll('button')].find((b) => b.textContent!.trim() === 'Remove logo')!.click();
    await tick();
    el().querySelector('form')!.dispatchEvent(new Event('submit'));
    await tick();
    const put = http.expectOne((r) => r.method === 'PUT' && r.url === '/api/v1/admin/tenants/acme/branding');
    expect(put.request.body).toEqual({ primaryColor: '#aa0000', accentColor: '#00897b', logo: null });
    put.flush({ primaryColor: '#aa0000', accentColor: '#00897b' });
    await tick();
    expect(el().querySelector('[data-testid="branding-message"]')!.textContent).toContain('Branding saved');
  });

  it('puts the server’s logo problem on the logo field', async () => {
    http.expectOne('/api/v1/admin/tenants/acme/branding').flush({});
    await tick();
    el().querySelector('form')!.dispatchEvent(new Event('submit'));
    await tick();
    http
      .expectOne((r) => r.method === 'PUT')
      .flush({ code: 'VV_VALIDATION', title: 'Validation failed', errors: [{ pointer: '/logo/data', message: 'is not a PNG image' }] }, { status: 400, statusText: 'Bad Request' });
    await tick();
    expect(el().querySelector('#logo-error')!.textContent).toBe('The logo is not a PNG image.');
  });
});
