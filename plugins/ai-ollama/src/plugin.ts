import { createOpenAiCompatiblePlugin, type ProviderDefaults } from '@valueverse/plugin-ai-openai';

/** Config defaults; equal to the `default`s in plugin.json (plugin.test.ts checks). */
export const defaults: ProviderDefaults = { baseUrl: 'http://127.0.0.1:11434/v1', model: 'llama3.1', timeoutMs: 120_000, maxRetries: 2, structuredOutput: 'jsonSchema' };

/**
 * The Ollama provider of `ai.chat`, for self-hosted models through Ollama's OpenAI-compatible endpoint. No API key
 * is needed; local models are slow to load, hence the longer default timeout.
 */
export const plugin = createOpenAiCompatiblePlugin({ defaults, apiKeyRequired: false });
