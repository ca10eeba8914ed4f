import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed, type ComponentFixture } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import { SESSION_KEY, SESSION_STORAGE } from '../../session/session.service';
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
    http
      .expectOne((r) => r.url === '/api/v1/commitments')
      .flush(
        { code: 'VV_PLUGIN_NOT_ENABLED', title: 'Plugin not enabled', detail: 'Plugin "value-committer" is not enabled for tenant "demo"' },
        { status: 404, statusText: 'Not Found' },
      );
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
    expect(el().querySelector('[data-testid="realization-chart"] svg[role="img"]')!.getAttribute('aria-label')).toContain('Committed: 2026-01-15 8, 2026-01-31 10');
    expect(el().textContent).toContain('-20%');
  });
});

describe('RealizationPage: the chart over time (issue 19, bug 2)', () => {
  let fixture: ComponentFixture<RealizationPage>;
  let http: HttpTestingController;
  const el = () => fixture.nativeElement as HTMLElement;
  const tick = async () => {
    await new Promise((r) => setTimeout(r));
    fixture.detectChanges();
  };
  const milestone = {
    milestoneId: 'm1',
    title: 'Full rollout',
    metric: 'tickets_deflected',
    dueDate: '2027-03-31',
    target: 8000,
    basis: 'running-total',
  };

  beforeEach(() => {
    TestBed.configureTestingModule({ imports: [RealizationPage], providers: [provideRouter([]), provideHttpClient(), provideHttpClientTesting()] });
    http = TestBed.inject(HttpTestingController);
    fixture = TestBed.createComponent(RealizationPage);
    fixture.detectChanges();
  });
  afterEach(() => http.verify());

  async function show(report: object, measurements: object[]) {
    http.expectOne((r) => r.url === '/api/v1/commitments').flush({ items: [{ id: 'c1', title: 'Helpdesk', status: 'active', milestones: [] }] });
    await tick();
    http.expectOne('/api/v1/realization/commitments/c1').flush({ commitmentId: 'c1', asOf: '2026-12-02T00:00:00Z', drivers: [], ...report });
    http.expectOne((r) => r.url === '/api/v1/realization/measurements').flush({ items: measurements });
    await fixture.whenStable();
    await tick();
  }

  it('plots the measurements, keeps the scale to the target, and says "insufficient data" with the engine\'s reason', async () => {
    // The case: 3,500 then 4,200 tickets a day apart once projected 216,300 against an 8,000 target.
    await show(
      {
        overall: 0.9625,
        atRisk: false,
        outlook: 'insufficient-data',
        milestones: [
          {
            ...milestone,
            actual: 7700,
            projected: null,
            variance: -0.0375,
            status: 'insufficient-data',
            projection: null,
            insufficientDataReason: 'needs at least 3 readings; has 2',
          },
        ],
      },
      [
        { metric: 'tickets_deflected', value: 3500, measuredAt: '2026-11-30T00:00:00Z' },
        { metric: 'tickets_deflected', value: 4200, measuredAt: '2026-12-01T00:00:00Z' },
      ],
    );
    const chart = el().querySelector('[data-testid="realization-chart"]')!;
    // Both readings, as the running total the engine judges (3,500 then 7,700).
    const actual = [...chart.querySelectorAll('[data-series="actual"] circle')].map((c) => c.textContent?.trim());
    expect(actual).toHaveLength(2);
    expect(actual.join(' ')).toContain('7,700');
    expect(chart.querySelector('[data-series="projection"]')).toBeNull();
    const ticks = [...chart.querySelectorAll('[data-axis="y"] text')].map((t) => t.textContent!.trim());
    expect(ticks.at(-1)).toMatch(/^(8k|10k)$/);
    expect(el().querySelector('[data-testid="realization-outlook"]')!.textContent).toContain('insufficient data');
    expect(chart.textContent).toContain('needs at least 3 readings; has 2');
  });

  it('draws the projection with its interval to its date', async () => {
    await show(
      {
        overall: 0.5,
        atRisk: true,
        outlook: 'at-risk',
        milestones: [
          {
            ...milestone,
            actual: 4000,
            projected: 6000,
            variance: -0.5,
            status: 'at-risk',
            projection: { at: '2027-03-31', value: 6000, low: 5200, high: 6900, capped: false, note: null, planned: 8000 },
            insufficientDataReason: null,
          },
        ],
      },
      [
        { metric: 'tickets_deflected', value: 1000, measuredAt: '2026-10-01T00:00:00Z' },
        { metric: 'tickets_deflected', value: 1500, measuredAt: '2026-11-01T00:00:00Z' },
        { metric: 'tickets_deflected', value: 1500, measuredAt: '2026-12-01T00:00:00Z' },
      ],
    );
    const chart = el().querySelector('[data-testid="realization-chart"]')!;
    expect(chart.querySelectorAll('[data-series="actual"] circle')).toHaveLength(3);
    expect(chart.querySelector('[data-series="projection"] polygon')).not.toBeNull();
    expect(chart.querySelector('svg[role="img"]')!.getAttribute('aria-label')).toMatch(/Projected \(80% interval\) 6,000 \(5,200–6,900\) by 2027-03-31/);
    expect(chart.querySelector('[data-series="committed"] polyline')).not.toBeNull();
  });
});

describe('RealizationPage: recording actuals', () => {
  let fixture: ComponentFixture<RealizationPage>;
  let http: HttpTestingController;
  const el = () => fixture.nativeElement as HTMLElement;
  const settle = async () => {
    await fixture.whenStable();
    await new Promise((r) => setTimeout(r));
    fixture.detectChanges();
  };
  const tick = async () => {
    // Not whenStable while requests are pending: stability waits for them.
    await new Promise((r) => setTimeout(r));
    fixture.detectChanges();
  };
  const report = (overall: number, actual: number | null) => ({
    commitmentId: 'c1',
    asOf: '2026-04-01T00:00:00Z',
    overall,
    atRisk: false,
    outlook: 'insufficient-data',
    milestones: [
      { milestoneId: 'm1', title: 'Full rate', metric: 'downtime_hours_avoided', dueDate: '2026-06-30', target: 70, actual, projected: null, status: 'insufficient-data' },
    ],
    drivers: [],
  });
  const start = (role: string) => {
    const session = {
      accessToken: 'a',
      expiresAt: Date.now() + 600_000,
      user: { id: 'u', email: 'u@x.io', platformAdmin: false },
      tenant: { id: 'demo', name: 'Demo', role },
      tenants: [],
    };
    TestBed.configureTestingModule({
      imports: [RealizationPage],
      providers: [
        provideRouter([]),
        provideHttpClient(),
        provideHttpClientTesting(),
        { provide: SESSION_STORAGE, useValue: { getItem: (k: string) => (k === SESSION_KEY ? JSON.stringify(session) : null), setItem() {}, removeItem() {} } },
      ],
    });
    http = TestBed.inject(HttpTestingController);
    fixture = TestBed.createComponent(RealizationPage);
    fixture.detectChanges();
  };
  const open = async (status: string) => {
    http.expectOne((r) => r.url === '/api/v1/commitments').flush({ items: [{ id: 'c1', title: 'Plant uptime', status, milestones: [] }] });
    await tick();
  };
  const flushFigures = async (overall: number, actual: number | null) => {
    http.expectOne('/api/v1/realization/commitments/c1').flush(report(overall, actual));
    http
      .expectOne((r) => r.url === '/api/v1/realization/measurements' && r.method === 'GET')
      .flush({ items: actual === null ? [] : [{ metric: 'downtime_hours_avoided', value: actual, measuredAt: '2026-03-31T00:00:00Z' }] });
  };
  const commitment = (status: string) => ({
    id: 'c1',
    title: 'Plant uptime',
    status,
    milestones: [{ id: 'm1', title: 'Full rate', dueDate: '2026-06-30', metric: 'downtime_hours_avoided', target: 70 }],
    successCriteria: [{ id: 's1', metric: 'maintenance_hours_saved', operator: '>=', threshold: 2500, windowDays: 90 }],
  });

  afterEach(() => http.verify());

  it('records a measurement for a member and refreshes the figures in place', async () => {
    start('member');
    await open('signed');
    await flushFigures(0, null);
    http.expectOne('/api/v1/commitments/c1').flush(commitment('signed'));
    await settle();
    expect(el().querySelector('[data-testid="realization-overall"]')!.textContent).toContain('0%');
    const form = el().querySelector('[data-testid="record-measurement"]')!;
    expect([...form.querySelectorAll('option')].map((o) => o.value)).toEqual(['', 'downtime_hours_avoided', 'maintenance_hours_saved']);
    expect(el().querySelector('[data-testid="csv-import"]')).not.toBeNull();

    const value = form.querySelector<HTMLInputElement>('[formcontrolname="value"]')!;
    value.value = '35';
    value.dispatchEvent(new Event('input'));
    form.querySelector<HTMLButtonElement>('button[type="submit"]')!.click();
    await tick();
    const post = http.expectOne((r) => r.url === '/api/v1/realization/measurements' && r.method === 'POST');
    expect(post.request.body).toMatchObject({ commitmentId: 'c1', metric: 'downtime_hours_avoided', value: 35 });
    post.flush({ id: 'm1' }, { status: 201, statusText: 'Created' });
    await tick();

    // The figures reload while the old ones stay on screen; the form (and its confirmation) stays too.
    expect(el().querySelector('[data-testid="realization-figures"]')!.getAttribute('aria-busy')).toBe('true');
    await flushFigures(0.5, 35);
    await settle();
    expect(el().querySelector('[data-testid="realization-overall"]')!.textContent).toContain('50%');
    // One reading cannot be projected: the milestone says so in words, with a neutral badge.
    const badge = el().querySelector('[data-testid="realization-chart"] tbody .vv-badge')!;
    expect([badge.textContent!.trim(), badge.classList.contains('ok') || badge.classList.contains('warn')]).toEqual(['insufficient data', false]);
    // Nor is the commitment as a whole called on track.
    const outlook = el().querySelector('[data-testid="realization-outlook"]')!;
    expect([outlook.textContent!.trim(), outlook.classList.contains('ok')]).toEqual(['insufficient data', false]);
    expect(el().querySelector('[data-testid="realization-chart"] svg[role="img"]')!.getAttribute('aria-label')).toContain('Actual: 2026-03-31 35');
    expect(el().querySelector('[data-testid="record-measurement"] [role="status"]')!.textContent).toContain('Recorded 35 for downtime_hours_avoided');
    http.expectNone('/api/v1/commitments/c1');
  });

  it('shows viewers the figures without the forms, and asks nothing more for them', async () => {
    start('viewer');
    await open('signed');
    await flushFigures(0.5, 35);
    await settle();
    http.expectNone('/api/v1/commitments/c1');
    expect(el().querySelector('[data-testid="realization-overall"]')!.textContent).toContain('50%');
    expect(el().querySelector('[data-testid="record-actuals"]')).toBeNull();
    expect(el().querySelector('form')).toBeNull();
  });

  it('explains why a commitment not in force takes no actuals', async () => {
    start('member');
    await open('draft');
    await flushFigures(0, null);
    http.expectOne('/api/v1/commitments/c1').flush(commitment('draft'));
    await settle();
    expect(el().querySelector('[data-testid="record-actuals"]')!.textContent).toContain('Actuals can be recorded once the commitment is signed; this one is draft.');
    expect(el().querySelector('form')).toBeNull();
  });
});
