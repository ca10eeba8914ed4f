import type { AuthenticatedRouteDefinition, HttpRouter, PluginRequest, RouteDefinition } from '../http/http-router';
import type { EventBus, EventEnvelope } from '../services/core-service-types';
import { servePresence, type Presence } from './serve-presence';

/**
 * Two instances of a plugin on one bus: each registers its own route and board, and the bus delivers every
 * publication to every subscriber, as the kernel's bus does across instances (through Redis when there are several).
 */
function cluster() {
  const delivered: EventEnvelope[] = [];
  const handlers: { pattern: string; handler: (e: EventEnvelope) => void | Promise<void> }[] = [];
  const bus: EventBus = {
    async publish(name, tenantId, payload) {
      const envelope: EventEnvelope = { id: `e${delivered.length}`, name, tenantId, source: 'test-plugin', occurredAt: new Date().toISOString(), payload };
      delivered.push(envelope);
      for (const h of [...handlers]) if (h.pattern === name) await h.handler(envelope);
    },
    subscribe(pattern, handler) {
      const entry = { pattern, handler: handler as (e: EventEnvelope) => void | Promise<void> };
      handlers.push(entry);
      return () => void handlers.splice(handlers.indexOf(entry), 1);
    },
  };
  return { bus, delivered, handlers };
}

type PresenceRoute = AuthenticatedRouteDefinition<{ activity: string }>;

function instance(bus: EventBus, objects: Set<string>, now: () => number = Date.now): { presence: Presence; route: PresenceRoute } {
  const routes: RouteDefinition[] = [];
  const http: HttpRouter = { route: (definition) => void routes.push(definition as RouteDefinition) };
  const presence = servePresence(
    { http, events: bus },
    { path: '/gadgets/:id/presence', event: 'gadgets.presence', noun: 'Gadget', exists: async (tenantId, id) => objects.has(`${tenantId}/${id}`), now },
  );
  expect(routes).toHaveLength(1);
  return { presence, route: routes[0] as PresenceRoute };
}

const call = (route: PresenceRoute, o: { tenant?: string; id?: string; user: string; activity: string }) =>
  route.handler({
    params: { id: o.id ?? 'g1' },
    body: { activity: o.activity },
    tenant: { id: o.tenant ?? 'acme', name: o.tenant ?? 'acme' },
    user: { id: o.user, email: `${o.user}@acme.test`, role: 'viewer', kind: 'user' },
  } as unknown as PluginRequest<{ activity: string }>) as Promise<{ present: { userId: string; activity: string; expiresAt: string }[] }>;

describe('servePresence', () => {
  it('registers PUT <path> open to every role of the tenant, with the body and answer schemas', () => {
    const { route } = instance(cluster().bus, new Set());
    expect(route).toMatchObject({ method: 'PUT', path: '/gadgets/:id/presence', minRole: 'viewer' });
    expect(route.summary).toContain('publishes gadgets.presence');
    expect(route.schema?.body).toMatchObject({ required: ['activity'], properties: { activity: { enum: ['viewing', 'editing', 'left'] } } });
    expect(route.schema?.responses?.[200]).toMatchObject({ required: ['present'] });
  });

  it('answers who is there with the caller, publishes the announcement in the tenant, and every instance follows it', async () => {
    const { bus, delivered } = cluster();
    const objects = new Set(['acme/g1']);
    const now = 1_700_000_000_000;
    const a = instance(bus, objects, () => now);
    const b = instance(bus, objects, () => now);
    const first = await call(a.route, { user: 'ana', activity: 'editing' });
    expect(first.present).toEqual([{ userId: 'ana', email: 'ana@acme.test', activity: 'editing', expiresAt: new Date(now + 40_000).toISOString() }]);
    expect(delivered).toEqual([
      expect.objectContaining({
        name: 'gadgets.presence',
        tenantId: 'acme',
        payload: { id: 'g1', userId: 'ana', email: 'ana@acme.test', activity: 'editing', expiresAt: new Date(now + 40_000).toISOString() },
      }),
    ]);
    // Bo announces on the other instance, which learnt of Ana through the event.
    const second = await call(b.route, { user: 'bo', activity: 'viewing' });
    expect(second.present.map((p) => [p.userId, p.activity])).toEqual([
      ['ana', 'editing'],
      ['bo', 'viewing'],
    ]);
    expect(a.presence.list('acme', 'g1').map((p) => p.userId)).toEqual(['ana', 'bo']);
    // Leaving is seen everywhere.
    const left = await call(a.route, { user: 'ana', activity: 'left' });
    expect(left.present.map((p) => p.userId)).toEqual(['bo']);
    expect(b.presence.list('acme', 'g1').map((p) => p.userId)).toEqual(['bo']);
  });

  it('refuses an object the tenant does not have with VV_NOT_FOUND, and announces nothing', async () => {
    const { bus, delivered } = cluster();
    const { route, presence } = instance(bus, new Set(['acme/g1']));
    await expect(call(route, { tenant: 'globex', user: 'eve', activity: 'viewing' })).rejects.toMatchObject({ code: 'VV_NOT_FOUND', status: 404, message: 'Gadget g1 not found' });
    await expect(call(route, { id: 'g2', user: 'ana', activity: 'viewing' })).rejects.toMatchObject({ code: 'VV_NOT_FOUND' });
    expect(delivered).toEqual([]);
    expect(presence.list('globex', 'g1')).toEqual([]);
  });

  it('keeps tenants apart: the same object id in another tenant is another object', async () => {
    const { bus } = cluster();
    const { route, presence } = instance(bus, new Set(['acme/g1', 'globex/g1']));
    await call(route, { user: 'ana', activity: 'viewing' });
    const other = await call(route, { tenant: 'globex', user: 'gus', activity: 'viewing' });
    expect(other.present.map((p) => p.userId)).toEqual(['gus']);
    expect(presence.list('acme', 'g1').map((p) => p.userId)).toEqual(['ana']);
  });

  it('forgets an announcement that is not renewed within the time to live, and applies the given limits', async () => {
    const { bus } = cluster();
    let now = 0;
    const routes: RouteDefinition[] = [];
    const presence = servePresence(
      { http: { route: (d) => void routes.push(d as RouteDefinition) }, events: bus },
      { path: '/gadgets/:id/presence', event: 'gadgets.presence', noun: 'Gadget', exists: async () => true, limits: { ttlMs: 1_000, maxPerObject: 1 }, now: () => now },
    );
    const route = routes[0] as PresenceRoute;
    await call(route, { user: 'ana', activity: 'viewing' });
    now = 500;
    // One person per object: Ana's entry expires first and makes way.
    expect((await call(route, { user: 'bo', activity: 'viewing' })).present.map((p) => p.userId)).toEqual(['bo']);
    now = 1_600;
    expect(presence.list('acme', 'g1')).toEqual([]);
  });

  it('ignores malformed events and stops following on stop()', async () => {
    const { bus, handlers } = cluster();
    const { presence } = instance(bus, new Set(['acme/g1']));
    const later = new Date(Date.now() + 60_000).toISOString();
    await bus.publish('gadgets.presence', 'acme', { id: 'g1', userId: 'x', email: 'x@acme.test', activity: 'dancing', expiresAt: later });
    await bus.publish('gadgets.presence', 'acme', { id: 'g1', userId: 'y', activity: 'viewing', expiresAt: 'soon' });
    await bus.publish('gadgets.presence', 'acme', null);
    expect(presence.list('acme', 'g1')).toEqual([]);
    presence.stop();
    expect(handlers).toHaveLength(0);
    await bus.publish('gadgets.presence', 'acme', { id: 'g1', userId: 'z', email: 'z@acme.test', activity: 'viewing', expiresAt: later });
    expect(presence.list('acme', 'g1')).toEqual([]);
  });
});
