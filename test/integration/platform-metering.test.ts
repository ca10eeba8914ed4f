import path from 'node:path';
import { createTestKernel, type TestKernel } from '@valueverse/plugin-testing';
import type { EventEnvelope } from '@valueverse/plugin-sdk';
import { createBillingPlugin } from '@valueverse/plugin-billing';
import billingManifest from '../../plugins/billing/plugin.json';
import { sampleModel } from '../../plugins/calculation/src/model/__fixtures__/sample-model';

// Issue #17 item 8: the kernel's own usage (API requests, AI tokens, Monte Carlo trials per tenant) is counted in
// memory, flushed as `platform.usage` events in the operator's tenant, and metered there by the billing plugin, so
// the operator bills its tenants with it. Each window is counted once however often it is delivered.

describe('platform metering: the kernel meters its tenants, the operator bills them', () => {
  let k: TestKernel;
  const operator = (method: string, p: string, body?: unknown) => k.request(method, `/api/v1/billing${p}`, { tenant: 'operator', body });

  beforeAll(async () => {
    k = await createTestKernel({
      plugins: [
        { dir: path.resolve(__dirname, '../../plugins/calculation') },
        { manifest: billingManifest, plugin: createBillingPlugin({ closeSchedule: { everyMs: 86_400_000 * 365 } }), dir: path.resolve(__dirname, '../../plugins/billing') },
      ],
      tenants: ['operator', 'acme', 'globex'],
      // Flushed by the test, not by the clock.
      platformMetering: { tenantId: 'operator', flushEveryMs: 3_600_000 },
    });
  }, 60_000);
  afterAll(() => k?.close());

  const summary = async (customerId: string, metric: string) => {
    const from = new Date(Date.now() - 86_400_000).toISOString();
    const to = new Date(Date.now() + 3_600_000).toISOString();
    const res = await operator('GET', `/usage/summary?customerId=${customerId}&metric=${metric}&from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}&granularity=day`);
    expect(res.status).toBe(200);
    return res.body as { total?: number | string; buckets?: { value: number | string }[] };
  };
  const totalOf = (s: { total?: number | string; buckets?: { value: number | string }[] }) => Number(s.total ?? (s.buckets ?? []).reduce((sum, b) => sum + Number(b.value), 0));

  it('counts requests, AI tokens and trials per tenant and meters them once in the operator tenant', async () => {
    // What was counted while the kernel booted goes out first (metered for nobody: no customers yet).
    await k.kernel.platformMeter!.flush();
    // The operator's set-up: a customer per tenant it bills (acme only), and the platform metrics it charges for.
    expect((await operator('POST', '/customers', { externalId: 'acme', name: 'Acme', currency: 'USD' })).status).toBe(201);
    for (const code of ['platform_api_requests', 'platform_ai_tokens', 'platform_mc_trials']) {
      expect((await operator('POST', '/metrics', { code, name: code, aggregation: 'sum', field: 'quantity' })).status).toBe(201);
    }
    const windows: EventEnvelope[] = [];
    k.kernel.events.subscribe('platform.usage', (e) => void windows.push(e), 'test', { kernelEvents: true });

    // acme: 7 requests, one of them a 2,000-trial simulation; an AI provider reports 1,234 tokens. globex: 3 requests.
    for (let i = 0; i < 6; i++) expect((await k.request('GET', '/api/v1/billing/customers', { tenant: 'acme' })).status).toBe(200);
    expect((await k.request('POST', '/api/v1/calculate/simulate', { tenant: 'acme', body: { model: sampleModel, trials: 2000, seed: 7 } })).status).toBe(200);
    for (let i = 0; i < 3; i++) await k.request('GET', '/api/v1/billing/plans', { tenant: 'globex' });
    await k.kernel.events.publish({
      id: 'ai-1',
      name: 'ai.usage',
      tenantId: 'acme',
      source: 'ai-openai',
      occurredAt: new Date().toISOString(),
      payload: { provider: 'openai', model: 'gpt-4o', promptTokens: 1000, completionTokens: 234, totalTokens: 1234 },
    });
    // The trials event is published after the simulation answered.
    await new Promise((resolve) => setTimeout(resolve, 100));

    const window = await k.kernel.platformMeter!.flush();
    expect(window!.tenants).toEqual(
      expect.arrayContaining([
        { tenantId: 'acme', apiRequests: 7, aiTokens: 1234, monteCarloTrials: 2000 },
        { tenantId: 'globex', apiRequests: 3, aiTokens: 0, monteCarloTrials: 0 },
      ]),
    );
    expect(windows.map((e) => e.tenantId)).toEqual(['operator']);

    // Metered in the operator's billing: acme's usage (globex is no customer there, so it is not billed).
    let requests = 0;
    for (let i = 0; i < 50 && requests === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      requests = totalOf(await summary('acme', 'platform_api_requests'));
    }
    expect(requests).toBe(7);
    expect(totalOf(await summary('acme', 'platform_ai_tokens'))).toBe(1234);
    expect(totalOf(await summary('acme', 'platform_mc_trials'))).toBe(2000);

    // The same window delivered again (each instance delivers it; a transport may repeat it): counted once.
    await k.kernel.events.publish({ ...windows[0]!, id: 'again' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(totalOf(await summary('acme', 'platform_api_requests'))).toBe(7);
  }, 60_000);
});

describe('platform metering off', () => {
  let k: TestKernel;
  beforeAll(async () => {
    k = await createTestKernel({ plugins: [{ dir: path.resolve(__dirname, '../../plugins/calculation') }], tenants: ['acme'] });
  }, 60_000);
  afterAll(() => k?.close());

  it('publishes no calculation.trials after a Monte Carlo run (nothing would meter them)', async () => {
    const trials: EventEnvelope[] = [];
    k.kernel.events.subscribe('calculation.trials', (e) => void trials.push(e), 'test');
    expect(k.kernel.platformMeter).toBeUndefined();
    expect((await k.request('POST', '/api/v1/calculate/simulate', { tenant: 'acme', body: { model: sampleModel, trials: 2000, seed: 7 } })).status).toBe(200);
    // The event would be published after the simulation answered.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(trials).toEqual([]);
  }, 60_000);
});
