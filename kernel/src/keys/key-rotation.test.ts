import { randomBytes } from 'node:crypto';
import type { Database } from '../data/database-api';
import type { TokenService } from '../identity/token-service';
import { createKernelLogger } from '../observability/kernel-logger';
import { SecretBox } from '../tenancy/secret-box';
import { KeyRotation, type PluginResealHook } from './key-rotation';

/** A database whose kernel tables hold one TOTP secret sealed with the older key; records the statements it runs. */
function fakeDatabase(older: SecretBox, calls: string[]): Database {
  let sealed = older.seal('totp-secret');
  return {
    execute: async (sql: string, params?: unknown[]) => {
      if (sql.startsWith('select') && sql.includes('kernel.user_totp')) return [{ user_id: 'u1', value: sealed }];
      if (sql.startsWith('update kernel.user_totp')) {
        calls.push('kernel.user_totp');
        sealed = params![0] as string;
        return [{}];
      }
      return [];
    },
  } as unknown as Database;
}

describe('KeyRotation.reseal with plugin hooks (registrar.onReseal)', () => {
  const newest = randomBytes(32);
  const old = randomBytes(32);
  const box = new SecretBox([newest, old]);
  const logger = createKernelLogger({ level: 'silent' });

  function rotation(hooks: Map<string, PluginResealHook>, tenants: Record<string, string[]>, calls: string[]) {
    return new KeyRotation({
      database: fakeDatabase(new SecretBox(old), calls),
      secrets: box,
      tokens: {} as TokenService,
      logger,
      pluginHooks: () => hooks,
      tenantsOf: async (plugin) => tenants[plugin] ?? [],
    });
  }

  it('calls every plugin’s hook for each of its tenants after the kernel’s own values, and is done after them', async () => {
    const calls: string[] = [];
    const hooks = new Map<string, PluginResealHook>([
      ['notifications', (t) => void calls.push(`notifications:${t}`)],
      ['value-architect', async (t) => void calls.push(`value-architect:${t}`)],
    ]);
    const progress = await rotation(hooks, { notifications: ['acme', 'zeta'], 'value-architect': ['acme'] }, calls).reseal();
    expect(calls).toEqual(['kernel.user_totp', 'notifications:acme', 'notifications:zeta', 'value-architect:acme']);
    expect(progress).toMatchObject({ state: 'done', resealed: 1, pluginCalls: 3, pluginFailures: [], error: null });
  });

  it('reports a failing hook with the plugin id and tenant (the run is failed), and the next run calls it again', async () => {
    const calls: string[] = [];
    let failing = true;
    const hooks = new Map<string, PluginResealHook>([
      [
        'value-architect',
        async (t) => {
          if (failing && t === 'zeta') throw new Error('database unavailable');
          calls.push(`value-architect:${t}`);
        },
      ],
      ['notifications', (t) => void calls.push(`notifications:${t}`)],
    ]);
    const keys = rotation(hooks, { 'value-architect': ['acme', 'zeta'], notifications: ['zeta'] }, calls);
    const first = await keys.reseal();
    expect(first.state).toBe('failed');
    expect(first.pluginFailures).toEqual([{ plugin: 'value-architect', tenantId: 'zeta', error: 'database unavailable' }]);
    expect(first.error).toContain('value-architect');
    // The other plugins and tenants were still called.
    expect(calls).toEqual(['kernel.user_totp', 'value-architect:acme', 'notifications:zeta']);
    expect((await keys.status()).encryption.reseal.state).toBe('failed');

    failing = false;
    calls.length = 0;
    const second = await keys.reseal();
    expect(calls).toContain('value-architect:zeta');
    expect(second).toMatchObject({ state: 'done', pluginCalls: 3, pluginFailures: [], error: null });
  });

  it('is failed, naming the plugin, when its tenants cannot be listed', async () => {
    const hooks = new Map<string, PluginResealHook>([['notifications', () => undefined]]);
    const keys = new KeyRotation({
      database: fakeDatabase(new SecretBox(old), []),
      secrets: box,
      tokens: {} as TokenService,
      logger,
      pluginHooks: () => hooks,
      tenantsOf: async () => {
        throw new Error('store down');
      },
    });
    expect(await keys.reseal()).toMatchObject({ state: 'failed', pluginFailures: [{ plugin: 'notifications', tenantId: '*', error: 'store down' }] });
  });
});
