import { AIMessage, HumanMessage, SystemMessage, ToolMessage, type AIMessageChunk, type BaseMessage } from '@langchain/core/messages';
import { Validator } from '@langchain/core/utils/json_schema';
import { VvError, isVvError, type AiChatProvider, type AuditLog, type Logger, type Role, type ServiceProviders } from '@valueverse/plugin-sdk';
import { budgetMonth, type AgentMessage, type Artifact, type ConversationStore, type Conversation, type ToolCallRecord } from '../conversations/conversation-store';
import type { AgentRun } from './agent-run';
import type { AgentTool } from './agent-tool';
import { isAbort, providerFailure } from './provider-failure';

/** Throws VV_AGENT_TOKEN_BUDGET_EXCEEDED when `used` tokens leave nothing of the tenant's monthly budget. */
export function admitWithin(settings: AgentSettings, used: number, reason = 'no new message can be answered this month'): void {
  if (used < settings.monthlyTokenBudget) return;
  const month = budgetMonth();
  throw new VvError('VV_AGENT_TOKEN_BUDGET_EXCEEDED', {
    params: { used, budget: settings.monthlyTokenBudget, month, reason },
    extensions: { used, budget: settings.monthlyTokenBudget, month },
  });
}

/** What one run needs to know about the tenant's settings. */
export interface AgentSettings {
  readonly monthlyTokenBudget: number;
  readonly maxToolSteps: number;
}

export interface RunRequest {
  readonly tenantId: string;
  readonly userId: string;
  readonly role: Role;
  readonly conversation: Conversation;
  /** Earlier messages of the conversation, oldest first (the new user message last). */
  readonly history: readonly AgentMessage[];
  /** The assistant message being written (status `streaming`). */
  readonly reply: AgentMessage;
  /** Resolves once the question and the reply are stored (they are written while the model starts). */
  readonly saved: Promise<void>;
  readonly tools: readonly AgentTool[];
  readonly settings: AgentSettings;
  readonly run: AgentRun;
}

const SYSTEM_PROMPT = [
  'You are the ValueVerse value agent. You build and test B2B business cases with the user through the platform tools.',
  'Work through the tools: find and read models, evaluate them, run sensitivity and Monte Carlo, draft models and changes, propose commitments, read realization.',
  'You never change anything yourself: draft_model, draft_model_change and propose_commitment make proposals the user applies or discards. Say so when you make one.',
  'Figures come from the tools only; never invent a number you did not compute. Be brief.',
].join(' ');

function contextLine(conversation: Conversation): string | undefined {
  const c = conversation.context;
  if (!c) return undefined;
  const what = { 'value-model': 'value model', commitment: 'commitment', realization: 'realization of commitment' }[c.kind];
  return `The user is looking at ${what} ${c.id}; "this" refers to it.`;
}

/** Text of a streamed chunk (content may be a string or content blocks). */
function textOf(chunk: AIMessageChunk): string {
  if (typeof chunk.content === 'string') return chunk.content;
  return chunk.content.map((part) => (typeof part === 'object' && part !== null && 'text' in part && typeof part.text === 'string' ? part.text : '')).join('');
}

/**
 * The agent's loop on `@langchain/core`: the tenant's chat model with the offered tools bound, streamed; each
 * tool call of an answer is checked against the tool's schema, run (a read answers, a write becomes an artifact),
 * audited and handed back, until the model answers without tools or the step limit is reached. Tokens count toward
 * the tenant's monthly budget before each model call and after it.
 */
export class AgentRunner {
  private readonly validators = new WeakMap<object, Validator>();

  constructor(
    private readonly deps: {
      readonly ai: ServiceProviders<AiChatProvider>;
      readonly store: ConversationStore;
      readonly audit: AuditLog;
      readonly logger: Logger;
    },
  ) {}

  /** Throws VV_AGENT_TOKEN_BUDGET_EXCEEDED when the tenant has used its month's tokens. */
  async checkBudget(tenantId: string, settings: AgentSettings, reason?: string): Promise<void> {
    admitWithin(settings, await this.deps.store.tokensUsed(tenantId, budgetMonth()), reason);
  }

  /** Runs to the end; never throws (failures end the run with an `error` frame and a failed message). */
  async execute(request: RunRequest): Promise<void> {
    const { run, tenantId, reply } = request;
    const signal = run.controller.signal;
    const toolCalls: ToolCallRecord[] = [];
    let text = '';
    let tokens = 0;
    let saveError: unknown;
    const persisted = request.saved.then(
      () => undefined,
      (error: unknown) => {
        // Without its messages stored the turn cannot stand: stop the model, report the failure below.
        saveError = error;
        run.controller.abort();
      },
    );
    const finish = async (status: AgentMessage['status'], problem?: VvError) => {
      await persisted;
      if (saveError !== undefined) {
        this.deps.logger.error({ err: saveError, tenantId }, 'agent: could not store the turn');
        const failure = isVvError(saveError) ? saveError : new VvError('VV_INTERNAL', { detail: 'The conversation could not be stored; the answer was stopped' });
        run.emit({ event: 'error', data: { code: failure.code, title: failure.title, status: failure.status, detail: failure.message } });
        return;
      }
      if (tokens > 0)
        await this.deps.store
          .addTokens(tenantId, budgetMonth(), tokens)
          .catch((error: unknown) => this.deps.logger.error({ err: error, tenantId }, 'agent: could not record token usage'));
      const message = await this.deps.store.finishMessage(tenantId, reply.id, { content: text, status, toolCalls, tokens });
      if (problem) run.emit({ event: 'error', data: { code: problem.code, title: problem.title, status: problem.status, detail: problem.message, message } });
      else run.emit({ event: 'done', data: { message } });
    };
    let providerId = 'ai';
    try {
      const provider = await this.deps.ai.forTenant(tenantId);
      if (!provider) {
        throw new VvError('VV_DEPENDENCY_UNAVAILABLE', {
          params: { dependency: 'AI provider', reason: 'no AI provider (ai-openai, ai-together, ai-ollama) is enabled for this tenant' },
        });
      }
      providerId = provider.pluginId;
      const model = await provider.service.chatModel(tenantId);
      if (typeof model.bindTools !== 'function') {
        throw new VvError('VV_DEPENDENCY_UNAVAILABLE', { params: { dependency: `AI provider "${providerId}"`, reason: 'its chat model does not support tool calls' } });
      }
      const byName = new Map(request.tools.map((t) => [t.name, t]));
      const bound =
        request.tools.length === 0
          ? model
          : model.bindTools(request.tools.map((t) => ({ type: 'function' as const, function: { name: t.name, description: t.description, parameters: t.parameters } })));
      const messages: BaseMessage[] = [new SystemMessage([SYSTEM_PROMPT, contextLine(request.conversation)].filter(Boolean).join('\n'))];
      for (const m of request.history) if (m.content !== '') messages.push(m.role === 'user' ? new HumanMessage(m.content) : new AIMessage(m.content));

      for (let step = 0; step < request.settings.maxToolSteps; step++) {
        if (step > 0) await this.checkBudget(tenantId, request.settings, 'the agent stopped before its next step');
        let answer: AIMessageChunk | undefined;
        // Text of an earlier step ("Drafting the case now.") and of this one are separate paragraphs.
        let separator = text !== '' && !/\s$/.test(text) ? '\n\n' : '';
        try {
          for await (const chunk of await bound.stream(messages, { signal })) {
            let delta = textOf(chunk as AIMessageChunk);
            if (delta) {
              delta = separator + delta;
              separator = '';
              text += delta;
              run.emit({ event: 'token', data: { delta } });
            }
            answer = answer ? answer.concat(chunk as AIMessageChunk) : (chunk as AIMessageChunk);
          }
        } catch (error) {
          if (isAbort(error, signal)) throw error;
          throw providerFailure(error, providerId);
        }
        tokens += answer?.usage_metadata?.total_tokens ?? 0;
        const calls = answer?.tool_calls ?? [];
        if (!answer || calls.length === 0) break;
        messages.push(new AIMessage({ content: answer.content, tool_calls: calls }));
        for (const call of calls) {
          const outcome = await this.callTool(byName.get(call.name), call.name, call.args, request);
          toolCalls.push(outcome.record);
          messages.push(new ToolMessage({ tool_call_id: call.id ?? call.name, content: JSON.stringify(outcome.forModel) }));
        }
        if (step === request.settings.maxToolSteps - 1) {
          const note = `\n\n(Stopped after ${request.settings.maxToolSteps} tool steps.)`;
          text += note;
          run.emit({ event: 'token', data: { delta: note } });
        }
      }
      await finish('complete');
    } catch (error) {
      if (isAbort(error, signal)) {
        await finish('cancelled').catch((e: unknown) => this.deps.logger.error({ err: e, tenantId }, 'agent: could not store a cancelled run'));
        return;
      }
      const problem = isVvError(error) ? error : providerFailure(error, providerId);
      if (problem.cause !== undefined || !isVvError(error)) this.deps.logger.warn({ err: error, tenantId, provider: providerId }, `agent run failed: ${problem.code}`);
      await finish('failed', problem).catch((e: unknown) => this.deps.logger.error({ err: e, tenantId }, 'agent: could not store a failed run'));
    } finally {
      run.end();
    }
  }

  private async callTool(tool: AgentTool | undefined, name: string, args: unknown, request: RunRequest): Promise<{ record: ToolCallRecord; forModel: unknown }> {
    const { run, tenantId, userId } = request;
    const audit = async (outcome: ToolCallRecord['outcome'], after: Record<string, unknown>) =>
      this.deps.audit.record({ action: 'tool-called', tenantId, actor: userId, target: request.conversation.id, after: { tool: name, outcome, ...after } });
    if (!tool) {
      // A tool the model was not offered (another role's, a disabled plugin's, or made up): refused, never run.
      const record: ToolCallRecord = { name, arguments: args, outcome: 'refused', summary: 'not available to this user in this tenant' };
      await audit('refused', {});
      run.emit({ event: 'tool', data: record });
      return { record, forModel: { error: `The tool ${name} is not available.` } };
    }
    const validator = this.validatorFor(tool);
    const checked = validator.validate(args ?? {});
    if (!checked.valid) {
      const problems = checked.errors.slice(0, 5).map((e) => `${e.instanceLocation.replace(/^#/, '') || '/'} ${e.error}`);
      const record: ToolCallRecord = { name, arguments: args, outcome: 'failed', summary: 'arguments did not match the tool' };
      await audit('failed', { problems });
      run.emit({ event: 'tool', data: record });
      return { record, forModel: { error: 'Invalid arguments', problems } };
    }
    run.emit({ event: 'tool', data: { name, arguments: args, outcome: 'started' } });
    try {
      const outcome = await tool.run(args, { tenantId, userId, role: request.role, signal: run.controller.signal });
      let artifact: Artifact | undefined;
      if (outcome.artifact) {
        artifact = await this.deps.store.addArtifact(tenantId, userId, request.conversation.id, outcome.artifact);
        run.emit({ event: 'artifact', data: artifact });
      }
      const record: ToolCallRecord = { name, arguments: args, outcome: 'ok', summary: outcome.summary, ...(artifact ? { artifactId: artifact.id } : {}) };
      await audit('ok', { summary: outcome.summary, ...(artifact ? { artifactId: artifact.id, artifactKind: artifact.kind } : {}) });
      run.emit({ event: 'tool', data: record });
      return { record, forModel: artifact ? { ...(outcome.result as object), artifactId: artifact.id } : outcome.result };
    } catch (error) {
      if (isAbort(error, run.controller.signal)) throw error;
      // Our own services' coded errors are safe to show the model (validation pointers, "not found"); anything else
      // is logged and reported by code only.
      const problem = isVvError(error) ? { code: error.code, message: error.message, ...(error.errors.length > 0 ? { errors: error.errors } : {}) } : { code: 'VV_INTERNAL' };
      if (!isVvError(error)) this.deps.logger.error({ err: error, tenantId, tool: name }, 'agent tool failed');
      const record: ToolCallRecord = { name, arguments: args, outcome: 'failed', summary: problem.code };
      await audit('failed', { code: problem.code });
      run.emit({ event: 'tool', data: record });
      return { record, forModel: { error: problem } };
    }
  }

  private validatorFor(tool: AgentTool): Validator {
    let validator = this.validators.get(tool);
    if (!validator) {
      validator = new Validator(tool.parameters as ConstructorParameters<typeof Validator>[0], '7', false);
      this.validators.set(tool, validator);
    }
    return validator;
  }
}
