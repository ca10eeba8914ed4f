import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import type { BaseMessageLike } from '@langchain/core/messages';
import { Validator } from '@langchain/core/utils/json_schema';
import { ChatOpenAI } from '@langchain/openai';
import {
  AI_USAGE_EVENT,
  VvError,
  type AiChatProvider,
  type AiStructuredOutput,
  type AiUsage,
  type EventBus,
  type Logger,
  type OutboundHttp,
  type PluginConfigReader,
} from '@valueverse/plugin-sdk';
import { configKey, readProviderConfig, type ProviderConfig, type ProviderDefaults } from './provider-config';
import { toProviderError } from './provider-error';
import { realmSafe } from './realm-safe-fetch';
import { UsageReporter } from './usage-reporter';

export interface OpenAiCompatibleChatProviderOptions {
  /** The providing plugin's id (`ai-openai`, `ai-together`...), reported in errors and usage events. */
  readonly providerId: string;
  readonly defaults: ProviderDefaults;
  /** False for backends that take no key (Ollama): a placeholder is sent instead. */
  readonly apiKeyRequired: boolean;
  readonly config: PluginConfigReader;
  readonly events: EventBus;
  readonly logger: Logger;
  /** The kernel's outbound HTTP: every call to the backend goes through it (allowlist, address checks). */
  readonly outbound: OutboundHttp;
}

interface TenantModel {
  readonly key: string;
  readonly config: ProviderConfig;
  readonly model: ChatOpenAI;
}

/** OpenAI's name rule for a response format or function name. */
const OUTPUT_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * `AiChatProvider` for any backend speaking OpenAI's chat-completions protocol (OpenAI, Together, Ollama, vLLM...):
 * a LangChain `ChatOpenAI` per tenant, built from the tenant's config and rebuilt when that config changes.
 */
/**
 * Tenants whose chat client an instance keeps. A client is cheap to make again (no connection is held), so the
 * bound is fixed rather than configured; a deployment's tenants that call an AI provider at once are far fewer.
 */
const MAX_CACHED_MODELS = 1000;

export class OpenAiCompatibleChatProvider implements AiChatProvider {
  readonly providerId: string;
  /** At most `MAX_CACHED_MODELS` tenants' clients (issue #14): an evicted tenant's is made again from its config. */
  private readonly models = new Map<string, TenantModel>();
  private readonly validators = new WeakMap<object, Validator>();

  constructor(private readonly options: OpenAiCompatibleChatProviderOptions) {
    this.providerId = options.providerId;
  }

  async chatModel(tenantId: string): Promise<BaseChatModel> {
    return (await this.modelFor(tenantId)).model;
  }

  async invoke(tenantId: string, messages: readonly BaseMessageLike[]): Promise<string> {
    const { model, config } = await this.modelFor(tenantId);
    try {
      return (await model.invoke([...messages])).text;
    } catch (error) {
      throw toProviderError(error, this.providerId, config, this.options.logger.child({ tenantId }));
    }
  }

  async invokeStructured<T = Record<string, unknown>>(tenantId: string, messages: readonly BaseMessageLike[], output: AiStructuredOutput): Promise<T> {
    if (!OUTPUT_NAME.test(output.name)) {
      throw new TypeError(`invokeStructured: output name "${output.name}" must be 1-64 letters, digits, "_" or "-"`);
    }
    const validator = this.validatorFor(output.schema);
    const { model, config } = await this.modelFor(tenantId);
    const schema = output.description === undefined ? { ...output.schema } : { ...output.schema, description: output.description };
    let answer: unknown;
    try {
      const structured = model.withStructuredOutput<Record<string, unknown>>(schema, { name: output.name, method: config.structuredOutput });
      answer = await structured.invoke([...messages]);
    } catch (error) {
      throw toProviderError(error, this.providerId, config, this.options.logger.child({ tenantId }));
    }
    const result = validator.validate(answer);
    if (!result.valid) {
      // A model can ignore the schema (json_schema is a request, and function calling no guarantee): that is the
      // backend failing to deliver, so callers handle it like any other provider failure. Where it went wrong names
      // parts of the backend's answer, so it goes to the log, not into the error (issue #10 finding 4).
      const problems = result.errors
        .filter((e) => e.keyword !== 'properties' && e.keyword !== 'items')
        .slice(0, 5)
        .map((e) => `${e.instanceLocation.replace(/^#/, '') || '/'} ${e.error}`.slice(0, 200));
      const error = new VvError('VV_UPSTREAM_FAILED', {
        params: { service: `AI provider "${this.providerId}"`, reason: `the answer of model "${config.model}" does not match the "${output.name}" schema` },
        extensions: { provider: this.providerId },
      });
      this.options.logger.warn({ tenantId, provider: this.providerId, problems }, error.message);
      throw error;
    }
    return answer as T;
  }

  /** The tenant's model, cached while its config (and so its digest) stays the same. */
  private async modelFor(tenantId: string): Promise<TenantModel> {
    const config = readProviderConfig(await this.options.config.forTenant(tenantId), this.options.defaults);
    if (this.options.apiKeyRequired && config.apiKey === undefined) {
      throw new VvError('VV_DEPENDENCY_UNAVAILABLE', {
        params: { dependency: `AI provider "${this.providerId}"`, reason: `no API key is configured for tenant "${tenantId}"` },
        extensions: { provider: this.providerId },
      });
    }
    const key = configKey(config);
    const cached = this.models.get(tenantId);
    // Least recently used last out (a Map keeps insertion order: a use re-inserts the tenant at the end).
    this.models.delete(tenantId);
    const entry: TenantModel = cached?.key === key ? cached : { key, config, model: this.createModel(tenantId, config) };
    this.models.set(tenantId, entry);
    if (this.models.size > MAX_CACHED_MODELS) this.models.delete(this.models.keys().next().value!);
    return entry;
  }

  private createModel(tenantId: string, config: ProviderConfig): ChatOpenAI {
    const reporter = new UsageReporter(config.model, async (usage) => {
      const payload: AiUsage = { provider: this.providerId, ...usage };
      try {
        await this.options.events.publish(AI_USAGE_EVENT, tenantId, payload);
      } catch (error) {
        // Usage reporting must never fail the call that was already paid for.
        this.options.logger.error({ err: error, tenantId }, 'could not publish ai.usage');
      }
    });
    return new ChatOpenAI({
      model: config.model,
      // The OpenAI client refuses to start without a key; keyless backends (Ollama) ignore this placeholder.
      apiKey: config.apiKey ?? 'no-key',
      // The tenant id lets the outbound service allow this tenant's configured baseUrl (manifest outbound.configFields).
      configuration: { baseURL: config.baseUrl, fetch: realmSafe((input, init) => this.options.outbound.fetch(input as string | URL | Request, { ...init, tenantId })) },
      timeout: config.timeoutMs,
      maxRetries: config.maxRetries,
      streamUsage: true,
      callbacks: [reporter],
    });
  }

  /** Compiled once per schema object; a schema that does not compile is the caller's bug, reported at once. */
  private validatorFor(schema: object): Validator {
    let validator = this.validators.get(schema);
    if (!validator) {
      validator = new Validator(schema as ConstructorParameters<typeof Validator>[0], '7', false);
      this.validators.set(schema, validator);
    }
    return validator;
  }
}
