import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateSigningKeyPair, verifyPackage } from '@valueverse/plugin-sdk/package';
import { RegistryClient } from '@valueverse/marketplace';
import { signedTestPackage } from '../../marketplace/src/__fixtures__/test-package';
import type { CliIo } from '../../plugin-sdk/src/cli/cli-command';
import { runVvPlugin } from '../../plugin-sdk/src/cli/vv-plugin';
import { bootHost, bootSuiteHost, signIn, type SuiteHost } from '../support/host-fixture';
import { createScratchDatabase, type ScratchDatabase } from '../support/scratch-database';
import { describeWithPostgres } from '../support/services';

// The host serves its own marketplace registry at /api/v1/marketplace (issue #15): platform admins are its
// admins through the kernel's sign-in, publishers use publisher tokens, anyone reads the catalog. On PostgreSQL
// when the server answers (a database of its own), else on the embedded default.
const FIXTURE = join(__dirname, '../../plugin-sdk/src/package/__fixtures__/hello-plugin');

describe('the host serves the marketplace registry at /api/v1/marketplace', () => {
  let host: SuiteHost;
  let R: string;
  let admin: string;

  beforeAll(async () => {
    host = await bootSuiteHost('vv_market_host');
    R = `${host.url}/api/v1/marketplace`;
    admin = await signIn(host.url);
  }, 120_000);
  afterAll(() => host?.dispose(), 30_000);

  const post = (path: string, token: string | undefined, json: unknown) =>
    fetch(`${R}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(json),
    });

  it('answers the empty catalog to anyone', async () => {
    const res = await fetch(`${R}/packages`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ items: [], nextCursor: null });
    expect(res.headers.get('x-request-id')).toBeTruthy();
  });

  it("takes the host's platform admin as registry admin, and refuses others with the kernel's codes", async () => {
    const anonymous = await post('/publishers', undefined, { name: 'Anonymous' });
    expect(anonymous.status).toBe(401);
    expect(((await anonymous.json()) as { code: string }).code).toBe('VV_UNAUTHENTICATED');
    await host.kernel.store.createUser({
      id: 'u-viewer',
      email: 'viewer@demo.test',
      passwordHash: await host.kernel.passwords.hash('a long viewer password'),
      platformAdmin: false,
    });
    await host.kernel.store.setMembership({ userId: 'u-viewer', tenantId: 'demo', role: 'tenant-admin' });
    const tenantAdmin = await signIn(host.url, 'viewer@demo.test', 'a long viewer password');
    const forbidden = await post('/publishers', tenantAdmin, { name: 'Tenant admin' });
    expect(forbidden.status).toBe(403);
    expect(((await forbidden.json()) as { code: string }).code).toBe('VV_FORBIDDEN');
  });

  it('publishes with a publisher token and serves the package to the RegistryClient', async () => {
    const created = await post('/publishers', admin, { name: 'Acme' });
    expect(created.status).toBe(201);
    const publisher = (await created.json()) as { id: string; token: string };
    const key = generateSigningKeyPair();
    expect((await post(`/publishers/${publisher.id}/keys`, publisher.token, { publicKeyPem: key.publicKeyPem })).status).toBe(201);
    const pkg = await signedTestPackage({ id: 'acme-notes', version: '1.0.0', keywords: ['notes'] }, key.privateKeyPem);
    const published = await fetch(`${R}/packages`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream', authorization: `Bearer ${publisher.token}` },
      body: pkg,
    });
    expect(published.status).toBe(201);
    const client = new RegistryClient({ baseUrl: R });
    expect((await client.catalog('notes')).map((e) => [e.id, e.latestVersion, e.categories])).toEqual([['acme-notes', '1.0.0', ['notes']]]);
    const bytes = await client.download('acme-notes', '1.0.0');
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(createHash('sha256').update(pkg).digest('hex'));
    expect((await client.getPackage('acme-notes')).downloads).toBe(1);
  });

  it('accepts what "vv-plugin pack", "sign" and "publish" make, and serves bytes that verifyPackage accepts', async () => {
    const created = await post('/publishers', admin, { name: 'CLI author' });
    const publisher = (await created.json()) as { id: string; token: string };
    const work = mkdtempSync(join(tmpdir(), 'vv-market-cli-'));
    const lines: string[] = [];
    let publicKeyPem = '';
    const io: CliIo = { cwd: work, env: {}, out: (line) => lines.push(line), err: (line) => lines.push(line) };
    try {
      expect(await runVvPlugin(['keygen', '--out', 'author.key'], io)).toBe(0);
      publicKeyPem = await readFile(join(work, 'author.key.pub'), 'utf8');
      expect((await post(`/publishers/${publisher.id}/keys`, publisher.token, { publicKeyPem })).status).toBe(201);
      expect(await runVvPlugin(['pack', FIXTURE, '--out', 'hello.vvpkg'], io)).toBe(0);
      expect(await runVvPlugin(['sign', 'hello.vvpkg', '--key', 'author.key'], io)).toBe(0);
      expect(await runVvPlugin(['publish', 'hello.vvpkg', '--registry', R, '--token', publisher.token], io)).toBe(0);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
    expect(lines.join('\n')).toContain('published hello-fixture@1.2.3');
    // What a deployment does: download, then verify against the publisher's key it chose to trust.
    const client = new RegistryClient({ baseUrl: R });
    const bytes = await client.download('hello-fixture', '1.2.3');
    const { signer } = await client.getVersion('hello-fixture', '1.2.3');
    const verified = await verifyPackage(bytes, { trustedKeys: [{ keyId: signer.keyId, publicKeyPem }] });
    expect(verified).toMatchObject({ pluginId: 'hello-fixture', version: '1.2.3', signer: { keyId: signer.keyId } });
  }, 60_000);

  it('lists the registry routes in httpRoutes, owned by "marketplace"', () => {
    const routes = host.kernel.httpRoutes().filter((r) => r.owner === 'marketplace');
    expect(routes.map((r) => `${r.method} ${r.path} ${r.access}`)).toEqual(
      expect.arrayContaining([
        'GET /api/v1/marketplace/packages public',
        'POST /api/v1/marketplace/packages platform-admin',
        'POST /api/v1/marketplace/publishers platform-admin',
        'GET /api/v1/marketplace/packages/:id/versions/:version/download public',
      ]),
    );
  });
});

// Package files live in the database: every host on it serves what any of them accepted (issue #15: installs
// reconcile on every instance, so each must find the same bytes).
describeWithPostgres('two hosts on one PostgreSQL database serve one registry', () => {
  let scratch: ScratchDatabase;
  let first: Awaited<ReturnType<typeof bootHost>>;
  let second: Awaited<ReturnType<typeof bootHost>>;

  beforeAll(async () => {
    scratch = await createScratchDatabase('vv_market_two');
    const env = { DATABASE_URL: scratch.url, VV_ENCRYPTION_KEY: randomBytes(32).toString('base64') };
    first = await bootHost(env);
    second = await bootHost(env);
  }, 120_000);
  afterAll(async () => {
    await first?.stop();
    await second?.stop();
    await scratch?.drop();
    for (const host of [first, second]) if (host) rmSync(host.dataDir, { recursive: true, force: true });
  }, 60_000);

  it('publishes on one host and downloads the same bytes, counted once each, from both', async () => {
    const admin = await signIn(first.url);
    const created = await fetch(`${first.url}/api/v1/marketplace/publishers`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Shared' }),
    });
    const publisher = (await created.json()) as { id: string; token: string };
    const key = generateSigningKeyPair();
    // The key is added through the second host: the publisher's token works on any of them.
    const added = await fetch(`${second.url}/api/v1/marketplace/publishers/${publisher.id}/keys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${publisher.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ publicKeyPem: key.publicKeyPem }),
    });
    expect(added.status).toBe(201);
    const pkg = await signedTestPackage({ id: 'shared-pkg', version: '1.0.0' }, key.privateKeyPem);
    const published = await fetch(`${first.url}/api/v1/marketplace/packages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${publisher.token}`, 'content-type': 'application/octet-stream' },
      body: pkg,
    });
    expect(published.status).toBe(201);
    for (const host of [first, second]) {
      expect(await new RegistryClient({ baseUrl: `${host.url}/api/v1/marketplace` }).download('shared-pkg', '1.0.0')).toEqual(pkg);
    }
    expect((await new RegistryClient({ baseUrl: `${second.url}/api/v1/marketplace` }).getPackage('shared-pkg')).downloads).toBe(2);
  });
});
