import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting, type TestRequest } from '@angular/common/http/testing';
import { TestBed, type ComponentFixture } from '@angular/core/testing';
import { MatDialog } from '@angular/material/dialog';
import { provideRouter, Router } from '@angular/router';
import { of } from 'rxjs';
import type { ConfirmData } from '../../ui/confirm-dialog';
import type { InstallDecision, InstallDialogData } from './install-dialog';
import type { CatalogItem, InstallView, PackageDetails } from './marketplace-api';
import { MarketplacePage } from './marketplace.page';

const KEY = 'a1b2c3d4e5f60718';

const item = (id: string, extra: Partial<CatalogItem> = {}): CatalogItem => ({
  id,
  displayName: `Acme ${id}`,
  description: `What ${id} does`,
  latestVersion: '1.1.0',
  publisher: { id: 'p1', name: 'Acme Inc' },
  kernel: '^1.0.0',
  compatible: true,
  installed: null,
  ...extra,
});

const details = (id: string): PackageDetails => ({
  id,
  displayName: `Acme ${id}`,
  description: `What ${id} does`,
  readme: '# Notes\nKeeps notes.',
  categories: ['notes'],
  publisher: { id: 'p1', name: 'Acme Inc' },
  downloads: 3,
  latestVersion: '1.1.0',
  versions: [
    {
      version: '1.1.0',
      kernel: '^1.0.0',
      publishedAt: '2026-12-01T10:00:00Z',
      yanked: false,
      integrity: 'sha512-x',
      signer: { keyId: KEY, trusted: true, trust: 'in-process' },
      compatible: true,
      permissions: ['db', `events.publish:${id}.*`, 'events.publish:commitment.created'],
      size: 1000,
    },
    {
      version: '1.0.0',
      kernel: '^0.9.0',
      compatible: false,
      publishedAt: '2026-11-01T10:00:00Z',
      yanked: false,
      integrity: 'sha512-y',
      signer: { keyId: KEY, trusted: true, trust: 'in-process' },
      permissions: ['db'],
      size: 900,
    },
    {
      version: '0.9.0',
      kernel: '^1.0.0',
      compatible: true,
      publishedAt: '2026-10-01T10:00:00Z',
      yanked: true,
      integrity: 'sha512-z',
      signer: { keyId: KEY, trusted: true, trust: 'in-process' },
      permissions: [],
      size: 800,
    },
  ],
  installed: null,
});

const installed = (pluginId: string, extra: Partial<InstallView> = {}): InstallView => ({
  pluginId,
  version: '1.0.0',
  previousVersion: null,
  integrity: 'sha512-y',
  signerKeyId: KEY,
  trust: 'in-process',
  source: 'registry',
  approvedPermissions: [],
  approvedBy: null,
  state: 'installed',
  requestedBy: 'u-admin',
  requestedAt: '2026-12-06T10:00:00Z',
  purgeAfter: null,
  instances: [
    { pluginId, instanceId: 'host-a', version: '1.0.0', state: 'running', error: null, updatedAt: '2026-12-06T10:00:00Z' },
    { pluginId, instanceId: 'host-b', version: null, state: 'failed', error: { code: 'VV_PACKAGE_MODIFIED', message: 'integrity differs' }, updatedAt: '2026-12-06T10:00:01Z' },
  ],
  ...extra,
});

describe('MarketplacePage', () => {
  let fixture: ComponentFixture<MarketplacePage>;
  let http: HttpTestingController;
  /** What the next dialogs answer, in order, and the data each was opened with. */
  let answers: unknown[];
  let opened: (ConfirmData | InstallDialogData)[];
  const el = () => fixture.nativeElement as HTMLElement;
  const settle = async () => {
    await fixture.whenStable();
    await new Promise((r) => setTimeout(r));
    fixture.detectChanges();
  };
  const button = (label: string) => {
    const found =
      el().querySelector<HTMLButtonElement>(`button[aria-label="${label}"]`) ??
      [...el().querySelectorAll<HTMLButtonElement>('button')].find((b) => b.textContent?.trim() === label);
    if (!found) throw new Error(`no button "${label}"`);
    return found;
  };
  const catalogRequest = (): TestRequest => http.expectOne((r) => r.url === '/api/v1/admin/marketplace' && r.method === 'GET');
  const installsRequest = (): TestRequest => http.expectOne((r) => r.url === '/api/v1/admin/installs' && r.method === 'GET');
  const problem = (status: number, code: string, detail: string, extra: Record<string, unknown> = {}) =>
    [
      { type: 'about:blank', title: 'Refused', status, code, detail, ...extra },
      { status, statusText: 'Refused' },
    ] as const;

  async function start(catalog: CatalogItem[], installs: InstallView[] = []): Promise<void> {
    installsRequest().flush({ items: installs });
    catalogRequest().flush({ items: catalog });
    http
      .expectOne('/api/v1/admin/trusted-keys')
      .flush({ items: [{ keyId: KEY, name: 'Acme', trust: 'in-process', publicKeyPem: 'pem', addedBy: 'u', addedAt: '2026-12-01T00:00:00Z' }] });
    await settle();
  }

  /** After a change the page loads the installs and the catalog again. */
  async function refreshed(catalog: CatalogItem[], installs: InstallView[]): Promise<void> {
    await settle();
    installsRequest().flush({ items: installs });
    catalogRequest().flush({ items: catalog });
    await settle();
  }

  beforeEach(async () => {
    answers = [];
    opened = [];
    TestBed.configureTestingModule({
      imports: [MarketplacePage],
      providers: [
        provideRouter([{ path: 'admin/marketplace', component: MarketplacePage }]),
        provideHttpClient(),
        provideHttpClientTesting(),
        {
          provide: MatDialog,
          useValue: { open: (_c: unknown, config: { data: ConfirmData | InstallDialogData }) => (opened.push(config.data), { afterClosed: () => of(answers.shift()) }) },
        },
      ],
    });
    http = TestBed.inject(HttpTestingController);
    await TestBed.inject(Router).navigateByUrl('/admin/marketplace');
    fixture = TestBed.createComponent(MarketplacePage);
    fixture.detectChanges();
    await settle();
  });

  afterEach(() => http.verify());

  it('lists the catalog with version, publisher, compatibility and installed state, and searches through ?q=', async () => {
    await start([item('acme-notes'), item('old-thing', { compatible: false, kernel: '^0.5.0' }), item('acme-crm', { installed: { version: '1.0.0', state: 'installed' } })]);
    const rows = [...el().querySelectorAll('table.catalog tbody tr')];
    expect(rows.map((r) => r.getAttribute('data-plugin'))).toEqual(['acme-notes', 'old-thing', 'acme-crm']);
    expect(rows[0]!.textContent).toContain('What acme-notes does');
    expect(rows[0]!.textContent).toContain('Acme Inc');
    expect(rows[0]!.textContent).toContain('compatible');
    expect(rows[1]!.textContent).toContain('needs kernel ^0.5.0');
    expect(button('Install Acme old-thing').disabled).toBe(true);
    expect(rows[2]!.querySelector('[data-label="Installed"]')!.textContent).toContain('1.0.0');
    expect(rows[2]!.querySelector('button[aria-label="Install Acme acme-crm"]')).toBeNull();

    const input = el().querySelector<HTMLInputElement>('form[role="search"] input')!;
    input.value = ' notes ';
    input.dispatchEvent(new Event('input'));
    el().querySelector<HTMLFormElement>('form[role="search"]')!.dispatchEvent(new Event('submit'));
    await settle();
    const search = catalogRequest();
    expect(search.request.params.get('q')).toBe('notes');
    search.flush({ items: [] });
    await settle();
    expect(el().textContent).toContain('No plugin in the catalog matches “notes”');
  });

  it("shows the registry's problem when the catalog cannot be read", async () => {
    installsRequest().flush({ items: [] });
    catalogRequest().flush(...problem(503, 'VV_DEPENDENCY_UNAVAILABLE', 'The marketplace registry http://r is unavailable: HTTP 502'));
    http.expectOne('/api/v1/admin/trusted-keys').flush({ items: [] });
    await settle();
    const alert = el().querySelector('[role="alert"][data-code="VV_DEPENDENCY_UNAVAILABLE"]')!;
    expect(alert.textContent).toContain('The marketplace registry http://r is unavailable: HTTP 502');
  });

  it('shows details read through the kernel (any configured registry): versions, permissions, kernel compatibility, signer and trust, readme', async () => {
    await start([item('acme-notes')]);
    button('Details of Acme acme-notes').click();
    await settle();
    http.expectOne('/api/v1/admin/marketplace/acme-notes').flush(details('acme-notes'));
    await settle();
    const section = el().querySelector('[data-testid="details"]')!;
    expect(section.querySelector('h2')!.textContent).toContain('Acme acme-notes');
    const latest = section.querySelector('tr[data-version="1.1.0"]')!;
    expect(latest.textContent).toContain('events.publish:commitment.created');
    expect(latest.textContent).toContain(KEY);
    expect(latest.textContent).toContain('trusted');
    expect(section.querySelector('tr[data-version="0.9.0"]')!.textContent).toContain('yanked');
    expect(latest.textContent).not.toContain('not for this kernel');
    expect(section.querySelector('tr[data-version="1.0.0"]')!.textContent).toContain('not for this kernel');
    expect(section.querySelector('pre.readme')!.textContent).toBe('# Notes\nKeeps notes.');
  });

  it('installs after the admin approves the permissions, sending the ones outside its namespace', async () => {
    await start([item('acme-notes')]);
    answers.push({ version: '1.1.0', approvePermissions: ['events.publish:commitment.created'] } satisfies InstallDecision);
    button('Install Acme acme-notes').click();
    await settle();
    http.expectOne('/api/v1/admin/marketplace/acme-notes').flush(details('acme-notes'));
    await settle();
    const data = opened[0] as InstallDialogData;
    expect(data.version).toBe('1.1.0');
    expect(data.versions.map((v) => v.version)).toEqual(['1.1.0', '1.0.0']);
    expect(data.versions[0]).toMatchObject({ signerKeyId: KEY, trusted: true, permissions: ['db', 'events.publish:acme-notes.*', 'events.publish:commitment.created'] });
    const post = http.expectOne((r) => r.url === '/api/v1/admin/installs' && r.method === 'POST');
    expect(post.request.body).toEqual({ pluginId: 'acme-notes', version: '1.1.0', approvePermissions: ['events.publish:commitment.created'] });
    post.flush({ ...installed('acme-notes', { version: '1.1.0' }), instances: undefined }, { status: 201, statusText: 'Created' });
    await refreshed([item('acme-notes', { installed: { version: '1.1.0', state: 'installed' } })], [installed('acme-notes', { version: '1.1.0' })]);
    expect(el().querySelector('.status-msg')!.textContent).toContain('acme-notes 1.1.0 is installed');
    const card = el().querySelector('li[data-install="acme-notes"]')!;
    expect(card.querySelector('tr[data-instance="host-a"]')!.textContent).toContain('running');
    expect(card.querySelector('tr[data-instance="host-b"]')!.textContent).toContain('VV_PACKAGE_MODIFIED');
    expect(card.querySelector('tr[data-instance="host-b"]')!.textContent).toContain('integrity differs');
  });

  it('sends nothing when the admin cancels the approval', async () => {
    await start([item('acme-notes')]);
    answers.push(undefined);
    button('Install Acme acme-notes').click();
    await settle();
    http.expectOne('/api/v1/admin/marketplace/acme-notes').flush(details('acme-notes'));
    await settle();
    expect(opened).toHaveLength(1);
    http.expectNone((r) => r.method === 'POST');
  });

  it('upgrades to a chosen version, and asks again for the permissions the server says still need approval', async () => {
    await start([item('acme-notes', { installed: { version: '1.0.0', state: 'installed' } })], [installed('acme-notes')]);
    answers.push({ version: '1.1.0', approvePermissions: [] } satisfies InstallDecision, { version: '1.1.0', approvePermissions: [] } satisfies InstallDecision);
    button('Change version of acme-notes').click();
    await settle();
    http.expectOne('/api/v1/admin/marketplace/acme-notes').flush(details('acme-notes'));
    await settle();
    expect((opened[0] as InstallDialogData).versions.map((v) => v.version)).toEqual(['1.1.0']);
    const first = http.expectOne((r) => r.url === '/api/v1/admin/installs/acme-notes' && r.method === 'PUT');
    expect(first.request.body).toEqual({ version: '1.1.0', approvePermissions: [] });
    first.flush(
      ...problem(422, 'VV_PERMISSION_NOT_APPROVED', 'Plugin "acme-notes" asks for events.publish:commitment.created', { permissions: ['events.publish:commitment.created'] }),
    );
    await settle();
    expect((opened[1] as InstallDialogData).versions).toEqual([{ version: '1.1.0', permissions: ['events.publish:commitment.created'] }]);
    const second = http.expectOne((r) => r.url === '/api/v1/admin/installs/acme-notes' && r.method === 'PUT');
    expect(second.request.body).toEqual({ version: '1.1.0', approvePermissions: ['events.publish:commitment.created'] });
    second.flush(installed('acme-notes', { version: '1.1.0', previousVersion: '1.0.0' }));
    await refreshed([], [installed('acme-notes', { version: '1.1.0', previousVersion: '1.0.0' })]);
    expect(el().querySelector('.status-msg')!.textContent).toContain('acme-notes 1.1.0 is switched');
    expect(button('Roll back to 1.0.0: acme-notes').textContent).toContain('Roll back to 1.0.0');
  });

  it('rolls back to the previous version, and shows a refusal with its detail', async () => {
    await start([], [installed('acme-notes', { version: '1.1.0', previousVersion: '1.0.0' })]);
    answers.push({ version: '1.0.0', approvePermissions: [] } satisfies InstallDecision);
    button('Roll back to 1.0.0: acme-notes').click();
    await settle();
    http.expectOne('/api/v1/admin/marketplace/acme-notes').flush(...problem(404, 'VV_PACKAGE_UNKNOWN', 'No package "acme-notes"'));
    await settle();
    const data = opened[0] as InstallDialogData;
    expect(data.version).toBe('1.0.0');
    expect(data.versions).toEqual([{ version: '1.0.0', note: 'previous' }]);
    http
      .expectOne((r) => r.url === '/api/v1/admin/installs/acme-notes' && r.method === 'PUT')
      .flush(...problem(409, 'VV_DOWNGRADE_REFUSED', 'Plugin "acme-notes" 1.0.0 cannot start: migration 0002 is newer'));
    await refreshed([], [installed('acme-notes', { version: '1.1.0', previousVersion: '1.0.0' })]);
    expect(el().querySelector('.feedback [role="alert"]')!.textContent).toContain('migration 0002 is newer');
  });

  it('uninstall: confirms, and on 409 (tenants have it enabled) offers force with the tenants named', async () => {
    await start([], [installed('acme-notes')]);
    answers.push(true, true);
    button('Uninstall acme-notes').click();
    await settle();
    expect((opened[0] as ConfirmData).confirmLabel).toBe('Uninstall');
    const first = http.expectOne((r) => r.method === 'DELETE');
    expect(first.request.urlWithParams).toBe('/api/v1/admin/installs/acme-notes');
    first.flush(...problem(409, 'VV_PLUGIN_IN_USE', 'Plugin "acme-notes" is enabled for acme, globex', { tenants: ['acme', 'globex'] }));
    await settle();
    const force = opened[1] as ConfirmData;
    expect(force.danger).toBe(true);
    expect(force.items).toEqual(['acme', 'globex']);
    expect(force.message).toContain('These tenants have it enabled. Uninstalling anyway disables it for them');
    const second = http.expectOne((r) => r.method === 'DELETE');
    expect(second.request.urlWithParams).toBe('/api/v1/admin/installs/acme-notes?force=true');
    second.flush({ ...installed('acme-notes', { state: 'uninstalled' }), disabledFor: ['acme', 'globex'] });
    await refreshed([], [installed('acme-notes', { state: 'uninstalled', purgeAfter: '2027-01-05T10:00:00Z', instances: [] })]);
    expect(el().querySelector('.status-msg')!.textContent).toContain('acme-notes is uninstalled; disabled for 2 tenants');
    const card = el().querySelector('li[data-install="acme-notes"]')!;
    expect(card.textContent).toContain('Data kept until');
    expect(card.textContent).toContain('2027-01-05');
    expect(button('Install again: acme-notes')).toBeTruthy();
  });

  it('does not force when the admin declines, and says why it was not uninstalled', async () => {
    await start([], [installed('acme-notes')]);
    answers.push(true, false);
    button('Uninstall acme-notes').click();
    await settle();
    http.expectOne((r) => r.method === 'DELETE').flush(...problem(409, 'VV_PLUGIN_IN_USE', 'Plugin "acme-notes" is enabled for acme', { tenants: ['acme'] }));
    await refreshed([], [installed('acme-notes')]);
    http.expectNone((r) => r.method === 'DELETE');
    expect(el().querySelector('.feedback [role="alert"]')!.textContent).toContain('acme-notes was not uninstalled: Plugin "acme-notes" is enabled for acme');
  });

  it('installs an uploaded package file as application/octet-stream', async () => {
    await start([]);
    const file = new File([new Uint8Array([0x1f, 0x8b, 1, 2])], 'acme-notes-1.0.0.vvpkg');
    const input = el().querySelector<HTMLInputElement>('#package-file')!;
    Object.defineProperty(input, 'files', { value: [file] });
    input.dispatchEvent(new Event('change'));
    await settle();
    el().querySelector<HTMLFormElement>('form.upload')!.dispatchEvent(new Event('submit'));
    await settle();
    const post = http.expectOne((r) => r.url === '/api/v1/admin/installs' && r.method === 'POST');
    expect(post.request.headers.get('content-type')).toBe('application/octet-stream');
    expect(post.request.body).toBe(file);
    expect(post.request.params.has('approvePermissions')).toBe(false);
    post.flush(installed('acme-notes', { source: 'upload' }), { status: 201, statusText: 'Created' });
    await refreshed([], [installed('acme-notes', { source: 'upload' })]);
    expect(el().querySelector('.status-msg')!.textContent).toContain('acme-notes 1.0.0 is installed from acme-notes-1.0.0.vvpkg');
    expect(el().querySelector('li[data-install="acme-notes"]')!.textContent).toContain('uploaded file');
  });
});
