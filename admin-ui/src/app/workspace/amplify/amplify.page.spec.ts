import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed, type ComponentFixture } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import { setFormatLocale } from '../../ui/format';
import { AmplifyPage } from './amplify.page';
import { settle } from '../../../testing/settle';

describe('AmplifyPage', () => {
  let fixture: ComponentFixture<AmplifyPage>;
  let http: HttpTestingController;
  const el = () => fixture.nativeElement as HTMLElement;
  const tick = () => settle(fixture);
  const recommendations = (body: object) => http.expectOne('/api/v1/amplify/commitments/c1/recommendations').flush(body);

  beforeEach(async () => {
    TestBed.configureTestingModule({ imports: [AmplifyPage], providers: [provideRouter([]), provideHttpClient(), provideHttpClientTesting()] });
    http = TestBed.inject(HttpTestingController);
    fixture = TestBed.createComponent(AmplifyPage);
    fixture.detectChanges();
    await tick();
    http.expectOne((r) => r.url === '/api/v1/commitments').flush({ items: [{ id: 'c1', title: 'Plant uptime', status: 'signed', milestones: [] }], nextCursor: null });
    await tick();
  });

  afterEach(() => http.verify());

  it('says there are no measurements yet when nothing is measured (not that every driver is on plan)', async () => {
    recommendations({ currency: 'USD', realization: null, atRisk: false, recommendations: [], unmeasured: ['downtime_hours_avoided', 'maintenance_hours_saved'], neutral: [] });
    await tick();
    expect(el().querySelector('[data-testid="amplify-empty"]')!.textContent).toContain('No measurements yet');
    expect(el().textContent).not.toContain('on plan');
    expect(el().textContent).toContain('Not measured yet: downtime_hours_avoided, maintenance_hours_saved.');
  });

  it('says every measured driver is on plan when measurements exist and none needs action', async () => {
    recommendations({ currency: 'USD', realization: 1, atRisk: false, recommendations: [], unmeasured: ['maintenance_hours_saved'], neutral: ['downtime_hours_avoided'] });
    await tick();
    expect(el().querySelector('[data-testid="amplify-empty"]')!.textContent).toContain('No recommendations: every measured driver is on plan.');
  });

  it('ranks recommendations when there are some', async () => {
    recommendations({
      currency: 'USD',
      realization: 0.4,
      atRisk: true,
      recommendations: [
        { rank: 1, kind: 'under-realized', driver: 'd', label: 'Downtime avoided', unit: 'h', committed: 70, actual: 20, gap: -50, valueImpact: -25000, action: 'Move it' },
      ],
      unmeasured: [],
      neutral: [],
    });
    await tick();
    expect(el().querySelector('.recs h2')!.textContent).toContain('#1 Downtime avoided');
    expect(el().querySelector('[data-testid="amplify-empty"]')).toBeNull();
  });
});

describe('AmplifyPage (issue 19, bug 7)', () => {
  let fixture: ComponentFixture<AmplifyPage>;
  let http: HttpTestingController;
  const el = () => fixture.nativeElement as HTMLElement;

  beforeAll(() => setFormatLocale('en-US'));
  afterAll(() => setFormatLocale(undefined));

  beforeEach(async () => {
    TestBed.configureTestingModule({ imports: [AmplifyPage], providers: [provideRouter([]), provideHttpClient(), provideHttpClientTesting()] });
    http = TestBed.inject(HttpTestingController);
    fixture = TestBed.createComponent(AmplifyPage);
    fixture.detectChanges();
    http
      .expectOne((r) => r.url === '/api/v1/commitments')
      .flush({
        items: [
          {
            id: 'c1',
            title: 'Helpdesk',
            status: 'active',
            committedValue: 500_000,
            currency: 'USD',
            milestones: [{ id: 'm', title: 'M', dueDate: '2027-01-01', metric: 'tickets_deflected', target: 8000 }],
            successCriteria: [],
            metrics: [{ key: 'tickets_deflected', kind: 'flow' }],
          },
        ],
        nextCursor: null,
      });
    await settle(fixture);
    http.expectOne('/api/v1/amplify/commitments/c1/recommendations').flush({
      currency: 'USD',
      realization: 0.4,
      atRisk: true,
      recommendations: [
        {
          rank: 1,
          kind: 'under-realized',
          driver: 'license_cost',
          label: 'License cost',
          unit: 'USD',
          committed: 300563.49,
          actual: 601126.98,
          gap: 300563.49,
          valueImpact: -300563.49,
          action: 'Move License cost back to plan',
        },
      ],
      unmeasured: ['tickets_deflected', 'cost_per_ticket'],
      neutral: [],
    });
    await settle(fixture);
  });

  afterEach(() => http.verify());

  it('writes money as money everywhere: no "300563.49 USD" beside "-$300,563"', () => {
    const facts = el().querySelector('.facts')!.textContent!.replace(/\s+/g, ' ');
    expect(facts).toContain('Committed $300,563');
    expect(facts).toContain('Actual $601,127');
    expect(facts).toContain('Value impact -$300,563');
    expect(facts).not.toContain('USD');
  });

  it('keeps the model’s assumptions out of "Not measured yet"', () => {
    expect(el().querySelector('[data-testid="amplify-unmeasured"]')!.textContent).toContain('tickets_deflected');
    expect(el().querySelector('[data-testid="amplify-unmeasured"]')!.textContent).not.toContain('cost_per_ticket');
    expect(el().querySelector('[data-testid="amplify-assumptions"]')!.textContent).toContain('cost_per_ticket');
  });

  it('walks from the committed value through each gap to the value at current actuals', () => {
    const walk = el().querySelector('[data-testid="amplify-waterfall"] ol')!.getAttribute('aria-label');
    expect(walk).toBe('Committed value $500,000, License cost -$300,563, At current actuals $199,437');
  });
});
