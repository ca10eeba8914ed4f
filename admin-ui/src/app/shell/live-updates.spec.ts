import { TestBed } from '@angular/core/testing';
import { SESSION_KEY, SESSION_STORAGE } from '../session/session.service';
import { LiveUpdates } from './live-updates';
import { WorkspacePlugins } from './workspace-plugins';

class FakeEventSource {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSED = 2;
  static last: FakeEventSource | undefined;
  readyState = FakeEventSource.CONNECTING;
  onopen: (() => void) | null = null;
  onerror: (() => void) | null = null;
  readonly listeners = new Map<string, () => void>();
  closed = false;
  constructor(readonly url: string) {
    FakeEventSource.last = this;
  }
  addEventListener(name: string, listener: () => void) {
    this.listeners.set(name, listener);
  }
  close() {
    this.closed = true;
  }
}

describe('LiveUpdates', () => {
  let live: LiveUpdates;
  let loads: number;
  const original = (globalThis as { EventSource?: unknown }).EventSource;

  beforeEach(() => {
    (globalThis as { EventSource?: unknown }).EventSource = FakeEventSource;
    FakeEventSource.last = undefined;
    loads = 0;
    const session = {
      accessToken: 'tok/1',
      expiresAt: Date.now() + 600_000,
      user: { id: 'u', email: 'u@x.io', platformAdmin: false },
      tenant: { id: 'demo', name: 'Demo', role: 'member' },
      tenants: [],
    };
    TestBed.configureTestingModule({
      providers: [
        { provide: SESSION_STORAGE, useValue: { getItem: (k: string) => (k === SESSION_KEY ? JSON.stringify(session) : null), setItem() {}, removeItem() {} } },
        { provide: WorkspacePlugins, useValue: { load: () => (loads++, Promise.resolve(false)) } },
      ],
    });
    live = TestBed.inject(LiveUpdates);
  });

  afterEach(() => {
    live.stop();
    (globalThis as { EventSource?: unknown }).EventSource = original;
  });

  it('opens the tenant’s event stream with the access token, and reloads the navigation on plugin-set.changed', () => {
    live.start();
    const source = FakeEventSource.last!;
    expect(source.url).toBe('/api/v1/events/stream?access_token=tok%2F1');
    expect(live.mode()).toBe('connecting');
    source.readyState = FakeEventSource.OPEN;
    source.onopen!();
    expect(live.mode()).toBe('live');
    expect(loads).toBe(1); // catching up on what happened while connecting
    source.listeners.get('plugin-set.changed')!();
    expect(loads).toBe(2);
  });

  it('hands presence and lifecycle events to the pages that follow them, and keeps presence out of the feed', () => {
    live.start();
    const source = FakeEventSource.last!;
    const seen: string[] = [];
    const subscription = live.events.subscribe((e) => seen.push(`${e.name}:${String(e.payload['id'] ?? e.payload['modelId'])}`));
    const send = (name: string, payload: Record<string, unknown>) =>
      (source.listeners.get(name) as unknown as (e: { data: string; lastEventId: string }) => void)({ data: JSON.stringify({ id: `${name}-1`, name, payload }), lastEventId: '' });
    send('value-architect.presence', { id: 'm1', userId: 'v' });
    send('value-model.updated', { modelId: 'm1', version: 2 });
    expect(seen).toEqual(['value-architect.presence:m1', 'value-model.updated:m1']);
    expect(live.recent().map((e) => e.name)).toEqual(['value-model.updated']);
    subscription.unsubscribe();
  });

  it('polls while the stream is down, and stops cleanly', () => {
    jest.useFakeTimers();
    try {
      live.start();
      const source = FakeEventSource.last!;
      source.readyState = FakeEventSource.CLOSED;
      source.onerror!();
      expect(live.mode()).toBe('polling');
      jest.advanceTimersByTime(5_000);
      expect(loads).toBe(1);
      live.stop();
      jest.advanceTimersByTime(60_000);
      expect(loads).toBe(1);
      expect(live.mode()).toBe('off');
      expect(source.closed).toBe(false); // it had already failed; nothing left open
    } finally {
      jest.useRealTimers();
    }
  });
});
