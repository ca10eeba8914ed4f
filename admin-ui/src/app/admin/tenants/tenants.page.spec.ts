import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting, type TestRequest } from '@angular/common/http/testing';
import { TestBed, type ComponentFixture } from '@angular/core/testing';
import { provideRouter, Router } from '@angular/router';
import type { Tenant } from '../../api/admin-api';
import { TenantsPage } from './tenants.page';

const t = (id: string, name = id.toUpperCase()): Tenant => ({ id, name, status: 'active' });

describe('TenantsPage', () => {
  let fixture: ComponentFixture<TenantsPage>;
  let http: HttpTestingController;
  const el = () => fixture.nativeElement as HTMLElement;
  const rows = () => [...el().querySelectorAll('tbody tr')].map((r) => r.querySelector('code')?.textContent ?? r.textContent!.trim());
  const settle = async () => {
    await fixture.whenStable();
    await new Promise((r) => setTimeout(r));
    fixture.detectChanges();
  };
  const listRequest = (): TestRequest => http.expectOne((r) => r.url === '/api/v1/admin/tenants' && r.method === 'GET');

  beforeEach(async () => {
    TestBed.configureTestingModule({
      imports: [TenantsPage],
      providers: [provideRouter([{ path: 'admin/tenants', component: TenantsPage }]), provideHttpClient(), provideHttpClientTesting()],
    });
    http = TestBed.inject(HttpTestingController);
    await TestBed.inject(Router).navigateByUrl('/admin/tenants');
    fixture = TestBed.createComponent(TenantsPage);
    fixture.detectChanges();
    await settle();
  });

  afterEach(() => http.verify());

  it('shows the first page and appends the next with Load more, sending the cursor it was given', async () => {
    const first = listRequest();
    expect(first.request.params.get('limit')).toBe('50');
    expect(first.request.params.has('cursor')).toBe(false);
    first.flush({ items: [t('acme'), t('globex')], nextCursor: 'c1' });
    await settle();
    expect(rows()).toEqual(['acme', 'globex']);

    const more = [...el().querySelectorAll<HTMLButtonElement>('button')].find((b) => b.textContent?.includes('Load more'))!;
    more.click();
    const second = listRequest();
    expect(second.request.params.get('cursor')).toBe('c1');
    second.flush({ items: [t('initech')], nextCursor: null });
    await settle();
    expect(rows()).toEqual(['acme', 'globex', 'initech']);
    expect([...el().querySelectorAll('button')].some((b) => b.textContent?.includes('Load more'))).toBe(false);
  });

  it('searches by id or name through ?q= and says when nothing matches', async () => {
    listRequest().flush({ items: [t('acme')], nextCursor: null });
    await settle();
    const input = el().querySelector<HTMLInputElement>('form[role="search"] input')!;
    input.value = '  zzz ';
    input.dispatchEvent(new Event('input'));
    el().querySelector<HTMLFormElement>('form[role="search"]')!.dispatchEvent(new Event('submit'));
    await settle();
    const search = listRequest();
    expect(search.request.params.get('q')).toBe('zzz');
    search.flush({ items: [], nextCursor: null });
    await settle();
    expect(el().textContent).toContain("No tenant's id or name contains \u201czzz\u201d");
  });
});
