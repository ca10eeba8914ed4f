import { join } from 'node:path';
import { coreServices, createServiceRef, definePlugin } from '@valueverse/plugin-sdk';
import { createTestKernel, type TestKernel } from '@valueverse/plugin-testing';
import { createScratchDatabase, type ScratchDatabase } from '../support/scratch-database';
import { describeWithPostgres } from '../support/services';

// Issue 16 "Done when": a sandboxed plugin that tries each way out is refused every time, and the host is unharmed.
// The sandbox runs the built kernel (kernel/dist/sandbox/sandbox-child.js): `npx tsc -b tsconfig.build.json` first.

const fixtures = join(__dirname, 'sandbox-fixtures');

const good = {
  manifest: { id: 'good', version: '1.0.0', displayName: 'Good', kernel: '^1.0.0', main: 'index.js', routes: ['/good'], provides: ['good.secrets'] },
  plugin: definePlugin({
    deps: { http: coreServices.http },
    setup({ http }, registrar) {
      registrar.provide(createServiceRef<{ secret(): string }>({ id: 'good.secrets' }), { secret: () => 'only for declared dependants' });
      http.route({ method: 'GET', path: '/good', handler: () => ({ good: true }) });
    },
  }),
};

// On the PostgreSQL server: the statement timeout is a server feature (the embedded PGlite does not cancel statements).
describeWithPostgres('a sandboxed plugin from an unknown publisher', () => {
  let k: TestKernel;
  let scratch: ScratchDatabase;
  const saved = { ...process.env };

  beforeAll(async () => {
    // What the host has and the plugin must never see.
    process.env.DATABASE_URL = 'postgres://host-secret@127.0.0.1:5432/test';
    process.env.VV_ENCRYPTION_KEY = 'aG9zdC1vbmx5LWVuY3J5cHRpb24ta2V5LTMyLWJ5dGVz';
    scratch = await createScratchDatabase('sandbox');
    k = await createTestKernel({
      plugins: [{ dir: join(fixtures, 'hostile') }, { dir: join(fixtures, 'hostile-deps') }, good],
      sandbox: true,
      sandboxBudgets: { cpuMs: 500, memoryMb: 64, statementTimeoutMs: 1000 },
      tenants: ['acme', 'globex'],
      database: { url: scratch.url },
    });
  }, 60_000);

  afterAll(async () => {
    await k?.close();
    await scratch?.drop();
    process.env = saved;
  });

  const hostUnharmed = async () => {
    expect((await k.request('GET', '/health/live', { token: null })).status).toBe(200);
    expect((await k.request('GET', '/api/v1/good')).body).toEqual({ good: true });
  };

  it('runs sandboxed and serves, without the caller’s credentials', async () => {
    const res = await k.request('GET', '/api/v1/hostile/ok');
    expect(res.body).toEqual({ ok: true, tenant: 'acme', sawAuthorization: false });
    const ready = await k.request('GET', '/health/ready', { token: null });
    const hostile = (ready.body.plugins as { id: string; sandbox?: { state: string } }[]).find((p) => p.id === 'hostile');
    expect(hostile?.sandbox?.state).toBe('up');
    expect((ready.body.plugins as { id: string; sandbox?: unknown }[]).find((p) => p.id === 'good')?.sandbox).toBeUndefined();
  });

  it('cannot read the host environment', async () => {
    expect((await k.request('GET', '/api/v1/hostile/env')).body).toEqual({ databaseUrl: null, encryptionKey: null, keys: [] });
  });

  it('cannot read files outside its package, nor write any', async () => {
    const passwd = await k.request('GET', '/api/v1/hostile/read?path=/etc/passwd');
    expect(passwd.body).toEqual({ ok: false, error: 'ERR_ACCESS_DENIED' });
    const other = await k.request('GET', `/api/v1/hostile/read?path=${encodeURIComponent(join(fixtures, 'hostile-deps', 'index.js'))}`);
    expect(other.body).toEqual({ ok: false, error: 'ERR_ACCESS_DENIED' });
    const own = await k.request('GET', `/api/v1/hostile/read?path=${encodeURIComponent(join(fixtures, 'hostile', 'plugin.json'))}`);
    expect(own.body.ok).toBe(true);
    expect((await k.request('GET', '/api/v1/hostile/write')).body).toEqual({ ok: false, error: 'ERR_ACCESS_DENIED' });
  });

  it.each([6379, 5432])('cannot open a socket to 127.0.0.1:%i by any route', async (port) => {
    const res = await k.request('GET', `/api/v1/hostile/connect?port=${port}`);
    for (const [way, result] of Object.entries(res.body as Record<string, { ok: boolean; error?: string }>)) {
      expect(`${way}: ${result.ok ? 'got through' : 'refused'}`).toBe(`${way}: refused`);
    }
    expect(res.body.require.error).toMatch(/not available in the sandbox/);
    expect(res.body.importNet.error).toBe('ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING');
  });

  it('cannot spawn a process, start a worker, or signal the host', async () => {
    const res = await k.request('GET', '/api/v1/hostile/spawn');
    for (const [way, result] of Object.entries(res.body as Record<string, { ok: boolean }>)) expect(`${way}: ${result.ok ? 'got through' : 'refused'}`).toBe(`${way}: refused`);
    await hostUnharmed();
  });

  it('cannot publish outside its namespace or for another tenant; its own event reaches a throwing handler harmlessly', async () => {
    const res = await k.request('POST', '/api/v1/hostile/emit', { body: {} });
    expect(res.body.foreign.ok).toBe(false);
    expect(res.body.otherTenant).toEqual({ ok: false, error: 'VV_FORBIDDEN' });
    expect(res.body.own.ok).toBe(true);
    await k.waitForEvent('hostile.ping');
    expect(k.events.some((e) => e.name === 'billing.invoice.paid')).toBe(false);
    await hostUnharmed();
  });

  it('cannot depend on a service its manifest does not declare', async () => {
    const record = k.kernel.plugins().find((p: { id: string }) => p.id === 'hostile-deps') as { state: string; error?: { code: string } };
    expect(record.state).toBe('failed');
    expect(record.error?.code).toBe('VV_SERVICE_NOT_DECLARED');
    await hostUnharmed();
  });

  it("cannot read another tenant's rows, and its statements are cut off by the statement timeout", async () => {
    expect((await k.request('POST', '/api/v1/hostile/notes', { body: { body: 'globex secret' }, tenant: 'globex' })).status).toBe(200);
    expect((await k.request('POST', '/api/v1/hostile/notes', { body: { body: 'acme note' } })).status).toBe(200);
    const res = await k.request('GET', '/api/v1/hostile/notes');
    expect(JSON.parse(res.body.own.value)).toEqual([{ tenant_id: 'acme', body: 'acme note' }]);
    expect(res.body.otherTenant).toEqual({ ok: false, error: 'VV_FORBIDDEN' });
    expect(res.body.resetTenant).toEqual({ ok: false, error: 'VV_FORBIDDEN' });
    expect(res.body.sleep.ok).toBe(false);
  });

  it('a route that throws answers 500 and the sandbox keeps serving', async () => {
    const res = await k.request('GET', '/api/v1/hostile/throw');
    expect(res.status).toBe(500);
    expect(JSON.stringify(res.body)).not.toContain('thrown from a route');
    expect((await k.request('GET', '/api/v1/hostile/ok')).status).toBe(200);
  });

  it('a route that loops forever is stopped at the CPU budget (503), the sandbox restarts, the host keeps serving', async () => {
    const started = Date.now();
    const looping = k.request('GET', '/api/v1/hostile/loop');
    await new Promise((r) => setTimeout(r, 100));
    await hostUnharmed();
    const res = await looping;
    expect(res.status).toBe(503);
    expect(res.body.code).toBe('VV_PLUGIN_BUDGET_EXCEEDED');
    expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(Date.now() - started).toBeLessThan(5000);
    await waitUntilServing();
    const ready = await k.request('GET', '/health/ready', { token: null });
    const sandbox = (ready.body.plugins as { id: string; sandbox: { restarts: number; budgetHits: { cpu: number } } }[]).find((p) => p.id === 'hostile')!.sandbox;
    expect(sandbox.restarts).toBeGreaterThanOrEqual(1);
    expect(sandbox.budgetHits.cpu).toBeGreaterThanOrEqual(1);
    const metrics = await k.request('GET', '/metrics', { token: null });
    expect(metrics.body).toMatch(/vv_plugin_budget_exceeded\{plugin="hostile",budget="cpu"\} [1-9]/);
    expect(metrics.body).toMatch(/vv_plugin_sandbox_restarts\{plugin="hostile"\} [1-9]/);
  });

  it('a route that allocates 1 GB is stopped at the memory budget (503); the sandbox restarts', async () => {
    const res = await k.request('GET', '/api/v1/hostile/allocate');
    expect(res.status).toBe(503);
    expect(res.body.code).toBe('VV_PLUGIN_BUDGET_EXCEEDED');
    await hostUnharmed();
    await waitUntilServing();
  });

  async function waitUntilServing(): Promise<void> {
    let sawRetryAfter = false;
    for (let i = 0; i < 100; i++) {
      const res = await k.request('GET', '/api/v1/hostile/ok');
      if (res.status === 200) return;
      expect(`${res.status} ${res.body.code}`).toMatch(/^503 VV_PLUGIN_(FAILED|BUDGET_EXCEEDED)$/);
      sawRetryAfter ||= res.headers.get('retry-after') !== null;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`the sandbox did not come back (Retry-After seen: ${sawRetryAfter})`);
  }
});
