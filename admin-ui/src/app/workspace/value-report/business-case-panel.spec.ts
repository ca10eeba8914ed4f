import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed, type ComponentFixture } from '@angular/core/testing';
import { MatDialog } from '@angular/material/dialog';
import { of } from 'rxjs';
import { SESSION_KEY, SESSION_STORAGE } from '../../session/session.service';
import { settle } from '../../../testing/settle';
import { BusinessCasePanel } from './business-case-panel';
import { defaultPersona, linkState, textOn, type BusinessCase } from './business-case';

function storageAs(role: string): Storage {
  const tenant = { id: 'demo', name: 'Demo', role };
  const session = { accessToken: 'a', refreshToken: 'r', expiresAt: Date.now() + 600_000, user: { id: 'u', email: 'ann@x.io', platformAdmin: false }, tenant, tenants: [tenant] };
  const data = new Map([[SESSION_KEY, JSON.stringify(session)]]);
  return { getItem: (k: string) => data.get(k) ?? null, setItem: (k: string, v: string) => void data.set(k, v), removeItem: (k: string) => void data.delete(k) } as Storage;
}

const caseOf = (persona: BusinessCase['persona'], customer: string | null = null): BusinessCase => ({
  persona,
  personaLabel: { cfo: 'CFO view', executive: 'Executive view', technical: 'Technical view' }[persona],
  title: 'Plant uptime',
  modelId: 'm1',
  version: 3,
  currency: 'USD',
  preparedBy: 'Demo',
  customer,
  date: '2026-12-06',
  branding: { primaryColor: '#ffeb3b', accentColor: '#00897b', logo: { mediaType: 'image/png', data: 'iVBORw0KGgo=' } },
  headline: 'Plant uptime returns $16,747 in net present value over 5 periods.',
  figures:
    persona === 'cfo'
      ? [
          { label: 'NPV', value: '$16,747' },
          { label: 'IRR', value: '12.0%' },
        ]
      : [{ label: 'Confidence', value: '80% chance that NPV is positive' }],
  sections: [{ heading: 'Cash timing', table: { caption: 'Per period', columns: ['Period', 'Cash flow'], numeric: [false, true], rows: [['0', '-$60,000']] } }],
});

describe('business case helpers', () => {
  it('picks the lens from the role, the text colour from the brand colour, and the state of a link', () => {
    expect([defaultPersona('viewer'), defaultPersona('member'), defaultPersona('tenant-admin'), defaultPersona('viewer', true)]).toEqual(['executive', 'technical', 'cfo', 'cfo']);
    expect(textOn('#ffeb3b')).toBe('#000000');
    expect(textOn('#1a237e')).toBe('#ffffff');
    const link = { id: 'l', modelId: 'm', version: 1, persona: 'cfo' as const, customer: null, createdBy: 'u', createdAt: '2026-01-01T00:00:00Z' };
    expect(linkState({ ...link, expiresAt: '2026-02-01T00:00:00Z', revokedAt: null }, Date.parse('2026-01-15'))).toBe('active');
    expect(linkState({ ...link, expiresAt: '2026-02-01T00:00:00Z', revokedAt: null }, Date.parse('2026-03-01'))).toBe('expired');
    expect(linkState({ ...link, expiresAt: '2026-02-01T00:00:00Z', revokedAt: '2026-01-10T00:00:00Z' }, Date.parse('2026-01-15'))).toBe('revoked');
  });
});

describe('BusinessCasePanel', () => {
  let fixture: ComponentFixture<BusinessCasePanel>;
  let http: HttpTestingController;
  const el = () => fixture.nativeElement as HTMLElement;
  const tick = () => settle(fixture);
  const button = (text: string) => [...el().querySelectorAll('button')].find((b) => b.textContent!.trim().startsWith(text))!;

  const create = async (role: string) => {
    TestBed.configureTestingModule({
      imports: [BusinessCasePanel],
      providers: [
        provideHttpClient(),
        provideHttpClientTesting(),
        { provide: SESSION_STORAGE, useValue: storageAs(role) },
        { provide: MatDialog, useValue: { open: () => ({ afterClosed: () => of(true) }) } },
      ],
    });
    http = TestBed.inject(HttpTestingController);
    fixture = TestBed.createComponent(BusinessCasePanel);
    fixture.componentRef.setInput('modelId', 'm1');
    fixture.detectChanges();
    await tick();
  };
  afterEach(() => http.verify());

  it('shows a viewer the executive lens, branded, switches lens, and offers no sharing', async () => {
    await create('viewer');
    http.expectOne('/api/v1/value-models/m1/business-case?persona=executive').flush(caseOf('executive'));
    await tick();
    expect(el().querySelector('[role="radio"][aria-checked="true"]')!.textContent).toBe('Executive');
    const band = el().querySelector<HTMLElement>('.band')!;
    expect(band.style.background).toBe('rgb(255, 235, 59)');
    // Dark text on a light brand colour.
    expect(band.style.color).toBe('rgb(0, 0, 0)');
    expect(band.querySelector('img')!.getAttribute('src')).toBe('data:image/png;base64,iVBORw0KGgo=');
    expect(el().querySelector('[data-testid="case-headline"]')!.textContent).toContain('$16,747');
    expect(el().querySelector('[data-testid="share-links"]')).toBeNull();

    button('CFO').click();
    await tick();
    http.expectOne('/api/v1/value-models/m1/business-case?persona=cfo').flush(caseOf('cfo'));
    await tick();
    expect([...el().querySelectorAll('.figures li span')].map((s) => s.textContent)).toEqual(['NPV', 'IRR']);
    expect(el().querySelector('th.num')!.textContent).toBe('Cash flow');

    const input = el().querySelector<HTMLInputElement>('[data-testid="case-customer"]')!;
    input.value = 'Initech';
    input.dispatchEvent(new Event('input'));
    input.dispatchEvent(new Event('change'));
    await tick();
    http.expectOne('/api/v1/value-models/m1/business-case?persona=cfo&customer=Initech').flush(caseOf('cfo', 'Initech'));
    await tick();
    expect(el().querySelector('.band')!.textContent).toContain('Prepared for Initech by Demo');
  });

  it('lets a member create a share link (shown once), list links with their state, and revoke one after confirming', async () => {
    await create('member');
    http.expectOne('/api/v1/value-models/m1/business-case?persona=technical').flush(caseOf('technical'));
    const future = new Date(Date.now() + 7 * 86_400_000).toISOString();
    const past = new Date(Date.now() - 86_400_000).toISOString();
    http.expectOne('/api/v1/value-models/m1/share-links').flush({
      items: [{ id: 'old', modelId: 'm1', version: 2, persona: 'cfo', customer: 'Globex', expiresAt: past, revokedAt: null, createdBy: 'u', createdAt: past }],
    });
    await tick();
    expect(el().querySelector('[data-state="expired"]')!.textContent).toContain('Expired');

    const expiry = el().querySelector<HTMLSelectElement>('[data-testid="share-expiry"]')!;
    expiry.value = '30';
    expiry.dispatchEvent(new Event('change'));
    await tick();
    button('Create share link').click();
    await tick();
    const post = http.expectOne((r) => r.method === 'POST' && r.url === '/api/v1/value-models/m1/share-links');
    expect(post.request.body).toEqual({ expiresInDays: 30, persona: 'technical' });
    const link = {
      id: 'new',
      modelId: 'm1',
      version: 3,
      persona: 'technical',
      customer: null,
      expiresAt: future,
      revokedAt: null,
      createdBy: 'u',
      createdAt: new Date().toISOString(),
    };
    post.flush({ ...link, url: '/api/v1/business-cases/demo?token=abc.def' });
    await tick();
    http.expectOne('/api/v1/value-models/m1/share-links').flush({ items: [link] });
    await tick();
    expect(el().querySelector<HTMLInputElement>('[data-testid="share-url"]')!.value).toMatch(/\/api\/v1\/business-cases\/demo\?token=abc\.def$/);
    expect(el().querySelector('[data-testid="case-message"]')!.textContent).toContain('it is not shown again');

    button('Revoke').click();
    await tick();
    http.expectOne((r) => r.method === 'DELETE' && r.url === '/api/v1/value-models/m1/share-links/new').flush({ ...link, revokedAt: new Date().toISOString() });
    await tick();
    http.expectOne('/api/v1/value-models/m1/share-links').flush({ items: [{ ...link, revokedAt: new Date().toISOString() }] });
    await tick();
    expect(el().querySelector('[data-testid="share-url"]')).toBeNull();
    expect(el().querySelector('[data-state="revoked"]')).not.toBeNull();
    expect(el().querySelector('[data-testid="case-message"]')!.textContent).toBe('Share link revoked.');
  });
});
