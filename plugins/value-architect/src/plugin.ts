import { aiChatRef, coreServices, definePlugin, servePresence, tablePrivacy, type EventBus } from '@valueverse/plugin-sdk';
import { calculationRef } from '@valueverse/plugin-calculation/api';
import { architectMigrations } from './data/architect-migrations';
import { ValueModelEntity, ValueModelVersionEntity } from './data/value-model-entities';
import { ShareLinks } from './business-case/share-links';
import { createBusinessCaseRoutes } from './http/business-case-routes';
import { createHypothesisGenerator } from './hypotheses/hypothesis-generator';
import { createValueModelRoutes, valueModelWrites, type CreateBody } from './http/value-model-routes';
import { ValueModelStore } from './models/value-model-store';
import { valueModelsRef } from './value-models-api';

/** Presence on a model: `{ id, userId, email, activity, expiresAt }` (activity `left` when someone goes). */
export const PRESENCE_EVENT = 'value-architect.presence';

/**
 * The value-architect plugin: versioned value models under `/api/v1/value-models`, a driver library by industry,
 * evaluation through the calculation plugin, and hypotheses from the tenant's AI provider (or the library). Provides
 * `value-models` so that the committer can read the exact version a commitment is made from.
 */
export const plugin = definePlugin({
  deps: {
    http: coreServices.http,
    db: coreServices.db,
    events: coreServices.events,
    audit: coreServices.audit,
    metrics: coreServices.metrics,
    logger: coreServices.logger,
    secrets: coreServices.secrets,
    branding: coreServices.branding,
    calc: calculationRef,
    ai: aiChatRef,
  },
  database: { entities: [ValueModelEntity, ValueModelVersionEntity], migrations: architectMigrations },
  setup({ http, db, events, audit, metrics, logger, secrets, branding, calc, ai }, registrar) {
    const store = new ValueModelStore(db);
    const hypotheses = createHypothesisGenerator({ calc, ai, log: logger });
    // Business counter: each event the routes publish (a model created, a version saved...) is counted by name.
    const published = metrics.counter('model_events', { help: 'Value-model events published, by event name (value-model.created, ...)', labels: ['event'] });
    const counted: EventBus = {
      subscribe: (pattern, handler) => events.subscribe(pattern, handler),
      publish: async (name, tenantId, payload) => {
        await events.publish(name, tenantId, payload);
        published.inc({ event: name });
      },
    };
    const links = new ShareLinks(db, secrets);
    // A key rotation: the kernel's re-seal job seals each tenant's share-link key again with the newest key.
    registrar.onReseal(async (tenantId) => void (await links.resealIfStale(tenantId)));
    for (const route of createBusinessCaseRoutes({ store, calc, links, audit, branding })) http.route(route);
    for (const route of createValueModelRoutes({ store, calc, hypotheses, events: counted, audit })) http.route(route);
    // Who else is on a model (issue 20): announced through the plugin's own event, not counted as a model event.
    servePresence(
      { http, events },
      {
        path: '/value-models/:id/presence',
        event: PRESENCE_EVENT,
        noun: 'Value model',
        exists: async (tenantId, id) => (await store.get(tenantId, id)) !== undefined,
      },
    );
    // The share-link signing key is a secret and not listed: never exported (a restored tenant makes a new one, and
    // its old links stop opening).
    registrar.privacy(tablePrivacy(db, [{ table: 'value_models' }, { table: 'value_model_versions' }, { table: 'share_links' }]));
    const writes = valueModelWrites({ store, calc, events: counted, audit });
    registrar.provide(valueModelsRef, {
      getVersion: (tenantId, id, version) => store.getVersion(tenantId, id, version),
      find: async (tenantId, query) => (await store.list(tenantId, query?.q === undefined ? {} : { q: query.q }, { limit: Math.min(Math.max(query?.limit ?? 20, 1), 100) })).items,
      create: (tenantId, userId, input) => writes.create(tenantId, userId, input as CreateBody),
      update: (tenantId, userId, id, changes) => writes.update(tenantId, userId, id, { ...changes }),
    });
  },
});
