import { randomBytes } from 'node:crypto';
import { type Database } from '@valueverse/kernel';
import { openDatabase } from '@valueverse/backend-defaults';
import { startFakeOpenAi, type FakeOpenAi } from '@valueverse/plugin-testing';
import { openSse, type SseClient } from '../../kernel/src/__fixtures__/sse-client';
import { bootHost, signIn } from '../support/host-fixture';
import { describeWithPostgres, postgresUrl, TEST_POSTGRES_URL } from '../support/services';

// The whole value story over HTTP against a host on PostgreSQL: design a model from the driver library, generate
// hypotheses (AI provider on a loopback fake, then none), commit at P80, sign, record actuals over time, watch a
// milestone go at-risk and then missed on the tenant's event stream, and get amplifier recommendations. Then one
// tenant turns value-committer off: its routes and its dependants' routes answer 404 there and only there.
describeWithPostgres('the value lifecycle end to end on PostgreSQL', () => {
  const dbName = `vv_story_${randomBytes(5).toString('hex')}`;
  let admin: Database;
  let host: Awaited<ReturnType<typeof bootHost>>;
  let fake: FakeOpenAi;
  let token: string;
  let stream: SseClient;

  const api = async (method: string, path: string, body?: unknown, tenant?: string) => {
    const headers: Record<string, string> = { authorization: `Bearer ${token}` };
    if (tenant) headers['x-tenant-id'] = tenant;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${host.url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined } as { status: number; body: any }; // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON bodies of many shapes
  };
  const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

  beforeAll(async () => {
    admin = await openDatabase({ url: TEST_POSTGRES_URL, poolMax: 1 });
    await admin.execute(`create database ${dbName}`);
    fake = await startFakeOpenAi({
      reply: () => ({
        json: {
          hypotheses: [
            {
              title: 'Self-serve sandbox',
              statement: 'A self-serve sandbox saves each new customer about 12 hours of setup.',
              driver: { key: 'sandbox_hours_saved', label: 'Sandbox hours saved', unit: 'h/customer', min: 6, typical: 12, max: 20 },
              formula: 'sandbox_hours_saved * loaded_hourly_rate',
              rationale: 'Sandboxes are provisioned by hand today.',
              confidence: 'medium',
            },
          ],
        },
      }),
    });
    // The fake AI server listens on loopback: allowed as an operator with a local AI server would.
    host = await bootHost({ DATABASE_URL: postgresUrl(dbName), VV_ENCRYPTION_KEY: randomBytes(32).toString('base64'), VV_OUTBOUND_ALLOW_PRIVATE: '127.0.0.1/32' });
    token = await signIn(host.url);
    stream = await openSse(`${host.url}/api/v1/events/stream?access_token=${encodeURIComponent(token)}`);
    expect(stream.status).toBe(200);
  }, 90_000);

  afterAll(async () => {
    stream?.close();
    await host?.stop();
    await fake?.close();
    await admin?.execute(`drop database if exists ${dbName} with (force)`);
    await admin?.close();
  }, 30_000);

  let modelId: string;
  let driver: string;
  let commitmentId: string;

  it('starts a model from the industry driver library', async () => {
    const library = await api('GET', '/api/v1/value-models/library?industry=software');
    expect(library.status).toBe(200);
    // Four of the industry's drivers to start; the library suggests the others as hypotheses later.
    const keys = library.body.industries[0].drivers.slice(0, 4).map((d: { key: string }) => d.key);
    const created = await api('POST', '/api/v1/value-models', { name: 'Acme rollout', fromLibrary: { industry: 'software', drivers: keys } });
    expect(created.status).toBe(201);
    modelId = created.body.id;
    driver = created.body.model.drivers[0].name;
    expect(created.body.model.drivers.map((d: { name: string }) => d.name)).toEqual(expect.arrayContaining(keys));
  });

  it('generates hypotheses with the tenant AI provider, then from the library once the provider is off', async () => {
    const on = await api('PUT', '/api/v1/admin/tenants/demo/plugins/ai-openai', {
      enabled: true,
      config: { baseUrl: fake.url, apiKey: 'sk-story', model: 'gpt-test', maxRetries: 0, timeoutMs: 5000 },
    });
    expect(on.status).toBe(200);
    const ai = await api('POST', `/api/v1/value-models/${modelId}/hypotheses`, { count: 2 });
    expect(ai.status).toBe(200);
    if (ai.body.source !== 'ai') throw new Error(`library answered: ${JSON.stringify(ai.body)}`);
    expect(ai.body).toMatchObject({ source: 'ai', provider: 'ai-openai' });
    expect(ai.body.hypotheses[0].title).toBe('Self-serve sandbox');
    expect(fake.requests.length).toBe(1);
    expect(fake.requests[0]!.headers.authorization).toBe('Bearer sk-story');

    expect((await api('PUT', '/api/v1/admin/tenants/demo/plugins/ai-openai', { enabled: false })).status).toBe(200);
    const library = await api('POST', `/api/v1/value-models/${modelId}/hypotheses`, { count: 2 });
    expect(library.status).toBe(200);
    expect(library.body.source).toBe('library');
    expect(library.body.hypotheses.length).toBeGreaterThan(0);
    expect(fake.requests.length).toBe(1);
  });

  it('commits at P80 below the base case and signs', async () => {
    const created = await api('POST', '/api/v1/commitments', {
      modelId,
      title: 'Acme rollout commitment',
      confidence: 0.8,
      trials: 2000,
      seed: 42,
      milestones: [{ id: 'm1', title: 'Adoption', dueDate: day(30), metric: driver, target: 1000 }],
    });
    expect(created.status).toBe(201);
    commitmentId = created.body.id;
    expect(created.body.committedValue).toBeLessThan(created.body.baseValue);
    expect(created.body.simulation.shareAbove).toBeCloseTo(0.8, 2);
    for (const to of ['proposed', 'signed', 'active']) expect((await api('POST', `/api/v1/commitments/${commitmentId}/transitions`, { to })).status).toBe(200);
    expect((await api('PUT', `/api/v1/commitments/${commitmentId}`, { title: 'changed after signing' })).status).toBe(409);
    // The plugins' business counters (coreServices.metrics) on /metrics: the commitment signed, the model created,
    // the model evaluations the commitment's risk adjustment asked the calculation plugin for.
    const metrics = await (await fetch(`${host.url}/metrics`)).text();
    expect(metrics).toMatch(/^vv_value_committer_commitment_events_total\{event="commitment\.signed"\} 1$/m);
    expect(metrics).toMatch(/^vv_value_committer_commitment_events_total\{event="commitment\.created"\} 1$/m);
    expect(metrics).toMatch(/^vv_value_architect_model_events_total\{event="[a-z.-]+"\} [1-9]\d*$/m);
    expect(metrics).toMatch(/^# TYPE vv_calculation_model_evaluations_total counter$/m);
  });

  it('records actuals over time; the trend misses the target: at-risk, then missed at the due date, on the event stream', async () => {
    for (const [offset, value] of [
      [-20, 10],
      [-10, 20],
      [0, 30],
    ] as const) {
      const res = await api('POST', '/api/v1/realization/measurements', { commitmentId, metric: driver, value, measuredAt: day(offset) });
      expect(res.status).toBe(201);
    }
    const atRisk = await stream.next((f) => f.event === 'realization.at-risk', 5000);
    expect(JSON.parse(atRisk.data!)).toMatchObject({ name: 'realization.at-risk', tenantId: 'demo', payload: { commitmentId } });
    const realization = await api('GET', `/api/v1/realization/commitments/${commitmentId}`);
    expect(realization.status).toBe(200);
    expect(realization.body.milestones[0]).toMatchObject({ milestoneId: 'm1', status: 'at-risk', actual: 30 });

    expect((await api('POST', `/api/v1/realization/commitments/${commitmentId}/evaluate`, { asOf: day(31) })).status).toBe(200);
    const missed = await stream.next((f) => f.event === 'milestone.missed', 5000);
    expect(JSON.parse(missed.data!)).toMatchObject({ payload: { commitmentId, milestoneId: 'm1' } });
  });

  it('ranks amplifier recommendations for the commitment', async () => {
    const res = await api('GET', `/api/v1/amplify/commitments/${commitmentId}/recommendations`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ commitmentId, atRisk: true });
    // The measured driver is far below its commitment: it leads the list as an under-realized driver.
    expect(res.body.recommendations[0]).toMatchObject({ rank: 1, kind: 'under-realized', driver: driver });
  });

  it("turning value-committer off for one tenant 404s its and its dependants' routes there only", async () => {
    expect((await api('POST', '/api/v1/admin/tenants', { id: 'other', name: 'Other' })).status).toBe(201);
    for (const plugin of ['value-amplifier']) expect((await api('PUT', `/api/v1/admin/tenants/other/plugins/${plugin}?cascade=true`, { enabled: true })).status).toBe(200);
    const off = await api('PUT', '/api/v1/admin/tenants/demo/plugins/value-committer?cascade=true', { enabled: false });
    expect(off.status).toBe(200);
    expect(off.body.changes.map((c: { pluginId: string }) => c.pluginId).sort()).toEqual(['value-amplifier', 'value-committer', 'value-executor']);
    for (const path of ['/api/v1/commitments', `/api/v1/realization/commitments/${commitmentId}`, `/api/v1/amplify/commitments/${commitmentId}/recommendations`]) {
      const res = await api('GET', path);
      expect(`${path} ${res.status} ${res.body.code}`).toBe(`${path} 404 VV_PLUGIN_NOT_ENABLED`);
      const other = await api('GET', path, undefined, 'other');
      expect(`${path} ${other.status === 404 ? other.body.code : 'served'}`).not.toBe(`${path} VV_PLUGIN_NOT_ENABLED`);
    }
    expect((await api('GET', '/api/v1/commitments', undefined, 'other')).status).toBe(200);
    // The model stays: value-architect does not depend on the committer.
    expect((await api('GET', `/api/v1/value-models/${modelId}`)).status).toBe(200);
  });
});
