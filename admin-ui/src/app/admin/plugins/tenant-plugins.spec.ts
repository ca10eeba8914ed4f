import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed, type ComponentFixture } from '@angular/core/testing';
import { MatDialog } from '@angular/material/dialog';
import { provideRouter } from '@angular/router';
import { of } from 'rxjs';
import type { TenantPlugin } from '../../api/admin-api';
import type { ConfirmData } from '../../ui/confirm-dialog';
import { TenantPlugins } from './tenant-plugins';

const p = (pluginId: string, displayName: string, extra: Partial<TenantPlugin> = {}): TenantPlugin => ({
  pluginId,
  displayName,
  version: '1.0.0',
  state: 'running',
  enabled: true,
  config: {},
  requires: [],
  dependants: [],
  ...extra,
});

const list = (insightsEnabled: boolean, calculationEnabled = true) => [
  p('calculation', 'Calculation', { dependants: ['insights'], enabled: calculationEnabled }),
  p('insights', 'Insights', { requires: ['calculation'], enabled: insightsEnabled, configSchema: { type: 'object' } }),
];

describe('TenantPlugins', () => {
  let fixture: ComponentFixture<TenantPlugins>;
  let http: HttpTestingController;
  let dialogAnswer: boolean;
  let dialogData: ConfirmData | undefined;
  const el = () => fixture.nativeElement as HTMLElement;
  const toggle = (id: string) => el().querySelector<HTMLButtonElement>(`li[data-plugin="${id}"] button[role="switch"]`)!;
  const settle = async () => {
    await fixture.whenStable();
    await new Promise((r) => setTimeout(r));
  };

  beforeEach(async () => {
    dialogData = undefined;
    TestBed.configureTestingModule({
      imports: [TenantPlugins],
      providers: [
        provideRouter([]),
        provideHttpClient(),
        provideHttpClientTesting(),
        { provide: MatDialog, useValue: { open: (_c: unknown, config: { data: ConfirmData }) => ((dialogData = config.data), { afterClosed: () => of(dialogAnswer) }) } },
      ],
    });
    http = TestBed.inject(HttpTestingController);
    fixture = TestBed.createComponent(TenantPlugins);
    fixture.componentRef.setInput('tenantId', 'acme');
    fixture.detectChanges();
    http.expectOne('/api/v1/admin/tenants/acme/plugins').flush({ items: list(true) });
    await fixture.whenStable();
  });

  afterEach(() => http.verify());

  it('shows each plugin with state, version, requirements, dependants and a labelled switch', () => {
    const card = el().querySelector('li[data-plugin="insights"]')!;
    expect(card.textContent).toContain('v1.0.0');
    expect(card.textContent).toContain('running');
    expect(card.querySelector('.deps')!.textContent).toContain('Calculation');
    expect(toggle('insights').getAttribute('aria-checked')).toBe('true');
    expect(el().querySelector('a[aria-label="Configure Insights"]')).not.toBeNull();
  });

  it('asks the kernel what a disable would cascade to, explains it, and applies it when confirmed', async () => {
    dialogAnswer = true;
    toggle('calculation').click();
    await settle();
    const dry = http.expectOne((r) => r.method === 'PUT');
    expect(dry.request.urlWithParams).toBe('/api/v1/admin/tenants/acme/plugins/calculation?cascade=true&dryRun=true');
    expect(dry.request.body).toEqual({ enabled: false });
    dry.flush({
      tenantId: 'acme',
      dryRun: true,
      changes: [
        { pluginId: 'calculation', enabled: false, configChanged: false, reason: 'requested' },
        { pluginId: 'insights', enabled: false, configChanged: false, reason: 'requires "calculation"' },
      ],
      plugins: list(true),
    });
    await settle();
    expect(dialogData).toMatchObject({ title: 'Disable Calculation?', items: ['Disables Insights (requires Calculation)'], confirmLabel: 'Disable 2 plugins' });
    const apply = http.expectOne((r) => r.method === 'PUT');
    expect(apply.request.urlWithParams).toBe('/api/v1/admin/tenants/acme/plugins/calculation?cascade=true');
    apply.flush({
      tenantId: 'acme',
      dryRun: false,
      changes: [
        { pluginId: 'calculation', enabled: false, configChanged: false, reason: 'requested' },
        { pluginId: 'insights', enabled: false, configChanged: false, reason: 'requires "calculation"' },
      ],
      plugins: list(false, false),
    });
    await settle();
    fixture.detectChanges();
    expect(el().textContent).toContain('Calculation disabled, and Insights.');
    expect(toggle('insights').getAttribute('aria-checked')).toBe('false');
  });

  it('does nothing when the cascade is declined, and puts the switch back', async () => {
    dialogAnswer = false;
    toggle('calculation').click();
    await settle();
    http
      .expectOne((r) => r.method === 'PUT')
      .flush({
        tenantId: 'acme',
        dryRun: true,
        changes: [
          { pluginId: 'calculation', enabled: false, configChanged: false, reason: 'requested' },
          { pluginId: 'insights', enabled: false, configChanged: false, reason: 'requires "calculation"' },
        ],
        plugins: list(true),
      });
    await settle();
    fixture.detectChanges();
    http.expectNone((r) => r.method === 'PUT');
    expect(toggle('calculation').getAttribute('aria-checked')).toBe('true');
  });

  it('explains a refused change next to the plugin and links to its settings', async () => {
    toggle('insights').click();
    await settle();
    http
      .expectOne((r) => r.method === 'PUT')
      .flush(
        { code: 'VV_CONFIG_INVALID', title: 'Configuration invalid', detail: 'Configuration of plugin "insights" is invalid: /apiKey is required' },
        { status: 422, statusText: 'Unprocessable Entity' },
      );
    await settle();
    fixture.detectChanges();
    const failure = el().querySelector('li[data-plugin="insights"] .failure')!;
    expect(failure.textContent).toContain('/apiKey is required');
    expect(failure.querySelector('a')!.textContent).toContain('Configure it first');
  });
});
