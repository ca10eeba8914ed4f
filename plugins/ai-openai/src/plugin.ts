import { createOpenAiCompatiblePlugin } from './openai-compatible/create-openai-compatible-plugin';
import type { ProviderDefaults } from './openai-compatible/provider-config';

/** Config defaults; equal to the `default`s in plugin.json (plugin.test.ts checks). */
export const defaults: ProviderDefaults = { baseUrl: 'https://api.openai.com/v1', model: 'gpt-4o-mini', timeoutMs: 60_000, maxRetries: 2, structuredOutput: 'jsonSchema' };

/** The OpenAI provider of `ai.chat`. */
export const plugin = createOpenAiCompatiblePlugin({ defaults, apiKeyRequired: true });
