import type { EventEnvelope } from '@valueverse/plugin-sdk';
import { createKernelLogger } from '../observability/kernel-logger';
import { PlatformMeter, type PlatformUsage } from './platform-meter';

const event = (name: string, tenantId: string, payload: unknown): EventEnvelope => ({
  id: `e-${Math.random()}`,
  name,
  tenantId,
  source: 'p',
  occurredAt: new Date().toISOString(),
  payload,
});

describe('PlatformMeter', () => {
  const logger = createKernelLogger({ level: 'silent' });
  let published: { name: string; tenantId: string; payload: PlatformUsage }[];
  let failing: boolean;
  const meter = () =>
    new PlatformMeter(
      { tenantId: 'operator' },
      async (name, tenantId, payload) => {
        if (failing) throw new Error('bus down');
        published.push({ name, tenantId, payload });
      },
      logger,
      'instance-1',
    );
  beforeEach(() => {
    published = [];
    failing = false;
  });

  it('counts requests, AI tokens and trials per tenant and publishes one window in the operator tenant', async () => {
    const m = meter();
    for (let i = 0; i < 5; i++) m.request('acme');
    m.request('globex');
    m.observe(event('ai.usage', 'acme', { provider: 'openai', model: 'gpt', promptTokens: 10, completionTokens: 5, totalTokens: 15 }));
    m.observe(event('ai.usage', 'acme', { totalTokens: 100 }));
    m.observe(event('calculation.trials', 'globex', { trials: 10_000 }));
    // Not usage: other events, and payloads without a positive finite count.
    m.observe(event('commitment.signed', 'acme', { trials: 5 }));
    m.observe(event('ai.usage', 'acme', { totalTokens: -3 }));
    m.observe(event('calculation.trials', 'acme', { trials: 'many' }));
    const window = await m.flush(new Date('2026-01-01T00:01:00Z'));
    expect(published).toHaveLength(1);
    expect(published[0]).toMatchObject({ name: 'platform.usage', tenantId: 'operator' });
    expect(window).toMatchObject({ instanceId: 'instance-1', window: 1, to: '2026-01-01T00:01:00.000Z' });
    expect(window!.tenants).toEqual([
      { tenantId: 'acme', apiRequests: 5, aiTokens: 115, monteCarloTrials: 0 },
      { tenantId: 'globex', apiRequests: 1, aiTokens: 0, monteCarloTrials: 10_000 },
    ]);
  });

  it('publishes nothing for an empty window, and numbers windows so each has a stable id', async () => {
    const m = meter();
    expect(await m.flush()).toBeUndefined();
    m.request('acme');
    expect((await m.flush())!.window).toBe(1);
    m.request('acme');
    const second = await m.flush();
    expect(second).toMatchObject({ window: 2, tenants: [{ tenantId: 'acme', apiRequests: 1 }] });
    expect(second!.from).toBe(published[0]!.payload.to);
  });

  it('keeps a window whose publication failed and adds it to the next one', async () => {
    const m = meter();
    m.request('acme');
    m.request('acme');
    failing = true;
    expect(await m.flush()).toBeUndefined();
    failing = false;
    m.request('acme');
    expect((await m.flush())!.tenants).toEqual([{ tenantId: 'acme', apiRequests: 3, aiTokens: 0, monteCarloTrials: 0 }]);
  });
});
