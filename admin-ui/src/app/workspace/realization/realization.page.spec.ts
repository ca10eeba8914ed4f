import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed, type ComponentFixture } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import { RealizationPage } from './realization.page';

describe('RealizationPage', () => {
  let fixture: ComponentFixture<RealizationPage>;
  let http: HttpTestingController;
  const el = () => fixture.nativeElement as HTMLElement;
  const settle = async () => {
    await fixture.whenStable();
    await new Promise((r) => setTimeout(r));
    fixture.detectChanges();
  };

  beforeEach(() => {
    TestBed.configureTestingModule({ imports: [RealizationPage], providers: [provideRouter([]), provideHttpClient(), provideHttpClientTesting()] });
    http = TestBed.inject(HttpTestingController);
    fixture = TestBed.createComponent(RealizationPage);
    fixture.detectChanges();
  });

  afterEach(() => http.verify());

  it('explains that realization is not available when its plugins are not enabled', async () => {
    http.expectOne((r) => r.url === '/api/v1/commitments').flush({ code: 'VV_PLUGIN_NOT_ENABLED', title: 'Plugin not enabled', detail: 'Plugin "value-committer" is not enabled for tenant "demo"' }, { status: 404, statusText: 'Not Found' });
    await settle();
    const alert = el().querySelector('[role="alert"]')!;
    expect(alert.getAttribute('data-code')).toBe('VV_PLUGIN_NOT_ENABLED');
    expect(alert.textContent).toContain('Realization tracking is not available');
    expect(alert.textContent).toContain('An administrator can enable it');
  });

  it('has an empty state before the first commitment', async () => {
    http.expectOne((r) => r.url === '/api/v1/commitments').flush({ items: [], nextCursor: null });
    await settle();
    expect(el().querySelector('[data-testid="realization-empty"]')).not.toBeNull();
  });

  it('charts committed against actual for the newest commitment', async () => {
    http.expectOne((r) => r.url === '/api/v1/commitments').flush({ items: [{ id: 'c1', title: 'Helpdesk', status: 'active', milestones: [] }] });
    // Not whenStable: the realization requests are now pending, and stability waits for them.
    await new Promise((r) => setTimeout(r));
    fixture.detectChanges();
    http.expectOne('/api/v1/realization/commitments/c1').flush({
      commitmentId: 'c1',
      asOf: '2026-04-01T00:00:00Z',
      overall: 0.4,
      atRisk: false,
      milestones: [{ milestoneId: 'm1', title: 'Pilot', metric: 't', dueDate: '2026-01-31', target: 10, actual: 8, projected: null, status: 'missed' }],
      drivers: [{ key: 't', committed: 10, actual: 8, variance: -0.2 }],
    });
    http.expectOne((r) => r.url === '/api/v1/realization/measurements').flush({ items: [{ metric: 't', value: 8, measuredAt: '2026-01-15T00:00:00Z' }] });
    await settle();
    expect(el().querySelector('[data-testid="realization-overall"]')!.textContent).toContain('40%');
    expect(el().querySelector('[data-testid="realization-chart"] svg[role="img"]')!.getAttribute('aria-label')).toContain('Committed: 2026-01-31 10');
    expect(el().textContent).toContain('-20%');
  });
});
