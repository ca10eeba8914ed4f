import { createHash } from 'node:crypto';

/** How structured output is asked for: `response_format` JSON Schema, or a forced tool call (older models). */
export type StructuredOutputMethod = 'jsonSchema' | 'functionCalling';

/** One tenant's settings for an OpenAI-compatible backend, defaults applied. */
export interface ProviderConfig {
  /** Chat-completions base URL, e.g. `https://api.openai.com/v1`. */
  readonly baseUrl: string;
  readonly model: string;
  /** Undefined for a backend that takes none (Ollama). */
  readonly apiKey?: string;
  /** Per attempt. */
  readonly timeoutMs: number;
  /** Retries after the first attempt, with LangChain's exponential backoff (about 1 s, 2 s, 4 s..., randomized). */
  readonly maxRetries: number;
  readonly structuredOutput: StructuredOutputMethod;
}

/** What a provider plugin fills in when a tenant's config leaves a key out; mirrors the manifest's `default`s. */
export interface ProviderDefaults {
  readonly baseUrl: string;
  readonly model: string;
  readonly timeoutMs: number;
  readonly maxRetries: number;
  readonly structuredOutput?: StructuredOutputMethod;
}

const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);
const count = (value: unknown): number | undefined => (typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : undefined);

/**
 * The tenant's config as the kernel hands it over (validated against the manifest, secrets decrypted), with the
 * plugin's defaults for absent keys: the kernel stores defaults when config is saved, but a tenant enabled before a
 * key existed has none.
 */
export function readProviderConfig(raw: Readonly<Record<string, unknown>>, defaults: ProviderDefaults): ProviderConfig {
  const method = raw.structuredOutput === 'functionCalling' || raw.structuredOutput === 'jsonSchema' ? raw.structuredOutput : undefined;
  return {
    baseUrl: (text(raw.baseUrl) ?? defaults.baseUrl).replace(/\/+$/, ''),
    model: text(raw.model) ?? defaults.model,
    apiKey: text(raw.apiKey),
    timeoutMs: count(raw.timeoutMs) ?? defaults.timeoutMs,
    maxRetries: count(raw.maxRetries) ?? defaults.maxRetries,
    structuredOutput: method ?? defaults.structuredOutput ?? 'jsonSchema',
  };
}

/** A digest of the whole config (secret included, never stored): a changed config gets a new model. */
export function configKey(config: ProviderConfig): string {
  const ordered = Object.keys(config)
    .sort()
    .map((key) => [key, config[key as keyof ProviderConfig]]);
  return createHash('sha256').update(JSON.stringify(ordered)).digest('hex');
}
