import { randomBytes, randomUUID } from 'node:crypto';
import type { HttpRouteInfo } from '@valueverse/kernel';
import { TokenService, type Database } from '@valueverse/kernel';
import { openDatabase } from '@valueverse/backend-defaults';
import { roles, type Role } from '@valueverse/plugin-sdk';
import { ADMIN_PASSWORD, bootHost, signIn } from '../support/host-fixture';
import { describeWithPostgres, postgresUrl, TEST_POSTGRES_URL } from '../support/services';
import { routeFixtures, type FixtureContext, type RouteFixtures } from './route-fixtures';

// The security suite walks every HTTP route the running host registers (the kernel's and every plugin's, read
// from the routers, not listed by hand) and checks, for each: no token → 401, bad tokens → 401, a role below the
// route's → 403, and a caller of another tenant naming this tenant's ids → 404. Then: refresh-token reuse revokes
// the family, and raw SQL on every tenant table returns no rows without `app.tenant_id`.

const A = 'sec-a';
const B = 'sec-b';
const PASSWORD = 'a long and correct password';
const rank = (role: Role) => roles.indexOf(role);
const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
// Each check calls every route (four bad tokens each, or every id route), and the route count grows with the
// plugins: 5 s is not enough on a loaded 2-core machine, least of all on the embedded database.
jest.setTimeout(30_000);

type Host = Awaited<ReturnType<typeof bootHost>>;

interface Caller {
  token: string | null;
  headers?: Record<string, string>;
}

function securitySuite(backend: string, env: () => Record<string, string>) {
  describe(`route security on ${backend}`, () => {
    let host: Host;
    const tokens: Record<string, Record<string, string>> = { [A]: {}, [B]: {} };
    let routes: readonly HttpRouteInfo[];
    let fixtures: RouteFixtures;

    const call = async (method: string, path: string, caller: Caller, body?: unknown) => {
      const headers: Record<string, string> = { ...caller.headers };
      if (caller.token) headers.authorization = `Bearer ${caller.token}`;
      const send = method !== 'GET' && method !== 'DELETE';
      if (send) headers['content-type'] = 'application/json';
      // A fresh key on every POST: routes that require one (paying an invoice) then fail for the reason checked.
      if (method === 'POST') headers['idempotency-key'] ??= randomUUID();
      const res = await fetch(`${host.url}${path}`, { method, headers, body: send ? JSON.stringify(body ?? {}) : undefined });
      const text = await res.text();
      let json: { code?: string } = {};
      try {
        json = JSON.parse(text) as { code?: string };
      } catch {
        // event streams and metrics are not JSON
      }
      return { status: res.status, code: json.code, contentType: res.headers.get('content-type') ?? '' };
    };

    beforeAll(async () => {
      host = await bootHost(env());
      const admin = await signIn(host.url);
      const put = (path: string, body: unknown) =>
        fetch(`${host.url}${path}`, { method: 'PUT', headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      for (const tenant of [A, B]) {
        const res = await fetch(`${host.url}/api/v1/admin/tenants`, {
          method: 'POST',
          headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
          body: JSON.stringify({ id: tenant, name: tenant }),
        });
        expect(res.status).toBe(201);
        for (const plugin of host.kernel.plugins().filter((p) => p.state === 'running')) {
          const enabled = await put(`/api/v1/admin/tenants/${tenant}/plugins/${plugin.id}?cascade=true`, { enabled: true });
          await enabled.text();
        }
        for (const role of ['viewer', 'member', 'tenant-admin'] as const) {
          const id = `u-${tenant}-${role}`;
          const email = `${role}@${tenant}.test`;
          await host.kernel.store.createUser({ id, email, passwordHash: await host.kernel.passwords.hash(PASSWORD), platformAdmin: false });
          await host.kernel.store.setMembership({ userId: id, tenantId: tenant, role });
          tokens[tenant]![role] = await signIn(host.url, email, PASSWORD);
        }
      }
      tokens.platform = { 'platform-admin': admin };
      routes = host.kernel.httpRoutes();
      const context: FixtureContext = { url: host.url, tenant: A, token: (role) => (role === 'platform-admin' ? admin : tokens[A]![role]!) };
      fixtures = await routeFixtures(context);
    }, 120_000);

    afterAll(() => host?.stop(), 30_000);

    const protectedRoutes = () => routes.filter((r) => r.access !== 'public');
    const pathFor = (route: HttpRouteInfo): string =>
      route.path.replace(/:([A-Za-z0-9_]+)/g, (_, name: string) => {
        const value = fixtures.params(route, name);
        if (value === undefined) throw new Error(`no fixture value for :${name} of ${route.method} ${route.path} (add one to test/security/route-fixtures.ts)`);
        return encodeURIComponent(value);
      });

    it('finds the kernel and plugin routes, every one with a declared access rule', () => {
      expect(routes.length).toBeGreaterThan(30);
      const rules = new Set<string>(['public', 'self', 'viewer', 'member', 'tenant-admin', 'platform-admin']);
      expect(routes.filter((r) => !rules.has(r.access)).map((r) => `${r.method} ${r.path}`)).toEqual([]);
      const owners = new Set(routes.map((r) => r.owner));
      for (const plugin of host.kernel.plugins().filter((p) => p.state === 'running' && (p.manifest.routes ?? []).length > 0)) expect(owners).toContain(plugin.id);
    });

    it('answers 401 problem+json on every protected route without a token', async () => {
      const wrong: string[] = [];
      for (const route of protectedRoutes()) {
        const res = await call(route.method, pathFor(route), { token: null });
        if (res.status !== 401 || res.code !== 'VV_UNAUTHENTICATED' || !res.contentType.startsWith('application/problem+json'))
          wrong.push(`${route.method} ${route.path} → ${res.status} ${res.code}`);
      }
      expect(wrong).toEqual([]);
    });

    it('answers 401 on every protected route for alg:none, a foreign key, a tampered payload and an expired token', async () => {
      const genuine = tokens[A]!['tenant-admin']!;
      const [header, payload, signature] = genuine.split('.');
      const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as Record<string, unknown>;
      const now = Math.floor(Date.now() / 1000);
      const forger = await TokenService.create();
      const bad: Record<string, string> = {
        'alg none': `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url({ ...claims, role: 'platform-admin', pa: true })}.`,
        'foreign key': await forger.issue({ sub: 'u-mallory', tid: A, role: 'tenant-admin', pa: true }),
        tampered: `${header}.${b64url({ ...claims, role: 'platform-admin', pa: true })}.${signature}`,
        expired: await host.kernel.tokens.issue({ sub: `u-${A}-tenant-admin`, tid: A, role: 'tenant-admin', pa: false }, { expiresAt: now - 60 }),
      };
      const wrong: string[] = [];
      for (const route of protectedRoutes()) {
        for (const [kind, token] of Object.entries(bad)) {
          const res = await call(route.method, pathFor(route), { token });
          if (res.status !== 401) wrong.push(`${kind}: ${route.method} ${route.path} → ${res.status} ${res.code}`);
        }
      }
      expect(wrong).toEqual([]);
    });

    it('answers 403 on every route to each role below the one it needs', async () => {
      const wrong: string[] = [];
      let checked = 0;
      for (const route of protectedRoutes()) {
        if (route.access === 'self') continue;
        const needed = route.access as Role;
        for (const role of ['viewer', 'member', 'tenant-admin'] as const) {
          if (rank(role) >= rank(needed)) continue;
          checked += 1;
          const res = await call(route.method, pathFor(route), { token: tokens[A]![role]! }, fixtures.body(route));
          if (res.status !== 403 || res.code !== 'VV_FORBIDDEN') wrong.push(`${role}: ${route.method} ${route.path} → ${res.status} ${res.code}`);
        }
      }
      expect(checked).toBeGreaterThan(20);
      expect(wrong).toEqual([]);
    });

    it("answers 404 on every route naming another tenant's ids", async () => {
      const wrong: string[] = [];
      let checked = 0;
      for (const route of protectedRoutes()) {
        if (!route.path.includes(':') || route.access === 'platform-admin' || route.access === 'self') continue;
        checked += 1;
        const res = await call(route.method, pathFor(route), { token: tokens[B]!['tenant-admin']! }, fixtures.body(route));
        if (res.status !== 404) wrong.push(`${route.method} ${route.path} → ${res.status} ${res.code}`);
      }
      expect(checked).toBeGreaterThan(5);
      expect(wrong).toEqual([]);
      // The same requests succeed for the owning tenant, so the 404s above are about the tenant, not the ids.
      for (const route of protectedRoutes().filter((r) => r.method === 'GET' && r.path.includes(':') && r.access !== 'platform-admin' && r.access !== 'self')) {
        const res = await call('GET', pathFor(route), { token: tokens[A]!['tenant-admin']! });
        expect(`${route.path} → ${res.status}`).toBe(`${route.path} → 200`);
      }
    });

    it('revokes the whole refresh-token family when a spent token is presented again', async () => {
      const login = async () =>
        (await (
          await fetch(`${host.url}/api/v1/auth/login`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ email: `member@${A}.test`, password: PASSWORD }),
          })
        ).json()) as { refreshToken: string };
      const refresh = (refreshToken: string) =>
        fetch(`${host.url}/api/v1/auth/refresh`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ refreshToken }) });
      const first = await login();
      const second = (await (await refresh(first.refreshToken)).json()) as { refreshToken: string };
      expect((await refresh(first.refreshToken)).status).toBe(401);
      expect((await refresh(second.refreshToken)).status).toBe(401);
      const other = await login();
      expect((await refresh(other.refreshToken)).status).toBe(200);
    });

    it('returns no rows from any tenant table to a plain select without app.tenant_id', async () => {
      const database = (host.kernel as unknown as { database?: Database }).database ?? (await openHostDatabase(env()));
      const tables = await database.execute<{ schema: string; table: string }>(
        `select c.table_schema as schema, c.table_name as table from information_schema.columns c
           join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
          where c.column_name = 'tenant_id' and t.table_type = 'BASE TABLE' and c.table_schema not in ('kernel', 'public', 'information_schema', 'pg_catalog')
          order by 1, 2`,
      );
      expect(tables.length).toBeGreaterThan(0);
      let rowsSeen = 0;
      for (const { schema, table } of tables) {
        const role = `vv_plugin_${schema}`;
        const name = `"${schema}"."${table}"`;
        const all = await database.execute<{ n: string }>(`select count(*)::text as n from ${name}`);
        rowsSeen += Number(all[0]!.n);
        const asPlugin = await database.transaction(async (tx) => {
          await tx.query(`set local role "${role}"`);
          return tx.query(`select * from ${name}`);
        });
        expect(`${name}: ${asPlugin.length} rows`).toBe(`${name}: 0 rows`);
        const asTenant = await database.transaction(async (tx) => {
          await tx.query(`set local role "${role}"`);
          await tx.query("select set_config('app.tenant_id', $1, true)", [A]);
          return tx.query<{ tenant_id: string }>(`select tenant_id from ${name}`);
        });
        expect(asTenant.every((r) => r.tenant_id === A)).toBe(true);
      }
      // The fixtures wrote rows for tenant A, so "no rows" above is RLS at work, not empty tables.
      expect(rowsSeen).toBeGreaterThan(0);
    });
  });
}

async function openHostDatabase(env: Record<string, string>): Promise<Database> {
  if (!env.DATABASE_URL) throw new Error('the embedded host must expose its database as kernel.database');
  return openDatabase({ url: env.DATABASE_URL, poolMax: 1 });
}

securitySuite('the embedded default (PGlite)', () => ({}));

describeWithPostgres('route security on a PostgreSQL server', () => {
  const database = `vv_sec_${randomBytes(5).toString('hex')}`;
  let admin: Database;
  beforeAll(async () => {
    admin = await openDatabase({ url: TEST_POSTGRES_URL, poolMax: 1 });
    await admin.execute(`create database ${database}`);
  });
  afterAll(async () => {
    await admin?.execute(`drop database if exists ${database} with (force)`);
    await admin?.close();
  });
  securitySuite('PostgreSQL', () => ({ DATABASE_URL: postgresUrl(database), VV_ENCRYPTION_KEY: randomBytes(32).toString('base64'), VV_ADMIN_PASSWORD: ADMIN_PASSWORD }));
});
