import { createOpenAiCompatiblePlugin, type ProviderDefaults } from '@valueverse/plugin-ai-openai';

/** Config defaults; equal to the `default`s in plugin.json (plugin.test.ts checks). */
export const defaults: ProviderDefaults = {
  baseUrl: 'https://api.together.xyz/v1',
  model: 'meta-llama/Llama-3.3-70B-Instruct-Turbo',
  timeoutMs: 60_000,
  maxRetries: 2,
  structuredOutput: 'jsonSchema',
};

/** The Together AI provider of `ai.chat` (Together's API is OpenAI's chat-completions protocol). */
export const plugin = createOpenAiCompatiblePlugin({ defaults, apiKeyRequired: true });
