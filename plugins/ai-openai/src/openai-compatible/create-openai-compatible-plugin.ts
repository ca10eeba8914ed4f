import { aiChatRef, coreServices, definePlugin, type VvPlugin } from '@valueverse/plugin-sdk';
import { OpenAiCompatibleChatProvider } from './openai-compatible-chat-provider';
import type { ProviderDefaults } from './provider-config';

export interface OpenAiCompatiblePluginOptions {
  /** Used for config keys a tenant leaves out; keep equal to the `default`s of the plugin's manifest config. */
  readonly defaults: ProviderDefaults;
  /** False for backends that take no API key (Ollama). */
  readonly apiKeyRequired: boolean;
}

/**
 * Builds an AI provider plugin for a backend speaking OpenAI's chat-completions protocol: it provides `ai.chat`
 * (see `AiChatProvider`), configured per tenant from the manifest's `config` (baseUrl, model, apiKey, timeoutMs,
 * maxRetries, structuredOutput), and publishes `ai.usage` events. The manifest must list `"provides": ["ai.chat"]`
 * and the permissions `http.outbound` and `events.publish:ai.*`, with `"outbound": { "configFields": ["baseUrl"] }` (plus
 * the backend's public origin under `origins`) and `"x-secret-bound-to": ["baseUrl"]` on `apiKey`. Every call goes
 * through the kernel's outbound service (`coreServices.outbound`), which enforces that allowlist and the operator's
 * address policy.
 *
 * @example
 * export const plugin = createOpenAiCompatiblePlugin({
 *   defaults: { baseUrl: 'https://api.together.xyz/v1', model: 'meta-llama/Llama-3.3-70B-Instruct-Turbo', timeoutMs: 60000, maxRetries: 2 },
 *   apiKeyRequired: true,
 * });
 */
export function createOpenAiCompatiblePlugin(options: OpenAiCompatiblePluginOptions): VvPlugin {
  return definePlugin({
    deps: { config: coreServices.config, events: coreServices.events, logger: coreServices.logger, metadata: coreServices.metadata, outbound: coreServices.outbound },
    setup({ config, events, logger, metadata, outbound }, registrar) {
      registrar.provide(
        aiChatRef,
        new OpenAiCompatibleChatProvider({ providerId: metadata.id, defaults: options.defaults, apiKeyRequired: options.apiKeyRequired, config, events, logger, outbound }),
      );
    },
  });
}
