/**
 * Issue #10 finding 4, as the review ran it: a tenant admin (and its API key) pointed ai-openai's baseUrl at a
 * listener while keeping the platform-set apiKey as "••••"; a member's hypotheses call then sent the key there, the
 * listener's 500 body came back in `fallbackReason`, and http://169.254.169.254/ was accepted as a baseUrl.
 * Real kernel, real HTTP, the real ai-openai and value-architect plugins, loopback servers for the provider and the
 * listener (allowed by the operator, as a deployment with a local AI server would).
 */
import path from 'node:path';
import { createTestKernel, startFakeOpenAi, type FakeOpenAi, type TestKernel } from '@valueverse/plugin-testing';
import { helpdeskModel } from '../../plugins/value-architect/src/__fixtures__/helpdesk-model';

const plugins = ['calculation', 'value-architect', 'ai-openai'].map((id) => ({ dir: path.resolve(__dirname, '../../plugins', id) }));
const PLATFORM_KEY = 'sk-platform-set-secret-7f3a9c';
const TENANT_KEY = 'sk-tenant-own-key-1b2c3d';
const LISTENER_BODY = 'listener-body-must-never-be-reflected-42';

const hypothesis = {
  title: 'Faster ticket triage',
  statement: 'Auto-triage saves each agent about 20 hours a year.',
  driver: { key: 'triage_hours_saved', label: 'Triage hours saved', unit: 'h/person-year', min: 10, typical: 20, max: 40 },
  formula: 'triage_hours_saved * users * loaded_hourly_rate',
  rationale: 'Agents route tickets by hand today.',
  confidence: 'medium',
};

describe('a stored provider key cannot be sent anywhere (issue #10, finding 4)', () => {
  let k: TestKernel;
  let provider: FakeOpenAi;
  let listener: FakeOpenAi;
  let modelId: string;
  let noIndustryModelId: string;
  let tenantAdminKey: string;
  const resolved: Record<string, string> = { 'metadata.attacker.test': '169.254.169.254', 'intranet.attacker.test': '10.0.0.7' };

  const asTenantAdmin = (body: unknown, viaApiKey = false) =>
    k.request('PUT', '/api/v1/admin/tenants/acme/plugins/ai-openai', viaApiKey ? { token: null, headers: { 'x-api-key': tenantAdminKey }, body } : { role: 'tenant-admin', body });
  const memberHypotheses = (id = modelId) => k.request('POST', `/api/v1/value-models/${id}/hypotheses`, { role: 'member', body: { count: 2 } });
  const everything = (res: { body: unknown; headers: Headers }) => JSON.stringify(res.body) + JSON.stringify([...res.headers]);

  beforeAll(async () => {
    provider = await startFakeOpenAi({ reply: () => ({ json: { hypotheses: [hypothesis] } }) });
    listener = await startFakeOpenAi({ reply: () => ({ status: 500, error: LISTENER_BODY }) });
    k = await createTestKernel({
      plugins,
      allowPrivateDestinations: '127.0.0.1/32',
      resolveHost: async (name) => (resolved[name] ? [{ address: resolved[name]!, family: 4 }] : []),
      // The platform admin configures the provider with the platform's key.
      config: { 'ai-openai': { baseUrl: provider.url, apiKey: PLATFORM_KEY, model: 'gpt-test', maxRetries: 0, timeoutMs: 5000 } },
    });
    const created = await k.request('POST', '/api/v1/value-models', { role: 'member', body: { name: 'Helpdesk', industry: 'software', model: helpdeskModel } });
    expect(created.status).toBe(201);
    modelId = created.body.id;
    const bare = await k.request('POST', '/api/v1/value-models', { role: 'member', body: { name: 'No industry', model: helpdeskModel } });
    noIndustryModelId = bare.body.id;
    const key = await k.request('POST', '/api/v1/admin/tenants/acme/api-keys', { role: 'tenant-admin', body: { name: 'automation', role: 'tenant-admin' } });
    expect(key.status).toBe(201);
    tenantAdminKey = key.body.key;
  }, 60_000);
  afterAll(async () => {
    await k?.close();
    await provider?.close();
    await listener?.close();
  });
  beforeEach(() => {
    provider.requests.length = 0;
    listener.requests.length = 0;
  });

  it('refuses to move baseUrl while keeping the platform-set key as "••••" (tenant admin and its API key): 422 VV_SECRET_REQUIRED', async () => {
    for (const viaApiKey of [false, true]) {
      for (const config of [
        { baseUrl: listener.url, apiKey: '••••', model: 'gpt-test', maxRetries: 0, timeoutMs: 5000 },
        { baseUrl: listener.url, model: 'gpt-test', maxRetries: 0, timeoutMs: 5000 },
        // Leaving baseUrl out moves it too: to the default, https://api.openai.com/v1.
        { apiKey: '••••', model: 'gpt-test' },
      ]) {
        const res = await asTenantAdmin({ config }, viaApiKey);
        expect({ viaApiKey, config, status: res.status, code: res.body.code }).toEqual({ viaApiKey, config, status: 422, code: 'VV_SECRET_REQUIRED' });
        expect(res.body.errors).toEqual([expect.objectContaining({ pointer: '/apiKey', in: 'config' })]);
      }
    }
    const res = await memberHypotheses();
    expect(res.body).toMatchObject({ source: 'ai', provider: 'ai-openai' });
    expect(listener.requests).toEqual([]);
    expect(provider.requests.map((r) => r.headers.authorization)).toEqual([`Bearer ${PLATFORM_KEY}`]);
    // Other fields may still change with the mask: the key stays where it was.
    expect((await asTenantAdmin({ config: { baseUrl: provider.url, apiKey: '••••', model: 'gpt-other', maxRetries: 0, timeoutMs: 5000 } })).status).toBe(200);
  });

  it('refuses http://169.254.169.254/ (and its disguises) as a baseUrl when saved: 422 VV_OUTBOUND_REFUSED naming the field', async () => {
    for (const baseUrl of ['http://169.254.169.254/', 'http://169.254.169.254/latest/meta-data', 'http://[::ffff:a9fe:a9fe]/', 'http://0xa9fea9fe/']) {
      const res = await asTenantAdmin({ config: { baseUrl, apiKey: TENANT_KEY } });
      expect({ baseUrl, status: res.status, code: res.body.code }).toEqual({ baseUrl, status: 422, code: 'VV_OUTBOUND_REFUSED' });
      expect(res.body.errors).toEqual([expect.objectContaining({ pointer: '/baseUrl', in: 'config', message: expect.stringContaining('metadata address') })]);
    }
  });

  it("sends a new key to a new destination, and never reflects that destination's body to the member", async () => {
    const moved = await asTenantAdmin({ config: { baseUrl: listener.url, apiKey: TENANT_KEY, model: 'gpt-test', maxRetries: 0, timeoutMs: 5000 } });
    expect(moved.status).toBe(200);
    const res = await memberHypotheses();
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ source: 'library', provider: null, fallbackReason: 'ai-openai failed: VV_UPSTREAM_FAILED' });
    expect(everything(res)).not.toContain(LISTENER_BODY);
    // The listener got the tenant's own key, never the platform's.
    expect(listener.requests.map((r) => r.headers.authorization)).toEqual([`Bearer ${TENANT_KEY}`]);
    expect(provider.requests).toEqual([]);
    // With no library industry to fall back to, the failure itself is answered: by code, without the body.
    const bare = await memberHypotheses(noIndustryModelId);
    expect(bare.status).toBe(502);
    expect(bare.body.code).toBe('VV_UPSTREAM_FAILED');
    expect(everything(bare)).not.toContain(LISTENER_BODY);
  });

  it('refuses, when called, a host name that resolves to the metadata service or a private address', async () => {
    for (const [name, address] of Object.entries(resolved)) {
      const saved = await asTenantAdmin({ config: { baseUrl: `http://${name}/v1`, apiKey: TENANT_KEY, model: 'gpt-test', maxRetries: 0, timeoutMs: 5000 } });
      expect(saved.status).toBe(200); // names are resolved when called: DNS answers change
      const res = await memberHypotheses();
      expect(res.body).toMatchObject({ source: 'library', fallbackReason: 'ai-openai failed: VV_OUTBOUND_REFUSED' });
      const bare = await memberHypotheses(noIndustryModelId);
      expect(bare.status).toBe(422);
      expect(bare.body).toMatchObject({ code: 'VV_OUTBOUND_REFUSED', detail: expect.stringContaining(`resolves to ${address}`) });
    }
    expect(listener.requests).toEqual([]);
    expect(provider.requests).toEqual([]);
  });
});
