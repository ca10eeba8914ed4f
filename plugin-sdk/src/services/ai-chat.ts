import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import type { BaseMessageLike } from '@langchain/core/messages';
import type { JsonSchema } from '../http/http-router';
import { createServiceRef } from './create-service-ref';

/** The answer shape `AiChatProvider.invokeStructured` asks the model for and checks. */
export interface AiStructuredOutput {
  /** Name the model sees for the output, e.g. `value_hypotheses` (letters, digits, `_` and `-`, at most 64). */
  readonly name: string;
  /** What the output is, for the model. */
  readonly description?: string;
  /** JSON Schema of the answer, an object at the top level; the answer is validated against it. */
  readonly schema: JsonSchema;
}

/**
 * A chat model provider for one kind of backend (OpenAI, Together, Ollama...), configured per tenant. Several plugins
 * provide it; a consumer picks the one enabled for its tenant through `aiChatRef`.
 *
 * `invoke` and `invokeStructured` are the managed path: the tenant's timeout and retries (with exponential backoff)
 * apply, every failure of the backend (unreachable, timeout, 4xx/5xx, an answer that does not match the schema) is a
 * `VvError` `VV_DEPENDENCY_UNAVAILABLE` naming the provider, and token usage is published as an `ai.usage` event.
 * `chatModel` hands out the LangChain model itself for streaming, tools or custom chains: timeout, retries and usage
 * events apply to it too, but its errors are LangChain's.
 */
export interface AiChatProvider {
  /** Id of the providing plugin, e.g. `ai-together`. */
  readonly providerId: string;
  /** The tenant's chat model (cached while the tenant's config is unchanged). */
  chatModel(tenantId: string): Promise<BaseChatModel>;
  /** Sends `messages` and returns the reply's text. */
  invoke(tenantId: string, messages: readonly BaseMessageLike[]): Promise<string>;
  /**
   * Sends `messages` asking for an answer matching `output.schema` (JSON Schema structured output) and returns it
   * parsed and validated.
   *
   * @example
   * const { hypotheses } = await provider.invokeStructured<{ hypotheses: Hypothesis[] }>(tenantId, [
   *   ['system', 'You are a B2B value consultant.'],
   *   ['human', `Suggest value hypotheses for ${industry}`],
   * ], { name: 'value_hypotheses', schema: hypothesesSchema });
   */
  invokeStructured<T = Record<string, unknown>>(tenantId: string, messages: readonly BaseMessageLike[], output: AiStructuredOutput): Promise<T>;
}

/** Payload of the `ai.usage` event a provider publishes (tenant = the event's `tenantId`) after each model call. */
export interface AiUsage {
  /** Id of the providing plugin. */
  readonly provider: string;
  /** Model that answered, as the backend names it. */
  readonly model: string;
  readonly promptTokens: number;
  readonly completionTokens: number;
  readonly totalTokens: number;
}

/** Name of the event carrying `AiUsage`. */
export const AI_USAGE_EVENT = 'ai.usage';

/**
 * The well-known multi-provider ref of AI chat providers. Depend on it and list `"ai.chat"` under `uses`.
 *
 * @example
 * // plugin.json: "uses": ["ai.chat"]
 * export const plugin = definePlugin({
 *   deps: { ai: aiChatRef, http: coreServices.http },
 *   setup({ ai, http }) {
 *     http.route({ method: 'POST', path: '/ideas', handler: async (req) => {
 *       const provider = await ai.forTenant(req.tenant.id);
 *       if (!provider) return { source: 'library', ideas: fromLibrary() };
 *       return { source: provider.pluginId, ideas: await provider.service.invokeStructured(req.tenant.id, messages, output) };
 *     } });
 *   },
 * });
 */
export const aiChatRef = createServiceRef<AiChatProvider>({ id: 'ai.chat', multiple: true });
