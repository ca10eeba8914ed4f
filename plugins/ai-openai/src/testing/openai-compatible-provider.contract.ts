import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { BaseMessageLike } from '@langchain/core/messages';
import {
  aiChatRef,
  coreServices,
  definePlugin,
  isVvError,
  type AiChatProvider,
  type AiUsage,
  type PluginManifest,
  type ServiceProviders,
  type VvError,
} from '@valueverse/plugin-sdk';
import { createTestKernel, startFakeOpenAi, type FakeOpenAi, type FakeOpenAiReply, type FakeOpenAiRequest, type TestKernel } from '@valueverse/plugin-testing';
import type { ProviderDefaults } from '../openai-compatible/provider-config';

export interface OpenAiCompatibleProviderContractOptions {
  /** The plugin folder (with plugin.json and src/index.ts). */
  readonly dir: string;
  /** The defaults the plugin passes to `createOpenAiCompatiblePlugin`, checked against its manifest. */
  readonly defaults: ProviderDefaults;
  readonly apiKeyRequired: boolean;
}

const ACME_KEY = 'sk-acme-contract-secret-0001';
const GLOBEX_KEY = 'sk-globex-contract-secret-0002';

const hypothesesSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['hypotheses'],
  properties: {
    hypotheses: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['driver', 'impact'],
        properties: { driver: { type: 'string' }, impact: { type: 'number', minimum: 0 } },
      },
    },
  },
} as const;
const hypotheses = {
  hypotheses: [
    { driver: 'Reduce churn', impact: 120000 },
    { driver: 'Faster onboarding', impact: 45000 },
  ],
};
const output = { name: 'value_hypotheses', description: 'Value hypotheses for a B2B deal', schema: hypothesesSchema };
const messages: BaseMessageLike[] = [
  ['system', 'You are a value consultant.'],
  ['human', 'Suggest hypotheses for SaaS.'],
];

/** A plugin that uses ai.chat the way a product plugin does, over HTTP, so failures are seen as clients see them. */
const probe = {
  manifest: { id: 'ai-probe', version: '1.0.0', displayName: 'AI probe', kernel: '^1.0.0', main: 'dist/index.js', uses: ['ai.chat'], routes: ['/ai-probe'] },
  providers: undefined as ServiceProviders<AiChatProvider> | undefined,
};
const probePlugin = definePlugin({
  deps: { http: coreServices.http, ai: aiChatRef },
  setup({ http, ai }) {
    probe.providers = ai;
    http.route({
      method: 'POST',
      path: '/ai-probe/hypotheses',
      handler: async (req) => {
        const chosen = await ai.forTenant(req.tenant.id);
        if (!chosen) return { source: 'none' };
        return { source: chosen.pluginId, answer: await chosen.service.invokeStructured(req.tenant.id, [...messages], output) };
      },
    });
  },
});

async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/v1`;
}

async function failure(promise: Promise<unknown>): Promise<VvError> {
  try {
    await promise;
  } catch (error) {
    if (isVvError(error)) return error;
    throw new Error(`expected a VvError, got ${String(error)}`);
  }
  throw new Error('expected the call to fail');
}

/**
 * The behaviour every OpenAI-compatible `ai.chat` provider plugin must show, run against a loopback fake backend:
 * structured output, usage events, error mapping, retries, per-tenant config and secret handling.
 */
export function describeOpenAiCompatibleProvider(options: OpenAiCompatibleProviderContractOptions): void {
  const manifest = JSON.parse(readFileSync(path.join(options.dir, 'plugin.json'), 'utf8')) as PluginManifest;
  const pluginId = manifest.id;

  describe(`ai.chat provider contract: ${pluginId}`, () => {
    let fake: FakeOpenAi;
    let script: (request: FakeOpenAiRequest) => FakeOpenAiReply;
    let k: TestKernel;
    let refusedUrl: string;
    const provider = async (tenant: string): Promise<AiChatProvider> => {
      const chosen = await probe.providers!.forTenant(tenant);
      expect(chosen?.pluginId).toBe(pluginId);
      return chosen!.service;
    };
    const usageEvents = () => k.events.filter((e) => e.name === 'ai.usage');

    beforeAll(async () => {
      fake = await startFakeOpenAi({ reply: (request) => script(request) });
      refusedUrl = await closedPortUrl();
      k = await createTestKernel({
        tenants: ['acme', 'globex', 'initech', 'umbrella'],
        enable: ['ai-probe'],
        // The fake backend listens on loopback: allowed here as an operator would (VV_OUTBOUND_ALLOW_PRIVATE), and
        // only 127.0.0.1, so other loopback addresses stay refused.
        allowPrivateDestinations: '127.0.0.1/32',
        plugins: [{ dir: options.dir }, { manifest: probe.manifest, plugin: probePlugin }],
      });
      // Per-tenant config: acme fails fast; globex retries and uses function calling; initech points at a port
      // nobody listens on; umbrella has the plugin disabled.
      const configs = {
        acme: { baseUrl: fake.url, apiKey: ACME_KEY, maxRetries: 0, timeoutMs: 500 },
        globex: { baseUrl: fake.url, apiKey: GLOBEX_KEY, maxRetries: 1, timeoutMs: 2000, structuredOutput: 'functionCalling' },
        initech: { baseUrl: refusedUrl, apiKey: ACME_KEY, maxRetries: 0 },
      };
      for (const [tenant, config] of Object.entries(configs)) {
        const res = await k.setPlugin(tenant, pluginId, { enabled: true, config });
        expect({ tenant, status: res.status, body: res.body }).toEqual({ tenant, status: 200, body: expect.anything() });
      }
    });
    beforeEach(() => {
      script = (request) => (request.body?.response_format || request.body?.tools ? { json: hypotheses } : { content: 'Hello from the fake' });
      fake.requests.length = 0;
      k.events.length = 0;
    });
    afterAll(async () => {
      await k?.close();
      await fake?.close();
    });

    it('runs, provides ai.chat, and its code defaults equal its manifest defaults', () => {
      const record = k.kernel.plugins().find((p: { id: string }) => p.id === pluginId)!;
      expect(record.state).toBe('running');
      expect(manifest.provides).toEqual(['ai.chat']);
      expect(manifest.permissions).toEqual(expect.arrayContaining(['http.outbound', 'events.publish:ai.*']));
      const properties = manifest.config!.properties!;
      expect({
        baseUrl: properties.baseUrl!.default,
        model: properties.model!.default,
        timeoutMs: properties.timeoutMs!.default,
        maxRetries: properties.maxRetries!.default,
        structuredOutput: properties.structuredOutput!.default,
      }).toEqual({ structuredOutput: 'jsonSchema', ...options.defaults });
      expect(properties.apiKey!['x-secret']).toBe(true);
      expect(properties.apiKey!['x-secret-bound-to']).toEqual(['baseUrl']);
      expect(manifest.outbound?.configFields).toEqual(['baseUrl']);
      expect(manifest.config!.required ?? []).toEqual(options.apiKeyRequired ? ['apiKey'] : []);
    });

    it('returns structured output parsed and validated, asking with response_format json_schema', async () => {
      const answer = await (await provider('acme')).invokeStructured('acme', [...messages], output);
      expect(answer).toEqual(hypotheses);
      expect(fake.requests).toHaveLength(1);
      const body = fake.requests[0]!.body;
      expect(body.model).toBe(manifest.config!.properties!.model!.default);
      expect(body.response_format).toEqual({
        type: 'json_schema',
        json_schema: expect.objectContaining({ name: 'value_hypotheses', schema: expect.objectContaining({ required: ['hypotheses'] }) }),
      });
      expect(body.messages).toEqual([
        { role: 'system', content: 'You are a value consultant.' },
        { role: 'user', content: 'Suggest hypotheses for SaaS.' },
      ]);
    });

    it('asks through a forced tool call when the tenant configures structuredOutput "functionCalling"', async () => {
      const answer = await (await provider('globex')).invokeStructured('globex', [...messages], output);
      expect(answer).toEqual(hypotheses);
      const body = fake.requests[0]!.body;
      expect(body.response_format).toBeUndefined();
      expect(body.tool_choice).toEqual({ type: 'function', function: { name: 'value_hypotheses' } });
      expect(body.tools[0].function.parameters).toEqual(expect.objectContaining({ required: ['hypotheses'] }));
    });

    it('refuses an answer that does not match the schema with VV_UPSTREAM_FAILED, without quoting the answer', async () => {
      script = () => ({ json: { hypotheses: [{ driver: 'Reduce churn', impact: -5, planted_key: 'x' }] } });
      const error = await failure((await provider('acme')).invokeStructured('acme', [...messages], output));
      expect(error.code).toBe('VV_UPSTREAM_FAILED');
      expect(error.message).toContain('does not match the "value_hypotheses" schema');
      expect(error.message).not.toContain('/hypotheses/0');
      expect(error.message).not.toContain('planted_key');
    });

    it('returns plain text from invoke', async () => {
      expect(await (await provider('acme')).invoke('acme', [['human', 'Say hello']])).toBe('Hello from the fake');
    });

    it('publishes one ai.usage event per call with the token counts the backend reported', async () => {
      script = () => ({ json: hypotheses, usage: { prompt_tokens: 321, completion_tokens: 54 } });
      await (await provider('acme')).invokeStructured('acme', [...messages], output);
      expect(usageEvents()).toHaveLength(1);
      const [event] = usageEvents();
      expect(event).toMatchObject({ tenantId: 'acme', source: pluginId });
      expect(event!.payload).toEqual({
        provider: pluginId,
        model: manifest.config!.properties!.model!.default as string,
        promptTokens: 321,
        completionTokens: 54,
        totalTokens: 375,
      } satisfies AiUsage);
    });

    it('reports usage for streaming through chatModel too', async () => {
      script = () => ({ content: 'streamed answer', usage: { prompt_tokens: 7, completion_tokens: 3 } });
      const model = await (await provider('acme')).chatModel('acme');
      let text = '';
      for await (const chunk of await model.stream([['human', 'Stream, please']])) text += String(chunk.content);
      expect(text).toBe('streamed answer');
      expect(fake.requests[0]!.body.stream).toBe(true);
      expect(usageEvents().map((e) => e.payload)).toEqual([expect.objectContaining({ promptTokens: 7, completionTokens: 3, totalTokens: 10 })]);
    });

    it('maps HTTP 500 to VV_UPSTREAM_FAILED naming the provider, never quoting the body, and publishes no usage', async () => {
      script = () => ({ status: 500, error: 'The server had an error' });
      const error = await failure((await provider('acme')).invoke('acme', [['human', 'hi']]));
      expect(error.code).toBe('VV_UPSTREAM_FAILED');
      expect(error.status).toBe(502);
      expect(error.message).toBe(`AI provider "${pluginId}" answered with an error (HTTP 500)`);
      expect(error.extensions).toEqual({ provider: pluginId, upstreamStatus: 500 });
      expect(fake.requests).toHaveLength(1); // acme: maxRetries 0
      expect(usageEvents()).toEqual([]);
    });

    it('maps HTTP 401 to VV_UPSTREAM_FAILED without retrying (retrying cannot fix a key)', async () => {
      script = () => ({ status: 401, error: `Incorrect API key provided: ${GLOBEX_KEY}` });
      const error = await failure((await provider('globex')).invoke('globex', [['human', 'hi']]));
      expect(error.code).toBe('VV_UPSTREAM_FAILED');
      expect(error.message).toContain('rejected the API key (HTTP 401)');
      expect(error.message).not.toContain(GLOBEX_KEY);
      expect(fake.requests).toHaveLength(1);
    });

    it('maps a refused connection to VV_DEPENDENCY_UNAVAILABLE', async () => {
      const error = await failure((await provider('initech')).invoke('initech', [['human', 'hi']]));
      expect(error.code).toBe('VV_DEPENDENCY_UNAVAILABLE');
      expect(error.message).toContain(`cannot connect to ${refusedUrl}`);
      expect(error.message).toContain('ECONNREFUSED');
    });

    it('maps a timeout to VV_DEPENDENCY_UNAVAILABLE after the configured time', async () => {
      script = () => ({ content: 'too late', delayMs: 10_000 });
      const started = Date.now();
      const error = await failure((await provider('acme')).invoke('acme', [['human', 'hi']]));
      expect(error.code).toBe('VV_DEPENDENCY_UNAVAILABLE');
      expect(error.message).toContain('did not answer within 500 ms');
      // Far below the 10 s answer: the provider gave up instead of waiting for it.
      expect(Date.now() - started).toBeLessThan(6000);
    });

    it('retries a failed attempt with backoff and returns the answer of the retry', async () => {
      script = (request) => (request.index === 0 ? { status: 503, error: 'overloaded' } : { content: 'second time lucky' });
      expect(await (await provider('globex')).invoke('globex', [['human', 'hi']])).toBe('second time lucky');
      expect(fake.requests).toHaveLength(2);
      // LangChain's exponential backoff waits at least a second before the first retry.
      expect(fake.requests[1]!.receivedAt - fake.requests[0]!.receivedAt).toBeGreaterThanOrEqual(900);
    }, 15_000);

    it('answers clients 502 problem+json VV_UPSTREAM_FAILED when the backend fails, without its body or the key', async () => {
      script = () => ({ status: 502, error: `upstream broke for ${ACME_KEY}` });
      const res = await k.request('POST', '/api/v1/ai-probe/hypotheses', { tenant: 'acme', body: {}, role: 'member' });
      expect(res.status).toBe(502);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(res.body.code).toBe('VV_UPSTREAM_FAILED');
      expect(JSON.stringify(res.body)).not.toContain(ACME_KEY);
      expect(JSON.stringify(res.body)).not.toContain('upstream broke');
      script = () => ({ json: hypotheses });
      const ok = await k.request('POST', '/api/v1/ai-probe/hypotheses', { tenant: 'acme', body: {} });
      expect(ok.body).toEqual({ source: pluginId, answer: hypotheses });
    });

    it("sends each tenant's API key as the bearer token, and never shows it in the admin API", async () => {
      await (await provider('acme')).invoke('acme', [['human', 'hi']]);
      await (await provider('globex')).invoke('globex', [['human', 'hi']]);
      expect(fake.requests.map((r) => r.headers.authorization)).toEqual([`Bearer ${ACME_KEY}`, `Bearer ${GLOBEX_KEY}`]);

      const res = await k.request('GET', '/api/v1/admin/tenants/acme/plugins', { role: 'platform-admin', tenant: 'acme' });
      expect(res.status).toBe(200);
      const entry = res.body.items.find((p: { pluginId: string }) => p.pluginId === pluginId);
      expect(entry.config.apiKey).toBe('••••');
      expect(entry.config.baseUrl).toBe(fake.url);
      expect(JSON.stringify(res.body)).not.toContain(ACME_KEY);
    });

    it("builds a new model when the tenant's config changes, keeping the stored key when the mask is sent back", async () => {
      const before = await (await provider('acme')).chatModel('acme');
      expect(await (await provider('acme')).chatModel('acme')).toBe(before);
      const config = { baseUrl: fake.url, apiKey: '••••', maxRetries: 0, timeoutMs: 500, model: 'other-model' };
      expect((await k.setPlugin('acme', pluginId, { config })).status).toBe(200);
      await (await provider('acme')).invoke('acme', [['human', 'hi']]);
      expect(await (await provider('acme')).chatModel('acme')).not.toBe(before);
      expect(fake.requests[0]!.body.model).toBe('other-model');
      expect(fake.requests[0]!.headers.authorization).toBe(`Bearer ${ACME_KEY}`);
    });

    it('refuses a tenant admin who moves baseUrl while sending the key back as the mask (VV_SECRET_REQUIRED)', async () => {
      const listener = await startFakeOpenAi({ reply: () => ({ status: 500, error: 'listener body' }) });
      try {
        for (const config of [{ baseUrl: listener.url, apiKey: '••••' }, { baseUrl: listener.url }]) {
          const res = await k.request('PUT', `/api/v1/admin/tenants/acme/plugins/${pluginId}`, { tenant: 'acme', role: 'tenant-admin', body: { config } });
          expect(res.status).toBe(422);
          expect(res.body).toMatchObject({ code: 'VV_SECRET_REQUIRED', errors: [{ pointer: '/apiKey', in: 'config' }] });
        }
        await (await provider('acme')).invoke('acme', [['human', 'hi']]);
        expect(listener.requests).toEqual([]);
        expect(fake.requests.map((r) => r.headers.authorization)).toEqual([`Bearer ${ACME_KEY}`]);
      } finally {
        await listener.close();
      }
    });

    it.each([
      ['the metadata address', 'http://169.254.169.254/v1', 'is a metadata address'],
      ['a link-local address', 'http://169.254.1.1/v1', 'is a link-local address'],
      ['a loopback address the operator did not allow', 'http://127.0.0.2:8080/v1', 'is a loopback address, which this deployment does not allow'],
      ['a private address', 'http://10.1.2.3/v1', 'is a private address'],
      ['IPv6 loopback', 'http://[::1]:9/v1', 'is a loopback address'],
      ['the metadata address written as IPv4-mapped IPv6', 'http://[::ffff:169.254.169.254]/v1', 'is a metadata address'],
      ['the metadata address written as a number', 'http://2852039166/v1', 'is a metadata address'],
    ])('refuses to save a baseUrl at %s (VV_OUTBOUND_REFUSED naming the field)', async (_name, baseUrl, reason) => {
      const res = await k.setPlugin('acme', pluginId, { config: { baseUrl, apiKey: 'sk-new-key-0003', maxRetries: 0, timeoutMs: 500 } });
      expect(res.status).toBe(422);
      expect(res.body).toMatchObject({ code: 'VV_OUTBOUND_REFUSED', errors: [{ pointer: '/baseUrl', in: 'config', message: expect.stringContaining(reason) }] });
      const list = await k.request('GET', '/api/v1/admin/tenants/acme/plugins', { role: 'platform-admin', tenant: 'acme' });
      expect(list.body.items.find((p: { pluginId: string }) => p.pluginId === pluginId).config.baseUrl).toBe(fake.url);
    });

    it('is not offered to a tenant that has not enabled it', async () => {
      expect(await probe.providers!.forTenant('umbrella')).toBeUndefined();
      const res = await k.request('POST', '/api/v1/ai-probe/hypotheses', { tenant: 'umbrella', body: {} });
      expect(res.body).toEqual({ source: 'none' });
    });

    it(options.apiKeyRequired ? 'refuses to be enabled without an API key (VV_CONFIG_INVALID)' : 'works without an API key', async () => {
      const res = await k.setPlugin('umbrella', pluginId, { enabled: true, config: { baseUrl: fake.url } });
      if (options.apiKeyRequired) {
        expect(res.status).toBe(422);
        expect(res.body.code).toBe('VV_CONFIG_INVALID');
        return;
      }
      expect(res.status).toBe(200);
      expect(await (await provider('umbrella')).invoke('umbrella', [['human', 'hi']])).toBe('Hello from the fake');
      expect(fake.requests[0]!.headers.authorization).toBe('Bearer no-key');
    });
  });
}
