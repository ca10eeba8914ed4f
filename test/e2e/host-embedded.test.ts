import { bootHost, signIn } from '../support/host-fixture';

// The newcomer's path: no servers, embedded PostgreSQL (PGlite) in a data directory, every first-party plugin.
describe('host on the embedded default', () => {
  let host: Awaited<ReturnType<typeof bootHost>>;

  beforeAll(async () => {
    host = await bootHost();
  }, 60_000);

  afterAll(async () => {
    await host?.stop();
  });

  it('serves /health/ready with every plugin running', async () => {
    const res = await fetch(`${host.url}/health/ready`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { plugins: { id: string; state: string }[] };
    expect(body.plugins.map((p) => p.id)).toContain('calculation');
    expect(body.plugins.every((p) => p.state === 'running')).toBe(true);
  });

  it('signs in the first-boot admin, who can use the demo tenant', async () => {
    const token = await signIn(host.url);
    const res = await fetch(`${host.url}/api/v1/calculate/npv`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ rate: 0.1, cashFlows: [-10000, 3000, 4200, 6800], convention: 'excel' }),
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { result: number }).result).toBeCloseTo(1188.44, 2);
  });

  it('keeps its state across a restart on the same data directory', async () => {
    const dataDir = host.dataDir;
    await host.stop();
    host = await bootHost({}, dataDir);
    const token = await signIn(host.url);
    const res = await fetch(`${host.url}/api/v1/admin/tenants`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { items: { id: string }[] }).items.map((t) => t.id)).toEqual(['demo']);
  }, 60_000);
});
