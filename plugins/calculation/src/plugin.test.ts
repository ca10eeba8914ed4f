import { isVvPlugin, type RouteDefinition } from '@valueverse/plugin-sdk';
import { checkManifest } from '@valueverse/plugin-testing';
import manifest from '../plugin.json';
import type { CalculationService } from './calculation-api';
import { heavyModel } from './compute/__fixtures__/heavy-model';
import { calculationRef, plugin } from './index';

describe('calculation plugin', () => {
  it('has a manifest that satisfies the strict manifest schema', () => {
    expect(() => checkManifest(manifest)).not.toThrow();
    expect(manifest).toMatchObject({ id: 'calculation', provides: [calculationRef.id], routes: ['/calculate'], main: 'dist/index.js' });
    expect(manifest.config.properties.computeBudgetMs).toMatchObject({ type: 'integer', minimum: 100, maximum: 60000, default: 10000 });
  });

  it('exports a plugin that depends on the HTTP router, its config (compute budget), the request context, its business counters, events, logger and metadata (is platform metering on) only', () => {
    expect(isVvPlugin(plugin)).toBe(true);
    expect(Object.keys(plugin.deps)).toEqual(['http', 'config', 'context', 'metrics', 'events', 'logger', 'metadata']);
    expect(calculationRef.id).toBe('calculation');
  });

  it('budgets a call from another plugin with the tenant of the request being served, or the one it names', async () => {
    let service: CalculationService | undefined;
    const budgets: Record<string, Record<string, unknown>> = { acme: { computeBudgetMs: 100 }, globex: { computeBudgetMs: 60_000 } };
    let current: string | undefined = 'acme';
    await plugin.setup(
      {
        http: { route: (_: RouteDefinition) => undefined },
        config: { forTenant: async (tenantId: string) => budgets[tenantId] ?? {} },
        context: { current: () => (current ? { requestId: 'r1', tenant: { id: current, name: current }, user: { id: 'u1', role: 'member', kind: 'user' } } : undefined) },
        metrics: { counter: () => ({ inc: () => undefined }) },
        metadata: { id: 'calculation', version: '0.0.0', platformMetering: false },
      },
      { provide: (_ref, implementation) => void (service = implementation as CalculationService), privacy: () => undefined, onReseal: () => undefined },
    );
    try {
      // 49 evaluations of a 1,000-term formula over 600 periods: estimated over 100 ms, refused before any work.
      const request = { model: heavyModel({ formulas: 1, terms: 1000 }) };
      await expect(service!.sensitivity(request)).rejects.toMatchObject({ code: 'VV_COMPUTE_BUDGET_EXCEEDED', extensions: { budget: { valueMs: 100 } } });
      current = undefined;
      await expect(service!.sensitivity(request, { tenantId: 'acme' })).rejects.toMatchObject({ extensions: { budget: { valueMs: 100 } } });
      // Outside any request and with no tenant named: the default budget, which this fits.
      await expect(service!.sensitivity({ ...request, drivers: ['d0'] })).resolves.toMatchObject({ metric: 'npv' });
    } finally {
      await plugin.stop?.();
    }
  }, 60_000);
});
