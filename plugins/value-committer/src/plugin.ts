import { coreServices, definePlugin, servePresence, tablePrivacy, type EventBus } from '@valueverse/plugin-sdk';
import { calculationRef } from '@valueverse/plugin-calculation/api';
import { valueModelsRef } from '@valueverse/plugin-value-architect/api';
import { commitmentsRef } from './commitments-api';
import { CommitmentStore } from './commitments/commitment-store';
import { committerMigrations } from './data/committer-migrations';
import { CommitmentEntity, CommitmentTransitionEntity } from './data/commitment-entities';
import { createCommitmentRoutes, type CreateBody } from './http/commitment-routes';

/** Presence on a commitment: `{ id, userId, email, activity, expiresAt }` (activity `left` when someone goes). */
export const PRESENCE_EVENT = 'value-committer.presence';

/**
 * The value-committer plugin: commitments made from a value model version under `/api/v1/commitments`, with a
 * risk-adjusted committed value (Monte Carlo percentile through the calculation plugin), milestones, success
 * criteria, a signed-then-immutable lifecycle and amendments. Provides `value-commitments` to the executor and
 * amplifier.
 */
export const plugin = definePlugin({
  deps: {
    http: coreServices.http,
    db: coreServices.db,
    events: coreServices.events,
    audit: coreServices.audit,
    metrics: coreServices.metrics,
    calc: calculationRef,
    models: valueModelsRef,
  },
  database: { entities: [CommitmentEntity, CommitmentTransitionEntity], migrations: committerMigrations },
  setup({ http, db, events, audit, metrics, calc, models }, registrar) {
    const store = new CommitmentStore(db);
    // Business counter: each lifecycle event the routes publish (created, signed, amended...) is counted by name.
    const published = metrics.counter('commitment_events', { help: 'Commitment lifecycle events published, by event name (commitment.signed, ...)', labels: ['event'] });
    const counted: EventBus = {
      subscribe: (pattern, handler) => events.subscribe(pattern, handler),
      publish: async (name, tenantId, payload) => {
        await events.publish(name, tenantId, payload);
        published.inc({ event: name });
      },
    };
    const commitmentRoutes = createCommitmentRoutes({ store, models, calc, events: counted, audit });
    for (const route of commitmentRoutes.routes) http.route(route);
    // Who else is on a commitment (issue 20): announced through the plugin's own event, not counted as lifecycle.
    servePresence(
      { http, events },
      {
        path: '/commitments/:id/presence',
        event: PRESENCE_EVENT,
        noun: 'Commitment',
        exists: async (tenantId, id) => (await store.get(tenantId, id)) !== undefined,
      },
    );
    registrar.privacy(tablePrivacy(db, [{ table: 'commitments' }, { table: 'commitment_transitions' }]));
    registrar.provide(commitmentsRef, {
      get: (tenantId, id) => store.get(tenantId, id),
      list: (tenantId, filter) => store.all(tenantId, filter?.status ? { status: filter.status } : {}),
      create: (tenantId, userId, input) => commitmentRoutes.create(tenantId, userId, input as CreateBody),
    });
  },
});
