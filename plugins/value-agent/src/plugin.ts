import { aiChatRef, coreServices, definePlugin, optionalRef, tablePrivacy } from '@valueverse/plugin-sdk';
import { calculationRef } from '@valueverse/plugin-calculation/api';
import { valueModelsRef } from '@valueverse/plugin-value-architect/api';
import { commitmentsRef } from '@valueverse/plugin-value-committer/api';
import { realizationRef } from '@valueverse/plugin-value-executor/api';
import type { AgentRun } from './agent/agent-run';
import { AgentRunner } from './agent/agent-runner';
import { agentTools } from './agent/agent-tools';
import { ConversationStore } from './conversations/conversation-store';
import { agentMigrations } from './data/agent-migrations';
import { CANCEL_EVENT, createAgentRoutes } from './http/agent-routes';

/**
 * The value-agent plugin: a tool-calling chat agent under `/api/v1/agent` on the tenant's AI provider, whose tools
 * are the other plugins' services (offered only when the plugin is enabled for the tenant, and writes only to roles
 * that may write), and whose writes are artifacts the user applies.
 */
export const plugin = definePlugin({
  deps: {
    http: coreServices.http,
    db: coreServices.db,
    events: coreServices.events,
    audit: coreServices.audit,
    logger: coreServices.logger,
    plugins: coreServices.plugins,
    ai: aiChatRef,
    calc: calculationRef,
    models: optionalRef(valueModelsRef),
    commitments: optionalRef(commitmentsRef),
    realization: optionalRef(realizationRef),
  },
  database: { migrations: agentMigrations },
  setup({ http, db, events, audit, logger, plugins, ai, calc, models, commitments, realization }, registrar) {
    const store = new ConversationStore(db);
    const runs = new Map<string, AgentRun>();
    const services = { calc, models, commitments, realization };
    const runner = new AgentRunner({ ai, store, audit, logger });
    for (const route of createAgentRoutes({ store, runner, tools: agentTools(services), services, plugins, events, audit, runs })) http.route(route);
    // A cancel that reached another instance: stop the run if it lives here and is the same user's.
    events.subscribe<{ conversationId?: string; userId?: string }>(CANCEL_EVENT, (event) => {
      const run = runs.get(event.payload.conversationId ?? '');
      if (run && run.userId === event.payload.userId) run.controller.abort();
    });
    registrar.privacy(tablePrivacy(db, [{ table: 'conversations' }, { table: 'messages' }, { table: 'artifacts' }, { table: 'token_usage' }]));
  },
});
