import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { VvError, respond, type AuditLog, type EventBus, type PluginRequest, type RouteDefinition, type TenantPlugins } from '@valueverse/plugin-sdk';
import { AgentRun, type RunFrame } from '../agent/agent-run';
import { admitWithin, type AgentRunner, type AgentSettings } from '../agent/agent-runner';
import type { AgentTool } from '../agent/agent-tool';
import { toolsFor, type ToolServices } from '../agent/agent-tools';
import { applyArtifact, artifactOwner } from '../artifacts/artifact-applier';
import type { AgentContext, AgentMessage, Artifact, ConversationStore } from '../conversations/conversation-store';
import { agentResponses, agentSchemas, idParams } from './agent-schemas';

export interface AgentRouteDeps {
  readonly store: ConversationStore;
  readonly runner: AgentRunner;
  readonly tools: readonly AgentTool[];
  readonly services: ToolServices;
  readonly plugins: TenantPlugins;
  readonly events: EventBus;
  readonly audit: AuditLog;
  /** Runs in progress on this instance, by conversation id. */
  readonly runs: Map<string, AgentRun>;
}

/** Event asking every instance to stop a conversation's run (the run lives on the instance that started it). */
export const CANCEL_EVENT = 'agent.cancel-requested';

const BASE = '/agent';

function settingsOf(config: Readonly<Record<string, unknown>>): AgentSettings {
  return {
    monthlyTokenBudget: typeof config['monthlyTokenBudget'] === 'number' ? config['monthlyTokenBudget'] : 500_000,
    maxToolSteps: typeof config['maxToolSteps'] === 'number' ? config['maxToolSteps'] : 8,
  };
}

function conversationNotFound(id: string): VvError {
  return new VvError('VV_NOT_FOUND', { params: { reason: `Conversation ${id} not found` } });
}

function artifactNotFound(id: string): VvError {
  return new VvError('VV_NOT_FOUND', { params: { reason: `Artifact ${id} not found` } });
}

/** A run's frames as server-sent events (`event:` the frame's name, `data:` its JSON), ending with the run. */
function eventStream(run: AgentRun): Readable {
  const stream = new Readable({ read: () => undefined });
  const off = run.listen((frame: RunFrame | undefined) => {
    if (frame === undefined) stream.push(null);
    else stream.push(`event: ${frame.event}\ndata: ${JSON.stringify(frame.data)}\n\n`);
  });
  stream.once('close', off);
  return stream;
}

const wantsStream = (request: PluginRequest): boolean => (request.headers['accept'] ?? '').includes('text/event-stream');

/**
 * The value agent's API under `/api/v1/agent`: a user's conversations, messages answered by the agent (streamed as
 * server-sent events, cancellable), and the artifacts it proposes, which the user applies or discards.
 */
export function createAgentRoutes(deps: AgentRouteDeps): RouteDefinition[] {
  const { store, runner, runs, events, audit } = deps;

  const offered = (request: PluginRequest) =>
    toolsFor(deps.tools, deps.services, { tenantId: request.tenant.id, role: request.user.role }, (pluginId) => deps.plugins.isEnabled(request.tenant.id, pluginId));

  const createConversation: RouteDefinition<{ title?: string; context?: AgentContext | null }> = {
    method: 'POST',
    path: `${BASE}/conversations`,
    summary: 'Start a conversation with the value agent, optionally about a page object (a model, a commitment, a realization)',
    minRole: 'viewer',
    schema: { body: agentSchemas.createConversation, responses: { 201: agentResponses.conversation } },
    async handler(request) {
      const body = request.body ?? {};
      const created = await store.create(request.tenant.id, request.user.id, body.title ?? 'New conversation', body.context ?? null);
      return respond(201, created, { Location: `/api/v1${BASE}/conversations/${created.id}` });
    },
  };

  const listConversations: RouteDefinition = {
    method: 'GET',
    path: `${BASE}/conversations`,
    summary: "The caller's conversations, most recently active first",
    schema: { query: agentSchemas.listQuery, responses: { 200: agentResponses.conversations } },
    handler: async (request) => ({ items: await store.list(request.tenant.id, request.user.id, (request.query['limit'] as number | undefined) ?? 20) }),
  };

  const getConversation: RouteDefinition = {
    method: 'GET',
    path: `${BASE}/conversations/:id`,
    summary: 'A conversation with its messages, tool calls and artifacts',
    schema: { params: idParams, responses: { 200: agentResponses.detail } },
    async handler(request) {
      const found = await store.detail(request.tenant.id, request.user.id, request.params['id']!);
      if (!found) throw conversationNotFound(request.params['id']!);
      return { ...found, running: runs.has(found.id) };
    },
  };

  const deleteConversation: RouteDefinition = {
    method: 'DELETE',
    path: `${BASE}/conversations/:id`,
    summary: 'Delete a conversation with its messages and artifacts',
    minRole: 'viewer',
    schema: { params: idParams },
    async handler(request) {
      if (!(await store.remove(request.tenant.id, request.user.id, request.params['id']!))) throw conversationNotFound(request.params['id']!);
      // Only once it was the caller's: a run of the deleted conversation has nowhere to write.
      runs.get(request.params['id']!)?.controller.abort();
      return undefined;
    },
  };

  const postMessage: RouteDefinition<{ content: string }> = {
    method: 'POST',
    path: `${BASE}/conversations/:id/messages`,
    summary:
      'Send a message; the agent answers with tool calls and artifacts. With Accept: text/event-stream the answer streams as server-sent events (message, token, tool, artifact, then done or error); otherwise 202 and the reply is read from the conversation. 429 VV_AGENT_TOKEN_BUDGET_EXCEEDED past the monthly budget; 409 while a run is in progress',
    minRole: 'viewer',
    schema: { params: idParams, body: agentSchemas.message, responses: { 202: agentResponses.accepted } },
    async handler(request) {
      const tenantId = request.tenant.id;
      const conversationId = request.params['id']!;
      const settings = settingsOf(request.config);
      const tools = await offered(request);
      // One read before the model is called (conversation, budget, history); the new messages are stored while the
      // model starts answering (the path to the first token, issue #20's bench).
      const turn = await store.readTurn(tenantId, request.user.id, conversationId);
      if (!turn) throw conversationNotFound(conversationId);
      admitWithin(settings, turn.tokensUsed);
      const { conversation, history } = turn;
      if (runs.has(conversation.id)) throw new VvError('VV_CONFLICT', { params: { reason: `Conversation ${conversation.id} is still answering: wait for it or cancel it` } });
      const seq = (history[history.length - 1]?.seq ?? 0) + 1;
      const createdAt = new Date().toISOString();
      const base = { conversationId: conversation.id, toolCalls: null, tokens: 0, createdAt } as const;
      const message: AgentMessage = { ...base, id: randomUUID(), seq, role: 'user', content: request.body.content, status: 'complete' };
      const reply: AgentMessage = { ...base, id: randomUUID(), seq: seq + 1, role: 'assistant', content: '', status: 'streaming' };
      const run = new AgentRun(conversation.id, request.user.id);
      runs.set(conversation.id, run);
      const saved = store.saveTurn(tenantId, message, reply);
      run.emit({ event: 'message', data: { message, reply } });
      // The run belongs to the conversation, not to this response: a client that goes away does not stop it (cancel
      // does), and its reply is stored whoever listens.
      void runner
        .execute({ tenantId, userId: request.user.id, role: request.user.role, conversation, history: [...history, message], reply, saved, tools, settings, run })
        .catch((error: unknown) => request.log.error({ err: error }, 'agent run ended with an error'))
        .finally(() => {
          if (runs.get(conversation.id) === run) runs.delete(conversation.id);
          events.publish('agent.message.completed', tenantId, { conversationId: conversation.id, messageId: reply.id, userId: request.user.id }).catch(() => undefined);
        });
      if (wantsStream(request)) return respond(200, eventStream(run), { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', 'X-Accel-Buffering': 'no' });
      await saved;
      return respond(202, { message, reply });
    },
  };

  const cancel: RouteDefinition = {
    method: 'POST',
    path: `${BASE}/conversations/:id/cancel`,
    summary: "Stop the conversation's run in progress (on whichever instance runs it); its reply is kept as cancelled",
    minRole: 'viewer',
    schema: { params: idParams, responses: { 200: agentResponses.cancelled } },
    async handler(request) {
      const conversation = await store.get(request.tenant.id, request.user.id, request.params['id']!);
      if (!conversation) throw conversationNotFound(request.params['id']!);
      const local = runs.get(conversation.id);
      if (local) local.controller.abort();
      else await events.publish(CANCEL_EVENT, request.tenant.id, { conversationId: conversation.id, userId: request.user.id });
      return { cancelled: local !== undefined };
    },
  };

  const listTools: RouteDefinition = {
    method: 'GET',
    path: `${BASE}/tools`,
    summary: 'The tools the agent may use for the caller: those of plugins enabled for the tenant, and proposals of writes only for roles that may write',
    schema: { responses: { 200: agentResponses.tools } },
    handler: async (request) => ({ items: (await offered(request)).map((t) => ({ name: t.name, description: t.description, plugin: t.plugin, proposes: t.proposes })) }),
  };

  const apply: RouteDefinition = {
    method: 'POST',
    path: `${BASE}/artifacts/:id/apply`,
    summary:
      'Apply a proposed artifact: the owning plugin makes the model, change or commitment as the caller (members and up); 409 once applied or discarded, 404 VV_PLUGIN_NOT_ENABLED when the owning plugin is off for the tenant',
    minRole: 'member',
    schema: { params: idParams, responses: { 200: agentResponses.artifact } },
    async handler(request) {
      const tenantId = request.tenant.id;
      const found = await store.artifact(tenantId, request.user.id, request.params['id']!);
      if (!found) throw artifactNotFound(request.params['id']!);
      if (found.status !== 'proposed') throw new VvError('VV_CONFLICT', { params: { reason: `Artifact ${found.id} is already ${found.status}` } });
      const owner = artifactOwner[found.kind];
      if (owner && !(await deps.plugins.isEnabled(tenantId, owner))) throw new VvError('VV_PLUGIN_NOT_ENABLED', { params: { plugin: owner, tenant: tenantId } });
      // Claimed first, so a second click (or a second tab) cannot apply it twice; put back if the write fails.
      const claimed = await store.decide(tenantId, request.user.id, found.id, 'applied', null);
      if (!claimed) throw new VvError('VV_CONFLICT', { params: { reason: `Artifact ${found.id} was applied or discarded meanwhile` } });
      let result: Record<string, unknown>;
      try {
        result = await applyArtifact(found, { tenantId, userId: request.user.id }, deps.services);
      } catch (error) {
        await store.reopen(tenantId, found.id);
        throw error;
      }
      const applied: Artifact = await store.recordResult(tenantId, found.id, result);
      await audit.record({ action: 'artifact-applied', tenantId, target: found.id, after: { kind: found.kind, conversationId: found.conversationId, result } });
      await events.publish('agent.artifact.applied', tenantId, { artifactId: found.id, conversationId: found.conversationId, kind: found.kind, userId: request.user.id, result });
      return applied;
    },
  };

  const discard: RouteDefinition = {
    method: 'POST',
    path: `${BASE}/artifacts/:id/discard`,
    summary: 'Discard a proposed artifact (nothing is written); 409 once applied or discarded',
    minRole: 'viewer',
    schema: { params: idParams, responses: { 200: agentResponses.artifact } },
    async handler(request) {
      const tenantId = request.tenant.id;
      const found = await store.artifact(tenantId, request.user.id, request.params['id']!);
      if (!found) throw artifactNotFound(request.params['id']!);
      const discarded = await store.decide(tenantId, request.user.id, found.id, 'discarded', null);
      if (!discarded) throw new VvError('VV_CONFLICT', { params: { reason: `Artifact ${found.id} is already ${found.status === 'proposed' ? 'decided' : found.status}` } });
      await audit.record({ action: 'artifact-discarded', tenantId, target: found.id, after: { kind: found.kind, conversationId: found.conversationId } });
      return discarded;
    },
  };

  return [createConversation, listConversations, getConversation, deleteConversation, postMessage, cancel, listTools, apply, discard];
}
