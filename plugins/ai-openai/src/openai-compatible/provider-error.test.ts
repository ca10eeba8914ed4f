import { VvError, type Logger } from '@valueverse/plugin-sdk';
import type { ProviderConfig } from './provider-config';
import { toProviderError } from './provider-error';

const config: ProviderConfig = { baseUrl: 'http://llm.example.test/v1', model: 'm', apiKey: 'sk-secret-key-1234', timeoutMs: 1000, maxRetries: 0, structuredOutput: 'jsonSchema' };

function recorder(): { logger: Logger; warnings: { obj: Record<string, unknown>; msg?: string }[] } {
  const warnings: { obj: Record<string, unknown>; msg?: string }[] = [];
  const logger: Logger = {
    debug: () => undefined,
    info: () => undefined,
    error: () => undefined,
    warn: (obj, msg) => warnings.push({ obj: obj as Record<string, unknown>, msg }),
    child: () => logger,
  };
  return { logger, warnings };
}

class APIError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

describe('toProviderError', () => {
  it('answers an upstream HTTP error with VV_UPSTREAM_FAILED and the status only; the body goes to the log, truncated, without the key', () => {
    const { logger, warnings } = recorder();
    const body = `500 upstream exploded for sk-secret-key-1234 ${'x'.repeat(2000)}`;
    const error = toProviderError(new APIError(500, body), 'ai-openai', config, logger);
    expect(error.code).toBe('VV_UPSTREAM_FAILED');
    expect(error.message).toBe('AI provider "ai-openai" answered with an error (HTTP 500)');
    expect(error.extensions).toEqual({ provider: 'ai-openai', upstreamStatus: 500 });
    expect(warnings).toHaveLength(1);
    const logged = warnings[0]!.obj.upstream as string;
    expect(logged.startsWith('500 upstream exploded for ••••')).toBe(true);
    expect(logged).toHaveLength(500);
    expect(logged).not.toContain('sk-secret-key-1234');
  });

  it("never quotes a parser failure (it carries the model's text)", () => {
    const parse = Object.assign(new Error('Failed to parse. Text: "planted model output"'), { name: 'OutputParserException' });
    const error = toProviderError(parse, 'ai-together', config, recorder().logger);
    expect(error.message).toBe('AI provider "ai-together" answered with an error (the answer of model "m" is not the JSON asked for)');
  });

  it("passes on the kernel's own refusal, also when the OpenAI client wrapped it as a connection error", () => {
    const refused = new VvError('VV_OUTBOUND_REFUSED', { params: { destination: 'http://169.254.169.254', reason: 'metadata' } });
    const wrapped = Object.assign(new Error('Connection error.', { cause: refused }), { name: 'APIConnectionError' });
    expect(toProviderError(wrapped, 'ai-openai', config)).toBe(refused);
  });

  it('reports unreachable backends as VV_DEPENDENCY_UNAVAILABLE with the network code', () => {
    const down = Object.assign(new Error('Connection error.', { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) }), {
      name: 'APIConnectionError',
    });
    const error = toProviderError(down, 'ai-openai', config);
    expect(error.code).toBe('VV_DEPENDENCY_UNAVAILABLE');
    expect(error.message).toContain('cannot connect to http://llm.example.test/v1 (ECONNREFUSED)');
  });
});
