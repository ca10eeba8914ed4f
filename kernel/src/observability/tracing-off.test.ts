import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';

/**
 * Tracing off costs a request nothing (issue #21, "tracing off adds < 2%"): the kernel decides when it is built, and
 * with tracing off not one call reaches OpenTelemetry's API while requests are served (sign-in, a plugin's route, a
 * kernel route, an error, an event published). With tracing on, the same requests do call it: the counting works.
 * Each case loads the kernel afresh (`otel()` decides once per process), with every function of the API's
 * `context`, `trace` and `propagation` counted.
 */
async function apiCallsServing(env: { VV_TRACING?: string }): Promise<{ calls: number; statuses: number[] }> {
  const saved = process.env.VV_TRACING;
  if (env.VV_TRACING === undefined) delete process.env.VV_TRACING;
  else process.env.VV_TRACING = env.VV_TRACING;
  try {
    let calls = 0;
    let counting = false;
    let result: Promise<{ calls: number; statuses: number[] }> | undefined;
    jest.isolateModules(() => {
      /* eslint-disable @typescript-eslint/no-require-imports -- a fresh kernel per case, after VV_TRACING is set */
      const api = require('@opentelemetry/api') as typeof import('@opentelemetry/api');
      for (const facade of [api.context, api.trace, api.propagation] as unknown as Record<string, unknown>[]) {
        let target: object | null = facade;
        const names = new Set<string>();
        while (target && target !== Object.prototype) {
          for (const name of Object.getOwnPropertyNames(target)) if (name !== 'constructor') names.add(name);
          target = Object.getPrototypeOf(target) as object | null;
        }
        for (const name of names) {
          const original = facade[name];
          if (typeof original !== 'function') continue;
          facade[name] = function counted(this: unknown, ...args: unknown[]) {
            if (counting) calls += 1;
            return (original as (...a: unknown[]) => unknown).apply(this, args);
          };
        }
      }
      const { coreServices, definePlugin } = require('@valueverse/plugin-sdk') as typeof import('@valueverse/plugin-sdk');
      const { manifest } = require('../__fixtures__/kernel-test-support') as typeof import('../__fixtures__/kernel-test-support');
      const { createKernel } = require('../kernel') as typeof import('../kernel');
      const { createKernelLogger } = require('./kernel-logger') as typeof import('./kernel-logger');
      const { MemoryKernelStore } = require('../tenancy/memory-kernel-store') as typeof import('../tenancy/memory-kernel-store');
      const { SecretBox } = require('../tenancy/secret-box') as typeof import('../tenancy/secret-box');
      // The kernel asks whether to trace (and loads the API, with tracing on) here, inside this case's module registry,
      // as the host does before it builds the kernel.
      const traced = (require('./tracing') as typeof import('./tracing')).otel();
      if (traced !== undefined && traced.context !== api.context) throw new Error('the kernel loaded another copy of the API');
      /* eslint-enable @typescript-eslint/no-require-imports */
      result = (async () => {
        const store = new MemoryKernelStore();
        await store.createTenant({ id: 'acme', name: 'Acme' });
        const probe = definePlugin({
          deps: { http: coreServices.http, events: coreServices.events },
          setup({ http, events }) {
            http.route({
              method: 'POST',
              path: '/probe/run',
              handler: async (req) => {
                await events.publish('probe.ran', req.tenant.id, { ok: true });
                return { ok: true };
              },
            });
            http.route({ method: 'GET', path: '/probe/fail', handler: () => Promise.reject(new Error('boom')) });
          },
        });
        const kernel = await createKernel({
          store,
          secrets: new SecretBox(randomBytes(32)),
          logger: createKernelLogger({ level: 'silent' }),
          plugins: [{ manifest: manifest('probe', { routes: ['/probe'], permissions: ['events.publish:probe.*'] }), plugin: probe }],
        });
        try {
          await kernel.pluginSets.change('acme', 'probe', { enabled: true }, { cascade: false });
          const url = `http://127.0.0.1:${((await kernel.listen(0)).address() as AddressInfo).port}`;
          const token = await kernel.tokens.issue({ sub: 'u1', tid: 'acme', role: 'member', pa: false });
          const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
          const statuses: number[] = [];
          counting = true;
          for (let i = 0; i < 5; i++) {
            for (const [method, path] of [
              ['POST', '/api/v1/probe/run'],
              ['GET', '/api/v1/probe/fail'],
              ['GET', '/api/v1/me'],
              ['GET', '/api/v1/nowhere'],
            ] as const) {
              const response = await fetch(`${url}${path}`, { method, headers, ...(method === 'POST' ? { body: '{}' } : {}) });
              await response.arrayBuffer();
              statuses.push(response.status);
            }
          }
          counting = false;
          return { calls, statuses };
        } finally {
          await kernel.close({ drainMs: 1000 });
        }
      })();
    });
    return await result!;
  } finally {
    if (saved === undefined) delete process.env.VV_TRACING;
    else process.env.VV_TRACING = saved;
  }
}

describe('tracing off', () => {
  it('serves requests without one call into OpenTelemetry; tracing on, the same requests call it', async () => {
    const off = await apiCallsServing({});
    // The requests did what they should (a plugin route, its failure, a kernel route, an unknown path).
    expect(off.statuses.slice(0, 4)).toEqual([200, 500, 200, 404]);
    expect(off.calls).toBe(0);
    const on = await apiCallsServing({ VV_TRACING: 'on' });
    expect(on.statuses).toEqual(off.statuses);
    expect(on.calls).toBeGreaterThanOrEqual(on.statuses.length);
  }, 30_000);
});
