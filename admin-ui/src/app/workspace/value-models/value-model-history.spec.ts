import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed, type ComponentFixture } from '@angular/core/testing';
import { SESSION_KEY, SESSION_STORAGE } from '../../session/session.service';
import { ValueModelHistory } from './value-model-history';
import { settle } from '../../../testing/settle';

function storageWithUser(id: string): Storage {
  const session = {
    accessToken: 'a',
    expiresAt: Date.now() + 600_000,
    user: { id, email: 'ann@x.io', platformAdmin: false },
    tenant: { id: 'demo', name: 'Demo', role: 'member' },
    tenants: [],
  };
  const data = new Map([[SESSION_KEY, JSON.stringify(session)]]);
  return { getItem: (k: string) => data.get(k) ?? null, setItem: (k: string, v: string) => void data.set(k, v), removeItem: (k: string) => void data.delete(k) } as Storage;
}

const entry = (version: number, createdBy = 'u-ann') => ({ version, name: 'Plant uptime', status: 'draft', createdBy, createdAt: '2026-03-02T10:00:00.000Z' });

describe('ValueModelHistory', () => {
  let fixture: ComponentFixture<ValueModelHistory>;
  let http: HttpTestingController;
  const el = () => fixture.nativeElement as HTMLElement;
  const tick = () => settle(fixture);
  const versionsRequest = () => http.expectOne((r) => r.url === '/api/v1/value-models/m1/versions');

  beforeEach(async () => {
    TestBed.configureTestingModule({ providers: [provideHttpClient(), provideHttpClientTesting(), { provide: SESSION_STORAGE, useValue: storageWithUser('u-ann') }] });
    http = TestBed.inject(HttpTestingController);
    fixture = TestBed.createComponent(ValueModelHistory);
    fixture.componentRef.setInput('modelId', 'm1');
    fixture.componentRef.setInput('version', 3);
    fixture.detectChanges();
    await tick();
  });

  afterEach(() => http.verify());

  it('lists versions newest first, marks the current one and who saved each, and pages back with the cursor', async () => {
    expect(el().querySelector('[role="status"]')!.textContent).toContain('Loading the version history');
    const first = versionsRequest();
    expect(first.request.params.get('limit')).toBe('10');
    first.flush({ items: [entry(3), entry(2, 'u-bob')], nextCursor: 'v2' });
    await tick();
    const items = [...el().querySelectorAll('[data-testid="model-versions"] li')];
    expect(items.map((li) => li.querySelector('strong')!.textContent)).toEqual(['Version 3', 'Version 2']);
    expect(items[0]!.textContent).toContain('current');
    expect(items[0]!.textContent).toContain('by you');
    expect(items[1]!.textContent).not.toContain('current');
    expect(items[1]!.textContent).toContain('by u-bob');

    el().querySelector('button')!.click();
    const older = versionsRequest();
    expect(older.request.params.get('cursor')).toBe('v2');
    older.flush({ items: [entry(1)], nextCursor: null });
    await tick();
    expect(el().querySelectorAll('[data-testid="model-versions"] li')).toHaveLength(3);
    expect(el().querySelector('button')).toBeNull();
  });

  it('reloads when the model gets a new version (a save), dropping older pages', async () => {
    versionsRequest().flush({ items: [entry(3)], nextCursor: null });
    await tick();
    fixture.componentRef.setInput('version', 4);
    await tick();
    versionsRequest().flush({ items: [entry(4), entry(3)], nextCursor: null });
    await tick();
    expect([...el().querySelectorAll('[data-testid="model-versions"] strong')].map((s) => s.textContent)).toEqual(['Version 4', 'Version 3']);
  });

  it('shows a failure with a retry', async () => {
    versionsRequest().flush({ code: 'VV_INTERNAL', title: 'Internal error', detail: 'Database unavailable' }, { status: 500, statusText: 'Server Error' });
    await tick();
    const alert = el().querySelector('[role="alert"]')!;
    expect(alert.textContent).toContain('Database unavailable');
    alert.querySelector('button')!.click();
    await tick();
    versionsRequest().flush({ items: [entry(3)], nextCursor: null });
    await tick();
    expect(el().querySelector('[data-testid="model-versions"]')!.textContent).toContain('Version 3');
  });
});
