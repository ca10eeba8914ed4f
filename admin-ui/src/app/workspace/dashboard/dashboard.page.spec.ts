import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed, type ComponentFixture } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import type { TenantPlugin } from '../../api/admin-api';
import { LiveUpdates } from '../../shell/live-updates';
import { WorkspacePlugins } from '../../shell/workspace-plugins';
import { setFormatLocale } from '../../ui/format';
import { settle } from '../../../testing/settle';
import { DashboardPage } from './dashboard.page';

const plugin = (pluginId: string, path: string, label: string): TenantPlugin => ({
  pluginId,
  displayName: pluginId,
  version: '1.0.0',
  state: 'running',
  enabled: true,
  config: {},
  requires: [],
  dependants: [],
  ui: { nav: [{ label, path }] },
});

const commitment = (id: string, title: string, status: string, committedValue: number) => ({
  id,
  title,
  status,
  committedValue,
  currency: 'USD',
  modelId: 'm1',
  milestones: [],
});

describe('DashboardPage', () => {
  let fixture: ComponentFixture<DashboardPage>;
  let http: HttpTestingController;
  const el = () => fixture.nativeElement as HTMLElement;

  beforeAll(() => setFormatLocale('en-US'));
  afterAll(() => setFormatLocale(undefined));

  beforeEach(() => {
    TestBed.configureTestingModule({ imports: [DashboardPage], providers: [provideRouter([]), provideHttpClient(), provideHttpClientTesting()] });
    http = TestBed.inject(HttpTestingController);
    TestBed.inject(WorkspacePlugins).plugins.set([
      plugin('value-executor', 'realization', 'Realization'),
      plugin('value-committer', 'commitments', 'Commitments'),
      plugin('value-architect', 'value-models', 'Value models'),
    ]);
    TestBed.inject(WorkspacePlugins).status.set('ready');
    fixture = TestBed.createComponent(DashboardPage);
    fixture.detectChanges();
  });

  afterEach(() => http.verify());

  it('adds up committed and realized value across commitments in force, and lists what is at risk or missed with links', async () => {
    http
      .expectOne((r) => r.url === '/api/v1/commitments')
      .flush({
        items: [commitment('c1', 'Helpdesk deflection', 'active', 400_000), commitment('c2', 'Plant uptime', 'signed', 100_000), commitment('c3', 'Draft deal', 'draft', 999_000)],
        nextCursor: null,
      });
    http
      .expectOne((r) => r.url === '/api/v1/value-models')
      .flush({ items: [{ id: 'm9', name: 'Warehouse robots', status: 'draft', version: 3, model: { drivers: [], horizon: 3, benefit: '0' } }], nextCursor: null });
    await settle(fixture);
    http.expectOne('/api/v1/realization/commitments/c1').flush({ commitmentId: 'c1', overall: 0.5, outlook: 'at-risk', milestones: [], drivers: [] });
    http.expectOne('/api/v1/realization/commitments/c2').flush({ commitmentId: 'c2', overall: 0.25, outlook: 'missed', milestones: [], drivers: [] });
    await settle(fixture);

    expect(el().querySelector('[data-testid="dashboard-committed"]')!.textContent).toContain('$500,000');
    expect(el().querySelector('[data-testid="dashboard-realized"]')!.textContent).toContain('$225,000');
    const attention = [...el().querySelectorAll('[data-testid="dashboard-attention"] a')].map((a) => [a.textContent!.trim(), a.getAttribute('href')]);
    // The worst first.
    expect(attention).toEqual([
      ['Plant uptime', '/workspace/realization?commitment=c2'],
      ['Helpdesk deflection', '/workspace/realization?commitment=c1'],
    ]);
    expect(el().querySelector('[data-testid="dashboard-attention"] .vv-badge.danger')!.textContent).toContain('missed');
    expect(el().querySelector('[data-testid="dashboard-chart"] [aria-label]')!.getAttribute('aria-label')).toContain('Helpdesk deflection: $200K realized of $400K committed');
    expect(el().querySelector('[data-testid="dashboard-models"] a')!.getAttribute('href')).toBe('/workspace/value-models/m9');
    // The lifecycle in order, with human labels.
    expect([...el().querySelectorAll('nav[aria-label="Value lifecycle"] a')].map((a) => a.textContent!.trim())).toEqual(['Models', 'Commitments', 'Realization']);
  });

  it('lists events as they arrive, linked to what they are about', async () => {
    http.expectOne((r) => r.url === '/api/v1/commitments').flush({ items: [], nextCursor: null });
    http.expectOne((r) => r.url === '/api/v1/value-models').flush({ items: [], nextCursor: null });
    await settle(fixture);
    expect(el().querySelector('[data-testid="dashboard-chart"]')!.textContent).toContain('No commitment is in force yet');
    TestBed.inject(LiveUpdates).recent.set([{ id: 'e1', name: 'milestone.missed', occurredAt: '2026-12-01T10:00:00Z', payload: { commitmentId: 'c7' } }]);
    await settle(fixture);
    const link = el().querySelector<HTMLAnchorElement>('[data-testid="dashboard-events"] a')!;
    expect(link.textContent).toContain('Milestone missed');
    expect(link.getAttribute('href')).toBe('/workspace/realization?commitment=c7');
  });
});
