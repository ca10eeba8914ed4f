import type { PluginRecord } from '../lifecycle/plugin-state';
import { Readiness, type ReadinessCheck } from './readiness';

const plugin = (id: string, state: PluginRecord['state']): PluginRecord =>
  ({ id, state, since: '2026-01-01T00:00:00.000Z', manifest: { id, version: '1.0.0', displayName: id, kernel: '^1.0.0', main: 'x' } }) as PluginRecord;

describe('Readiness', () => {
  const running = [plugin('a', 'running'), plugin('b', 'running')];

  it('is ready (200) when every dependency answers and every plugin runs', async () => {
    const readiness = new Readiness([
      { name: 'database', required: true, probe: () => true },
      { name: 'redis', required: false, probe: () => true },
    ]);
    expect(await readiness.report(running, false)).toEqual({ httpStatus: 200, status: 'ready', dependencies: { database: 'ok', redis: 'ok' }, notRunning: [] });
  });

  it('is degraded (200) with an optional dependency down or a plugin not running, naming them', async () => {
    const redisDown = new Readiness([
      { name: 'database', required: true, probe: () => true },
      { name: 'redis', required: false, probe: () => false },
    ]);
    expect(await redisDown.report(running, false)).toMatchObject({ httpStatus: 200, status: 'degraded', dependencies: { redis: 'unavailable' } });
    const failedPlugin = new Readiness([]);
    expect(await failedPlugin.report([plugin('a', 'running'), plugin('b', 'failed'), plugin('c', 'blocked')], false)).toEqual({
      httpStatus: 200,
      status: 'degraded',
      dependencies: {},
      notRunning: ['b', 'c'],
    });
  });

  it('is unavailable (503) when a required dependency throws or does not answer in time, and draining wins', async () => {
    const throwing = new Readiness([{ name: 'database', required: true, probe: () => Promise.reject(new Error('ECONNREFUSED')) }]);
    expect(await throwing.report(running, false)).toMatchObject({ httpStatus: 503, status: 'unavailable', dependencies: { database: 'unavailable' } });
    const hanging = new Readiness([{ name: 'database', required: true, probe: () => new Promise<boolean>(() => undefined) }], { timeoutMs: 50 });
    expect(await hanging.report(running, false)).toMatchObject({ httpStatus: 503, status: 'unavailable' });
    expect(await hanging.report(running, true)).toMatchObject({ httpStatus: 503, status: 'draining' });
  });

  it('probes once per cache period, shared by concurrent callers', async () => {
    let now = 0;
    let probes = 0;
    const check: ReadinessCheck = { name: 'database', required: true, probe: async () => (probes += 1) > 0 };
    const readiness = new Readiness([check], { cacheMs: 1000, now: () => now });
    await Promise.all([readiness.report(running, false), readiness.report(running, false), readiness.report(running, false)]);
    expect(probes).toBe(1);
    now = 999;
    await readiness.report(running, false);
    expect(probes).toBe(1);
    now = 2000;
    await readiness.report(running, false);
    expect(probes).toBe(2);
  });
});
