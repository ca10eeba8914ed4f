import { randomBytes } from 'node:crypto';
import { type Database } from '@valueverse/kernel';
import { openDatabase } from '@valueverse/backend-defaults';
import { bootHost, signIn } from '../support/host-fixture';
import { waitFor } from '../support/host-process';
import { describeWithPostgres, postgresUrl, TEST_POSTGRES_URL } from '../support/services';

interface Answer {
  readonly status: number;
  readonly code?: string;
  readonly retryAfter: string | null;
  readonly id?: string;
}

// Issue #10, finding 7: connection-class database failures answer 503 VV_UNAVAILABLE with Retry-After (not 500
// VV_INTERNAL), readiness checks the database, and the host recovers without a restart. On the real PostgreSQL
// server, with a database of its own that this suite terminates connections to, renames and renames back.
describeWithPostgres('database outages on PostgreSQL', () => {
  const dbName = `vv_dbout_${randomBytes(5).toString('hex')}`;
  let admin: Database;
  let host: Awaited<ReturnType<typeof bootHost>>;
  let token: string;

  beforeAll(async () => {
    admin = await openDatabase({ url: TEST_POSTGRES_URL, poolMax: 1 });
    await admin.execute(`create database ${dbName}`);
    host = await bootHost({ DATABASE_URL: postgresUrl(dbName), VV_ENCRYPTION_KEY: randomBytes(32).toString('base64') });
    token = await signIn(host.url);
    // The clients below run as fast as the host answers: the tenant's rate limit (200/s by default) must not be what
    // refuses them, or 429s would hide the database failures under test.
    const raised = await fetch(`${host.url}/api/v1/admin/tenants/demo`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ settings: { rateLimits: { tenant: { perSecond: 100_000, burst: 100_000 } } } }),
    });
    expect(raised.status).toBe(200);
  }, 90_000);

  afterAll(async () => {
    await host?.stop();
    // Renamed away if a test failed midway: drop both names.
    await admin?.execute(`drop database if exists ${dbName}_away with (force)`);
    await admin?.execute(`drop database if exists ${dbName} with (force)`);
    await admin?.close();
  }, 30_000);

  async function call(method: string, path: string, body?: unknown): Promise<Answer> {
    const headers: Record<string, string> = { authorization: `Bearer ${token}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${host.url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    const json = text ? (JSON.parse(text) as { code?: string; id?: string }) : {};
    return { status: res.status, code: json.code, retryAfter: res.headers.get('retry-after'), id: res.status < 300 ? json.id : undefined };
  }

  async function terminateHostConnections(): Promise<number> {
    const rows = await admin.execute<{ ok: boolean }>('select pg_terminate_backend(pid) as ok from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', [dbName]);
    return rows.filter((r) => r.ok).length;
  }

  it('answers every failure 503 VV_UNAVAILABLE with Retry-After (none 500) while connections are terminated, and loses no acknowledged write', async () => {
    const answers: Answer[] = [];
    const created: string[] = [];
    let terminated = 0;
    let stop = false;
    // Writes (a plugin's transaction, then its audit row and event) and reads (plugin and kernel routes), 4 at a time.
    const client = async (n: number) => {
      for (let i = 0; !stop; i += 1) {
        const kind = (n + i) % 3;
        const answer =
          kind === 0
            ? await call('POST', '/api/v1/value-models', { name: `outage ${n}-${i}`, fromLibrary: { industry: 'software' } })
            : kind === 1
              ? await call('GET', '/api/v1/value-models?limit=5')
              : await call('GET', '/api/v1/admin/tenants/demo');
        answers.push(answer);
        if (kind === 0 && answer.status === 201 && answer.id) created.push(answer.id);
      }
    };
    const terminator = async () => {
      // Until enough failures were seen to mean something (or 20 s): a run without any proves nothing.
      const started = Date.now();
      while (Date.now() - started < 20_000 && (answers.filter((a) => a.status >= 500).length < 15 || Date.now() - started < 4000)) {
        terminated += await terminateHostConnections();
        await new Promise((r) => setTimeout(r, 100 + Math.random() * 100));
      }
      stop = true;
    };
    await Promise.all([terminator(), client(0), client(1), client(2), client(3)]);

    const failures = answers.filter((a) => a.status >= 300);
    const tally = failures.reduce<Record<string, number>>((t, a) => ({ ...t, [`${a.status} ${a.code}`]: (t[`${a.status} ${a.code}`] ?? 0) + 1 }), {});
    console.log(`database outage: ${answers.length} requests, ${terminated} connections terminated, failures ${JSON.stringify(tally)}, ${created.length} models created`);
    expect(terminated).toBeGreaterThan(0);
    expect(failures.length).toBeGreaterThan(0);
    expect(tally).toEqual({ [`503 VV_UNAVAILABLE`]: failures.length });
    for (const failure of failures) expect(failure.retryAfter).toBe('2');

    // Every acknowledged write is there.
    const own = await openDatabase({ url: postgresUrl(dbName), poolMax: 1 });
    try {
      const rows = await own.execute<{ id: string }>(`select id::text as id from value_architect.value_models where id = any($1::text[])`, [created]);
      expect(created.length).toBeGreaterThan(0);
      expect(new Set(rows.map((r) => r.id))).toEqual(new Set(created));
    } finally {
      await own.close();
    }
    // And the host serves again, without a restart.
    await waitFor(async () => ((await call('GET', '/api/v1/value-models?limit=5')).status === 200 ? true : undefined), 10_000, 'serving again');
  }, 60_000);

  it('reports the database unavailable on /health/ready (503) while it is gone, and recovers when it is back', async () => {
    const ready = async () => {
      const res = await fetch(`${host.url}/health/ready`);
      return { status: res.status, body: (await res.json()) as { status: string; dependencies: Record<string, string> } };
    };
    expect(await ready()).toMatchObject({ status: 200, body: { status: 'ready', dependencies: { database: 'ok' } } });

    // Renaming needs the database free of connections, and the host reconnects at any moment: retry.
    await waitFor(
      async () => {
        await terminateHostConnections();
        await admin.execute(`alter database ${dbName} rename to ${dbName}_away`);
        return true;
      },
      10_000,
      'renaming the database away',
      20,
    );
    await terminateHostConnections().catch(() => 0);

    const down = await waitFor(
      async () => {
        const r = await ready();
        return r.status === 503 ? r : undefined;
      },
      10_000,
      'readiness 503',
    );
    expect(down.body).toMatchObject({ status: 'unavailable', dependencies: { database: 'unavailable' } });
    const refused = await call('POST', '/api/v1/value-models', { name: 'while gone', fromLibrary: { industry: 'software' } });
    expect(refused).toMatchObject({ status: 503, code: 'VV_UNAVAILABLE', retryAfter: '2' });
    expect((await call('GET', '/api/v1/admin/tenants/demo')).status).toBe(503);

    await admin.execute(`alter database ${dbName}_away rename to ${dbName}`);
    await waitFor(async () => ((await ready()).status === 200 ? true : undefined), 10_000, 'readiness 200 again');
    expect((await ready()).body).toMatchObject({ status: 'ready', dependencies: { database: 'ok' } });
    const created = await call('POST', '/api/v1/value-models', { name: 'after the outage', fromLibrary: { industry: 'software' } });
    expect(created.status).toBe(201);
  }, 60_000);
});
