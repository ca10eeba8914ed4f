export { plugin } from './plugin';
// The shared implementation of every OpenAI-compatible provider plugin (ai-together, ai-ollama use it).
export { createOpenAiCompatiblePlugin, type OpenAiCompatiblePluginOptions } from './openai-compatible/create-openai-compatible-plugin';
export type { ProviderDefaults, StructuredOutputMethod } from './openai-compatible/provider-config';
