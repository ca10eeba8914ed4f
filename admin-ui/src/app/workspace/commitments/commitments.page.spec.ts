import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed, type ComponentFixture } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import { CommitmentsPage } from './commitments.page';
import { settle } from '../../../testing/settle';

const commitment = (id: string, version: number, status: string, extra: Record<string, unknown> = {}) => ({
  id,
  title: 'Plant uptime commitment',
  status,
  version,
  modelId: 'm1',
  confidence: 0.8,
  baseValue: 1_000_000,
  committedValue: 800_000,
  currency: 'USD',
  milestones: [{ id: 'ms1', title: 'Downtime avoided', dueDate: '2026-06-30', metric: 'downtime_hours_avoided', target: 70 }],
  previousVersionId: null,
  amendedBy: null,
  amendmentReason: null,
  nextStatuses: ({ draft: ['proposed'], proposed: ['draft', 'signed'], signed: ['active'], active: ['closed'], closed: [] } as Record<string, string[]>)[status],
  ...extra,
});

describe('CommitmentsPage', () => {
  let fixture: ComponentFixture<CommitmentsPage>;
  let http: HttpTestingController;
  const el = () => fixture.nativeElement as HTMLElement;
  const tick = () => settle(fixture);
  const cards = () => [...el().querySelectorAll<HTMLElement>('ul.list > li')];
  const card = (version: number) => cards().find((li) => li.querySelector('.facts')!.textContent!.includes(`Version ${version}`))!;
  const buttons = (root: HTMLElement) => [...root.querySelectorAll('.head button')].map((b) => b.textContent!.trim());
  const flushList = (items: unknown[]) => http.expectOne((r) => r.url === '/api/v1/commitments').flush({ items, nextCursor: null });

  beforeEach(async () => {
    TestBed.configureTestingModule({ imports: [CommitmentsPage], providers: [provideRouter([]), provideHttpClient(), provideHttpClientTesting()] });
    http = TestBed.inject(HttpTestingController);
    fixture = TestBed.createComponent(CommitmentsPage);
    fixture.detectChanges();
    await tick();
    http.expectOne((r) => r.url === '/api/v1/value-models').flush({ items: [], nextCursor: null });
  });

  afterEach(() => http.verify());

  it('offers "Amend" for signed and active commitments only; drafts and proposals keep their moves', async () => {
    flushList([
      commitment('c-draft', 1, 'draft'),
      commitment('c-proposed', 1, 'proposed'),
      commitment('c-signed', 1, 'signed'),
      commitment('c-active', 1, 'active'),
      commitment('c-closed', 1, 'closed'),
    ]);
    await tick();
    expect(cards().map(buttons)).toEqual([['Mark proposed'], ['Mark draft', 'Mark signed'], ['Mark active', 'Amend'], ['Mark closed', 'Amend'], []]);
  });

  it('amends a signed commitment: a reason is required, only changes are sent, and the new draft links to the old version', async () => {
    flushList([commitment('c1', 1, 'signed')]);
    await tick();
    const amend = [...card(1).querySelectorAll('button')].find((b) => b.textContent!.trim() === 'Amend')!;
    expect(amend.getAttribute('aria-expanded')).toBe('false');
    amend.click();
    await tick();
    expect(amend.getAttribute('aria-expanded')).toBe('true');
    const form = el().querySelector<HTMLFormElement>('#amend-c1')!;
    expect(form.getAttribute('aria-label')).toBe('Amend version 1 of Plant uptime commitment');
    expect(document.activeElement?.id).toBe('amend-reason-c1');
    expect(form.querySelector<HTMLInputElement>('input')!.value).toBe('Plant uptime commitment');

    form.dispatchEvent(new Event('submit'));
    await tick();
    expect(form.textContent).toContain('Say why the commitment changes.');
    http.expectNone((r) => r.url.endsWith('/amendments'));

    const reason = form.querySelector('textarea')!;
    reason.value = 'Second plant joins next quarter';
    reason.dispatchEvent(new Event('input'));
    const confidence = form.querySelector('select')!;
    confidence.value = [...confidence.options].find((o) => o.textContent!.startsWith('P90'))!.value;
    confidence.dispatchEvent(new Event('change'));
    form.dispatchEvent(new Event('submit'));
    await tick();
    const post = http.expectOne('/api/v1/commitments/c1/amendments');
    expect(post.request.method).toBe('POST');
    expect(post.request.body).toEqual({ reason: 'Second plant joins next quarter', confidence: 0.9 });
    post.flush(commitment('c2', 2, 'draft', { previousVersionId: 'c1', amendmentReason: 'Second plant joins next quarter', confidence: 0.9 }), {
      status: 201,
      statusText: 'Created',
    });
    await tick();
    flushList([
      commitment('c2', 2, 'draft', { previousVersionId: 'c1', amendmentReason: 'Second plant joins next quarter', confidence: 0.9 }),
      commitment('c1', 1, 'signed', { amendedBy: 'c2' }),
    ]);
    await tick();

    expect(el().querySelector('[role="status"] .notice')!.textContent).toContain('Version 2 is a draft amendment of version 1.');
    expect(el().querySelector('#amend-c1')).toBeNull();
    const amendment = card(2);
    expect(buttons(amendment)).toEqual(['Mark proposed']);
    expect(amendment.querySelector('[data-testid="amends"]')!.textContent!.replace(/\s+/g, ' ').trim()).toBe(
      'Amends version 1 (signed) — reason: “Second plant joins next quarter”',
    );
    const original = card(1);
    // Amended once already: no second amendment of the same version.
    expect(buttons(original)).toEqual(['Mark active']);
    expect(original.querySelector('[data-testid="amended-by"]')!.textContent!.replace(/\s+/g, ' ').trim()).toBe(
      'Amended by version 2 (draft): this version stays in force until that one is signed.',
    );

    // The link between the versions moves focus to the other card.
    amendment.querySelector<HTMLButtonElement>('[data-testid="amends"] button')!.click();
    expect(document.activeElement?.id).toBe('commitment-c1');
    original.querySelector<HTMLButtonElement>('[data-testid="amended-by"] button')!.click();
    expect(document.activeElement?.id).toBe('commitment-c2');
  });

  it('shows a refused amendment in the form and keeps it open', async () => {
    flushList([commitment('c1', 1, 'active')]);
    await tick();
    [...card(1).querySelectorAll('button')].find((b) => b.textContent!.trim() === 'Amend')!.click();
    await tick();
    const form = el().querySelector<HTMLFormElement>('#amend-c1')!;
    const reason = form.querySelector('textarea')!;
    reason.value = 'Scope change';
    reason.dispatchEvent(new Event('input'));
    form.dispatchEvent(new Event('submit'));
    await tick();
    http
      .expectOne('/api/v1/commitments/c1/amendments')
      .flush({ code: 'VV_CONFLICT', title: 'Conflict', detail: 'Commitment c1 changed while this amendment was prepared: try again' }, { status: 409, statusText: 'Conflict' });
    await tick();
    expect(el().querySelector('#amend-c1 [role="alert"]')!.textContent).toContain('changed while this amendment was prepared');
  });

  describe('signing and the rest of issue 19, bug 6', () => {
    const click = (root: HTMLElement, text: string) => [...root.querySelectorAll('button')].find((b) => b.textContent!.trim() === text)!.click();

    it('asks before signing, says what it means, records who signed, and says it is done', async () => {
      flushList([commitment('c1', 1, 'proposed')]);
      await tick();
      click(card(1), 'Mark signed');
      await tick();
      // Nothing is sent on the first click: a confirmation says what signing means.
      expect(http.match('/api/v1/commitments/c1/transitions')).toHaveLength(0);
      const confirm = card(1).querySelector<HTMLElement>('[data-testid="confirm-transition"]')!;
      expect(confirm.textContent).toContain('$800,000');
      expect(confirm.textContent).toMatch(/binding/i);
      click(confirm, 'Cancel');
      await tick();
      expect(card(1).querySelector('[data-testid="confirm-transition"]')).toBeNull();

      click(card(1), 'Mark signed');
      await tick();
      click(card(1).querySelector<HTMLElement>('[data-testid="confirm-transition"]')!, 'Sign commitment');
      await tick();
      const request = http.expectOne('/api/v1/commitments/c1/transitions');
      expect(request.request.body).toEqual({ to: 'signed' });
      request.flush({});
      await tick();
      flushList([commitment('c1', 1, 'signed', { signedBy: 'u-7', signedAt: '2026-12-01T10:00:00Z' })]);
      await tick();
      expect(el().querySelector('[role="status"]')!.textContent).toContain('Plant uptime commitment is signed');
      expect(card(1).querySelector('[data-testid="signed"]')!.textContent).toContain('Signed by u-7');
    });

    it('colours statuses by meaning and links back to the model', async () => {
      flushList([commitment('c1', 1, 'draft'), commitment('c2', 1, 'active'), commitment('c3', 1, 'proposed')]);
      await tick();
      const badges = cards().map((li) => li.querySelector('.vv-badge')!.className);
      expect(badges[0]).not.toBe(badges[1]);
      expect(badges[1]).toContain('ok');
      expect(badges[2]).toContain('warn');
      expect(card(1).querySelector<HTMLAnchorElement>('a[data-testid="model-link"]')!.getAttribute('href')).toBe('/workspace/value-models/m1');
    });

    it('offers the chosen model’s drivers as milestone metrics instead of free text', async () => {
      flushList([]);
      await tick();
      const page = fixture.componentInstance as unknown as { models: { set(v: unknown): void } };
      page.models.set([{ id: 'm1', name: 'Plant', model: { drivers: [{ name: 'downtime_hours_avoided', description: 'Downtime hours avoided', value: 1 }] } }]);
      el().querySelector('details')!.setAttribute('open', '');
      const model = el().querySelector<HTMLSelectElement>('select[formcontrolname="modelId"]')!;
      await tick();
      model.value = 'm1';
      model.dispatchEvent(new Event('change'));
      click(el(), 'Add milestone');
      await tick();
      const metric = el().querySelector<HTMLSelectElement>('.milestone-row select')!;
      expect([...metric.options].map((o) => o.textContent!.trim())).toEqual(['Choose a driver', 'Downtime hours avoided (downtime_hours_avoided)']);
    });
  });
});
